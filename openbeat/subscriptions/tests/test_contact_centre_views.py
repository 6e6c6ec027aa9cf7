"""The contact centre's pages: who may use them, the search (exact, POSTed, limited), the subscriber's page (no
demographics) and a change form that needs the resident's say-so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.delivery.models import Channel, Delivery
from openbeat.delivery.tests.pipeline_world import sending_alert
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user
from openbeat.subscriptions import assisted
from openbeat.subscriptions.models import AssistedChange, Subscriber
from openbeat.subscriptions.services import interest_slugs_of
from openbeat.subscriptions.tests.test_preferences import make_resident

pytestmark = pytest.mark.django_db

FIND = reverse("subscriber_lookup:find")


@pytest.fixture
def ann() -> Subscriber:
    return make_resident("ann@example.com")


def detail_url(subscriber: Subscriber) -> str:
    return reverse("subscriber_lookup:detail", args=[subscriber.public_id])


def change_url(subscriber: Subscriber, kind: str) -> str:
    return reverse("subscriber_lookup:change", args=[subscriber.public_id, kind])


@pytest.fixture
def agent():
    return staff_user(roles.CONTACT_CENTRE, username="agent")


# Who may use them


@pytest.mark.parametrize("role", [roles.CONTACT_CENTRE, roles.HQ_MEDIA, roles.ADMINISTRATOR])
def test_the_contact_centre_hq_and_administrators_may_look_up(ann, role):
    client = client_for(staff_user(role))

    assert client.get(FIND).status_code == 200
    assert client.get(detail_url(ann)).status_code == 200
    assert client.get(change_url(ann, "interests")).status_code == 200


@pytest.mark.parametrize("role", [roles.DIVISION_LEAD, roles.NEIGHBOURHOOD_OFFICER, roles.BOARD_VIEWER])
def test_division_staff_without_the_permission_are_refused_even_in_the_residents_own_division(ann, role):
    """The look-up is force-wide and decided by the permission alone: the resident's division does not open it."""
    client = client_for(staff_user(role, ann.home_neighbourhood.division))

    assert client.get(FIND).status_code == 403
    assert client.post(FIND, {"query": "ann@example.com"}).status_code == 403
    assert client.get(detail_url(ann)).status_code == 403
    assert (
        client.post(change_url(ann, "language"), {"language": "pl", "resident_asked": "on", "note": "x"}).status_code
        == 403
    )
    ann.refresh_from_db()
    assert ann.language == "cy"
    assert (
        not AuditEntry.objects.filter(action__startswith="subscriptions.subscriber.")
        .exclude(action="subscriptions.subscriber.change")
        .exists()
    )


def test_another_divisions_officer_is_refused(ann, east):
    client = client_for(staff_user(roles.NEIGHBOURHOOD_OFFICER, east))

    assert client.get(detail_url(ann)).status_code == 403


def test_an_outsider_is_refused(ann, refused):
    outsider = client_for(UserFactory())

    for response in (outsider.get(FIND), outsider.get(detail_url(ann)), outsider.get(change_url(ann, "interests"))):
        assert refused(response)
    assert refused(client_for(None).get(detail_url(ann)))


def test_the_menu_item_shows_only_with_the_permission(agent, west):
    assert b"Find a subscriber" in client_for(agent).get("/admin/").content
    assert b"Find a subscriber" not in client_for(staff_user(roles.DIVISION_LEAD, west)).get("/admin/").content


# The search


def test_a_match_leads_to_the_subscribers_page_by_public_id(ann, agent):
    response = client_for(agent).post(FIND, {"query": " ANN@example.com "})

    assert response.status_code == 302
    assert response["Location"] == detail_url(ann)
    assert "example" not in response["Location"]


def test_no_match_says_so_and_lists_nobody(ann, agent):
    make_resident("anne@example.com", phone=None)
    response = client_for(agent).post(FIND, {"query": "ann@example.co"})

    assert response.status_code == 200
    assert "No subscriber has that email address or mobile number" in response.content.decode()
    assert str(ann.public_id) not in response.content.decode()


def test_a_search_by_get_searches_nothing(ann, agent):
    response = client_for(agent).get(FIND, {"query": "ann@example.com"})

    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="subscriptions.subscriber.look_up").exists()


