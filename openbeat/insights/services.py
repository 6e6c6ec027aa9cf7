"""Writing engagement figures: accounts and groups, observations (upserted), and running imports.

Observations are keyed (account, group, metric, granularity, period, dimension): writing one that exists replaces
its value, so importing the same file twice, or an overlapping later export, never counts anything twice. The
group is the one a figure counts for when it is not its account's own (one "In the Know" account counting users
per division); it is stored only then, so a figure of the account's own group is the same figure however a file
names it (with the group, or with none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from openbeat.areas.importers.report import ImportFileError
from openbeat.areas.models import Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.imports import job_claim, job_queue, upload_discard, upload_keep, upload_path
from openbeat.core.users import StaffUser
from openbeat.insights.importers import PLATFORM_OF, parse
from openbeat.insights.importers.base import FORMATS, ObservationRow, Parsed, RowError, decode, detect_format
from openbeat.insights.importers.base import period_parse as _period_parse
from openbeat.insights.models import Account, ImportBatch, Metric, Observation, ReportingGroup

CHUNK = 1_000
# Observation's unique key, as values_list() names its columns (the constraint "observation_unique").
UNIQUE_KEY = ("account_id", "group_key", "metric_id", "granularity", "period_start", "dimension")
ERRORS_KEPT = 500
IMPORT_FOLDER = "insights-imports"
# What people write in the account or group column for a channel's own reported total (compared in lower case,
# spaces collapsed); "All Facebook accounts" (the total account's own name) and the like are totals too.
TOTAL_NAMES = {"", "total", "totals", "all", "all accounts", "channel total"}
_TOTAL_GROUP_NAMES = TOTAL_NAMES - {""}
Progress = Callable[[int, int], None]

# What people call each platform in a "channel" column.
PLATFORM_ALIASES = {
    "facebook": "facebook",
    "fb": "facebook",
    "x": "x",
    "twitter": "x",
    "twitter/x": "x",
    "x (twitter)": "x",
    "instagram": "instagram",
    "youtube": "youtube",
    "website": "website",
    "web": "website",
    "ga4": "website",
    "itk": "itk",
    "in the know": "itk",
    "other": "other",
}


def platform_parse(text: str) -> str:
    try:
        return PLATFORM_ALIASES[text.strip().lower()]
    except KeyError:
        known = ", ".join(Account.Platform.values)
        raise RowError(f"channel: {text!r} is not one of {known}") from None


def total_account_name(platform: str) -> str:
    return f"All {Account.Platform(platform).label} accounts"


def _spaced(text: str) -> str:
    return " ".join(text.split()).lower()


def is_total_name(name: str, platform: str) -> bool:
    """Whether an account cell names the channel's own total: empty, TOTAL, ALL, All accounts, All X accounts."""
    name = _spaced(name)
    if name in TOTAL_NAMES or name == total_account_name(platform).lower():
        return True
    spelled = {alias for alias, target in PLATFORM_ALIASES.items() if target == platform}
    return any(name in (f"all {alias} accounts", f"{alias} total", f"total {alias}") for alias in spelled)


def is_total_group(name: str) -> bool:
    """Whether a group cell says "the channel's total" (TOTAL, ALL, All accounts) rather than naming a group."""
    return _spaced(name) in _TOTAL_GROUP_NAMES


def group_get_or_create(*, name: str) -> ReportingGroup:
    """The group called `name` (any letter case), created when new with a unique slug, after every existing group.

    Created one by one as a file names them, new groups keep the file's order (`ReportingGroup.sort_order`).
    """
    name = " ".join(name.split())[:120]
    found = ReportingGroup.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    base = slugify(name)[:50] or "group"
    slug, n = base, 2
    while ReportingGroup.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    last = ReportingGroup.objects.aggregate(last=Max("sort_order"))["last"]
    return ReportingGroup.objects.create(name=name, slug=slug, sort_order=0 if last is None else last + 1)


def account_get_or_create(*, platform: str, name: str, group: ReportingGroup | None = None) -> Account:
    """The account `name` on `platform`; an empty name, "TOTAL", "ALL" or "All accounts" is the channel's total.

    A new account gets `group`; an existing one keeps the group it has (the back office's choice wins over a
    file's) and only gains one when it had none. The channel's total account never has a group.
    """
    name = " ".join(name.split())[:160]
    is_total = is_total_name(name, platform)
    if is_total:
        name, group = total_account_name(platform), None
        # The channel's total account, whatever the back office has renamed it to.
        account = Account.objects.filter(platform=platform, is_channel_total=True).order_by("pk").first()
    else:
        account = Account.objects.filter(platform=platform, name__iexact=name).first()
    if account is None:
        account = Account.objects.create(platform=platform, name=name, group=group, is_channel_total=is_total)
    elif account.group_id is None and group is not None:
        Account.objects.filter(pk=account.pk).update(group=group)
        account.group = group
    return account


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated + self.unchanged


