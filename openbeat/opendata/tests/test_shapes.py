"""The shape comparison the contract tests rely on: it must fail on each kind of difference."""

from __future__ import annotations

import pytest

from openbeat.opendata.tests.shapes import assert_same_shape

RECORDED = {"id": "NC04", "population": "1000", "centre": {"latitude": "1", "longitude": "2"}, "links": [{"a": "x"}]}


def test_the_same_shape_passes() -> None:
    assert_same_shape(
        {"id": "X", "population": "5", "centre": {"latitude": "3", "longitude": "4"}, "links": []}, RECORDED
    )


@pytest.mark.parametrize(
    "actual",
    [
        {"id": "X", "population": 5, "centre": {"latitude": "3", "longitude": "4"}, "links": []},
        {"population": "5", "id": "X", "centre": {"latitude": "3", "longitude": "4"}, "links": []},
        {"id": "X", "centre": {"latitude": "3", "longitude": "4"}, "links": []},
        {"id": "X", "population": "5", "centre": {"latitude": "3", "longitude": "4"}, "links": [], "extra": 1},
        {"id": "X", "population": None, "centre": {"latitude": "3", "longitude": "4"}, "links": []},
        {"id": "X", "population": "5", "centre": {"latitude": 3, "longitude": "4"}, "links": []},
        {"id": "X", "population": "5", "centre": {"latitude": "3", "longitude": "4"}, "links": [{"a": 1}]},
    ],
    ids=["number-for-string", "key-order", "missing-key", "extra-key", "null", "nested-type", "array-item"],
)
def test_a_different_shape_fails(actual: dict[str, object]) -> None:
    with pytest.raises(AssertionError):
        assert_same_shape(actual, RECORDED)


def test_null_is_allowed_where_a_recording_has_it() -> None:
    assert_same_shape({"action": None}, {"action": "done"}, {"action": None})


def test_open_objects_take_any_known_keys_in_any_order() -> None:
    assert_same_shape(
        {"contact_details": {"telephone": "101", "email": "a@b"}},
        {"contact_details": {"email": "x"}},
        open_objects={"contact_details": {"email": "", "telephone": "", "web": ""}},
    )


def test_open_objects_refuse_unknown_keys() -> None:
    with pytest.raises(AssertionError):
        assert_same_shape(
            {"contact_details": {"pager": "1"}},
            {"contact_details": {}},
            open_objects={"contact_details": {"email": ""}},
        )
