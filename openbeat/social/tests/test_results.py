"""Social results into insights: followers and posts' figures as observations, marked with their source,
idempotent, and one account's failure never stopping the others."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from openbeat.insights.models import ImportBatch, Observation
from openbeat.social import results
from openbeat.social.connectors import fake
from openbeat.social.connectors.base import ErrorKind, PostFigures
from openbeat.social.credentials import encrypt_credentials
from openbeat.social.models import PostTarget, SocialAccount
from openbeat.social.tasks import results_fetch_task

from .conftest import make_social
from .standin_fixtures import CREDENTIALS, mastodon_standin  # noqa: F401

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def posted(author, account: SocialAccount, remote_id: str, when: datetime) -> PostTarget:
    from .conftest import make_post

    post = make_post(author, [account])
    target = post.targets.get()
    target.state, target.remote_id, target.posted_at = PostTarget.State.POSTED, remote_id, when
    target.save()
    return target


def figures(account: SocialAccount) -> dict[tuple[str, date], float]:
    rows = Observation.objects.filter(account=account.account).select_related("metric")
    return {(o.metric.slug, o.period_start): o.value for o in rows}


def test_followers_and_figures_become_daily_observations_marked_with_their_source(world):
    account = world.west_account
    posted(world.officer, account, "a1", at(DAY - timedelta(days=2)))
    posted(world.officer, account, "a2", at(DAY - timedelta(days=2), 15))
    posted(world.officer, account, "a3", at(DAY))
    fake.FOLLOWERS[account.base_url] = 900
    fake.FIGURES.update(
        {
            "a1": PostFigures("a1", impressions=100, reactions=5, shares=2, replies=1),
            "a2": PostFigures("a2", impressions=50, reactions=1, shares=None, replies=0),
            "a3": PostFigures("a3", impressions=10),
        }
    )

    assert results.results_fetch(account_id=account.pk, day=DAY) == "9 figures"

    earlier = DAY - timedelta(days=2)
    assert figures(account) == {
        ("followers", DAY): 900,
        ("impressions", earlier): 150,
        ("reactions", earlier): 6,
        ("shares", earlier): 2,
        ("comments", earlier): 1,
        ("engagements", earlier): 9,
        ("posts", earlier): 2,
        ("impressions", DAY): 10,
        ("posts", DAY): 1,
    }
    batch = ImportBatch.objects.get()
    assert (batch.format, batch.account, batch.status, batch.rows_ok) == ("social-api", account.account, "done", 9)
    assert set(Observation.objects.values_list("batch", flat=True)) == {batch.pk}
    assert set(Observation.objects.values_list("granularity", flat=True)) == {"day"}


def test_a_rerun_updates_the_days_figures_and_never_duplicates_them(world):
    account = world.west_account
    posted(world.officer, account, "a1", at(DAY))
    fake.FIGURES["a1"] = PostFigures("a1", impressions=10)
    results.results_fetch(account_id=account.pk, day=DAY)
    fake.FIGURES["a1"] = PostFigures("a1", impressions=25)

    results.results_fetch(account_id=account.pk, day=DAY)

    assert Observation.objects.filter(metric__slug="impressions").count() == 1
    assert figures(account)[("impressions", DAY)] == 25
    assert Observation.objects.get(metric__slug="impressions").batch == ImportBatch.objects.order_by("pk").last()


def test_only_posted_targets_of_the_last_days_are_asked_for(world, settings):
    settings.SOCIAL_RESULTS_DAYS = 3
    account = world.west_account
    posted(world.officer, account, "recent", at(DAY - timedelta(days=2)))
    posted(world.officer, account, "old", at(DAY - timedelta(days=3)))
    deleted = posted(world.officer, account, "gone", at(DAY))
    deleted.state = PostTarget.State.DELETED
    deleted.save()
    asked = []
    original = fake.FakeConnector.figures

    def spy(self, remote_ids):
        asked.extend(remote_ids)
        return original(self, remote_ids)

    fake.FakeConnector.figures = spy  # type: ignore[method-assign]
    try:
        results.results_fetch(account_id=account.pk, day=DAY)
    finally:
        fake.FakeConnector.figures = original  # type: ignore[method-assign]
    assert asked == ["recent"]


def test_a_revoked_account_needs_reconnecting_and_its_batch_failed(world):
    fake.fail_next(ErrorKind.REVOKED, "Token revoked")

    assert results.results_fetch(account_id=world.west_account.pk, day=DAY) == "failed: revoked"

    world.west_account.refresh_from_db()
    assert world.west_account.status == SocialAccount.Status.NEEDS_RECONNECTING
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED
    assert not Observation.objects.exists()


def test_a_passing_error_leaves_the_account_connected_and_the_others_are_fetched(
    world, django_capture_on_commit_callbacks
):
    fake.FOLLOWERS[world.east_account.base_url] = 3
    fake.fail_next(ErrorKind.PASSING)

    with django_capture_on_commit_callbacks(execute=True):
        assert results.results_dispatch(DAY) == 3

    world.west_account.refresh_from_db()
    assert world.west_account.status == SocialAccount.Status.CONNECTED
    statuses = sorted(ImportBatch.objects.values_list("status", flat=True))
    assert statuses == ["done", "done", "failed"]
    assert Observation.objects.filter(metric__slug="followers").count() == 2


def test_an_account_fetched_today_is_not_due_again_until_tomorrow(world):
    today = timezone.localdate()
    results.results_fetch(account_id=world.west_account.pk, day=today)

    due = results.results_due(today)

    assert world.west_account.pk not in due
    assert world.east_account.pk in due
    assert world.west_account.pk in results.results_due(today + timedelta(days=1))


def test_a_disconnected_account_is_skipped(world):
    world.west_account.status = SocialAccount.Status.DISCONNECTED
    world.west_account.save()

    assert results.results_fetch(account_id=world.west_account.pk, day=DAY) == "skipped"
    assert world.west_account.pk not in results.results_due(DAY)
    assert fake.CALLS == []


def test_the_task_takes_the_day_as_text(world):
    fake.FOLLOWERS[world.west_account.base_url] = 7

    results_fetch_task.enqueue(world.west_account.pk, DAY.isoformat())

    assert figures(world.west_account) == {("followers", DAY): 7}


def test_results_from_the_mastodon_standin(world, mastodon_standin):  # noqa: F811
    account = make_social(
        "@force@mastodon.standin",
        world.west_account.account.group,
        network="mastodon",
        base_url=mastodon_standin.base_url,
        credentials=encrypt_credentials(CREDENTIALS["mastodon"]),
    )
    from openbeat.social.connectors.base import Outgoing
    from openbeat.social.services import connector_of

    remote = connector_of(account).post(Outgoing(text="Meeting tonight", idempotency_key="k1"))
    mastodon_standin.set_figures(remote.remote_id, reactions=7, shares=2, replies=1)
    posted(world.officer, account, remote.remote_id, at(DAY))

    results.results_fetch(account_id=account.pk, day=DAY)

    assert figures(account) == {
        ("followers", DAY): 1250,
        ("reactions", DAY): 7,
        ("shares", DAY): 2,
        ("comments", DAY): 1,
        ("engagements", DAY): 10,
        ("posts", DAY): 1,
    }
