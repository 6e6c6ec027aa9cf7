"""The demo's social media publishing: a connected demo account per network on a local stand-in, marked wherever
staff see it, sent posts with their results in insights, scheduled posts, inbox items, nothing duplicated by a
second run, and "Test connection" working through the real connectors against the stand-ins."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openbeat.demo.registry import demo_is_tagged
from openbeat.demo.social import ACCOUNTS, MENTIONS, POSTS, social_reset, standins_seed, step_social
from openbeat.demo.steps import demo_context, step_force, step_geography, step_insights, step_staff
from openbeat.insights.models import ImportBatch, Observation
from openbeat.social.connectors.base import AccountInfo, ConnectorError
from openbeat.social.credentials import decrypt_credentials
from openbeat.social.ledger import ledger_verify
from openbeat.social.models import DEMO_LABEL, Approval, InboxItem, LedgerEntry, Post, PostTarget, SocialAccount
from openbeat.social.results import BATCH_FORMAT, results_fetch
from openbeat.social.selectors import approval_queue_for
from openbeat.social.services import account_test, account_update, connector_of, is_local_address, target_send
from openbeat.social.standins import DEMO_PORTS, running_standin
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db
S = PostTarget.State
NETWORKS = ("mastodon", "bluesky", "facebook", "x")


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo up to its social step, loaded once for the module (a few seconds) in a transaction rolled back at
    the end; each test's own changes are rolled back to a savepoint on top of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = demo_context()
        for step in (step_force, step_geography, step_staff, step_insights):
            step(ctx)
        yield ctx, step_social(ctx)
        transaction.set_rollback(True)


@pytest.fixture
def demo_ctx(demo_world, db):
    return demo_world[0]


@pytest.fixture
def demo(demo_world, db):
    return demo_world[1]


def user(username):
    return get_user_model().objects.get(username=username)


def account(network):
    return SocialAccount.objects.select_related("account", "account__group").get(network=network)


def test_each_network_has_a_connected_demo_account_on_its_local_stand_in(demo):
    assert "4 demo accounts" in demo
    for network in NETWORKS:
        social = account(network)
        address = urlsplit(social.base_url)
        assert social.is_demo
        assert social.status == SocialAccount.Status.CONNECTED
        assert (address.scheme, address.hostname, address.port) == ("http", "127.0.0.1", DEMO_PORTS[network])
        # Stored encrypted through the credentials module: readable with the key, not in the clear.
        credentials = decrypt_credentials(social.credentials)
        assert credentials
        assert not any(value in social.credentials for value in credentials.values())
        assert demo_is_tagged(social.account)  # a demo insights account, the one source of truth


def test_the_accounts_are_the_demos_insights_accounts_a_corporate_one_and_a_divisions(demo):
    from openbeat.demo.insights import _accounts
    from openbeat.demo.steps import demo_divisions

    # The engagement figures step's accounts are used where it has one; only Mastodon and Bluesky get a new one.
    figures_step = {(spec.platform, spec.name) for spec in _accounts(list(demo_divisions()))}
    used = {network: (account(network).account.platform, account(network).account.name) for network in NETWORKS}
    assert used["facebook"] == ("facebook", "Demoshire Police")
    assert used["x"] == ("x", "@WestDemoPolice")
    assert {used["facebook"], used["x"]} <= figures_step
    assert not {used["mastodon"], used["bluesky"]} & figures_step
    assert {account(n).account.group.name for n in NETWORKS} == {"Corporate", "West"}
    assert account("x").division_id is not None
    assert account("facebook").division_id is None


def test_sent_posts_were_approved_by_someone_else_and_are_in_the_ledger(demo):
    now = timezone.now()
    posted = PostTarget.objects.filter(state=S.POSTED).select_related("post", "account")
    sent = [spec for spec in POSTS if spec.days < 0]
    assert posted.count() == sum(len(spec.networks) for spec in sent)
    for target in posted:
        assert target.remote_id
        assert target.posted_at < now
        assert urlsplit(target.url).hostname == "127.0.0.1"
        approvers = set(Approval.objects.filter(post=target.post).values_list("approver_id", flat=True))
        if target.account.requires_approval:
            assert approvers
        assert target.post.author_id not in approvers
    assert LedgerEntry.objects.filter(action="posted").count() == posted.count()
    assert LedgerEntry.objects.filter(action="approved").exists()
    assert ledger_verify() is None


def test_sent_posts_have_results_in_insights_from_the_social_source(demo):
    for target in PostTarget.objects.filter(state=S.POSTED).select_related("account"):
        day = timezone.localdate(target.posted_at)
        figures = Observation.objects.filter(
            account_id=target.account.account_id, granularity="day", period_start=day, metric__slug="reactions"
        ).select_related("batch")
        assert figures.count() == 1, target
        assert figures[0].value > 0
        assert figures[0].batch.format == BATCH_FORMAT
    batches = ImportBatch.objects.filter(format=BATCH_FORMAT)
    assert batches.count() == 4
    assert set(batches.values_list("status", flat=True)) == {ImportBatch.Status.DONE}


def test_scheduled_posts_wait_for_the_coming_days_one_for_approval(demo):
    now = timezone.now()
    scheduled = PostTarget.objects.filter(post__scheduled_for__gt=now).select_related("post")
    assert scheduled.count() == sum(len(spec.networks) for spec in POSTS if spec.days > 0)
    states = sorted(target.state for target in scheduled)
    assert states.count(S.AWAITING_APPROVAL) == 1
    for target in scheduled.filter(state=S.APPROVED):
        assert target.next_attempt_at == target.post.scheduled_for
    [waiting] = scheduled.filter(state=S.AWAITING_APPROVAL)
    assert waiting.post in approval_queue_for(user("lead.west"))


def test_the_inbox_has_an_escalated_an_assigned_and_a_reply(demo):
    assert InboxItem.objects.count() == len(MENTIONS)
    escalated = InboxItem.objects.get(escalated=True)
    assert "urgent" in escalated.matched_words.lower()
    assigned = InboxItem.objects.get(state=InboxItem.State.ASSIGNED)
    assert assigned.assignee == user("officer.west")
    reply = InboxItem.objects.get(in_reply_to__isnull=False)
    assert reply.in_reply_to.state == S.POSTED


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (SocialAccount, Post, PostTarget, Approval, InboxItem, ImportBatch, LedgerEntry, Observation)
    }


def test_running_the_step_twice_adds_nothing(demo, demo_ctx):
    before = _counts()
    assert "0 new" in step_social(demo_ctx)
    assert _counts() == before


def test_reset_removes_the_demos_social_rows_and_the_step_loads_them_again(demo, demo_ctx):
    before = _counts()
    assert social_reset() > 0
    assert not SocialAccount.objects.exists()
    assert not Post.objects.exists()
    step_social(demo_ctx)
    after = _counts()
    for model in ("SocialAccount", "Post", "PostTarget", "Approval", "InboxItem"):
        assert after[model] == before[model], model


@pytest.mark.parametrize("network", NETWORKS)
def test_test_connection_on_a_demo_account_works_through_the_real_connector(demo, network):
    social = account(network)
    with running_standin(network) as standin:
        # The stand-in on an ephemeral port (safe beside other test workers) stands for the demo port's.
        SocialAccount.objects.filter(pk=social.pk).update(base_url=standin.base_url)
        social.refresh_from_db()
        result = account_test(actor=user("hq"), social_account=social)
    assert isinstance(result, AccountInfo), result
    social.refresh_from_db()
    assert social.status == SocialAccount.Status.CONNECTED
    assert social.handle
    assert social.last_tested_at is not None


def test_a_scheduled_demo_post_goes_to_the_stand_in_and_its_results_come_back(demo):
    social = account("bluesky")
    [target] = PostTarget.objects.filter(account=social, state=S.APPROVED)
    with running_standin("bluesky") as standin:
        SocialAccount.objects.filter(pk=social.pk).update(base_url=standin.base_url)
        assert target_send(target_id=target.pk, now=target.next_attempt_at) == S.POSTED
        assert standin.summary()["posts"] == 1
        target.refresh_from_db()
        standin.set_figures(target.remote_id, reactions=7)
        assert "failed" not in results_fetch(account_id=social.pk, day=timezone.localdate(target.posted_at))
    reactions = Observation.objects.get(
        account_id=social.account_id,
        granularity="day",
        metric__slug="reactions",
        period_start=timezone.localdate(target.posted_at),
    )
    assert reactions.value == 7


@pytest.mark.parametrize(
    "address",
    ["", "https://mastodon.social", "http://127.0.0.1:8701@mastodon.social", "http://127.0.0.1.example.com:8701"],
)
def test_a_demo_account_never_talks_to_anything_but_this_machine(demo, address):
    social = account("mastodon")
    assert not is_local_address(address)
    with pytest.raises(ValidationError):
        account_update(
            actor=user("hq"), social_account=social, base_url=address, requires_approval=True, corporate=False
        )
    # Even written straight into the database, the connector is refused before any call.
    SocialAccount.objects.filter(pk=social.pk).update(base_url=address)
    social.refresh_from_db()
    with pytest.raises(ConnectorError):
        connector_of(social)
    [target] = PostTarget.objects.filter(account=social, state=S.APPROVED)
    assert target_send(target_id=target.pk, now=target.next_attempt_at) == S.FAILED
    result = account_test(actor=user("hq"), social_account=social)
    assert isinstance(result, ConnectorError)


def test_an_ordinary_account_may_point_anywhere(demo):
    assert is_local_address("http://127.0.0.1:8701")
    assert is_local_address("http://localhost:8703/v23.0")
    social = account("mastodon")
    SocialAccount.objects.filter(pk=social.pk).update(is_demo=False)
    social.refresh_from_db()
    account_update(
        actor=user("hq"),
        social_account=social,
        base_url="https://mastodon.social",
        requires_approval=True,
        corporate=False,
    )
    assert connector_of(social).base_url == "https://mastodon.social"


# --- What staff see ------------------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"social_staff:{name}", args=args)


def test_the_account_list_marks_every_demo_account(demo, refused):
    page = client_for(user("hq")).get(url("accounts"))
    assert page.status_code == 200
    assert page.content.decode().count(DEMO_LABEL) == len(ACCOUNTS)
    assert refused(client_for(user("board")).get(url("accounts")))  # an outsider
    assert refused(client_for(user("officer.east")).get(url("accounts")))  # another division, no permission


def test_the_composer_marks_the_demo_accounts_a_user_may_post_to(demo, refused):
    page = client_for(user("officer.west")).get(url("new")).content.decode()
    assert f"@WestDemoPolice (X): {DEMO_LABEL}" in page
    assert f"westdemopolice.standin.social (Bluesky): {DEMO_LABEL}" in page
    assert "Demoshire Police (Facebook)" not in page  # the force's page is HQ's
    east = client_for(user("officer.east")).get(url("new")).content.decode()
    assert DEMO_LABEL not in east  # East has no demo account
    assert refused(client_for(user("board")).get(url("new")))


def test_the_calendar_and_post_page_mark_demo_accounts(demo):
    target = PostTarget.objects.filter(state=S.POSTED).select_related("post").first()
    month = timezone.localtime(target.posted_at).strftime("%Y-%m")
    client = client_for(user("hq"))
    calendar = client.get(url("calendar") + f"?month={month}")
    assert calendar.status_code == 200
    assert DEMO_LABEL in calendar.content.decode()
    assert DEMO_LABEL in client.get(url("post", target.post_id)).content.decode()
    assert DEMO_LABEL in client.get(url("posts")).content.decode()
    assert DEMO_LABEL in client_for(user("lead.west")).get(url("queue")).content.decode()  # the one awaiting


def test_editing_a_demo_accounts_address_to_a_real_network_is_refused_with_the_reason(demo):
    social = account("mastodon")
    client = client_for(user("hq"))
    response = client.post(
        url("account_edit", social.pk), {"base_url": "https://mastodon.social", "requires_approval": "on"}
    )
    assert response.status_code == 200
    assert "never to the real network" in response.content.decode()
    social.refresh_from_db()
    assert urlsplit(social.base_url).port == DEMO_PORTS["mastodon"]
    assert client.get(url("account_edit", social.pk)).status_code == 200
    assert DEMO_LABEL in client.get(url("account_edit", social.pk)).content.decode()


def test_the_stand_ins_are_given_the_demo_posts_so_a_results_fetch_agrees_with_the_demo(demo):
    social = account("facebook")
    [target, *_] = PostTarget.objects.filter(account=social, state=S.POSTED).order_by("-posted_at")
    day = timezone.localdate(target.posted_at)
    recorded = Observation.objects.get(
        account_id=social.account_id, granularity="day", period_start=day, metric__slug="reactions"
    )
    with running_standin("facebook") as standin:
        SocialAccount.objects.filter(pk=social.pk).update(base_url=standin.base_url)
        assert (
            standins_seed(networks=("facebook",))["facebook"]
            == PostTarget.objects.filter(account=social, state=S.POSTED).count()
        )
        # A stand-in that did not hold the demo's posts would refuse them (Facebook: object does not exist).
        assert "failed" not in results_fetch(account_id=social.pk, day=timezone.localdate())
    figure = Observation.objects.get(
        account_id=social.account_id, granularity="day", period_start=day, metric__slug="reactions"
    )
    assert figure.batch_id != recorded.batch_id  # fetched again, from the stand-in
    assert figure.value == recorded.value
