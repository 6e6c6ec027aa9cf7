"""Answering the shared inbox: a reply checked against the network's limits and the legal patterns, recorded
(ledger, audit without the resident's words), sent once in the message's thread through each network's
stand-in, retried, looked up after a worker died, told plainly when the token is revoked; the item's page with
the owner, another division and an outsider."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.core.models import TransactionalMessage
from openbeat.insights.models import Account
from openbeat.social import inbox, replies, services
from openbeat.social.connectors import fake
from openbeat.social.connectors.base import ErrorKind, Outgoing
from openbeat.social.credentials import encrypt_credentials
from openbeat.social.ledger import ledger_verify
from openbeat.social.models import InboxItem, InboxReply, LedgerEntry, LegalPattern, SocialAccount
from openbeat.social.standins import running_standin
from openbeat.staff.tests.factories import client_for

from .standin_fixtures import CREDENTIALS, connect
from .test_inbox import item_for

pytestmark = pytest.mark.django_db
R = InboxReply.State
CHILD = "A child may be named or identified"


def reply(item, actor, text="Thanks, an officer is on the way.", **kw):
    return replies.inbox_reply(item=item, actor=actor, text=text, confirmed_warnings=kw.pop("confirmed", set()), **kw)


def send(written, *, at=None, **kw):
    return replies.reply_send(reply_id=written.pk, now=at, **kw)


def later():
    return timezone.now() + services.STUCK_AFTER + timedelta(seconds=1)


@pytest.fixture
def item(world):
    return item_for(world.west_account, "m1", author="@resident", text="My bike was stolen at the station")


# --- Through each network's stand-in -----------------------------------------------------------------------


@pytest.fixture
def on_network(world, settings, request):
    """A West account on a network's stand-in, a resident's message fetched into the inbox the usual way."""
    settings.SOCIAL_CREDENTIALS_KEY = Fernet.generate_key().decode()

    def make(network):
        standin = request.getfixturevalue("_standins")(network)
        social = SocialAccount.objects.create(
            account=Account.objects.create(
                platform=Account.Platform.OTHER, name=f"@West{network}", group=world.west_account.account.group
            ),
            network=network,
            base_url=standin.base_url,
            credentials=encrypt_credentials(CREDENTIALS[network]),
            status=SocialAccount.Status.CONNECTED,
        )
        posted = connect(network, standin).post(Outgoing(text="Bike marking at the station", idempotency_key="p"))
        standin.add_mention(text="Is it free?", author="sam", in_reply_to=posted.remote_id)
        inbox.mentions_fetch(account_id=social.pk)
        return standin, InboxItem.objects.get(account=social)

    return make


@pytest.fixture
def _standins():
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield lambda network: stack.enter_context(running_standin(network))


NETWORKS = pytest.mark.parametrize("network", ["mastodon", "bluesky", "facebook", "x"])


@NETWORKS
def test_a_reply_goes_out_once_in_the_messages_thread_and_the_item_is_done(
    world, on_network, network, django_capture_on_commit_callbacks
):
    standin, item = on_network(network)

    with django_capture_on_commit_callbacks(execute=True):  # the task runs after the commit (inline in tests)
        written = reply(item, world.officer, "Yes, it is free. See you there.")

    written.refresh_from_db()
    assert written.state == R.SENT
    assert written.url.startswith("https://")
    assert written.attempts == 1
    (sent,) = standin.replies_to(item.remote_id)
    assert "Yes, it is free. See you there." in str(sent)
    item.refresh_from_db()
    assert item.state == InboxItem.State.DONE
    assert [e.action for e in LedgerEntry.objects.filter(data__reply=written.pk)] == ["reply_queued", "reply_sent"]
    assert ledger_verify() is None


@NETWORKS
def test_a_worker_that_died_after_the_network_took_the_reply_never_sends_it_again(
    world, on_network, network, monkeypatch
):
    standin, item = on_network(network)
    written = reply(item, world.officer, "We have passed this to the station team.")

    def die(reply, posted):  # the network took the reply; the worker dies before recording it
        raise SystemExit("worker killed")

    monkeypatch.setattr(replies, "_sent", die)
    with pytest.raises(SystemExit):
        send(written)
    monkeypatch.undo()
    written.refresh_from_db()
    assert written.state == R.SENDING
    assert replies.replies_due() == []  # its lease still runs
    assert replies.replies_due(later()) == [written.pk]

    assert send(written, at=later()) == R.SENT

    assert len(standin.replies_to(item.remote_id)) == 1
    written.refresh_from_db()
    assert written.attempts == 1
    assert written.remote_id


def test_a_revoked_token_is_told_plainly_and_the_reply_waits_for_reconnection(world, on_network):
    standin, item = on_network("mastodon")
    standin.revoke(CREDENTIALS["mastodon"]["access_token"])
    written = reply(item, world.officer)

    assert send(written) == R.NEEDS_ATTENTION

    written.refresh_from_db()
    assert "reconnect the account" in written.last_error
    assert SocialAccount.objects.get(pk=item.account_id).status == SocialAccount.Status.NEEDS_RECONNECTING
    assert "officer@police.example" in set(TransactionalMessage.objects.values_list("to", flat=True))
    page = client_for(world.officer).get(reverse("social_staff:inbox_item", args=[item.pk])).content.decode()
    assert "Waiting for the account to be reconnected" in page
    assert written.last_error in page.replace("&#x27;", "'")
    assert standin.replies_to(item.remote_id) == []


def test_on_mastodon_the_reply_names_the_resident_who_is_then_told_and_their_handle_is_kept_nowhere(
    world, on_network, django_capture_on_commit_callbacks
):
    standin, item = on_network("mastodon")
    assert item.author == "@sam"

    with django_capture_on_commit_callbacks(execute=True):
        written = reply(item, world.officer, "Yes, it is free.")

    (sent,) = standin.replies_to(item.remote_id)
    assert sent["_source"] == "@sam Yes, it is free."
    assert [m["acct"] for m in sent["mentions"]] == ["sam"]
    written.refresh_from_db()
    assert (written.state, written.text) == (R.SENT, "Yes, it is free.")
    assert "@sam" not in str([e.data for e in LedgerEntry.objects.all()])
    page = client_for(world.officer).get(reverse("social_staff:inbox_item", args=[item.pk])).content.decode()
    assert "@sam Yes, it is free." in page  # the replies list shows what went out


def test_on_mastodon_the_residents_handle_counts_towards_the_limit(world, on_network):
    _, item = on_network("mastodon")  # "@sam " takes 5 of Mastodon's 500 characters

    reply(item, world.officer, "a" * 495)
    with pytest.raises(ValidationError) as caught:
        reply(item, world.officer, "a" * 496)
    assert "1 characters too long" in str(caught.value.message_dict["text"])


def test_the_page_says_a_mastodon_reply_names_the_resident_and_counts_it(world, on_network, item):
    _, mastodon_item = on_network("mastodon")
    client = client_for(world.officer)

    mastodon = client.get(reverse("social_staff:inbox_item", args=[mastodon_item.pk])).content.decode()
    other = client.get(reverse("social_staff:inbox_item", args=[item.pk])).content.decode()

    assert "your reply starts with @sam" in mastodon
    assert 'aria-describedby="reply-mention reply-count"' in mastodon
    assert 'data-mention="@sam"' in mastodon
    assert "4 of 500 characters" in mastodon
    assert "data-reply-mention" not in other
    assert "0 of 280 characters" in other


# --- Checks before anything is sent ------------------------------------------------------------------------


def test_a_legal_warning_must_be_ticked_before_the_reply_is_accepted(world, item):
    key = str(LegalPattern.objects.get(label=CHILD).pk)

    with pytest.raises(ValidationError) as caught:
        reply(item, world.officer, "The 12-year-old has been found safe.")
    assert "confirm" in caught.value.message_dict
    assert InboxReply.objects.count() == 0

    written = reply(item, world.officer, "The 12-year-old has been found safe.", confirmed={key})
    assert written.confirmed_warnings == [CHILD]
    assert LedgerEntry.objects.get(action="reply_queued").data["confirmed_warnings"] == [CHILD]


def test_a_reply_too_long_for_the_network_is_refused(world, item):
    with pytest.raises(ValidationError) as caught:
        reply(item, world.officer, "a" * 281)
    assert "too long" in str(caught.value.message_dict["text"])


def test_bluesky_counts_graphemes_and_bytes(world, item):
    SocialAccount.objects.filter(pk=item.account_id).update(network="bluesky")
    item.refresh_from_db()

    reply(item, world.officer, "👨‍👩‍👧‍👦" * 100)  # 100 graphemes, 2,500 bytes: fine
    with pytest.raises(ValidationError) as caught:
        reply(item, world.officer, "👨‍👩‍👧‍👦" * 121)  # 121 graphemes, 3,025 bytes
    assert "bytes" in str(caught.value.message_dict["text"])


def test_another_division_and_an_outsider_cannot_reply(world, item):
    for actor in (world.other, world.contact, world.public):
        with pytest.raises(PermissionDenied):
            reply(item, actor)
    assert InboxReply.objects.count() == 0


def test_the_audit_names_neither_the_resident_nor_their_words(world, item, caplog):
    written = reply(item, world.officer, "Thanks for telling us.")
    send(written)

    entries = AuditEntry.objects.filter(action__startswith="social.inbox.").order_by("pk")
    assert [e.action for e in entries] == ["social.inbox.reply", "social.inbox.reply_sent", "social.inbox.done"]
    assert all(e.division == world.west for e in entries)
    recorded = (
        str([(e.data, e.target_label) for e in entries])
        + str([e.data for e in LedgerEntry.objects.all()])
        + caplog.text
    )
    assert "@resident" not in recorded
    assert "stolen" not in recorded


# --- Sending: retries and recovery -------------------------------------------------------------------------


def test_a_reply_is_sent_with_the_item_as_its_parent_once_and_kept_open_if_asked(world, item):
    written = reply(item, world.officer, mark_done=False)

    assert send(written) == R.SENT
    assert send(written) == R.SENT  # a second task for it does nothing

    assert fake.CALLS == ["post"]
    ((_posted, outgoing),) = fake.STORE.values()
    assert (outgoing.in_reply_to, outgoing.idempotency_key) == ("m1", str(written.idempotency_key))
    item.refresh_from_db()
    assert item.state == InboxItem.State.NEW


def test_passing_errors_back_off_then_the_reply_goes(world, item):
    written = reply(item, world.officer)
    fake.fail_next(ErrorKind.PASSING, "The network is down")

    assert send(written) == R.QUEUED
    written.refresh_from_db()
    assert written.last_error == "The network is down"
    assert written.next_attempt_at - timezone.now() > timedelta(seconds=50)  # 1 minute's backoff
    assert replies.replies_due() == []
    assert send(written, at=written.next_attempt_at) == R.SENT
    assert fake.CALLS == ["post", "post"]


def test_an_unknown_outcome_is_looked_up_before_sending_again(world, item):
    written = reply(item, world.officer)
    fake.fail_next(ErrorKind.UNKNOWN_OUTCOME, "The network did not answer")

    assert send(written) == R.SENDING
    written.refresh_from_db()
    assert send(written, at=written.next_attempt_at) == R.SENT
    assert fake.CALLS == ["post", "find_post", "post"]
    assert [written.text] == fake.FIND_TEXTS


def test_a_worker_that_died_before_the_call_sends_once_on_recovery(world, item):
    written = reply(item, world.officer)

    assert send(written, stop_before_network=True) == R.SENDING
    assert send(written) == R.SENDING  # its lease still runs: nothing done
    assert send(written, at=later()) == R.SENT
    assert fake.CALLS == ["find_post", "post"]
    assert len(fake.STORE) == 1


def test_a_rejected_reply_fails_with_the_networks_words(world, item):
    written = reply(item, world.officer)
    fake.fail_next(ErrorKind.REJECTED, "The message it answers is no longer there")

    assert send(written) == R.FAILED
    written.refresh_from_db()
    assert written.last_error == "The message it answers is no longer there"
    assert replies.replies_due(timezone.now() + timedelta(days=1)) == []
    assert AuditEntry.objects.filter(action="social.inbox.reply_failed").exists()


def test_a_reply_waiting_for_reconnection_goes_once_the_account_is_reconnected(
    world, item, django_capture_on_commit_callbacks
):
    written = reply(item, world.officer)
    fake.fail_next(ErrorKind.REVOKED, "The access token has expired")
    assert send(written) == R.NEEDS_ATTENTION

    with django_capture_on_commit_callbacks(execute=True):
        services.account_test(actor=world.hq, social_account=SocialAccount.objects.get(pk=item.account_id))

    written.refresh_from_db()
    assert written.state == R.SENT
    assert fake.CALLS == ["post", "account_info", "find_post", "post"]


def test_the_scheduler_job_queues_due_replies(world, item):
    from openbeat.scheduler.jobs import dispatch_due_social_posts

    written = reply(item, world.officer)  # its task waits for a commit that never comes in this test

    assert dispatch_due_social_posts().startswith("0 queued, 1 inbox replies queued")  # tasks run inline
    written.refresh_from_db()
    assert written.state == R.SENT


# --- The item's page ---------------------------------------------------------------------------------------


def page_of(item):
    return reverse("social_staff:inbox_item", args=[item.pk])


def test_the_owner_replies_from_the_page_and_sees_it_sent_with_its_link(
    world, item, django_capture_on_commit_callbacks
):
    client = client_for(world.officer)
    form = client.get(page_of(item)).content.decode()
    assert "Your reply" in form
    assert "0 of 280 characters" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_of(item), {"action": "reply", "reply-text": "On our way.", "reply-mark_done": "on"})

    assert response.status_code == 302
    shown = client.get(page_of(item)).content.decode()
    written = InboxReply.objects.get()
    assert (written.state, written.written_by) == (R.SENT, world.officer)
    assert "On our way." in shown
    assert f'href="{written.url}"' in shown


def test_an_empty_or_too_long_reply_shows_the_error_summary_and_keeps_what_was_typed(world, item):
    client = client_for(world.officer)

    empty = client.post(page_of(item), {"action": "reply", "reply-text": ""}).content.decode()
    assert "There is a problem" in empty
    assert 'href="#id_reply-text"' in empty

    long = client.post(page_of(item), {"action": "reply", "reply-text": "b" * 290}).content.decode()
    assert "There is a problem" in long
    assert "b" * 290 in long
    assert "290 of 280 characters: too long" in long
    assert InboxReply.objects.count() == 0


def test_the_warnings_step_asks_for_each_to_be_ticked(world, item):
    client = client_for(world.officer)
    text = "The 12-year-old is safe."

    first = client.post(page_of(item), {"action": "reply", "reply-text": text, "reply-mark_done": "on"})
    assert first.status_code == 200
    assert b"Check before this goes out" in first.content
    assert b"You must confirm" in first.content
    assert text.encode() in first.content
    key = LegalPattern.objects.get(label=CHILD).pk
    second = client.post(
        page_of(item), {"action": "reply", "reply-text": text, "reply-mark_done": "on", "reply-confirm": [key]}
    )
    assert second.status_code == 302
    assert InboxReply.objects.get().confirmed_warnings == [CHILD]


def test_another_division_gets_404_and_outsiders_are_refused(world, item, refused):
    data = {"action": "reply", "reply-text": "Hello"}

    assert client_for(world.other).get(page_of(item)).status_code == 404
    assert client_for(world.other).post(page_of(item), data).status_code == 404
    assert refused(client_for(world.contact).post(page_of(item), data))
    assert refused(client_for(world.public).post(page_of(item), data))
    assert InboxReply.objects.count() == 0
