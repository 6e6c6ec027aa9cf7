"""Everything held about one subscriber, for them to download (the right of access and to data portability).

`subscriber_export(subscriber)` is the one structure; `export_json` and `export_csv` render it. Another app
that keeps data about subscribers adds its section in its AppConfig.ready():

    register_export_section("deliveries", lambda subscriber: [{"alert": ..., "sent_at": ...}, ...])

A section is a list of flat records (dicts of plain values), so the CSV needs no knowledge of it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber

Record = dict[str, Any]
ExportSection = Callable[[Subscriber], list[Record]]
_sections: dict[str, ExportSection] = {}


def register_export_section(name: str, section: ExportSection) -> None:
    _sections[name] = section


def _subscriber(s: Subscriber) -> Record:
    languages = dict(settings.SUBSCRIBER_LANGUAGES)
    home = s.home_neighbourhood
    return {
        "reference": str(s.public_id),
        "status": s.get_status_display(),
        "email": s.email or "",
        "email_confirmed_at": s.email_confirmed_at,
        "phone": s.phone or "",
        "phone_verified_at": s.phone_verified_at,
        "language": languages.get(s.language, s.language),
        "home_neighbourhood": f"{home.name} ({home.code})" if home else "",
        "email_by_day": s.email_day,
        "email_at_night": s.email_night,
        "email_lowest_priority": Subscriber.Priority(s.email_min_priority).label,
        "email_stopped_after_failures": s.email_stopped,
        "text_by_day": s.sms_day,
        "text_at_night": s.sms_night,
        "text_lowest_priority": Subscriber.Priority(s.sms_min_priority).label,
        "signed_up_through": s.source,
        "signed_up_at": s.created_at,
    }


def _areas(s: Subscriber) -> list[Record]:
    return [
        {
            "home": area.is_home,
            "label": area.label,
            "postcode": area.postcode,
            "neighbourhood": area.neighbourhood.name,
            "neighbourhood_code": area.neighbourhood.code,
            "latitude": area.lat,
            "longitude": area.lon,
        }
        for area in s.areas.select_related("neighbourhood").order_by("-is_home", "pk")
    ]


def _interests(s: Subscriber) -> list[Record]:
    return [
        {"name": i.name, "kind": i.get_kind_display()}
        for i in Interest.objects.order_by("kind", "sort_order", "name")
        if s.interest_bits & i.mask
    ]


def _consents(s: Subscriber) -> list[Record]:
    return [
        {
            "purpose": c.get_purpose_display(),
            "wording": c.wording,
            "source": c.source,
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }
        for c in Consent.objects.filter(subscriber=s).order_by("given_at", "pk")
    ]


def _demographics(s: Subscriber) -> list[Record]:
    d = Demographics.objects.filter(subscriber=s).first()
    if d is None:
        return []
    return [
        {"age_band": d.age_band, "ethnicity": d.ethnicity, "disability": d.disability, "consented_at": d.consented_at}
    ]


def subscriber_export(subscriber: Subscriber) -> dict[str, Any]:
    """Every section of the export, each a list of records (the subscriber section has one)."""
    subscriber = Subscriber.objects.select_related("home_neighbourhood").get(pk=subscriber.pk)
    sections: dict[str, list[Record]] = {
        "subscriber": [_subscriber(subscriber)],
        "watched_areas": _areas(subscriber),
        "interests": _interests(subscriber),
        "consents": _consents(subscriber),
        "demographics": _demographics(subscriber),
    }
    for name, section in _sections.items():
        sections[name] = section(subscriber)
    return {"exported_at": timezone.now(), "sections": sections}


def export_json(export: dict[str, Any]) -> str:
    return json.dumps(export, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such cells get a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def export_csv(export: dict[str, Any]) -> str:
    """One row per value: section, item number within the section, field, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    writer.writerow(["export", 1, "exported_at", _cell(export["exported_at"])])
    for name, records in export["sections"].items():
        for number, record in enumerate(records, start=1):
            for field, value in record.items():
                writer.writerow([name, number, field, _cell(value)])
    return out.getvalue()
