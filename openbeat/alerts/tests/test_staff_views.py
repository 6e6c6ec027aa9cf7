"""The back office's alert pages and actions: the owner, another division, and outsiders, for every view."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from openbeat.alerts.models import Alert
from openbeat.alerts.tests.lifecycle_world import compose, make_world, set_threshold, subscribe
from openbeat.areas.tests.factories import square
from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(west, east):
    return make_world(west, east)


@pytest.fixture
def draft(world):
    """A draft by the west neighbourhood officer to the Abbey neighbourhood."""
    return compose(world, world.officer_west)


@pytest.fixture
def awaiting(world, draft):
    """The draft, submitted and waiting for approval (it reaches more people than the threshold)."""
    from openbeat.alerts.services import alert_submit

    set_threshold(0)
    subscribe(world.west_a, count=2)
    return alert_submit(alert=draft, actor=world.officer_west)


@pytest.fixture
def outsiders():
    return {"no role": UserFactory(username="public"), "board": staff_user(roles.BOARD_VIEWER, None, username="board")}


def login(client, user):
    client.force_login(user)
    return client


def form_data(world, **changes):
    data = {
        "title": "Burglaries on Mill Lane",
        "body": "Two homes were broken into. **Lock your doors.**",
        "interest": world.interest.pk,
        "priority": "1",
        "neighbourhoods": [str(world.west_a.pk)],
        "channels": ["email", "sms"],
        "targeting": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def audience(client, targeting, priority=1, **extra):
    return client.post(
        "/admin/alerts/audience/",
        json.dumps({"targeting": targeting, "priority": priority}),
        content_type="application/json",
        **extra,
    )


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


# ------------------------------------------------------------------------------------------------ list


def test_the_list_shows_the_divisions_alerts_to_its_staff_and_filters_by_state(client, world, draft):
    login(client, world.officer_west)
    page = client.get("/admin/alerts/").content.decode()
    assert "Burglaries on Mill Lane" in page
    assert f"/admin/alerts/{draft.pk}/" in page
    assert "Burglaries on Mill Lane" not in client.get("/admin/alerts/?state=sent").content.decode()
    assert "Burglaries on Mill Lane" in client.get("/admin/alerts/?state=draft").content.decode()


def test_the_list_hides_other_divisions_alerts(client, world, draft):
    login(client, world.lead_east)
    response = client.get("/admin/alerts/")
    assert response.status_code == 200
    assert "Burglaries on Mill Lane" not in response.content.decode()


def test_contact_centre_sees_every_divisions_alerts_but_cannot_compose(client, world, draft, refused):
    login(client, world.contact)
    page = client.get("/admin/alerts/").content.decode()
    assert "Burglaries on Mill Lane" in page
    assert "/admin/alerts/new/" not in page
    assert refused(client.get("/admin/alerts/new/"))


def test_outsiders_cannot_list_alerts(client, draft, outsiders, refused):
    assert _is_login_redirect(client.get("/admin/alerts/"))
    for user in outsiders.values():
        login(client, user)
        assert refused(client.get("/admin/alerts/"))


def test_the_menu_shows_alerts_only_to_those_who_may_see_them(client, world, outsiders):
    login(client, world.officer_west)
    dashboard = client.get("/admin/").content.decode()
    assert "In the Know" in dashboard
    assert '"/admin/alerts/"' in dashboard
    login(client, outsiders["board"])
    assert '"/admin/alerts/"' not in client.get("/admin/").content.decode()


# ------------------------------------------------------------------------------------------------ compose


def test_the_composer_offers_only_areas_in_scope(client, world):
    login(client, world.officer_west)
    page = client.get("/admin/alerts/new/").content.decode()
    assert "Abbey" in page
    assert "Brook" in page
    assert "Castle" not in page  # the east's neighbourhood
    assert 'name="whole_force"' not in page
    assert "Markdown you can use" in page
    assert "Cymraeg (Welsh)" in page


def test_force_wide_staff_may_choose_the_whole_force(client, world):
    login(client, world.hq)
    page = client.get("/admin/alerts/new/").content.decode()
    assert 'name="whole_force"' in page
    assert "Castle" in page


def test_an_officer_saves_a_draft_from_the_form_fields_alone(client, world):
    login(client, world.officer_west)
    response = client.post(
        "/admin/alerts/new/",
        form_data(
            world,
            **{
                "topics__crime-alerts": "include",
                "groups__cctv-owner": "exclude",
                "demographics__age_band__18-24": "must",
                "exclude_neighbourhoods": [str(world.west_b.pk)],
                "channels": ["email"],
                "title__cy": "Byrgleriaethau",
                "body__cy": "Clowch eich drysau.",
            },
        ),
    )
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/alerts/{alert.pk}/"
    assert alert.state == Alert.State.DRAFT
    assert alert.created_by == world.officer_west
    assert alert.targeting["areas"]["neighbourhoods"] == [world.west_a.pk]
    assert alert.targeting["exclude_areas"]["neighbourhoods"] == [world.west_b.pk]
    assert alert.targeting["topics"]["include"] == ["crime-alerts"]
    assert alert.targeting["groups"]["exclude"] == ["cctv-owner"]
    assert alert.targeting["demographics"] == {"age_band": {"include": [], "must": ["18-24"], "exclude": []}}
    assert alert.targeting["channels"] == ["email"]
    assert alert.translations.get(language="cy").title == "Byrgleriaethau"
    assert AuditEntry.objects.filter(action="alerts.alert.create", target_id=str(alert.pk)).count() == 1


def test_drawn_shapes_come_from_the_builders_json(client, world):
    login(client, world.officer_west)
    shape = square(-1.999, 54.001, 0.005)
    circle = {"type": "Circle", "center": [-1.995, 54.005], "radius_m": 200}
    targeting = {"areas": {"shapes": [shape]}, "exclude_areas": {"shapes": [circle]}}
    response = client.post("/admin/alerts/new/", form_data(world, neighbourhoods=None, targeting=json.dumps(targeting)))
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.targeting["areas"]["shapes"] == [shape]
    assert alert.targeting["exclude_areas"]["shapes"] == [{**circle, "radius_m": 200.0}]


def test_an_officer_cannot_target_another_division_through_the_form(client, world):
    login(client, world.officer_west)
    by_neighbourhood = client.post("/admin/alerts/new/", form_data(world, neighbourhoods=[str(world.east_a.pk)]))
    by_division = client.post("/admin/alerts/new/", form_data(world, neighbourhoods=None, divisions=[world.east.pk]))
    shape_east = json.dumps({"areas": {"shapes": [square(-1.979, 54.001, 0.005)]}})
    by_shape = client.post("/admin/alerts/new/", form_data(world, neighbourhoods=None, targeting=shape_east))
    whole_force = client.post("/admin/alerts/new/", form_data(world, whole_force="on", neighbourhoods=None))

    assert by_neighbourhood.status_code == by_division.status_code == by_shape.status_code == 200
    assert "Select a valid choice" in by_neighbourhood.content.decode()
    assert "Select a valid choice" in by_division.content.decode()
    assert "A drawn area is entirely outside West" in by_shape.content.decode()
    assert "Choose at least one area" in whole_force.content.decode()  # the field is not offered at all
    assert not Alert.objects.exists()


def test_the_composer_shows_every_problem_and_keeps_what_was_typed(client, world):
    login(client, world.officer_west)
    response = client.post(
        "/admin/alerts/new/", form_data(world, title="", neighbourhoods=None, link_text="More", body="Keep me")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose at least one area" in page or "This field is required" in page
    assert "Keep me" in page
    assert not Alert.objects.exists()


def test_the_service_checks_show_beside_their_fields(client, world):
    login(client, world.officer_west)
    response = client.post("/admin/alerts/new/", form_data(world, link_text="More", link_url=""))
    assert "Enter the web address the link text is for" in response.content.decode()
    assert not Alert.objects.exists()


def test_previewing_on_the_composer_saves_nothing(client, world):
    login(client, world.officer_west)
    response = client.post("/admin/alerts/new/", form_data(world, preview="1", link_url="https://example.org/x"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Lock your doors.</strong>" in page
    assert "Was this useful?" in page
    assert "Change what you get or how you get it" in page  # the footer of the email residents get
    assert "message part" in page
    assert not Alert.objects.exists()


def test_outsiders_and_read_only_staff_cannot_compose(client, world, outsiders, refused):
    assert _is_login_redirect(client.get("/admin/alerts/new/"))
    assert _is_login_redirect(client.post("/admin/alerts/new/", form_data(world)))
    for user in [*outsiders.values(), world.contact]:
        login(client, user)
        assert refused(client.get("/admin/alerts/new/"))
        assert refused(client.post("/admin/alerts/new/", form_data(world)))
    assert not Alert.objects.exists()


# ------------------------------------------------------------------------------------------------ edit


def test_the_author_edits_a_draft(client, world, draft):
    login(client, world.officer_west)
    page = client.get(f"/admin/alerts/{draft.pk}/edit/").content.decode()
    assert 'value="Burglaries on Mill Lane"' in page
    assert f'value="{world.west_a.pk}" id="nbh-{world.west_a.pk}" data-code="{world.west_a.code}" checked' in page

    response = client.post(
        f"/admin/alerts/{draft.pk}/edit/",
        form_data(world, title="Burglaries: arrests made", neighbourhoods=[str(world.west_b.pk)]),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Burglaries: arrests made"
    assert draft.targeting["areas"]["neighbourhoods"] == [world.west_b.pk]


def test_another_division_cannot_edit_or_even_see_the_draft(client, world, draft):
    login(client, world.officer_east)
    assert client.get(f"/admin/alerts/{draft.pk}/edit/").status_code == 404
    assert client.post(f"/admin/alerts/{draft.pk}/edit/", form_data(world, title="Hacked")).status_code == 404
    draft.refresh_from_db()
    assert draft.title == "Burglaries on Mill Lane"


def test_a_colleague_who_is_not_the_author_is_told_they_cannot_edit(client, world, draft):
    login(client, world.lead_west)
    response = client.post(f"/admin/alerts/{draft.pk}/edit/", form_data(world, title="Changed"), follow=True)
    assert "Only the author can change or submit this draft" in messages_of(response)
    draft.refresh_from_db()
    assert draft.title == "Burglaries on Mill Lane"


def test_an_alert_past_draft_cannot_be_edited(client, world, awaiting):
    login(client, world.officer_west)
    response = client.get(f"/admin/alerts/{awaiting.pk}/edit/", follow=True)
    assert "Only a draft can be edited" in messages_of(response)


def test_outsiders_cannot_edit(client, world, draft, outsiders, refused):
    assert _is_login_redirect(client.get(f"/admin/alerts/{draft.pk}/edit/"))
    for user in outsiders.values():
        login(client, user)
        assert refused(client.get(f"/admin/alerts/{draft.pk}/edit/"))


# ------------------------------------------------------------------------------------------------ detail


def test_the_alert_page_shows_targeting_counts_previews_history_and_allowed_buttons(client, world, draft):
    subscribe(world.west_a, count=3)
    login(client, world.officer_west)
    page = client.get(f"/admin/alerts/{draft.pk}/").content.decode()
    assert "Neighbourhoods: Abbey" in page
    assert "3 subscribers: 3 by email" in page
    assert "<strong>Lock your doors.</strong>" in page  # the email preview
    assert "Burglaries on Mill Lane\nTwo homes were broken into overnight. Lock your doors." in page  # the SMS
    assert "Composed" in page  # history from the audit log
    assert f"/admin/alerts/{draft.pk}/edit/" in page
    assert f"/admin/alerts/{draft.pk}/submit/" in page
    assert f"/admin/alerts/{draft.pk}/approve/" not in page


def test_the_alert_page_describes_drawn_shapes(client, world):
    shapes = [square(-1.999, 54.001, 0.005), {"type": "Circle", "center": [-1.995, 54.005], "radius_m": 1500}]
    alert = compose(world, world.hq, {"areas": {"shapes": shapes}})
    login(client, world.hq)
    page = client.get(f"/admin/alerts/{alert.pk}/").content.decode()
    assert "1 drawn polygon, a drawn circle of radius 1.5 km (over parts of Abbey, Brook, Castle)" in page


def test_another_division_gets_not_found_for_the_alert_page(client, world, draft):
    login(client, world.lead_east)
    assert client.get(f"/admin/alerts/{draft.pk}/").status_code == 404


def test_outsiders_cannot_see_the_alert_page(client, draft, outsiders, refused):
    assert _is_login_redirect(client.get(f"/admin/alerts/{draft.pk}/"))
    for user in outsiders.values():
        login(client, user)
        assert refused(client.get(f"/admin/alerts/{draft.pk}/"))


# ------------------------------------------------------------------------------------------------ actions


def test_the_author_submits_and_a_division_lead_approves(client, world, draft):
    set_threshold(0)
    subscribe(world.west_a, count=2)
    login(client, world.officer_west)
    response = client.post(f"/admin/alerts/{draft.pk}/submit/", follow=True)
    assert "waiting for someone to approve it" in messages_of(response)
    draft.refresh_from_db()
    assert draft.state == Alert.State.AWAITING_APPROVAL

    login(client, world.lead_west)
    page = client.get(f"/admin/alerts/{draft.pk}/").content.decode()
    assert f"/admin/alerts/{draft.pk}/approve/" in page
    response = client.post(f"/admin/alerts/{draft.pk}/approve/", follow=True)
    assert "is approved" in messages_of(response)
    draft.refresh_from_db()
    assert draft.state in (Alert.State.APPROVED, Alert.State.SENDING, Alert.State.SENT)
    assert draft.approved_by == world.lead_west
    assert AuditEntry.objects.filter(action="alerts.alert.approve", target_id=str(draft.pk)).count() == 1


def test_self_approval_is_refused_through_the_ui(client, world):
    from openbeat.alerts.services import alert_submit

    set_threshold(0)
    subscribe(world.west_a)
    own = alert_submit(alert=compose(world, world.lead_west), actor=world.lead_west)
    assert own.state == Alert.State.AWAITING_APPROVAL
    login(client, world.lead_west)
    assert f"/admin/alerts/{own.pk}/approve/" not in client.get(f"/admin/alerts/{own.pk}/").content.decode()

    response = client.post(f"/admin/alerts/{own.pk}/approve/", follow=True)

    assert response.status_code == 200
    assert "You cannot approve your own alert" in messages_of(response)
    own.refresh_from_db()
    assert own.state == Alert.State.AWAITING_APPROVAL


def test_an_officer_without_approval_rights_is_told_so(client, world, awaiting):
    login(client, world.officer_west)
    response = client.post(f"/admin/alerts/{awaiting.pk}/approve/", follow=True)
    assert "permission to approve" in messages_of(response) or "own alert" in messages_of(response)
    awaiting.refresh_from_db()
    assert awaiting.state == Alert.State.AWAITING_APPROVAL


def test_a_state_error_is_a_message_not_a_crash(client, world, draft):
    login(client, world.lead_west)
    response = client.post(f"/admin/alerts/{draft.pk}/approve/", follow=True)
    assert response.status_code == 200
    assert "Only an alert awaiting approval can be approved" in messages_of(response)


def test_the_approver_rejects_with_a_reason(client, world, awaiting):
    login(client, world.lead_west)
    empty = client.post(f"/admin/alerts/{awaiting.pk}/reject/", {"reason": " "}, follow=True)
    assert "Enter why the alert is being sent back" in messages_of(empty)
    client.post(f"/admin/alerts/{awaiting.pk}/reject/", {"reason": "Say which streets."})
    awaiting.refresh_from_db()
    assert awaiting.state == Alert.State.DRAFT
    assert awaiting.rejection_reason == "Say which streets."

    login(client, world.officer_west)
    assert "Say which streets." in client.get(f"/admin/alerts/{awaiting.pk}/edit/").content.decode()


def test_the_author_cancels(client, world, draft):
    login(client, world.officer_west)
    response = client.post(f"/admin/alerts/{draft.pk}/cancel/", follow=True)
    assert "is cancelled" in messages_of(response)
    draft.refresh_from_db()
    assert draft.state == Alert.State.CANCELLED


@pytest.mark.parametrize("verb", ["submit", "approve", "reject", "cancel"])
def test_another_division_cannot_act_on_the_alert(client, world, awaiting, verb):
    login(client, world.lead_east)
    assert client.post(f"/admin/alerts/{awaiting.pk}/{verb}/", {"reason": "No"}).status_code == 404
    awaiting.refresh_from_db()
    assert awaiting.state == Alert.State.AWAITING_APPROVAL


@pytest.mark.parametrize("verb", ["submit", "approve", "reject", "cancel"])
def test_outsiders_cannot_act_on_the_alert(client, world, awaiting, outsiders, refused, verb):
    assert _is_login_redirect(client.post(f"/admin/alerts/{awaiting.pk}/{verb}/", {"reason": "No"}))
    for user in outsiders.values():
        login(client, user)
        assert refused(client.post(f"/admin/alerts/{awaiting.pk}/{verb}/", {"reason": "No"}))
    awaiting.refresh_from_db()
    assert awaiting.state == Alert.State.AWAITING_APPROVAL


def test_actions_need_a_post(client, world, draft):
    login(client, world.officer_west)
    assert client.get(f"/admin/alerts/{draft.pk}/submit/").status_code == 405
    draft.refresh_from_db()
    assert draft.state == Alert.State.DRAFT


# ------------------------------------------------------------------------------------------------ audience


def test_the_audience_endpoint_counts_and_splits(client, world):
    subscribe(world.west_a, count=2)
    subscribe(world.west_a, count=1, email=False, sms=True)
    login(client, world.officer_west)

    response = audience(client, {"areas": {"neighbourhoods": [world.west_a.pk]}}, priority=2)

    data = response.json()
    assert response.status_code == 200
    assert data["subscribers"] == 3
    assert data["email"]["receiving"] == 2
    assert data["sms"]["receiving"] == 1
    assert data["reason"] is None
    assert data["summary"].startswith("3 subscribers: 2 by email")


def test_the_audience_endpoint_explains_an_empty_audience(client, world):
    login(client, world.officer_west)
    data = audience(client, {"areas": {"neighbourhoods": [world.west_b.pk]}}).json()
    assert data["subscribers"] == 0
    assert data["reason"] == "Nobody has subscribed in these areas yet"
    assert audience(client, {}).json()["reason"] == "No area chosen"


def test_the_audience_endpoint_will_not_count_another_division(client, world):
    subscribe(world.east_a, count=5)
    login(client, world.officer_west)
    for targeting in [
        {"areas": {"neighbourhoods": [world.east_a.pk]}},
        {"areas": {"divisions": [world.east.pk]}},
        {"areas": {"whole_force": True}},
        {"areas": {"shapes": [square(-1.979, 54.001, 0.005)]}},
    ]:
        response = audience(client, targeting)
        assert response.status_code == 400
        assert "subscribers" not in response.json()
        assert response.json()["error"]


def test_force_wide_staff_count_the_whole_force(client, world):
    subscribe(world.west_a, count=2)
    subscribe(world.east_a, count=3)
    login(client, world.hq)
    assert audience(client, {"areas": {"whole_force": True}}).json()["subscribers"] == 5
    login(client, world.lead_east)
    assert audience(client, {"areas": {"divisions": [world.east.pk]}}).json()["subscribers"] == 3


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"targeting": "nope"}',
        b'{"targeting": {"areas": {"shapes": [{"type": "X"}]}}}',
        b'{"targeting": {"areas": {}}, "priority": 9}',
        b'{"targeting": {"bogus": 1}}',
        b"\xff\xfe",
    ],
)
def test_the_audience_endpoint_answers_bad_requests_with_a_json_400(client, world, body):
    login(client, world.officer_west)
    response = client.post("/admin/alerts/audience/", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_the_audience_endpoint_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_west)
    assert audience(client, {"areas": {"neighbourhoods": [world.west_a.pk]}}).status_code == 403


def test_outsiders_and_read_only_staff_cannot_count(client, world, outsiders, refused):
    targeting = {"areas": {"neighbourhoods": [world.west_a.pk]}}
    assert _is_login_redirect(audience(client, targeting))
    login(client, outsiders["no role"])
    assert refused(audience(client, targeting))
    for user in (outsiders["board"], world.contact):
        login(client, user)
        response = audience(client, targeting)
        assert response.status_code == 403
        assert "subscribers" not in response.json()


# ------------------------------------------------------------------------------------------------ preview


def test_the_preview_endpoint_renders_the_email_and_the_sms(client, world):
    login(client, world.officer_west)
    response = client.post(
        "/admin/alerts/preview/",
        {"title": "Road closed", "body": "Use the *bypass* {until} 6pm.", "priority": "3", "link_url": "https://x.org"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<em>bypass</em>" in page
    assert "Emergency" in page
    assert "Road closed\nUse the bypass {until} 6pm.\nhttps://x.org" in page
    # 53 characters, and the two braces count twice.
    assert "55 characters (GSM-7): 1 message part." in page


def test_outsiders_and_read_only_staff_cannot_preview(client, world, outsiders, refused):
    data = {"title": "x", "body": "y", "priority": "1"}
    assert _is_login_redirect(client.post("/admin/alerts/preview/", data))
    for user in [*outsiders.values(), world.contact]:
        login(client, user)
        assert refused(client.post("/admin/alerts/preview/", data))