# (account, group_key, metric, granularity, period start, dimension): Observation's unique key. group_key is the
# group the figure counts for when it is not the account's own, else 0 (as the column Observation.group_key).
Key = tuple[int, int, int, str, date, str]


class _Resolver:
    """Names to ids, each looked up (or created) once per import."""

    def __init__(self) -> None:
        self.groups: dict[str, ReportingGroup] = {}
        self.accounts: dict[tuple[str, str], Account] = {}
        self.metrics = {m.slug: m for m in Metric.objects.all()}
        self.neighbourhoods: dict[str, int | None] = {}

    def neighbourhood(self, code: str) -> int | None:
        code = code.strip()
        if not code:
            return None
        if code not in self.neighbourhoods:
            found = Neighbourhood.objects.filter(code__iexact=code).values_list("pk", flat=True).first()
            self.neighbourhoods[code] = found
        if self.neighbourhoods[code] is None:
            raise RowError(f"neighbourhood: no neighbourhood has the code {code!r}")
        return self.neighbourhoods[code]

    def key(self, row: ObservationRow) -> tuple[Key, Account]:
        platform = platform_parse(row.platform)
        metric = self.metrics.get(row.metric.strip().lower())
        if metric is None:
            raise RowError(f"metric: {row.metric!r} is not a metric (add it in the back office first)")
        granularity, start = _period_parse(row.period)
        dimension = row.dimension.strip()
        if len(dimension) > 80:
            raise RowError("dimension: longer than 80 characters")
        group_name = row.group.strip()
        if is_total_group(group_name):
            if not is_total_name(row.account, platform):
                raise RowError(
                    f"group: {row.group!r} marks the channel's total, but the account is {row.account!r} "
                    "(leave the account empty or write TOTAL for the total; name the account's group otherwise)"
                )
            group_name = ""
        group = self.group(group_name) if group_name else None
        account = self.account(platform, row.account, group)
        # The figure counts for the row's group; stored only when it is not the account's own (see Observation).
        group_key = group.pk if group is not None and group.pk != account.group_id else 0
        return (account.pk, group_key, metric.pk, granularity, start, dimension), account

    def account(self, platform: str, name: str, group: ReportingGroup | None) -> Account:
        cache_key = (platform, " ".join(name.split()).lower())
        if cache_key not in self.accounts:
            self.accounts[cache_key] = account_get_or_create(platform=platform, name=name, group=group)
        return self.accounts[cache_key]

    def group(self, name: str) -> ReportingGroup:
        cache_key = " ".join(name.split()).lower()
        if cache_key not in self.groups:
            self.groups[cache_key] = group_get_or_create(name=name)
        return self.groups[cache_key]


def observations_upsert(
    *,
    rows: Iterable[ObservationRow],
    batch: ImportBatch | None = None,
    actor: StaffUser | None = None,
    progress: Progress | None = None,
) -> UpsertResult:
    """Write each row's figure, replacing any with the same key; bad rows are returned as (line, reason).

    A key appearing twice in `rows` is an error on the later row: a file saying two things about one figure
    is wrong, and silently keeping either would hide it. The same account under two groups is two figures (each
    counts for its row's group). Callers audit-log (an import once, not per row).
    """
    result = UpsertResult()
    resolver = _Resolver()
    first_line: dict[Key, int] = {}
    keyed: list[tuple[Key, float, int | None]] = []
    for row in rows:
        try:
            key, _ = resolver.key(row)
            neighbourhood_id = resolver.neighbourhood(row.neighbourhood)
        except RowError as exc:
            result.errors.append((row.line, str(exc)))
            continue
        if key in first_line:
            result.errors.append((row.line, f"the same figure as line {first_line[key]} (only the first is kept)"))
            continue
        first_line[key] = row.line
        keyed.append((key, row.value, neighbourhood_id))
    entered_by = actor if getattr(actor, "is_authenticated", False) else None
    for start in range(0, len(keyed), CHUNK):
        _write_chunk(keyed[start : start + CHUNK], result, batch=batch, entered_by=entered_by)
        if progress is not None:
            progress(min(start + CHUNK, len(keyed)), len(keyed))
    result.errors.sort(key=lambda error: error[0])
    return result


