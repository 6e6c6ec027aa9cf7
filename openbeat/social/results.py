"""Social results back into insights: each connected account's followers and its posts' figures, fetched daily
through the same connectors, written as insights observations (so the board report and campaigns use them with
no import).

A post's figures are lifetime totals that grow for days after it goes out, so they are counted on the day the
post was published (local time): each run re-reads the posts of the last SOCIAL_RESULTS_DAYS days and overwrites
those days' figures (update_or_create on the observation's unique key), which keeps every day additive and a
re-run harmless. Followers are a level, written for the day of the run. Every run makes one ImportBatch (format
"social-api", the account set), which is how the insights dashboard shows where a figure came from.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.core.tasks import enqueue_with_commit
from openbeat.insights.models import ImportBatch, Metric, Observation
from openbeat.social.connectors.base import Connector, ConnectorError, ErrorKind, PostFigures
from openbeat.social.models import PostTarget, SocialAccount

logger = logging.getLogger(__name__)

BATCH_FORMAT = "social-api"
DEFAULT_DAYS = 30
# PostFigures field -> insights metric slug (catalogue.STANDARD_METRICS). Replies are the networks' comments.
METRICS = {"impressions": "impressions", "reactions": "reactions", "shares": "shares", "replies": "comments"}
# Engagements: what people did with the post, as the sum of the figures the network gives.
ENGAGEMENTS = ("reactions", "shares", "replies")


def results_days() -> int:
    return int(getattr(settings, "SOCIAL_RESULTS_DAYS", DEFAULT_DAYS))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def mark_needs_reconnecting(account: SocialAccount, error: ConnectorError, *, during: str = "results") -> None:
    """A revoked token: the account must be reconnected (as posting does); staff see it on the accounts page.
    `during`: what found out (results, an inbox reply), for the audit log."""
    account.status = SocialAccount.Status.NEEDS_RECONNECTING
    account.status_reason = error.message[:300]
    account.save(update_fields=["status", "status_reason"])
    log_action("social.account.revoked", actor=None, target=account, data={"during": during})


def _write(account: SocialAccount, batch: ImportBatch, metric: Metric, day: date, value: float) -> None:
    Observation.objects.update_or_create(
        account_id=account.account_id,
        group=None,
        metric=metric,
        granularity=Observation.Granularity.DAY,
        period_start=day,
        dimension="",
        defaults={"value": value, "batch": batch},
    )


def _by_day(targets: list[PostTarget], figures: list[PostFigures]) -> dict[date, dict[str, float]]:
    """The figures summed per posting day; a figure no post of the day reports is left out (not written as 0)."""
    posted_on = {t.remote_id: timezone.localdate(t.posted_at) for t in targets if t.posted_at is not None}
    days: dict[date, dict[str, float]] = defaultdict(dict)
    for item in figures:
        day = posted_on.get(item.remote_id)
        if day is None:
            continue
        totals = days[day]
        totals["posts"] = totals.get("posts", 0) + 1
        for field, slug in METRICS.items():
            value = getattr(item, field)
            if value is not None:
                totals[slug] = totals.get(slug, 0) + value
        known = [getattr(item, field) for field in ENGAGEMENTS if getattr(item, field) is not None]
        if known:
            totals["engagements"] = totals.get("engagements", 0) + sum(known)
    return days


def _new_batch(account: SocialAccount, day: date) -> ImportBatch:
    return ImportBatch.objects.create(
        format=BATCH_FORMAT,
        filename=f"{account.network} results {day.isoformat()}",
        sha256="",
        account=account.account,
        status=ImportBatch.Status.RUNNING,
    )


def results_fetch(*, account_id: int, day: date | None = None) -> str:
    """Fetch one account's followers and its recent posts' figures into insights. Returns what happened.

    A revoked token marks the account as needing reconnection; a passing error fails this run's batch and the
    next day's run tries again. Either way the error stays with this account (the other accounts' tasks run on)."""
    from openbeat.social.services import _keep_refreshed_credentials, connector_of

    day = day or timezone.localdate()
    account = SocialAccount.objects.select_related("account").filter(pk=account_id).first()
    if account is None or account.status != SocialAccount.Status.CONNECTED:
        return "skipped"
    targets = list(
        PostTarget.objects.filter(
            account=account,
            state=PostTarget.State.POSTED,
            posted_at__gte=_day_start(day - timedelta(days=results_days() - 1)),
            posted_at__lt=_day_start(day + timedelta(days=1)),
        )
        .exclude(remote_id="")
        .order_by("posted_at")
    )
    batch = _new_batch(account, day)
    connector: Connector | None = None
    try:
        connector = connector_of(account)  # refused for a demo account pointed away from its stand-in
        followers = connector.followers()
        figures = connector.figures([t.remote_id for t in targets]) if targets else []
    except ConnectorError as error:
        batch.status = ImportBatch.Status.FAILED
        batch.errors = [error.message[:300]]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "errors", "finished_at"])
        if error.kind == ErrorKind.REVOKED:
            mark_needs_reconnecting(account, error)
        logger.warning("Social results for account %s failed (%s)", account.pk, error.kind)
        return f"failed: {error.kind}"
    finally:
        if connector is not None:
            _keep_refreshed_credentials(account, connector)
    results_record(account=account, day=day, followers=followers, targets=targets, figures=figures, batch=batch)
    return f"{batch.rows_ok} figures"


def results_record(
    *,
    account: SocialAccount,
    day: date,
    followers: int,
    targets: list[PostTarget],
    figures: list[PostFigures],
    batch: ImportBatch | None = None,
) -> ImportBatch:
    """Write what a network answered for `account` on `day` (its followers; its posted `targets`' figures) into
    insights, under `batch` (a new one if None), which ends DONE. `results_fetch` calls it with what the
    connector fetched; the demo with the figures it makes up for its posts."""
    batch = batch or _new_batch(account, day)
    metrics = {m.slug: m for m in Metric.objects.filter(slug__in=[*METRICS.values(), "engagements", "posts"])}
    metrics.update({m.slug: m for m in Metric.objects.filter(slug="followers")})
    rows = 0
    with transaction.atomic():
        if "followers" in metrics:
            _write(account, batch, metrics["followers"], day, followers)
            rows += 1
        for posted_day, totals in _by_day(targets, figures).items():
            for slug, value in totals.items():
                if slug in metrics:
                    _write(account, batch, metrics[slug], posted_day, value)
                    rows += 1
        batch.status = ImportBatch.Status.DONE
        batch.rows_total = batch.rows_done = batch.rows_ok = rows
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "rows_total", "rows_done", "rows_ok", "finished_at"])
    return batch


def results_due(day: date | None = None) -> list[int]:
    """Connected accounts with no results run today yet (a failed run waits for the next day)."""
    day = day or timezone.localdate()
    ran = ImportBatch.objects.filter(
        format=BATCH_FORMAT, created_at__gte=_day_start(day), created_at__lt=_day_start(day + timedelta(days=1))
    ).values_list("account_id", flat=True)
    return list(
        SocialAccount.objects.filter(status=SocialAccount.Status.CONNECTED)
        .exclude(account_id__in=ran)
        .values_list("pk", flat=True)
    )


def results_dispatch(day: date | None = None) -> int:
    """Queue one results task per account due today (the scheduler's fetch_social_results)."""
    from openbeat.social.tasks import results_fetch_task

    day = day or timezone.localdate()
    due = results_due(day)
    for account_id in due:
        enqueue_with_commit(results_fetch_task, account_id, day.isoformat())
    return len(due)
