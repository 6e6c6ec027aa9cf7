"""A targeting spec as JSON (how alerts store it and the composer posts it) and back.

    {
      "areas":         {"whole_force": false, "divisions": [1], "neighbourhoods": [4, 5],
                        "shapes": [<GeoJSON Polygon>, {"type": "Circle", "center": [lon, lat], "radius_m": 500}]},
      "exclude_areas": {... the same shape; optional ...},
      "topics":        {"include": ["crime-alerts"], "must": [], "exclude": []},
      "groups":        {"include": [], "must": [], "exclude": ["cctv-owner"]},
      "demographics":  {"age_band": {"include": ["16-24"]}, "ethnicity": {...}, "disability": {...}},
      "channels":      ["email", "sms"]
    }

An update ("Send an update" on a sent alert) names the earlier alert instead of areas and interests, and keeps
that alert's demographic rules (if any) so that its counts are shown as carefully:

    {"update_of": 12, "demographics": {...as the earlier alert's...}, "channels": ["email"]}

Every key is optional except that an alert needs some area (or `update_of`). Unknown keys, unknown interests,
bad shapes and out-of-range values raise `TargetingError` with a message a person can act on. What the rules mean is
documented in `alerts.audience`.
"""

from __future__ import annotations

from typing import Any

from shapely.geometry import shape

from openbeat.alerts.audience import CHANNELS, DEMOGRAPHIC_FIELDS, AreaSet, SetRule, TargetingSpec

MAX_SHAPES = 10
MAX_VERTICES = 500
MAX_RADIUS_M = 50_000


class TargetingError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _ids(value: Any, what: str) -> frozenset[int]:
    if value in (None, ""):
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise TargetingError(f"{what} must be a list of ids")
    return frozenset(value)


def _slugs(value: Any, what: str) -> frozenset[str]:
    if value in (None, ""):
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TargetingError(f"{what} must be a list of names")
    return frozenset(value)