@transaction.atomic
def _write_chunk(
    chunk: list[tuple[Key, float, int | None]], result: UpsertResult, *, batch: Any, entered_by: StaffUser | None
) -> None:
    existing: dict[Key, tuple[int, float, int | None]] = {}
    found = Observation.objects.filter(
        account_id__in={k[0] for k, _, _ in chunk},
        metric_id__in={k[2] for k, _, _ in chunk},
        period_start__in={k[4] for k, _, _ in chunk},
    ).values_list(*UNIQUE_KEY, "pk", "value", "neighbourhood")
    for account_id, group_key, metric_id, granularity, start, dimension, pk, value, placed in found:
        existing[(account_id, group_key, metric_id, granularity, start, dimension)] = (pk, value, placed)
    now = timezone.now()
    new: list[Observation] = []
    changed: list[Observation] = []
    for key, value, neighbourhood_id in chunk:
        account_id, group_key, metric_id, granularity, start, dimension = key
        if key in existing:
            pk, old, old_neighbourhood_id = existing[key]
            # A row without a neighbourhood leaves the one the figure has (a file cannot say "none").
            neighbourhood_id = neighbourhood_id if neighbourhood_id is not None else old_neighbourhood_id
            if (old, old_neighbourhood_id) == (value, neighbourhood_id):
                result.unchanged += 1
                continue
            changed.append(
                Observation(
                    pk=pk,
                    value=value,
                    neighbourhood_id=neighbourhood_id,
                    batch=batch,
                    entered_by=entered_by,
                    updated_at=now,
                )
            )
        else:
            new.append(
                Observation(
                    account_id=account_id,
                    group_id=group_key or None,
                    metric_id=metric_id,
                    granularity=granularity,
                    period_start=start,
                    dimension=dimension,
                    value=value,
                    neighbourhood_id=neighbourhood_id,
                    batch=batch,
                    entered_by=entered_by,
                )
            )
    # Another import may have written one of these keys since we looked: it is replaced, not duplicated.
    Observation.objects.bulk_create(
        new,
        update_conflicts=True,
        unique_fields=["account", "group_key", "metric", "granularity", "period_start", "dimension"],
        update_fields=["value", "neighbourhood", "batch", "entered_by", "updated_at"],
    )
    Observation.objects.bulk_update(changed, ["value", "neighbourhood", "batch", "entered_by", "updated_at"])
    result.created += len(new)
    result.updated += len(changed)


# Imports


def parse_content(*, content: bytes, format: str = "auto", account: Account | None = None) -> tuple[str, Parsed]:
    """(the format, what the file says). ImportFileError when the file cannot be used at all."""
    text = decode(content)
    if format == "auto":
        format = detect_format(text[:4000])
    if format not in FORMATS:
        raise ImportFileError(f"unknown format {format!r} (one of {', '.join(FORMATS)})")
    if account is not None and format in PLATFORM_OF and account.platform != PLATFORM_OF[format]:
        raise ImportFileError(
            f"a {format} file is for a {Account.Platform(PLATFORM_OF[format]).label} account, "
            f"not {account.name} on {account.get_platform_display()}"
        )
    return format, parse(format, text, account=account.name if account is not None else "")


def _error_lines(errors: list[tuple[int, str]]) -> list[str]:
    return [f"line {line}: {reason}" if line else reason for line, reason in errors]


