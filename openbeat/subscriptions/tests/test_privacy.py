"""A subscriber downloads everything held about them, as JSON and as CSV, and nobody else's."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from openbeat.subscriptions import privacy
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.services import CONTACT_CONSENT_WORDING, DEMOGRAPHICS_CONSENT_WORDING
from openbeat.subscriptions.tests.test_preferences import make_resident, sign_in

pytestmark = pytest.mark.django_db

CONTACT = CONTACT_CONSENT_WORDING.format(force="Demoshire Police")
DEMOGRAPHICS = DEMOGRAPHICS_CONSENT_WORDING.format(force="Demoshire Police")


@pytest.fixture
def ann() -> Subscriber:
    make_resident("bob@example.com", phone="+447700900456", postcode="DM3 3EF")
    return make_resident("ann@example.com", phone="+447700900123", postcode="DM1 1AB")


def test_the_json_download_holds_everything_about_the_subscriber(client, ann):
    sign_in(client, ann)
    response = client.get(reverse("subscriptions:export_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="in-the-know-my-data-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)["sections"]
    [me] = data["subscriber"]
    assert me["reference"] == str(ann.public_id)
    assert me["email"] == "ann@example.com"
    assert me["phone"] == "+447700900123"
    assert me["email_confirmed_at"].startswith("2026-10-01T09:30")
    assert me["language"] == "Cymraeg (Welsh)"
    assert me["text_lowest_priority"] == "Urgent"
    assert me["status"] == "Active"
    assert [(a["home"], a["label"], a["postcode"], a["neighbourhood"]) for a in data["watched_areas"]] == [
        (True, "Home", "DM1 1AB", "Ingol & Cottam"),
        (False, "Work", "DM2 2CD", "Larches"),
    ]
    assert {i["name"] for i in data["interests"]} == {"Crime alerts and appeals", "CCTV owner"}
    assert {(c["purpose"], c["wording"], c["withdrawn_at"]) for c in data["consents"]} == {
        ("Receive In the Know messages", CONTACT, None),
        ("Use optional demographic answers", DEMOGRAPHICS, None),
    }
    assert all(c["given_at"] for c in data["consents"])
    [answers] = data["demographics"]
    assert (answers["age_band"], answers["ethnicity"], answers["disability"]) == ("45-64", "Prefer not to say", "")


def test_the_download_holds_nobody_elses_data(client, ann):
    sign_in(client, ann)
    for name in ("export_json", "export_csv"):
        content = client.get(reverse(f"subscriptions:{name}")).content.decode()
        for other in ["bob@example.com", "+447700900456", "DM3 3EF"]:
            assert other not in content, (name, other)


def test_the_csv_download_holds_the_same_one_value_per_row(client, ann):
    sign_in(client, ann)
    response = client.get(reverse("subscriptions:export_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    values = {(r["section"], r["item"], r["field"]): r["value"] for r in rows}
    assert values[("subscriber", "1", "email")] == "ann@example.com"
    assert values[("subscriber", "1", "phone")] == "'+447700900123"  # not run as a formula by a spreadsheet
    assert values[("watched_areas", "1", "postcode")] == "DM1 1AB"
    assert values[("watched_areas", "1", "longitude")] == "-2.73"
    assert values[("watched_areas", "2", "home")] == "no"
    assert values[("demographics", "1", "age_band")] == "45-64"
    wordings = {r["value"] for r in rows if r["section"] == "consents" and r["field"] == "wording"}
    assert wordings == {CONTACT, DEMOGRAPHICS}
    assert {r["value"] for r in rows if r["section"] == "interests" and r["field"] == "name"} == {
        "Crime alerts and appeals",
        "CCTV owner",
    }


def test_someone_who_gave_no_optional_answers_has_no_demographics_section_rows(client):
    subscriber = make_resident(demographics=False, phone=None)
    export = privacy.subscriber_export(subscriber)
    assert export["sections"]["demographics"] == []
    assert export["sections"]["subscriber"][0]["phone"] == ""
    assert "demographics" not in privacy.export_csv(export)


def test_a_formula_typed_into_a_label_is_not_run_by_a_spreadsheet(ann):
    ann.areas.filter(is_home=False).update(label='=HYPERLINK("http://evil.example")')
    rows = list(csv.reader(io.StringIO(privacy.export_csv(privacy.subscriber_export(ann)))))
    [label] = [r[3] for r in rows if r[0] == "watched_areas" and r[1] == "2" and r[2] == "label"]
    assert label.startswith("'=")


def test_other_apps_add_their_sections_to_the_export(ann, monkeypatch):
    monkeypatch.setattr(privacy, "_sections", {})
    privacy.register_export_section("deliveries", lambda s: [{"alert": "Burglaries in Larches", "channel": "email"}])
    export = privacy.subscriber_export(ann)
    assert export["sections"]["deliveries"] == [{"alert": "Burglaries in Larches", "channel": "email"}]
    assert "deliveries,1,alert,Burglaries in Larches" in privacy.export_csv(export)
    assert json.loads(privacy.export_json(export))["sections"]["deliveries"][0]["channel"] == "email"