def test_a_half_typed_search_shows_the_error_summary_and_keeps_what_was_typed(agent):
    response = client_for(agent).post(FIND, {"query": "ann@"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Find a subscriber" in page
    assert "data-error-summary" in page
    assert '<a href="#id_query">Enter a whole email address, like name@example.com</a>' in page
    assert 'value="ann@"' in page


def test_searches_are_limited_per_staff_user(ann, agent, monkeypatch):
    monkeypatch.setattr(assisted, "SEARCHES_PER_HOUR", 2)
    client = client_for(agent)
    assert client.post(FIND, {"query": "bob@example.com"}).status_code == 200
    assert client.post(FIND, {"query": "ann@example.com"}).status_code == 302

    limited = client.post(FIND, {"query": "ann@example.com"})

    assert limited.status_code == 429
    assert "searched too many times" in limited.content.decode()
    assert AuditEntry.objects.filter(action="subscriptions.subscriber.look_up").count() == 2
    # Another agent in the same office (same address) still can.
    assert client_for(staff_user(roles.CONTACT_CENTRE)).post(FIND, {"query": "ann@example.com"}).status_code == 302


# The subscriber's page


def test_the_page_shows_what_the_resident_gets_and_never_their_demographic_answers(ann, agent):
    Subscriber.objects.filter(pk=ann.pk).update(email_stopped=True)
    Delivery.objects.create(
        alert=sending_alert(title="Road closed on Mill Lane"), subscriber=ann, channel=Channel.EMAIL, state="delivered"
    )
    assisted.assisted_set_language(subscriber=ann, language="pl", actor=agent, consent=True, note="Ann rang at 9:05")

    page = client_for(agent).get(detail_url(ann)).content.decode()

    for shown in (
        "ann@example.com",
        "confirmed 1 Oct 2026",
        "07700 900123",
        "verified 1 Oct 2026",
        "Active; email stopped after messages bounced",
        "Ingol &amp; Cottam (DM1 1AB)",
        "Larches (DM2 2CD)",
        "Crime alerts and appeals",
        "CCTV owner",
        "Polski (Polish)",
        "Road closed on Mill Lane",
        "Delivered",
        "Messages are now in Polski (Polish).",
        "Ann rang at 9:05",
        "subscriptions.subscriber.assisted_change (language)",
    ):
        assert shown in page, shown
    for hidden in ("45-64", "Prefer not to say", "ethnicity", "Ethnicity", "age band", "Age band"):
        assert hidden not in page, hidden


def test_each_view_is_audited_with_the_subscriber_as_target(ann, agent):
    client = client_for(agent)
    client.get(detail_url(ann))
    client.get(change_url(ann, "channels"))

    views = AuditEntry.objects.filter(action="subscriptions.subscriber.view").order_by("pk")
    assert [(e.actor, e.target_type, e.target_id, e.data["page"]) for e in views] == [
        (agent, "subscriptions.subscriber", str(ann.pk), "summary"),
        (agent, "subscriptions.subscriber", str(ann.pk), "channels"),
    ]
    assert all(e.division == ann.home_neighbourhood.division for e in views)


def test_an_unknown_subscriber_or_change_is_not_found(ann, agent):
    client = client_for(agent)

    assert (
        client.get(reverse("subscriber_lookup:detail", args=["00000000-0000-0000-0000-000000000000"])).status_code
        == 404
    )
    assert client.get(change_url(ann, "demographics")).status_code == 404


# Changes


def test_a_change_without_the_residents_say_so_shows_the_errors_and_keeps_what_was_typed(ann, agent):
    response = client_for(agent).post(
        change_url(ann, "interests"), {"topics": ["roads-travel"], "groups": ["cctv-owner"]}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Change interests" in page
    assert '<a href="#id_resident_asked">Confirm that the resident asked for this change on the phone</a>' in page
    assert '<a href="#id_note">Enter who called and when</a>' in page
    ann.refresh_from_db()
    assert sorted(interest_slugs_of(ann)) == ["cctv-owner", "crime-alerts"]
    assert not AssistedChange.objects.exists()


def test_a_change_without_the_residents_say_so_keeps_the_choices_made(ann, agent):
    response = client_for(agent).post(change_url(ann, "interests"), {"topics": ["roads-travel"], "note": "Ann, 9:05"})

    form = response.context["form"]
    assert form["topics"].value() == ["roads-travel"]
    assert form["note"].value() == "Ann, 9:05"
    assert [href for href, _ in form.error_list()] == ["#id_resident_asked"]


def test_a_change_with_the_residents_say_so_is_made_recorded_and_reported_back(
    ann, agent, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(
            change_url(ann, "interests"),
            {"topics": ["roads-travel"], "resident_asked": "on", "note": "Ann Smith called at 14:20"},
        )

    assert response.status_code == 302
    assert response["Location"] == detail_url(ann)
    ann.refresh_from_db()
    assert interest_slugs_of(ann) == ["roads-travel"]
    change = AssistedChange.objects.get()
    assert (change.kind, change.staff, change.note) == ("interests", agent, "Ann Smith called at 14:20")
    [notice] = mail.outbox
    assert notice.to == ["ann@example.com"]


def test_the_areas_form_moves_home_by_postcode_and_removes_an_extra_area(ann, agent):
    from openbeat.areas.tests.factories import PostcodeFactory

    place = PostcodeFactory(postcode="DM9 9ZZ")
    work = ann.areas.get(is_home=False)

    response = client_for(agent).post(
        change_url(ann, "areas"),
        {"home_postcode": "dm99zz", "remove": [str(work.pk)], "resident_asked": "on", "note": "Ann, 9:05"},
    )

    assert response.status_code == 302
    assert [(a.neighbourhood_id, a.postcode, a.is_home) for a in ann.areas.all()] == [
        (place.neighbourhood_id, "DM9 9ZZ", True)
    ]


def test_an_unknown_postcode_is_an_error_on_its_field(ann, agent):
    response = client_for(agent).post(
        change_url(ann, "areas"), {"add_postcode": "ZZ1 1ZZ", "resident_asked": "on", "note": "Ann"}
    )

    assert response.status_code == 400
    assert [href for href, _ in response.context["form"].error_list()] == ["#id_add_postcode"]


def test_the_channels_form_keeps_the_verified_number_verified_when_it_is_not_changed(ann, agent):
    verified_at = ann.phone_verified_at
    response = client_for(agent).post(
        change_url(ann, "channels"),
        {
            "email_when": "day",
            "email_min_priority": "1",
            "sms": "yes",
            "phone": "07700 900123",
            "sms_when": "both",
            "sms_min_priority": "3",
            "resident_asked": "on",
            "note": "Ann, 9:05",
        },
    )

    assert response.status_code == 302
    ann.refresh_from_db()
    assert (ann.email_day, ann.email_night, ann.email_min_priority) == (True, False, 1)
    assert (ann.phone, ann.phone_verified_at, ann.sms_min_priority) == ("+447700900123", verified_at, 3)
