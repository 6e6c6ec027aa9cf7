"""Compare a response's JSON shape with recordings of data.police.uk: key names, key order, JSON types, nested
shapes, and nulls only where a recording has null.

    assert_same_shape(response.json(), recording("police-data-kit", "neighbourhood.json"))

Several recordings of one endpoint can be given (a priority with an action, one without): their shapes are merged,
so a field may be null if any recording has it null, and a key that only some recordings have is optional. Values
are not compared, only shapes. `open_objects` names keys whose objects vary by record on data.police.uk
(`contact_details`): their keys are optional and in any order, but each must be one the given recording knows, and
values must have its types.

The recordings sit beside the checkout (../shared/data/police-api-fixtures, README in ../shared/data); `recording()`
skips the test when they are absent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = Path(os.environ.get("OPENBEAT_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
FIXTURES = SHARED_DATA / "police-api-fixtures"


def recording(kind: str, name: str) -> Any:
    """One recording, parsed: `kind` is "police-data-kit" or "policeuk-net" (whose files start with a BOM)."""
    path = FIXTURES / kind / name
    if not path.is_file():
        pytest.skip(f"data.police.uk recordings not found at {FIXTURES} (../shared/data beside the checkout)")
    return json.loads(path.read_text(encoding="utf-8-sig"))


@dataclass
class Shape:
    """What a JSON value may be: its types, and for objects their keys (in order), for arrays their items."""

    types: set[str] = field(default_factory=set)
    keys: dict[str, Shape] | None = None
    required: set[str] = field(default_factory=set)
    items: Shape | None = None


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def shape_of(value: Any) -> Shape:
    shape = Shape(types={_type(value)})
    if isinstance(value, dict):
        shape.keys = {key: shape_of(item) for key, item in value.items()}
        shape.required = set(value)
    elif isinstance(value, list):
        for item in value:
            shape.items = merge(shape.items, shape_of(item))
    return shape


def merge(a: Shape | None, b: Shape | None) -> Shape | None:
    """One shape that admits what either admits (a recording's null makes the field nullable)."""
    if a is None or b is None:
        return a or b
    merged = Shape(types=a.types | b.types, items=merge(a.items, b.items))
    if a.keys is not None or b.keys is not None:
        keys = dict(a.keys or {})
        for key, value in (b.keys or {}).items():
            keys[key] = merge(keys.get(key), value) or value
        merged.keys = keys
        # An object in only one of them (the other null): its keys stay required when it is there.
        if a.keys is not None and b.keys is not None:
            merged.required = a.required & b.required
        else:
            merged.required = a.required | b.required
    return merged


def _check(actual: Any, expected: Shape, path: str, open_objects: Mapping[str, Shape]) -> None:
    kind = _type(actual)
    assert kind in expected.types, f"{path}: {kind} where the recording has {sorted(expected.types)}"
    if kind == "object" and expected.keys is not None:
        keys = list(actual)
        unknown = [key for key in keys if key not in expected.keys]
        assert not unknown, f"{path}: keys {unknown} not in the recording ({list(expected.keys)})"
        missing = [key for key in expected.keys if key in expected.required and key not in actual]
        assert not missing, f"{path}: keys {missing} missing"
        order = [key for key in expected.keys if key in actual]
        assert keys == order, f"{path}: key order {keys}, the recording's {order}"
        for key, value in actual.items():
            child = open_objects.get(key)
            if child is not None and isinstance(value, dict):
                _check_open(value, child, f"{path}.{key}")
            else:
                _check(value, expected.keys[key], f"{path}.{key}", open_objects)
    elif kind == "array" and expected.items is not None:
        for index, item in enumerate(actual):
            _check(item, expected.items, f"{path}[{index}]", open_objects)


def _check_open(actual: dict[str, Any], expected: Shape, path: str) -> None:
    known = expected.keys or {}
    unknown = [key for key in actual if key not in known]
    assert not unknown, f"{path}: keys {unknown} not in the recording ({list(known)})"
    for key, value in actual.items():
        _check(value, known[key], f"{path}.{key}", {})


def assert_same_shape(
    actual: Any, *recorded: Any, open_objects: Mapping[str, Any] | None = None, path: str = "$"
) -> None:
    """Fail, naming the path, where `actual` differs in shape from the recordings (merged).

    `open_objects`: {key: a recording of that object with every key it may have}, e.g.
    {"contact_details": recording("police-data-kit", "contact-details.json")}.
    """
    assert recorded, "give at least one recording"
    expected: Shape | None = None
    for value in recorded:
        expected = merge(expected, shape_of(value))
    assert expected is not None
    opens = {key: shape_of(value) for key, value in (open_objects or {}).items()}
    _check(actual, expected, path, opens)