def import_process(
    *, batch: ImportBatch, content: bytes, actor: StaffUser | None = None, progress: Progress | None = None
) -> tuple[Parsed, UpsertResult]:
    """Parse and write one file for `batch`, keeping its counts and errors up to date.

    The result's errors include the file's own (rows that could not be read), all in line order.
    """
    format, parsed = parse_content(content=content, format=batch.format, account=batch.account)
    batch.format = format
    batch.rows_total = len(parsed.rows)
    batch.save(update_fields=["format", "rows_total"])

    def on_progress(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
        if progress is not None:
            progress(done, total)

    result = observations_upsert(rows=parsed.rows, batch=batch, actor=actor, progress=on_progress)
    errors = sorted(parsed.errors + result.errors, key=lambda error: error[0])
    batch.rows_done = len(parsed.rows)
    batch.rows_ok = result.written
    batch.errors = (parsed.notes + _error_lines(errors))[:ERRORS_KEPT]
    batch.save(update_fields=["rows_done", "rows_ok", "errors"])
    result.errors = errors
    return parsed, result


def import_batch_create(
    *,
    content: bytes,
    filename: str,
    format: str = "auto",
    account: Account | None = None,
    actor: StaffUser | None = None,
    request: Any = None,
) -> ImportBatch:
    """Keep an uploaded file privately and queue its import (the task is enqueued after commit)."""
    from openbeat.insights.tasks import import_task

    stored = upload_keep(content, folder=IMPORT_FOLDER)
    batch = ImportBatch.objects.create(
        format=format,
        filename=Path(filename).name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        account=account,
        path=stored,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log_action("insights.import.upload", actor=actor, target=batch, data={"format": format}, request=request)
    job_queue(import_task, batch.pk)
    return batch


def import_run(*, batch_id: int, progress: Progress | None = None) -> ImportBatch | None:
    """Run a queued batch once (a task delivered twice does nothing the second time)."""
    queued, running = ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING
    if not job_claim(ImportBatch, batch_id, field="status", queued=queued, running=running):
        return None
    batch = ImportBatch.objects.select_related("account", "created_by").get(pk=batch_id)
    try:
        content = upload_path(batch.path).read_bytes()
        _, result = import_process(batch=batch, content=content, actor=batch.created_by, progress=progress)
    except (ImportFileError, OSError) as exc:
        reason = str(exc) if isinstance(exc, ImportFileError) else "the uploaded file could not be read"
        _finish(batch, ImportBatch.Status.FAILED, errors=[f"The file cannot be imported: {reason}"])
    except Exception:
        _finish(batch, ImportBatch.Status.FAILED, errors=["The import stopped because of an unexpected error."])
        raise
    else:
        _finish(batch, ImportBatch.Status.DONE, result=result)
    return batch


def _finish(
    batch: ImportBatch, status: str, *, errors: list[str] | None = None, result: UpsertResult | None = None
) -> None:
    upload_discard(batch.path)
    batch.status, batch.path, batch.finished_at = status, "", timezone.now()
    if errors is not None:
        batch.errors = errors + list(batch.errors)
    batch.save(update_fields=["status", "path", "finished_at", "errors"])
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged} if result else {}
    errors_count = len(result.errors) if result else 1
    log_action(
        "insights.import.finish",
        actor=batch.created_by,
        target=batch,
        data={"status": status, "format": batch.format, "rows": batch.rows_total, "errors": errors_count, **counts},
    )


def import_file(
    *,
    path: str | Path,
    format: str = "auto",
    account: Account | None = None,
    account_name: str = "",
    platform: str = "",
    actor: StaffUser | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> tuple[ImportBatch, Parsed, UpsertResult]:
    """Import a file in this process (the command). A dry run checks and counts everything, then rolls back.

    The file's account is `account`, or the one called `account_name` on `platform` (by default the
    format's platform), created if new.
    """
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    with transaction.atomic():
        if account is None and account_name:
            if format == "auto":
                format = detect_format(decode(content[:8000])[:4000])
            try:
                chosen = platform_parse(platform) if platform else PLATFORM_OF[format]
            except (RowError, KeyError):
                raise ImportFileError("say which platform the account is on (--platform)") from None
            account = account_get_or_create(platform=chosen, name=account_name)
        batch = ImportBatch.objects.create(
            format=format,
            filename=Path(path).name[:255],
            sha256=hashlib.sha256(content).hexdigest(),
            account=account,
            status=ImportBatch.Status.RUNNING,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        parsed, result = import_process(batch=batch, content=content, actor=actor, progress=progress)
        _finish(batch, ImportBatch.Status.DONE, result=result)
        if dry_run:
            transaction.set_rollback(True)
    return batch, parsed, result


# Manual entry


def observation_enter(
    *,
    account: Account,
    metric: Metric,
    period: str,
    value: float,
    actor: StaffUser,
    neighbourhood: Any = None,
    dimension: str = "",
    group: ReportingGroup | None = None,
    request: Any = None,
) -> Observation:
    """Enter (or correct) one figure by hand; audit-logged with the value it replaced.

    `group`: the group the figure counts for when it is not the account's own (None, the default: the
    account's); a correction passes the figure's own `Observation.group`.
    """
    granularity, start = _period_parse(period)
    existing = Observation.objects.filter(
        account=account, group=group, metric=metric, granularity=granularity, period_start=start, dimension=dimension
    ).first()
    previous = existing.value if existing is not None else None
    observation, created = Observation.objects.update_or_create(
        account=account,
        group=group,
        metric=metric,
        granularity=granularity,
        period_start=start,
        dimension=dimension,
        defaults={"value": value, "neighbourhood": neighbourhood, "entered_by": actor, "batch": None},
    )
    log_action(
        f"insights.observation.{'create' if created else 'change'}",
        actor=actor,
        target=observation,
        data={"metric": metric.slug, "period": period, "value": value, "previous": previous},
        request=request,
    )
    return observation
