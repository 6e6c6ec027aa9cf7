"""Board reports built in the background (`ReportBuild`), kept privately for download, and the monthly build.

A build is asked for (by a person in the back office, or by the monthly schedule), then built by a task:
queued -> building -> ready (or failed). The file lives under PRIVATE_STORAGE_ROOT/reports and is only ever
served by the back office's download view, which checks permission and audit-logs each download.

The monthly schedule builds last month's report once the month has turned, and emails the board's list a
link to its download page (never the file: the link asks them to sign in). It runs from cron
(`manage.py build_monthly_report`) or from a deferred task that queues itself again for the next 1st; either
way, a month's scheduled report is built once.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send
from openbeat.core.months import last_complete_month, month_of, month_shift, month_start
from openbeat.core.paths import absolute_url
from openbeat.core.users import StaffUser
from openbeat.insights.models import InsightsSettings, ReportBuild
from openbeat.insights.render import render_report
from openbeat.insights.render.html import period_name

logger = logging.getLogger(__name__)

REPORTS_FOLDER = "reports"
SCHEDULED_FORMAT = "pdf"
SCHEDULED_HOUR = 6  # local time on the 1st: after midnight's imports, before the working day
BUILD_FAILED = (
    "The report could not be built because of an unexpected error. Try again; if it fails again, tell the "
    "system administrator the build's number."
)


def report_folder() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / REPORTS_FOLDER


def report_file(build: ReportBuild) -> Path | None:
    """The built file, if the build is ready and its file is still there."""
    if build.status != ReportBuild.Status.DONE or not build.path:
        return None
    path = Path(settings.PRIVATE_STORAGE_ROOT) / build.path
    return path if path.is_file() else None


BUILD_OPTIONS = ("comparison", "grouping", "threshold_pct")


def report_build_request(
    *,
    period_from: str,
    period_to: str,
    output_format: str,
    division: Any = None,
    options: dict[str, Any] | None = None,
    actor: StaffUser | None = None,
    scheduled: bool = False,
    request: Any = None,
) -> ReportBuild:
    """Record the build and queue it (after the transaction commits). `options`: report_build's comparison,
    grouping and threshold_pct, where they differ from the defaults."""
    build = ReportBuild.objects.create(
        period_from=period_from,
        period_to=period_to,
        format=output_format,
        options={k: v for k, v in (options or {}).items() if k in BUILD_OPTIONS and v not in (None, "")},
        division=division,
        scheduled=scheduled,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log_action(
        "insights.report.request",
        actor=actor,
        target=build,
        data={
            "from": period_from,
            "to": period_to,
            "format": output_format,
            "scheduled": scheduled,
            **build.options,
        },
        request=request,
        division=division,
    )
    transaction.on_commit(lambda: report_build_task.enqueue(build.pk))
    return build


def report_build_run(*, build_id: int) -> ReportBuild | None:
    """Build a queued report once: a task delivered twice, or for a build already run, does nothing."""
    from openbeat.insights.build import report_build

    if not ReportBuild.objects.filter(pk=build_id, status=ReportBuild.Status.QUEUED).update(
        status=ReportBuild.Status.RUNNING
    ):
        return None
    build = ReportBuild.objects.select_related("division").get(pk=build_id)
    try:
        report = report_build(
            period_from=build.period_from,
            period_to=build.period_to,
            division=build.division,
            **{k: v for k, v in build.options.items() if k in BUILD_OPTIONS},
        )
        content = render_report(report, build.format)
        report_folder().mkdir(parents=True, exist_ok=True)
        relative = f"{REPORTS_FOLDER}/{uuid.uuid4().hex}.{build.format}"
        path = Path(settings.PRIVATE_STORAGE_ROOT) / relative
        path.write_bytes(content)
        path.chmod(0o600)
    except Exception:
        ReportBuild.objects.filter(pk=build.pk).update(
            status=ReportBuild.Status.FAILED, error=BUILD_FAILED, finished_at=timezone.now()
        )
        logger.exception("Board report build %s failed", build.pk)
        raise
    ReportBuild.objects.filter(pk=build.pk).update(
        status=ReportBuild.Status.DONE, path=relative, finished_at=timezone.now()
    )
    build.refresh_from_db()
    if build.scheduled:
        board_notify(build=build)
    return build


@task()
def report_build_task(build_id: int) -> None:
    """Build a requested board report (see report_build_run; running it twice is harmless)."""
    report_build_run(build_id=build_id)


# The board's list


def board_emails() -> list[str]:
    """The board's addresses from InsightsSettings, one per line; lines that are not an address are left out."""
    found: list[str] = []
    for line in InsightsSettings.load().board_emails.splitlines():
        address = line.strip()
        try:
            validate_email(address)
        except ValidationError:
            continue
        if address.lower() not in {known.lower() for known in found}:
            found.append(address)
    return found


def board_notify(*, build: ReportBuild) -> int:
    """Email each of the board's addresses a link to the report's download page. Returns how many."""
    addresses = board_emails()
    url = absolute_url(reverse("insights_staff:report_build", args=[build.pk]))
    context = {
        "period": period_name(build.period_from, build.period_to),
        "url": url,
        "format": build.format.upper(),
        "division": build.division.name if build.division else "",
    }
    for address in addresses:
        email_send(to=address, template="insights/report/email_board", context=context, purpose="insights.board_report")
    # Addresses are personal data: the log keeps how many were sent, not to whom.
    log_action("insights.report.notify", actor=None, target=build, data={"recipients": len(addresses)})
    return len(addresses)


# The monthly schedule


def monthly_report_due(now: datetime.datetime) -> str | None:
    """The month ("YYYY-MM") whose scheduled report should be built at `now`, or None.

    Last month, from the 1st onwards (so a run missed on the 1st catches up later), while monthly reports are
    on and no scheduled build of that month is queued, building or ready. A failed one is tried again.
    """
    if not InsightsSettings.load().monthly_report:
        return None
    month = last_complete_month(timezone.localdate(now))
    already = ReportBuild.objects.filter(scheduled=True, period_from=month, period_to=month).exclude(
        status=ReportBuild.Status.FAILED
    )
    return None if already.exists() else month


def monthly_report_run(*, now: datetime.datetime | None = None) -> ReportBuild | None:
    """Ask for last month's scheduled report if it is due; None if it is not (already asked for, or off)."""
    now = now or timezone.now()
    with transaction.atomic():
        # One at a time: two runs at once (cron and the task, or two workers) must not both build the month.
        settings_row = InsightsSettings.load()
        InsightsSettings.objects.select_for_update().filter(pk=settings_row.pk).first()
        month = monthly_report_due(now)
        if month is None:
            return None
        return report_build_request(period_from=month, period_to=month, output_format=SCHEDULED_FORMAT, scheduled=True)


def next_monthly_run(now: datetime.datetime) -> datetime.datetime:
    """06:00 local time on the 1st of the month after `now`."""
    first = month_start(month_shift(month_of(timezone.localdate(now)), 1))
    naive = datetime.datetime.combine(first, datetime.time(SCHEDULED_HOUR))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def monthly_report_schedule(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Queue the monthly task for the next 1st; None when the task backend cannot defer (use cron instead)."""
    if not monthly_report_task.get_backend().supports_defer:
        return None
    when = next_monthly_run(now or timezone.now())
    deferred = monthly_report_task.using(run_after=when)
    transaction.on_commit(deferred.enqueue)
    return when


@task()
def monthly_report_task() -> str:
    """Build last month's report if due, then queue itself for the next 1st."""
    build = monthly_report_run()
    monthly_report_schedule()
    return f"build {build.pk}" if build else "not due"
