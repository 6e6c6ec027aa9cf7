"""The shared inbox: mentions stored once since the newest, escalated by In the Know's trigger words, assigned
within the division, marked done, audited, kept no longer than the retention; the back office with the owner,
another division and an outsider."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.core.models import TransactionalMessage
from openbeat.delivery.models import DeliverySettings
from openbeat.social import inbox
from openbeat.social.connectors import fake
from openbeat.social.connectors.base import ErrorKind, Mention
from openbeat.social.models import InboxItem, PostTarget, SocialAccount
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def mention(remote_id: str, text: str = "Is the road open?", minutes: int = 0, **kw) -> Mention:
    return Mention(
        remote_id=remote_id,
        author=kw.pop("author", "@sam@example.org"),
        text=text,
        url=f"https://fake.example/{remote_id}",
        created_at=WHEN + timedelta(minutes=minutes),
        **kw,
    )


def item_for(account: SocialAccount, remote_id: str = "m1", **kw) -> InboxItem:
    defaults = {"author": "@sam", "text": "Thanks!", "created_at": WHEN}
    defaults.update(kw)
    return InboxItem.objects.create(account=account, remote_id=remote_id, **defaults)


# --- Fetching ----------------------------------------------------------------------------------------------


def test_new_mentions_are_stored_once_and_linked_to_the_post_they_answer(world, post_maker):
    post = post_maker(world.officer, [world.west_account])
    target = post.targets.get()
    target.state, target.remote_id = PostTarget.State.POSTED, "p9"
    target.save()
    fake.MENTIONS[""] = [mention("m1", in_reply_to="p9"), mention("m2", minutes=5)]

    assert inbox.mentions_fetch(account_id=world.west_account.pk) == "2 new, 0 escalated"
    assert inbox.mentions_fetch(account_id=world.west_account.pk) == "0 new, 0 escalated"

    first = InboxItem.objects.get(remote_id="m1")
    assert (first.account, first.in_reply_to, first.state, first.author) == (
        world.west_account,
        target,
        "new",
        "@sam@example.org",
    )
    assert InboxItem.objects.get(remote_id="m2").in_reply_to is None
    assert InboxItem.objects.count() == 2


def test_only_mentions_since_the_newest_stored_are_asked_for(world, monkeypatch):
    item_for(world.west_account, created_at=WHEN + timedelta(minutes=3))
    seen = []
    monkeypatch.setattr(fake.FakeConnector, "mentions", lambda self, since: seen.append(since) or [])

    inbox.mentions_fetch(account_id=world.west_account.pk)

    assert seen == [WHEN + timedelta(minutes=3)]


def test_a_mention_with_a_trigger_word_is_escalated_to_the_on_duty_team_without_its_text(world, caplog):
    settings = DeliverySettings.load()
    settings.duty_email, settings.duty_sms = "duty@police.example", "+447700900123"
    settings.save()
    fake.MENTIONS[""] = [mention("m1", text="Help me, I am being followed", author="@victim")]

    assert inbox.mentions_fetch(account_id=world.west_account.pk) == "1 new, 1 escalated"

    item = InboxItem.objects.get()
    assert item.escalated
    assert item.matched_words == "help me, being followed"
    messages = TransactionalMessage.objects.filter(purpose=inbox.ESCALATE_PURPOSE)
    assert sorted(messages.values_list("to", flat=True)) == ["+447700900123", "duty@police.example"]
    for message in messages:
        body = message.body_text + getattr(message, "subject", "")
        assert reverse("social_staff:inbox_item", args=[item.pk]) in body
        assert "followed" not in body
        assert "@victim" not in body
    entry = AuditEntry.objects.get(action="social.inbox.escalate")
    assert "victim" not in str(entry.data)
    assert "followed" not in str(entry.data)
    assert "victim" not in caplog.text
    assert "followed" not in caplog.text


def test_the_force_word_list_is_the_one_used(world):
    settings = DeliverySettings.load()
    settings.trigger_words = "pothole"
    settings.save()
    fake.MENTIONS[""] = [mention("m1", text="Help me"), mention("m2", text="A POTHOLE again", minutes=1)]

    inbox.mentions_fetch(account_id=world.west_account.pk)

    assert list(InboxItem.objects.filter(escalated=True).values_list("remote_id", flat=True)) == ["m2"]


def test_a_revoked_account_needs_reconnecting_and_others_still_fetch(world, django_capture_on_commit_callbacks):
    fake.fail_next(ErrorKind.REVOKED, "Token revoked")
    fake.MENTIONS[""] = [mention("m1")]

    with django_capture_on_commit_callbacks(execute=True):
        assert inbox.mentions_dispatch() == 3

    statuses = set(SocialAccount.objects.values_list("status", flat=True))
    assert SocialAccount.Status.NEEDS_RECONNECTING in statuses
    assert InboxItem.objects.count() == 2  # the two other accounts stored theirs


def test_the_scheduler_job_queues_mentions_and_results_and_prunes(world, django_capture_on_commit_callbacks):
    from openbeat.scheduler.jobs import fetch_social_results

    with django_capture_on_commit_callbacks(execute=True):
        out = fetch_social_results()

    assert out == "3 mentions fetches, 3 results fetches queued, 0 old inbox items deleted"
    with django_capture_on_commit_callbacks(execute=True):
        assert fetch_social_results().startswith("3 mentions fetches, 0 results fetches")


# --- Handling ----------------------------------------------------------------------------------------------


def test_assign_and_done_are_audited_without_personal_data(world):
    item = item_for(world.west_account, author="@private", text="my secret")

    inbox.inbox_assign(item=item, assignee=world.lead, actor=world.officer)
    assert (item.state, item.assignee) == ("assigned", world.lead)
    inbox.inbox_done(item=item, actor=world.lead)
    item.refresh_from_db()
    assert item.state == "done"
    assert item.done_at is not None

    entries = AuditEntry.objects.filter(action__startswith="social.inbox.").order_by("pk")
    assert [e.action for e in entries] == ["social.inbox.assign", "social.inbox.done"]
    assert all(e.division == world.west for e in entries)
    assert "private" not in str([e.data for e in entries])
    assert "secret" not in str([e.target_label for e in entries])


def test_nobody_of_another_division_can_be_assigned_or_act(world):
    item = item_for(world.west_account)

    with pytest.raises(inbox.PermissionDenied):
        inbox.inbox_assign(item=item, assignee=world.other, actor=world.officer)
    with pytest.raises(inbox.PermissionDenied):
        inbox.inbox_done(item=item, actor=world.other)
    assert world.other not in inbox.team_for(item)
    assert {world.officer, world.lead, world.hq} <= set(inbox.team_for(item))


def test_done_items_past_the_retention_are_deleted(world, settings):
    settings.SOCIAL_INBOX_RETENTION_DAYS = 30
    now = timezone.now()
    old = item_for(world.west_account, "old", state="done", done_at=now - timedelta(days=31))
    item_for(world.west_account, "recent", state="done", done_at=now - timedelta(days=29))
    item_for(world.west_account, "open", created_at=now - timedelta(days=400))

    assert inbox.inbox_prune(now) == 1

    assert not InboxItem.objects.filter(pk=old.pk).exists()
    assert set(InboxItem.objects.values_list("remote_id", flat=True)) == {"recent", "open"}


# --- Back office -------------------------------------------------------------------------------------------


def test_the_owner_sees_their_divisions_items_and_hq_sees_all(world):
    item_for(world.west_account, "w", text="West message")
    item_for(world.east_account, "e", text="East message")

    west = client_for(world.officer).get(reverse("social_staff:inbox")).content.decode()
    hq = client_for(world.hq).get(reverse("social_staff:inbox")).content.decode()

    assert "West message" in west
    assert "East message" not in west
    assert "West message" in hq
    assert "East message" in hq


def test_filters_by_state_and_account(world):
    item_for(world.west_account, "new", text="Still open")
    item_for(world.west_account, "done", text="All sorted", state="done")
    item_for(world.east_account, "east", text="East message")
    client = client_for(world.hq)

    default = client.get(reverse("social_staff:inbox")).content.decode()
    done = client.get(reverse("social_staff:inbox"), {"state": "done"}).content.decode()
    east = client.get(reverse("social_staff:inbox"), {"account": world.east_account.pk}).content.decode()

    assert "Still open" in default
    assert "All sorted" not in default
    assert "All sorted" in done
    assert "Still open" not in done
    assert "East message" in east
    assert "Still open" not in east


def test_the_owner_assigns_and_marks_done_through_the_page(world):
    item = item_for(world.west_account)
    client = client_for(world.officer)
    page = reverse("social_staff:inbox_item", args=[item.pk])

    assert client.get(page).status_code == 200
    response = client.post(page, {"action": "assign", "assignee": world.lead.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assignee == world.lead
    client.post(page, {"action": "done"})
    item.refresh_from_db()
    assert item.state == "done"


def test_assigning_nobody_or_someone_of_another_division_shows_the_error_summary(world):
    item = item_for(world.west_account)
    client = client_for(world.officer)
    page = reverse("social_staff:inbox_item", args=[item.pk])

    for chosen in ("", world.other.pk):
        response = client.post(page, {"action": "assign", "assignee": chosen})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    item.refresh_from_db()
    assert item.assignee is None


def test_another_division_gets_404_and_outsiders_are_refused(world, refused):
    item = item_for(world.west_account)
    page = reverse("social_staff:inbox_item", args=[item.pk])

    assert client_for(world.other).get(page).status_code == 404
    assert client_for(world.other).post(page, {"action": "done"}).status_code == 404
    assert refused(client_for(world.contact).get(reverse("social_staff:inbox")))
    assert refused(client_for(world.contact).post(page, {"action": "done"}))
    assert refused(client_for(world.public).get(page))
    item.refresh_from_db()
    assert item.state == "new"
