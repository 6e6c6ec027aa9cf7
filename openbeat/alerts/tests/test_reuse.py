"""Templates, saved audiences, copying an alert and "Send an update": the services and their rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from openbeat.alerts import alert_templates, saved_audiences, services
from openbeat.alerts.audience import audience_resolve
from openbeat.alerts.models import Alert, AlertTemplate, AlertTranslation, SavedAudience
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.alerts.tests.lifecycle_world import areas, compose, make_world, subscribe
from openbeat.areas.tests.factories import square
from openbeat.audit.models import AuditEntry
from openbeat.delivery.models import Delivery
from openbeat.staff.models import StaffProfile
from openbeat.staff.tests.factories import OfficerFactory, TeamMembershipFactory
from openbeat.subscriptions.models import Interest, Subscriber
from openbeat.subscriptions.preferences import subscriber_erase, subscriber_unsubscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(west, east):
    return make_world(west, east)


def logged(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


# ---------------------------------------------------------------------------------------------- templates


def template(world, author, **fields):
    values = {
        "name": "Burglary",
        "title": "Burglaries in {neighbourhood}",
        "body": "The {team} ask {division} residents to lock up. From {force}.",
        "interest": world.interest,
        "priority": 2,
        "link_url": "https://example.org/advice",
        "link_text": "Advice for {neighbourhood}",
    }
    return alert_templates.template_create(actor=author, **{**values, **fields})


def test_a_template_is_filled_from_the_neighbourhood_chosen(world, settings):
    settings.FORCE_NAME = "Demoshire Police"
    jane, ali = OfficerFactory(name="Jane Smith", rank="PC"), OfficerFactory(name="Ali Khan", rank="PCSO")
    TeamMembershipFactory(neighbourhood=world.west_a, officer=jane, sort_order=1)
    TeamMembershipFactory(neighbourhood=world.west_a, officer=ali, sort_order=2)
    filled = alert_templates.template_fill(
        template=template(world, world.officer_west), user=world.officer_west, neighbourhood=world.west_a
    )
    assert filled["title"] == "Burglaries in Abbey"
    assert filled["body"] == "The PC Jane Smith and PCSO Ali Khan ask West residents to lock up. From Demoshire Police."
    assert filled["link_text"] == "Advice for Abbey"
    assert (filled["interest"], filled["priority"], filled["link_url"]) == (
        world.interest.pk,
        2,
        "https://example.org/advice",
    )


def test_a_template_uses_the_officers_own_team_when_none_is_chosen(world):
    officer = OfficerFactory(name="Jane Smith", user=world.officer_west, division=world.west)
    TeamMembershipFactory(neighbourhood=world.west_b, officer=officer)
    assert alert_templates.default_neighbourhood(world.officer_west) == world.west_b
    # With no team of their own, and no neighbourhood chosen, a local placeholder cannot be filled.
    used = template(world, world.officer_east)
    with pytest.raises(alert_templates.TemplateFillError, match="Choose a neighbourhood"):
        alert_templates.template_fill(template=used, user=world.officer_east, neighbourhood=None)


def test_a_neighbourhood_name_is_text_in_the_message_never_markdown(world):
    world.west_a.name = "St *Anne's* [x](https://evil.example)"
    world.west_a.save()
    filled = alert_templates.template_fill(
        template=template(world, world.officer_west, body="News for {neighbourhood}"),
        user=world.officer_west,
        neighbourhood=world.west_a,
    )
    from openbeat.alerts.markdown import render_html

    assert "<em>" not in str(render_html(filled["body"]))
    assert "<a " not in str(render_html(filled["body"]))


def test_an_unknown_placeholder_is_an_error_when_the_template_is_saved(world):
    with pytest.raises(ValidationError) as error:
        template(world, world.officer_west, title="Burglaries in {neighborhood}")
    assert "Unknown placeholder {neighborhood}" in str(error.value.message_dict["title"])
    assert not AlertTemplate.objects.exists()


def test_only_staff_with_the_permission_make_the_forces_templates(world):
    with pytest.raises(alert_templates.TemplatePermissionError):
        template(world, world.officer_west, force=True)
    with pytest.raises(alert_templates.TemplatePermissionError):
        template(world, world.contact)  # cannot send alerts at all
    forces = template(world, world.hq, force=True)
    assert forces.is_force_template
    assert logged("alerts.template.create")[0].data == {"name": "Burglary", "force": True}


def test_own_templates_are_private_and_the_forces_shared(world):
    forces = template(world, world.hq, force=True, name="Force")
    mine = template(world, world.officer_west, name="Mine")
    theirs = template(world, world.officer_east, name="Theirs")
    assert set(alert_templates.templates_for(world.officer_west)) == {forces, mine}
    assert not alert_templates.templates_for(world.contact).exists()
    with pytest.raises(alert_templates.TemplatePermissionError):
        alert_templates.template_update(template=theirs, actor=world.officer_west, title="Mine now")
    with pytest.raises(alert_templates.TemplatePermissionError):
        alert_templates.template_delete(template=forces, actor=world.officer_west)
    alert_templates.template_update(template=mine, actor=world.officer_west, title="Changed")
    alert_templates.template_delete(template=mine, actor=world.officer_west)
    assert [e.data.get("fields") for e in logged("alerts.template.change")] == [["title"]]
    assert len(logged("alerts.template.delete")) == 1


# ---------------------------------------------------------------------------------------------- saved audiences


def save(world, user, targeting=None, name="Abbey crime"):
    targeting = targeting or {
        **areas(neighbourhoods=[world.west_a.pk]),
        "topics": {"include": ["crime-alerts"]},
        "channels": ["email"],
    }
    return saved_audiences.saved_audience_create(actor=user, name=name, targeting=targeting)


def test_a_saved_audience_belongs_to_the_division_and_is_audited(world):
    audience = save(world, world.officer_west)
    assert audience.division == world.west
    assert spec_from_json(audience.targeting).topics.include == {"crime-alerts"}
    assert set(saved_audiences.saved_audiences_for(world.lead_west)) == {audience}
    assert set(saved_audiences.saved_audiences_for(world.hq)) == {audience}
    assert not saved_audiences.saved_audiences_for(world.officer_east).exists()
    assert logged("alerts.savedaudience.create")[0].target_id == str(audience.pk)
    with pytest.raises(ValidationError, match="already a saved audience"):
        save(world, world.lead_west)
    with pytest.raises(saved_audiences.AlertPermissionError):
        saved_audiences.saved_audience_delete(audience=audience, actor=world.officer_east)
    saved_audiences.saved_audience_delete(audience=audience, actor=world.lead_west)
    assert len(logged("alerts.savedaudience.delete")) == 1


def test_another_divisions_areas_cannot_be_saved(world):
    with pytest.raises(TargetingError, match="your own division"):
        save(world, world.officer_west, areas(neighbourhoods=[world.east_a.pk]))
    assert not SavedAudience.objects.exists()


@pytest.mark.parametrize("change", ["neighbourhood deleted", "interest retired", "shape outside"])
def test_a_saved_audience_that_no_longer_fits_says_so(world, change):
    shape = square(-1.995, 54.002, 0.004)  # inside Abbey (West)
    audience = save(
        world,
        world.hq,
        {**areas(neighbourhoods=[world.west_b.pk], shapes=[shape]), "groups": {"include": ["business-owner"]}},
    )
    assert saved_audiences.saved_audience_problem(audience=audience, user=world.officer_west) is None
    if change == "neighbourhood deleted":
        world.west_b.delete()
        expected = "neighbourhoods no longer exist"
    elif change == "interest retired":
        Interest.objects.filter(slug="business-owner").update(active=False)
        expected = "No longer in use"
    else:
        # The officer moves to East: Abbey's shape is now outside their division.
        StaffProfile.objects.filter(user=world.officer_west).update(division=world.east)
        world.officer_west = type(world.officer_west).objects.get(pk=world.officer_west.pk)
        expected = "own division"
    problem = saved_audiences.saved_audience_problem(audience=audience, user=world.officer_west)
    assert problem is not None
    assert expected in problem


# ---------------------------------------------------------------------------------------------- copy


def test_a_copy_is_a_new_draft_by_the_copier_with_the_same_content(world):
    from datetime import timedelta

    from django.utils import timezone

    original = compose(
        world,
        world.officer_west,
        send_at=timezone.now() + timedelta(days=1),
        expires_at=timezone.now() + timedelta(days=2),
        link_url="https://example.org",
        link_text="More",
        translations={"cy": ("Lladradau", "Dau gartref")},
    )
    Alert.objects.filter(pk=original.pk).update(state=Alert.State.SENT)
    original.refresh_from_db()
    copy = services.alert_copy(alert=original, author=world.lead_west)
    assert copy.pk != original.pk
    assert (copy.state, copy.created_by, copy.division) == (Alert.State.DRAFT, world.lead_west, world.west)
    for name in ("title", "body", "interest", "priority", "link_url", "link_text", "targeting"):
        assert getattr(copy, name) == getattr(original, name)
    assert copy.send_at is None
    assert copy.expires_at is None
    assert list(AlertTranslation.objects.filter(alert=copy).values_list("language", "title")) == [("cy", "Lladradau")]
    assert logged("alerts.alert.copy")[0].data == {"copied_from": original.pk}


def test_copying_is_refused_outside_the_copiers_division_or_without_sending(world):
    original = compose(world, world.officer_west)
    with pytest.raises(services.AlertPermissionError, match="outside your division"):
        services.alert_copy(alert=original, author=world.officer_east)
    with pytest.raises(services.AlertPermissionError, match="permission to send"):
        services.alert_copy(alert=original, author=world.contact)
    assert Alert.objects.count() == 1


def test_a_copy_is_checked_against_the_copiers_scope(world):
    # HQ's alert owned by West also reaches Castle (East): a West officer sees it but cannot send it as it is.
    original = compose(world, world.hq, areas(neighbourhoods=[world.west_a.pk, world.east_a.pk]))
    Alert.objects.filter(pk=original.pk).update(division=world.west)
    with pytest.raises(TargetingError, match="neighbourhoods in your own division"):
        services.alert_copy(alert=Alert.objects.get(pk=original.pk), author=world.officer_west)
    assert Alert.objects.count() == 1


# ---------------------------------------------------------------------------------------------- updates


def sent_alert(world, author=None, targeting=None):
    alert = compose(world, author or world.officer_west, targeting)
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENT)
    return Alert.objects.get(pk=alert.pk)


def deliver(alert, subscribers, channel="email", state=Delivery.State.DELIVERED):
    for subscriber in subscribers:
        Delivery.objects.create(alert=alert, subscriber=subscriber, channel=channel, state=state)


def update_of(alert, channels=("email", "sms")):
    return {"update_of": alert.pk, "demographics": {}, "channels": list(channels)}


def test_an_update_reaches_exactly_the_earlier_recipients_still_reachable(world):
    subscribe(world.west_a, count=8, sms=True)
    earlier = sent_alert(world)
    people = list(Subscriber.objects.order_by("pk"))
    reached, failed, skipped, digested, sending = people[:3], people[3], people[4], people[5], people[6]
    deliver(earlier, reached)
    deliver(earlier, [failed], state=Delivery.State.PERMANENT_FAILURE)
    deliver(earlier, [skipped], state=Delivery.State.SKIPPED)
    deliver(earlier, [digested], state=Delivery.State.DIGESTED)
    deliver(earlier, [sending], channel="sms", state=Delivery.State.SENDING)
    # Another alert's recipient, in the same neighbourhood: not an earlier recipient.
    deliver(sent_alert(world), [people[7]])
    subscriber_unsubscribe(subscriber=reached[0])
    subscriber_erase(subscriber=reached[1])

    audience = audience_resolve(spec_from_json(update_of(earlier)))

    assert audience.email.tolist() == sorted([reached[2].pk, digested.pk])
    assert audience.sms.tolist() == [sending.pk]
    only_email = audience_resolve(spec_from_json(update_of(earlier, channels=["email"])))
    assert only_email.sms.tolist() == []


def test_an_update_is_a_draft_like_any_other_with_the_same_approval_rules(world):
    subscribe(world.west_a, count=2)
    earlier = sent_alert(world)
    deliver(earlier, Subscriber.objects.all())
    update = compose(world, world.officer_west, update_of(earlier), title="Update: arrests made")
    assert (update.division, update.force_wide, update.targeting["update_of"]) == (world.west, False, earlier.pk)
    submitted = services.alert_submit(alert=update, actor=world.officer_west)
    assert submitted.audience_subscribers == 2
    # An update of a whole-force alert is force-wide: a second person approves it.
    forcewide = sent_alert(world, world.hq, areas(whole_force=True))
    big = compose(world, world.hq, update_of(forcewide))
    assert big.force_wide
    assert big.division is None
    assert services.alert_submit(alert=big, actor=world.hq).state == Alert.State.AWAITING_APPROVAL


def test_an_update_is_refused_outside_scope_and_for_unsent_alerts(world):
    earlier = sent_alert(world)
    with pytest.raises(TargetingError, match="outside your division"):
        compose(world, world.officer_east, update_of(earlier))
    draft = compose(world, world.officer_west)
    with pytest.raises(TargetingError, match="been sent"):
        compose(world, world.officer_west, update_of(draft))
    forcewide = sent_alert(world, world.hq, areas(whole_force=True))
    with pytest.raises(TargetingError, match="outside your division"):
        compose(world, world.lead_west, update_of(forcewide))
    with pytest.raises(TargetingError, match="cannot also choose areas"):
        compose(world, world.officer_west, {**update_of(earlier), **areas(neighbourhoods=[world.west_a.pk])})
