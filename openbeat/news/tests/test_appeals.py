"""An appeal's life: open, updated, resolved; the outcome's follow-up alert to exactly the people the appeal's
alerts reached, once; and the removal of a missing or wanted person's name and photos (page, revisions, search,
the public page cache), at once or later by the scheduler, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Revision
from wagtail.search.backends import get_search_backend

from openbeat.alerts.models import Alert
from openbeat.alerts.targeting import TargetingError
from openbeat.alerts.tests.lifecycle_world import compose, subscribe
from openbeat.audit.models import AuditEntry
from openbeat.delivery.models import Delivery
from openbeat.news import services
from openbeat.news.models import AppealFollowUp, AppealPage
from openbeat.news.tests.conftest import appeal, image
from openbeat.scheduler import jobs
from openbeat.subscriptions.models import Subscriber

pytestmark = pytest.mark.django_db


def sent_alert(world, author=None):
    alert = compose(world, author or world.officer_west, title="Have you seen Jane Doe?")
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENT)
    return Alert.objects.get(pk=alert.pk)


def reached(alert, subscribers, channel="email", state=Delivery.State.DELIVERED):
    for subscriber in subscribers:
        Delivery.objects.create(alert=alert, subscriber=subscriber, channel=channel, state=state)


def fresh(page):
    return AppealPage.objects.get(pk=page.pk)


def test_an_appeal_is_open_then_updated_with_a_dated_note(site, world):
    page = appeal(site.index, kind="witness", subject_name="", divisions=[world.west])
    assert page.state == "open"
    services.appeal_add_update(appeal=page, actor=world.lead_west, note="We have released new CCTV images.")
    assert fresh(page).state == "updated"
    html = Client().get(page.url).content.decode()
    assert "We have released new CCTV images." in html
    assert timezone.localdate().strftime("%-d %B %Y") in html
    assert AuditEntry.objects.filter(action="news.appeal.update").count() == 1


def test_the_outcome_shows_at_the_top_of_the_page(site, world):
    page = appeal(site.index, kind="witness", subject_name="", divisions=[world.west])
    services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="charged", note="A man, 24, is charged.")
    html = Client().get(page.url).content.decode()
    assert html.index("Appeal resolved: Charged") < html.index("<h1")
    assert "A man, 24, is charged." in html
    assert fresh(page).state == "resolved"


def test_publishing_an_old_draft_keeps_the_outcome(site, world):
    page = appeal(site.index, kind="witness", subject_name="", divisions=[world.west])
    revision = fresh(page).save_revision()
    services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="solved")
    revision.publish()
    assert fresh(page).outcome == "solved"


def test_staff_of_another_division_cannot_set_the_outcome(site, world):
    page = appeal(site.index, divisions=[world.west])
    with pytest.raises(services.AppealPermissionError):
        services.appeal_set_outcome(appeal=page, actor=world.lead_east, outcome="found-safe")
    with pytest.raises(services.AppealPermissionError):
        services.appeal_add_update(appeal=page, actor=world.contact, note="x")
    assert fresh(page).outcome == ""


# ------------------------------------------------------------------------------------------- the follow-up


def test_the_follow_up_reaches_exactly_the_appeals_audience_once(site, world, fake, django_capture_on_commit_callbacks):
    subscribe(world.west_a, count=5)
    people = list(Subscriber.objects.order_by("pk"))
    told, bounced, others = people[:3], people[3], people[4]
    original = sent_alert(world)
    reached(original, told)
    reached(original, [bounced], state=Delivery.State.PERMANENT_FAILURE)
    reached(sent_alert(world), [others])  # another alert's recipient in the same place: not told of this appeal
    page = appeal(site.index, neighbourhoods=[world.west_a], alerts=[original])

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="found-safe")
    follow_up = AppealFollowUp.objects.get().follow_up
    assert follow_up.targeting["update_of"] == original.pk
    assert follow_up.state == Alert.State.SENT
    assert "Jane" not in follow_up.title + follow_up.body
    assert set(Delivery.objects.filter(alert=follow_up).values_list("subscriber_id", flat=True)) == {s.pk for s in told}
    assert sorted(m.to for m in fake.sent) == sorted(s.email for s in told)

    # Saved again (or changed): nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_set_outcome(appeal=fresh(page), actor=world.lead_west, outcome="found-safe")
        services.appeal_set_outcome(appeal=fresh(page), actor=world.lead_west, outcome="withdrawn")
    assert AppealFollowUp.objects.count() == 1
    assert Alert.objects.filter(targeting__update_of=original.pk).count() == 1
    assert len(fake.sent) == 3


def test_an_outcome_whose_follow_up_is_refused_is_not_saved(site, world):
    # HQ's force-wide alert: a division lead may set outcomes in their division but not follow a force-wide alert.
    original = sent_alert(world, world.hq)
    Alert.objects.filter(pk=original.pk).update(force_wide=True, division=None)
    page = appeal(site.index, neighbourhoods=[world.west_a], alerts=[original])
    with pytest.raises(TargetingError, match=r"outside your division"):
        services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="found-safe")
    assert fresh(page).outcome == ""
    assert not AppealFollowUp.objects.exists()


# ------------------------------------------------------------------------------------------- redaction


def personal_appeal(site, world, **kwargs):
    photo = image("Jane Doe")
    page = appeal(
        site.index,
        neighbourhoods=[world.west_a],
        lead_image=photo,
        lead_image_alt="Jane Doe smiling",
        body=[("paragraph", "<p>Jane is 5ft 6in.</p>"), ("image", {"image": photo, "alt": "Jane", "caption": ""})],
        **kwargs,
    )
    page.save_revision()  # a second revision, a draft: scrubbed too
    return page, photo


def test_a_found_missing_persons_name_and_photos_go_at_once(site, world):
    page, photo = personal_appeal(site, world)
    client = Client()
    assert "Jane Doe" in client.get(page.url).content.decode()  # stored in the public page cache

    services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="found-safe")

    redacted = fresh(page)
    html = client.get(page.url).content.decode()
    assert "Jane" not in html
    assert "Appeal resolved: Found safe" in html
    assert services.RESOLVED_NOTICE in html
    assert redacted.title == "Missing person appeal: found safe"
    assert redacted.lead_image is None
    assert not any(block.block_type == "image" for block in redacted.body)
    for revision in Revision.objects.for_instance(redacted):
        assert "Jane" not in str(revision.content)
        assert "Jane" not in revision.object_str
    assert not get_image_model().objects.filter(pk=photo.pk).exists()
    assert list(get_search_backend().search("Jane", AppealPage)) == []
    entry = AuditEntry.objects.get(action="news.appeal.redact")
    assert entry.data["revisions"] == 2


def test_a_photo_used_elsewhere_is_kept(site, world):
    page, photo = personal_appeal(site, world)
    from openbeat.news.tests.conftest import news

    news(site.index, "Other story", lead_image=photo, lead_image_alt="A photo")
    services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="found-safe")
    assert get_image_model().objects.filter(pk=photo.pk).exists()


def test_a_witness_appeal_keeps_its_words(site, world):
    page = appeal(site.index, kind="witness", subject_name="", neighbourhoods=[world.west_a])
    services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="arrested")
    assert fresh(page).title == "Have you seen Jane Doe?"
    assert fresh(page).redacted_at is None


def test_with_a_delay_the_scheduler_removes_them_later(site, world, settings):
    settings.NEWS_APPEAL_REDACT_AFTER_HOURS = 24
    page, _ = personal_appeal(site, world, kind="wanted")
    services.appeal_set_outcome(appeal=page, actor=world.lead_west, outcome="arrested")
    assert "Jane Doe" in Client().get(page.url).content.decode()
    assert jobs.redact_resolved_appeals() == 0

    AppealPage.objects.filter(pk=page.pk).update(redact_due_at=timezone.now() - timedelta(minutes=1))
    assert jobs.redact_resolved_appeals() == 1
    assert "Jane" not in Client().get(page.url).content.decode()
    assert fresh(page).title == "Wanted or suspect appeal: arrested"
    assert AuditEntry.objects.get(action="news.appeal.redact").actor is None
    assert jobs.redact_resolved_appeals() == 0