def _shape(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise TargetingError("Each drawn shape must be a GeoJSON object")
    if item.get("type") == "Circle":
        try:
            lon, lat = (float(v) for v in item["center"])
            radius = float(item["radius_m"])
        except (KeyError, TypeError, ValueError) as error:
            raise TargetingError("A circle needs a centre [longitude, latitude] and a radius in metres") from error
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise TargetingError("A circle's centre must be a longitude and latitude")
        if not 0 < radius <= MAX_RADIUS_M:
            raise TargetingError(f"A circle's radius must be more than 0 and at most {MAX_RADIUS_M // 1000} km")
        return {"type": "Circle", "center": [lon, lat], "radius_m": radius}
    if item.get("type") not in ("Polygon", "MultiPolygon"):
        raise TargetingError("A drawn shape must be a polygon or a circle")
    try:
        geom = shape(item)
    except Exception as error:  # shapely raises several kinds for malformed coordinates
        raise TargetingError("The drawn shape's coordinates are not a valid polygon") from error
    if geom.is_empty or geom.area == 0:
        raise TargetingError("A drawn polygon needs at least three distinct points")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise TargetingError("A drawn shape must be in longitude and latitude")
    vertices = sum(len(ring.coords) for poly in getattr(geom, "geoms", [geom]) for ring in [poly.exterior])
    if vertices > MAX_VERTICES:
        raise TargetingError(f"A drawn shape may have at most {MAX_VERTICES} points")
    return {"type": item["type"], "coordinates": item["coordinates"]}


def _areas(value: Any, what: str) -> AreaSet:
    if value in (None, ""):
        return AreaSet()
    if not isinstance(value, dict):
        raise TargetingError(f"{what} must be an object")
    unknown = set(value) - {"whole_force", "divisions", "neighbourhoods", "shapes"}
    if unknown:
        raise TargetingError(f"Unknown {what} keys: {', '.join(sorted(unknown))}")
    shapes = value.get("shapes") or []
    if not isinstance(shapes, list):
        raise TargetingError("shapes must be a list")
    if len(shapes) > MAX_SHAPES:
        raise TargetingError(f"At most {MAX_SHAPES} drawn shapes")
    return AreaSet(
        whole_force=bool(value.get("whole_force")),
        divisions=_ids(value.get("divisions"), "divisions"),
        neighbourhoods=_ids(value.get("neighbourhoods"), "neighbourhoods"),
        shapes=tuple(_shape(s) for s in shapes),
    )


def _rule(value: Any, what: str) -> SetRule:
    if value in (None, ""):
        return SetRule()
    if not isinstance(value, dict):
        raise TargetingError(f"{what} must be an object with include, must and exclude")
    unknown = set(value) - {"include", "must", "exclude"}
    if unknown:
        raise TargetingError(f"Unknown {what} keys: {', '.join(sorted(unknown))}")
    return SetRule(
        include=_slugs(value.get("include"), f"{what}.include"),
        must=_slugs(value.get("must"), f"{what}.must"),
        exclude=_slugs(value.get("exclude"), f"{what}.exclude"),
    )


def _update_of(data: dict[str, Any]) -> int | None:
    value = data.get("update_of")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TargetingError("update_of must be the id of an alert")
    return value


def _check_update(spec: TargetingSpec, alert_id: int) -> None:
    """An update goes to the earlier alert's recipients: that alert exists and was sent, and the update names
    no areas or interests of its own, and the earlier alert's demographic rules (what its counts are shown by)."""
    from openbeat.alerts.models import Alert

    if not (spec.areas.is_empty and spec.exclude_areas.is_empty) or any(
        rule.include or rule.must or rule.exclude for rule in (spec.topics, spec.groups)
    ):
        raise TargetingError(
            "An update goes to the recipients of the earlier alert: it cannot also choose areas or interests"
        )
    earlier = Alert.objects.filter(pk=alert_id).values_list("state", "targeting").first()
    if earlier is None:
        raise TargetingError("The alert this is an update to no longer exists")
    state, targeting = earlier
    if state != Alert.State.SENT:
        raise TargetingError("Only an alert that has been sent can be followed by an update")
    demographics = (targeting or {}).get("demographics") or {}
    if _demographic_rules(spec.demographics) != _demographic_rules(
        {k: _rule(v, f"demographics.{k}") for k, v in demographics.items()}
    ):
        raise TargetingError("An update keeps the demographic groups of the alert it updates")


def _demographic_rules(rules: dict[str, SetRule] | Any) -> dict[str, SetRule]:
    return {k: v for k, v in rules.items() if v.include or v.must or v.exclude}


def spec_from_json(data: Any) -> TargetingSpec:
    """Parse and check a targeting spec. Interests are checked against the database."""
    from openbeat.subscriptions.models import Interest

    if not isinstance(data, dict):
        raise TargetingError("The targeting must be an object")
    unknown = set(data) - {"areas", "exclude_areas", "topics", "groups", "demographics", "channels", "update_of"}
    if unknown:
        raise TargetingError(f"Unknown targeting keys: {', '.join(sorted(unknown))}")
    demographics_in = data.get("demographics") or {}
    if not isinstance(demographics_in, dict):
        raise TargetingError("demographics must be an object")
    bad = set(demographics_in) - set(DEMOGRAPHIC_FIELDS)
    if bad:
        raise TargetingError(f"Unknown demographic groups: {', '.join(sorted(bad))}")
    channels = _slugs(data.get("channels", list(CHANNELS)), "channels")
    if channels - set(CHANNELS):
        raise TargetingError(f"Channels must be among: {', '.join(CHANNELS)}")
    spec = TargetingSpec(
        areas=_areas(data.get("areas"), "areas"),
        exclude_areas=_areas(data.get("exclude_areas"), "exclude_areas"),
        topics=_rule(data.get("topics"), "topics"),
        groups=_rule(data.get("groups"), "groups"),
        demographics={k: _rule(v, f"demographics.{k}") for k, v in demographics_in.items()},
        channels=channels,
        update_of=_update_of(data),
    )
    if spec.update_of is not None:
        _check_update(spec, spec.update_of)
    named = set().union(
        *(r.include | r.must | r.exclude for r in (spec.topics, spec.groups)),
    )
    if named:
        known = set(Interest.objects.filter(slug__in=named).values_list("slug", flat=True))
        if named - known:
            raise TargetingError(f"Unknown interests: {', '.join(sorted(named - known))}")
    return spec


def _areas_json(areas: AreaSet) -> dict[str, Any]:
    return {
        "whole_force": areas.whole_force,
        "divisions": sorted(areas.divisions),
        "neighbourhoods": sorted(areas.neighbourhoods),
        "shapes": [dict(s) for s in areas.shapes],
    }


def _rule_json(rule: SetRule) -> dict[str, list[str]]:
    return {"include": sorted(rule.include), "must": sorted(rule.must), "exclude": sorted(rule.exclude)}


def spec_to_json(spec: TargetingSpec) -> dict[str, Any]:
    if spec.update_of is not None:
        return {
            "update_of": spec.update_of,
            "demographics": {k: _rule_json(v) for k, v in sorted(spec.demographics.items())},
            "channels": sorted(spec.channels),
        }
    return {
        "areas": _areas_json(spec.areas),
        "exclude_areas": _areas_json(spec.exclude_areas),
        "topics": _rule_json(spec.topics),
        "groups": _rule_json(spec.groups),
        "demographics": {k: _rule_json(v) for k, v in sorted(spec.demographics.items())},
        "channels": sorted(spec.channels),
    }
