"""The back office's pages for the officer's app: giving a survey to officers, setting up a phone, switching one
off; each with the owner, a user of another division and an outsider."""

from __future__ import annotations

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.core.users import user_name
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user
from openbeat.surveys import devices
from openbeat.surveys.models import OfficerDevice, SurveyAssignment

pytestmark = pytest.mark.django_db


def officers_url(survey) -> str:
    return f"/admin/surveys/{survey.pk}/officers/"


def test_the_owner_gives_the_survey_to_an_officer_of_the_division_and_takes_it_back(world, survey):
    east_officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, world.east, username="officer-east")
    client = client_for(world.lead)
    page = client.get(officers_url(survey))
    assert page.status_code == 200
    assert user_name(world.officer) in page.text
    assert user_name(east_officer) not in page.text
    assert client.post(officers_url(survey), {"officer": world.officer.pk}).status_code == 302
    assert SurveyAssignment.objects.filter(survey=survey, officer=world.officer, assigned_by=world.lead).exists()
    # An officer of another division is not offered, and refused if sent anyway: the form says so.
    page = client.post(officers_url(survey), {"officer": east_officer.pk})
    assert page.status_code == 200
    assert "error" in page.text.lower()
    assert not SurveyAssignment.objects.filter(officer=east_officer).exists()
    client.post(f"{officers_url(survey)}{world.officer.pk}/remove/")
    assert not SurveyAssignment.objects.exists()
    actions = set(AuditEntry.objects.filter(actor=world.lead).values_list("action", flat=True))
    assert {"surveys.assignment.add", "surveys.assignment.remove"} <= actions


def test_hq_may_give_a_force_wide_survey_to_any_officer(world):
    from openbeat.surveys import services
    from openbeat.surveys.tests.conftest import build_survey

    force_wide = build_survey(world.hq, slug="force-wide")
    services.survey_publish(survey=force_wide, actor=world.hq)
    east_officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, world.east, username="officer-east")
    assert client_for(world.hq).post(officers_url(force_wide), {"officer": east_officer.pk}).status_code == 302
    assert SurveyAssignment.objects.filter(survey=force_wide, officer=east_officer).exists()


def test_another_division_and_an_officer_cannot_assign(world, survey, refused):
    assert client_for(world.other).get(officers_url(survey)).status_code == 404
    assert client_for(world.other).post(officers_url(survey), {"officer": world.officer.pk}).status_code == 404
    officer = client_for(world.officer)
    assert officer.get(officers_url(survey)).status_code == 200  # sees who has it
    assert refused(officer.post(officers_url(survey), {"officer": world.officer.pk}))
    assert not SurveyAssignment.objects.exists()


def test_an_outsider_is_refused(world, survey, refused):
    client = client_for(world.public)
    devices.device_create(officer=world.officer, label="Lancaster phone")
    device = OfficerDevice.objects.get()
    assert refused(client.get(officers_url(survey)))
    assert refused(client.post(officers_url(survey), {"officer": world.officer.pk}))
    assert refused(client.get("/admin/surveys/devices/"))
    assert refused(client.post("/admin/surveys/devices/", {"label": "Mine"}))
    assert refused(client.post(f"/admin/surveys/devices/{device.pk}/switch-off/", {"reason": "x"}))
    assert not SurveyAssignment.objects.exists()
    assert OfficerDevice.objects.get().revoked_at is None


def test_an_officer_sets_up_a_phone_and_sees_the_code_once(world):
    client = client_for(world.officer)
    page = client.post("/admin/surveys/devices/", {"label": "Lancaster phone"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    device = OfficerDevice.objects.get(officer=world.officer)
    code = page.context["code"]
    assert code in page.text
    assert code not in client.get("/admin/surveys/devices/").text
    assert "Lancaster phone" in client.get("/admin/surveys/devices/").text
    _, token = devices.device_activate(code=code)
    device.refresh_from_db()
    assert device.token_hash
    assert token not in device.token_hash
    assert AuditEntry.objects.filter(action="surveys.device.create", actor=world.officer).exists()


def test_the_label_is_required(world):
    page = client_for(world.officer).post("/admin/surveys/devices/", {"label": ""})
    assert page.status_code == 200
    assert "This field is required" in page.text
    assert not OfficerDevice.objects.exists()


def test_the_division_lead_sees_and_switches_off_an_officers_phone_with_a_reason(world):
    device, _ = devices.device_create(officer=world.officer, label="Lancaster phone")
    client = client_for(world.lead)
    assert "Lancaster phone" in client.get("/admin/surveys/devices/").text
    url = f"/admin/surveys/devices/{device.pk}/switch-off/"
    page = client.post(url, {"reason": ""})
    assert page.status_code == 200
    assert "Say why the phone is being switched off" in page.text
    assert client.post(url, {"reason": "Reported lost"}).status_code == 302
    device.refresh_from_db()
    assert device.revoked_by == world.lead
    assert device.revoked_reason == "Reported lost"
    assert AuditEntry.objects.filter(action="surveys.device.revoke", actor=world.lead).exists()


def test_the_officer_may_switch_off_their_own_phone_but_not_see_others(world):
    own, _ = devices.device_create(officer=world.officer, label="Own phone")
    colleague = staff_user(roles.NEIGHBOURHOOD_OFFICER, world.west, username="officer-west-2")
    theirs, _ = devices.device_create(officer=colleague, label="Colleague's phone")
    client = client_for(world.officer)
    listing = client.get("/admin/surveys/devices/").text
    assert "Own phone" in listing
    assert "Colleague" not in listing
    assert client.post(f"/admin/surveys/devices/{theirs.pk}/switch-off/", {"reason": "x"}).status_code == 404
    assert client.post(f"/admin/surveys/devices/{own.pk}/switch-off/", {"reason": "Replaced"}).status_code == 302
    theirs.refresh_from_db()
    own.refresh_from_db()
    assert theirs.revoked_at is None
    assert own.revoked_at is not None


def test_another_divisions_lead_cannot_see_or_switch_off_the_phone(world):
    device, _ = devices.device_create(officer=world.officer, label="Lancaster phone")
    client = client_for(world.other)
    assert "Lancaster phone" not in client.get("/admin/surveys/devices/").text
    assert client.post(f"/admin/surveys/devices/{device.pk}/switch-off/", {"reason": "x"}).status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None
    # HQ may.
    assert (
        client_for(world.hq).post(f"/admin/surveys/devices/{device.pk}/switch-off/", {"reason": "x"}).status_code == 302
    )
