"""Exports of a survey's results (counts per question) or responses (one row each), built in the background
when large, with their progress on a back-office page (`SurveyExport`).

- `export_request`: records the export (the filters, and the divisions the requester may see, so the file holds
  what they were allowed to see) and queues `survey_export_task` once that row is committed.
- `export_run`: takes the export (queued, or running with an expired lease: a worker that died), builds the
  file under PRIVATE_STORAGE_ROOT/survey-exports/ in chunks, recording done/total and renewing its lease after
  each, and moves it into place only when whole. Running it twice does nothing the second time; a killed run is
  started again from the beginning by `exports_recover` (the scheduler's `survey_exports` job), up to
  MAX_ATTEMPTS times.
- `exports_recover` also deletes files older than SURVEYS_EXPORT_RETENTION_DAYS (the row stays, as a record).

Responses are exported with the results' rules: nothing below the small-number minimum (SURVEYS_SMALL_NUMBER_MIN),
a neighbourhood or division with fewer responses than that in the file shown as "suppressed", postcodes never
(they are not kept), and free text only once moderated as shown.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from openpyxl import Workbook

from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.users import StaffUser
from openbeat.surveys import exports, logic, selectors
from openbeat.surveys.models import Answer, Response, Survey, SurveyExport

logger = logging.getLogger(__name__)

FOLDER = "survey-exports"
CHUNK = 500
LEASE = timedelta(minutes=2)
QUEUED_GRACE = timedelta(minutes=5)  # a queued export not started after this: its task was lost, queue it again
MAX_ATTEMPTS = 3
FAILED = "The export could not be built because of an unexpected error. Try again; if it fails again, tell the "
FAILED += "system administrator the export's number."
HIDDEN = exports.HIDDEN


def background_over() -> int:
    """Exports of more responses than this run in the background; smaller ones are made at once."""
    return int(getattr(settings, "SURVEYS_EXPORT_BACKGROUND_OVER", 5000))


def retention() -> timedelta:
    return timedelta(days=int(getattr(settings, "SURVEYS_EXPORT_RETENTION_DAYS", 7)))


def filters_to_json(filters: selectors.Filters) -> dict[str, Any]:
    return {
        "neighbourhood": filters.neighbourhood,
        "division": filters.division,
        "channel": filters.channel,
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
        "breakdown": filters.breakdown,
    }


def filters_from_json(data: dict[str, Any]) -> selectors.Filters:
    return selectors.Filters(
        neighbourhood=data.get("neighbourhood"),
        division=data.get("division"),
        channel=data.get("channel") or "",
        since=date.fromisoformat(data["since"]) if data.get("since") else None,
        until=date.fromisoformat(data["until"]) if data.get("until") else None,
        breakdown=data.get("breakdown") or "",
    )


def _divisions(export: SurveyExport) -> frozenset[int] | None:
    return None if export.divisions is None else frozenset(export.divisions)


def export_file(export: SurveyExport) -> Path | None:
    if export.state != SurveyExport.State.DONE or not export.path:
        return None
    path = Path(settings.PRIVATE_STORAGE_ROOT) / export.path
    return path if path.is_file() else None


def export_filename(export: SurveyExport) -> str:
    return f"survey-{export.survey.slug}-{export.kind}.{export.format}"


def responses_count(survey: Survey, filters: selectors.Filters, divisions: frozenset[int] | None) -> int:
    return Response.objects.filter(filters.q(divisions), survey=survey).count()


def export_request(
    *,
    survey: Survey,
    actor: StaffUser,
    kind: str,
    fmt: str,
    filters: selectors.Filters,
    divisions: frozenset[int] | None,
    request: HttpRequest | None = None,
) -> SurveyExport:
    """Record an export and queue its task after the commit (the caller has checked the actor may see results)."""
    from openbeat.surveys.tasks import survey_export_task

    export = SurveyExport.objects.create(
        survey=survey,
        kind=kind,
        format=fmt,
        filters=filters_to_json(filters),
        divisions=None if divisions is None else sorted(divisions),
        requested_by=actor,
    )
    log_action(
        "surveys.export.request",
        actor=actor,
        target=survey,
        request=request,
        data={"export": export.pk, "kind": kind, "format": fmt},
    )
    export_id = export.pk
    transaction.on_commit(lambda: survey_export_task.enqueue(export_id))
    return export


def export_content(
    survey: Survey, *, kind: str, fmt: str, filters: selectors.Filters, divisions: frozenset[int] | None
) -> bytes:
    """The file at once, for a small export (the same builder the task uses)."""
    buffer = io.BytesIO()
    for _ in _build(survey, kind=kind, fmt=fmt, filters=filters, divisions=divisions, out=buffer):
        pass
    return buffer.getvalue()


# Building


def _claim(export_id: int, now: datetime) -> bool:
    taken = SurveyExport.objects.filter(
        Q(state=SurveyExport.State.QUEUED) | Q(state=SurveyExport.State.RUNNING, lease_until__lt=now),
        pk=export_id,
        attempts__lt=MAX_ATTEMPTS,
    )
    return bool(taken.update(state=SurveyExport.State.RUNNING, lease_until=now + LEASE, done=0, error=""))


def export_run(*, export_id: int) -> SurveyExport | None:
    """Build an export once (see the module's docstring); None when it was not this run's to build."""
    now = timezone.now()
    with transaction.atomic():
        if not _claim(export_id, now):
            return None
        export = SurveyExport.objects.select_related("survey").get(pk=export_id)
        export.attempts += 1
        export.save(update_fields=["attempts"])
    folder = Path(settings.PRIVATE_STORAGE_ROOT) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    relative = f"{FOLDER}/{uuid.uuid4().hex}.{export.format}"
    final = Path(settings.PRIVATE_STORAGE_ROOT) / relative
    partial = final.with_suffix(final.suffix + ".part")
    try:
        with open(partial, "wb") as out:
            os.chmod(partial, 0o600)
            for done, total in _build(
                export.survey,
                kind=export.kind,
                fmt=export.format,
                filters=filters_from_json(export.filters),
                divisions=_divisions(export),
                out=out,
            ):
                # Progress, and the lease renewed: a worker that stops renewing it is taken to have died.
                SurveyExport.objects.filter(pk=export.pk, state=SurveyExport.State.RUNNING).update(
                    done=done, total=total, lease_until=timezone.now() + LEASE
                )
        partial.replace(final)
    except Exception:
        partial.unlink(missing_ok=True)
        SurveyExport.objects.filter(pk=export.pk).update(
            state=SurveyExport.State.FAILED, error=FAILED, finished_at=timezone.now(), lease_until=None
        )
        logger.exception("Survey export %s failed", export.pk)
        raise
    SurveyExport.objects.filter(pk=export.pk).update(
        state=SurveyExport.State.DONE, path=relative, finished_at=timezone.now(), lease_until=None
    )
    export.refresh_from_db()
    return export


def _build(
    survey: Survey,
    *,
    kind: str,
    fmt: str,
    filters: selectors.Filters,
    divisions: frozenset[int] | None,
    out: Any,
) -> Iterator[tuple[int, int]]:
    """Write the file to `out`, yielding (done, total) as it goes."""
    if kind == SurveyExport.Kind.RESULTS:
        results = selectors.survey_results(survey, filters=filters, divisions=divisions)
        if fmt == "xlsx":
            out.write(exports.results_xlsx(results))
        else:
            out.write(exports.results_csv(results).encode("utf-8"))
        yield 1, 1
        return
    yield from _responses(survey, fmt=fmt, filters=filters, divisions=divisions, out=out)


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ would be a formula in a spreadsheet: answers and labels are people's words.
    return f"'{value}" if isinstance(value, str) and value[:1] in "=+-@" else value


def _responses(
    survey: Survey, *, fmt: str, filters: selectors.Filters, divisions: frozenset[int] | None, out: Any
) -> Iterator[tuple[int, int]]:
    from openbeat.surveys.forms import display_answer

    where = filters.q(divisions)
    responses = Response.objects.filter(where, survey=survey)
    total = responses.count()
    minimum = selectors.small_number_minimum()
    questions, _labels = selectors._labels(survey)
    questions = [q for q in questions if q["kind"] != logic.POSTCODE]
    header = [
        "response",
        "submitted",
        "channel",
        "division",
        "neighbourhood",
        "version",
        *[q["text"] for q in questions],
    ]
    text_file = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True) if fmt == "csv" else None
    writer = csv.writer(text_file) if text_file is not None else None
    workbook = Workbook(write_only=True) if fmt == "xlsx" else None
    sheet = workbook.create_sheet("Responses") if workbook is not None else None

    def write(row: list[Any]) -> None:
        row = [_cell(v) for v in row]
        if writer is not None:
            writer.writerow(row)
        else:
            assert sheet is not None
            sheet.append(row)

    write(header)
    if total < minimum:
        write([f"Fewer than {minimum} responses: none are shown."])
        total = 0
    else:
        # Areas with fewer responses than the minimum in this file are not named (complementary suppression is
        # not needed: a row names one area or none).
        by_nbh = Counter(responses.values_list("neighbourhood_id", flat=True))
        by_div = Counter(responses.values_list("division_id", flat=True))
        nbh_names = dict(Neighbourhood.objects.filter(pk__in=[k for k in by_nbh if k]).values_list("pk", "name"))
        div_names = dict(Division.objects.filter(pk__in=[k for k in by_div if k]).values_list("pk", "name"))

        def area(key: int | None, counts: Counter[Any], names: dict[int, str]) -> str:
            if key is None:
                return selectors.NOT_KNOWN
            return names.get(key, selectors.NOT_KNOWN) if counts[key] >= minimum else HIDDEN

        versions = dict(survey.versions.values_list("pk", "number"))
        done, last = 0, 0
        while True:
            chunk = list(responses.filter(pk__gt=last).order_by("pk")[:CHUNK])
            if not chunk:
                break
            answers: dict[int, dict[str, Any]] = {}
            for row in Answer.objects.filter(response__in=chunk).order_by("pk"):
                _collect(answers.setdefault(row.response_id, {}), row, questions)
            for response in chunk:
                given = answers.get(response.pk, {})
                write(
                    [
                        done + 1,
                        timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                        response.get_channel_display(),
                        area(response.division_id, by_div, div_names),
                        area(response.neighbourhood_id, by_nbh, nbh_names),
                        versions.get(response.version_id, ""),
                        *[
                            display_answer(q, given.get(str(q["id"]))) if str(q["id"]) in given else ""
                            for q in questions
                        ],
                    ]
                )
                done += 1
            last = chunk[-1].pk
            yield done, total
    if workbook is not None:
        workbook.save(out)
    elif text_file is not None:
        text_file.flush()
        text_file.detach()
    yield total, total


def _collect(into: dict[str, Any], row: Answer, questions: list[dict[str, Any]]) -> None:
    kinds = {q["id"]: q["kind"] for q in questions}
    kind, key = kinds.get(row.question_id), str(row.question_id)
    if kind == logic.MULTIPLE:
        into.setdefault(key, []).append(row.option_id)
    elif kind == logic.GRID:
        into.setdefault(key, {})[str(row.option_id)] = row.value
    elif kind == logic.TEXT:
        # Free text only once a moderator has shown it.
        if row.moderation == Answer.Moderation.SHOWN:
            into[key] = row.text
    elif kind in (logic.SCALE_5, logic.SCALE_10):
        into[key] = row.value
    elif kind == logic.SINGLE:
        into[key] = row.option_id


# Recovery and retention (the scheduler's `survey_exports` job)


def exports_recover(*, now: datetime | None = None) -> dict[str, int]:
    """Queue again the exports a dead worker left (running past their lease) or whose task was lost (queued
    long ago), fail those tried MAX_ATTEMPTS times, and delete files past their retention."""
    from openbeat.surveys.tasks import survey_export_task

    now = now or timezone.now()
    stale = Q(state=SurveyExport.State.RUNNING, lease_until__lt=now) | Q(
        state=SurveyExport.State.QUEUED, created_at__lt=now - QUEUED_GRACE
    )
    failed = SurveyExport.objects.filter(stale, attempts__gte=MAX_ATTEMPTS).update(
        state=SurveyExport.State.FAILED, error=FAILED, finished_at=now, lease_until=None
    )
    requeued = 0
    for export_id in SurveyExport.objects.filter(stale).values_list("pk", flat=True):
        survey_export_task.enqueue(export_id)
        requeued += 1
    deleted = 0
    for export in SurveyExport.objects.filter(finished_at__lt=now - retention()).exclude(path=""):
        (Path(settings.PRIVATE_STORAGE_ROOT) / export.path).unlink(missing_ok=True)
        SurveyExport.objects.filter(pk=export.pk).update(path="")
        deleted += 1
    return {"requeued": requeued, "failed": failed, "deleted": deleted}


def export_status(export: SurveyExport) -> dict[str, Any]:
    """What the progress page polls (surveys/staff/export.js)."""
    return {
        "state": export.state,
        "state_label": export.get_state_display(),
        "done": export.done,
        "total": export.total,
        "error": export.error,
        "ready": export_file(export) is not None,
    }
