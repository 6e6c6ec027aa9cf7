"""Which rows are the demo's, and taking them out again without touching anything else.

Every row the demo creates is written down in `DemoRow` (see models.py). From that register:

- `demo_tagged(queryset)` and `demo_keyed(queryset)` read only the demo's rows, so a step never picks up,
  links to or updates a real row that happens to share a name or a code;
- `demo_foreign_rows()` counts the rows of a force's own data that are not the demo's (`load_demo` refuses to
  run beside them unless told to);
- `demo_delete()` removes the demo's rows, and the rows that hang only from them (a demo subscriber's watched
  areas, a demo report's events). A demo row that anything else still uses (a real subscriber watching a demo
  neighbourhood, a real report naming a demo officer) is kept, so deleting it can neither delete nor change
  a row the demo did not make.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import BigIntegerField, CharField, QuerySet
from django.db.models.functions import Cast

from openbeat.demo.models import DemoRow

# Small enough for any database's limit on query parameters.
_CHUNK = 500
# How far a cascade is followed from a demo row before the row is kept rather than deleted unchecked.
_MAX_DEPTH = 4


def real_data_models() -> list[type[models.Model]]:
    """What a force's own data is made of: any row of these that the demo did not make stops `load_demo`.

    Rows that migrations seed (interests, report types, metrics, roles, concerns, crime categories, the site's
    pages) are not here, nor rows that only hang from these (watched areas, report events, observations, team
    places, crimes, meetings, priority updates).
    """
    from openbeat.alerts.models import Alert
    from openbeat.areas.models import Division, Neighbourhood, Postcode, Station
    from openbeat.concerns.models import ConcernResponse
    from openbeat.core.models import Force
    from openbeat.crime.models import CrimeImport
    from openbeat.events.models import Event
    from openbeat.insights.models import Account, ReportingGroup
    from openbeat.priorities.models import Priority
    from openbeat.reports.models import Report
    from openbeat.staff.models import Officer
    from openbeat.subscriptions.models import Subscriber

    return [
        Force,
        Division,
        Neighbourhood,
        Postcode,
        Station,
        Officer,
        get_user_model(),
        Subscriber,
        Alert,
        Report,
        Account,
        ReportingGroup,
        # A neighbourhood's life. Crimes hang from their import; a PACT meeting (and its questions) from its
        # event; a priority's updates from the priority; an event's revisions from the event.
        CrimeImport,
        Priority,
        Event,
        ConcernResponse,
    ]


def demo_models() -> list[type[models.Model]]:
    """Every model the demo writes down rows of."""
    from openbeat.campaigns.models import Campaign, PageView
    from openbeat.insights.models import ImportBatch
    from openbeat.meetings.models import Action
    from openbeat.social.models import Approval, InboxItem, Post, PostTarget, SocialAccount
    from openbeat.staff.models import StaffProfile, TeamMembership

    # Staff profiles are registered although a user's profile goes with the user: a real profile's link to a
    # demo neighbourhood must count as the force's, not as something hanging from the demo neighbourhood.
    # A meeting's actions hang from its event but hold their priority (PROTECT): registered, a demo action goes
    # with the demo's priorities, and a real one (a real meeting acting on a demo priority) keeps its priority.
    from openbeat.youth.models import AnonymousQuestion

    # The youth site's pages stay on a reset (a Wagtail page tree is edited in the back office, not deleted
    # by row); its answered demo question goes.
    # The demo's campaign and the page views it made up go on a reset too (real page views are never the demo's).
    # Social publishing: the demo's connected accounts, posts (with their targets and approvals, which hold demo
    # logins and accounts PROTECTed), inbox items and the results batches it recorded go on a reset too.
    social = [SocialAccount, Post, PostTarget, Approval, InboxItem, ImportBatch]
    return [*real_data_models(), StaffProfile, TeamMembership, Action, AnonymousQuestion, Campaign, PageView, *social]


def demo_label(model: type[models.Model]) -> str:
    """What a kind of row is called in load_demo's output."""
    from openbeat.core.models import Force
    from openbeat.insights.models import Account

    names = {Force: "force settings", Account: "engagement accounts", get_user_model(): "user accounts"}
    return names.get(model, str(model._meta.verbose_name_plural))


# A new demo row takes its generated name when it is free, else the first of these after it.
DEMO_SUFFIXES = ("", " (demo)", " (demo 2)", " (demo 3)", " (demo 4)")


def demo_unused(
    model: type[models.Model], options: Iterable[dict[str, Any]], *, together: bool = False
) -> dict[str, Any]:
    """The first of `options` (values of unique fields for a new row) that no existing row holds: each field is
    unique on its own or, with `together`, the fields as a whole are."""
    for option in options:
        lookups = [option] if together else [{name: value} for name, value in option.items()]
        if not any(model._base_manager.filter(**lookup).exists() for lookup in lookups):
            return option
    raise RuntimeError(f"No free name for a demo {model._meta.verbose_name}: every option is taken")


def _content_type(model: type[models.Model]) -> ContentType:
    return ContentType.objects.get_for_model(model, for_concrete_model=True)


def _ids(model: type[models.Model]) -> QuerySet[DemoRow, Any]:
    """The register's ids for `model`, typed like its primary key (they are stored as text)."""
    rows = DemoRow.objects.filter(content_type=_content_type(model))
    pk = model._meta.pk
    # A Wagtail page type's key is its link to the page row (page_ptr), an integer underneath.
    key_field = pk
    while key_field is not None and key_field.is_relation:  # an appeal page's link to its news page's, and on
        key_field = key_field.target_field  # type: ignore[attr-defined]
    if isinstance(key_field, models.IntegerField):
        return rows.annotate(pk_value=Cast("object_id", output_field=BigIntegerField())).values("pk_value")
    return rows.values("object_id")


def _pk_of(model: type[models.Model], object_id: str) -> Any:
    return model._meta.pk.to_python(object_id)  # type: ignore[union-attr]


def demo_tag(*, objs: Iterable[models.Model], key: str = "") -> None:
    """Write these rows down as the demo's (with `key`, the demo's own name for a single row)."""
    by_type: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in objs:
        by_type[obj._meta.concrete_model or type(obj)].append(obj)
    rows = [
        DemoRow(content_type=_content_type(model), object_id=str(obj.pk), key=key)
        for model, items in by_type.items()
        for obj in items
    ]
    DemoRow.objects.bulk_create(rows, batch_size=1_000, ignore_conflicts=True)


def demo_tag_keyed(*, keyed: dict[str, models.Model]) -> None:
    """Write these rows down as the demo's, each with its own key (one query for many rows)."""
    rows = [
        DemoRow(content_type=_content_type(obj._meta.concrete_model or type(obj)), object_id=str(obj.pk), key=key)
        for key, obj in keyed.items()
    ]
    DemoRow.objects.bulk_create(rows, batch_size=1_000, ignore_conflicts=True)


def demo_tagged[M: models.Model](queryset: QuerySet[M]) -> QuerySet[M]:
    """Only the demo's rows of `queryset`."""
    return queryset.filter(pk__in=_ids(queryset.model))


def demo_is_tagged(obj: models.Model) -> bool:
    return DemoRow.objects.filter(content_type=_content_type(type(obj)), object_id=str(obj.pk)).exists()


def demo_keyed[M: models.Model](queryset: QuerySet[M]) -> dict[str, M]:
    """The demo's rows of `queryset` that it gave a key, by that key."""
    model = queryset.model
    keys = dict(
        DemoRow.objects.filter(content_type=_content_type(model)).exclude(key="").values_list("object_id", "key")
    )
    rows = queryset.filter(pk__in=[_pk_of(model, object_id) for object_id in keys])
    return {keys[str(row.pk)]: row for row in rows}


def demo_prune() -> int:
    """Forget register entries whose row has gone (deleted in the back office, or by a cascade)."""
    removed = 0
    for content_type_id in DemoRow.objects.values_list("content_type", flat=True).distinct():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        rows = DemoRow.objects.filter(content_type_id=content_type_id)
        if model is None:
            removed += rows.delete()[0]
            continue
        existing = model._base_manager.annotate(id_text=Cast("pk", output_field=CharField())).values("id_text")
        removed += rows.exclude(object_id__in=existing).delete()[0]
    return removed


def demo_foreign_rows() -> dict[str, int]:
    """How many rows of a force's own data the demo did not make, by kind (empty: a fresh or demo database)."""
    found = {}
    for model in real_data_models():
        count = model._base_manager.exclude(pk__in=_ids(model)).count()
        if count:
            found[demo_label(model)] = count
    return found


def demo_delete(*, models_to_delete: Iterable[type[models.Model]] | None = None) -> dict[str, dict[str, int]]:
    """Delete the demo's rows (of `models_to_delete`, default every kind), except those still in use.

    Returns {"removed": {kind: rows}, "kept": {kind: rows}}, counting each model's own rows (not cascades).
    """
    owners = set(demo_models())
    tagged = _tagged_pks()
    owners |= set(tagged)
    wanted = set(models_to_delete) if models_to_delete is not None else set(tagged)
    doomed = {model: set(pks) for model, pks in tagged.items() if model in wanted and pks}
    _keep_rows_in_use(doomed, tagged, owners)

    removed: dict[str, int] = {}
    with transaction.atomic():
        for model in _deletion_order(list(doomed)):
            pks = sorted(doomed[model], key=str)
            count = 0
            for chunk in _chunks(pks):
                count += model._base_manager.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
                DemoRow.objects.filter(
                    content_type=_content_type(model), object_id__in=[str(pk) for pk in chunk]
                ).delete()
            if count:
                removed[demo_label(model)] = count
        demo_prune()
    kept = {
        demo_label(model): len(pks - doomed.get(model, set()))
        for model, pks in tagged.items()
        if model in wanted and pks - doomed.get(model, set())
    }
    return {"removed": removed, "kept": kept}


def _tagged_pks() -> dict[type[models.Model], set[Any]]:
    tagged: dict[type[models.Model], set[Any]] = defaultdict(set)
    for content_type_id, object_id in DemoRow.objects.values_list("content_type", "object_id").iterator():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is not None:
            tagged[model].add(_pk_of(model, object_id))
    return dict(tagged)


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _reverse_relations(model: type[models.Model]) -> list[Any]:
    # As Django's deletion collector finds them: every foreign key or one-to-one pointing at `model`,
    # hidden ones (related_name="+", many-to-many tables) included.
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_one or field.one_to_many)
    ]


def _keep_rows_in_use(
    doomed: dict[type[models.Model], set[Any]],
    tagged: dict[type[models.Model], set[Any]],
    owners: set[type[models.Model]],
) -> None:
    """Take out of `doomed` every row whose deletion would delete, change or be refused by a row the demo does
    not own; again until nothing changes (keeping a neighbourhood keeps the division it points at)."""
    changed = True
    while changed:
        changed = False
        for model, pks in doomed.items():
            if not pks:
                continue
            in_use = _in_use(model, pks, doomed, tagged, owners, depth=0)
            if in_use:
                pks -= in_use
                changed = True


def _in_use(
    model: type[models.Model],
    pks: set[Any],
    doomed: dict[type[models.Model], set[Any]],
    tagged: dict[type[models.Model], set[Any]],
    owners: set[type[models.Model]],
    *,
    depth: int,
) -> set[Any]:
    """Which of `pks` (rows of `model` about to be deleted) something that must stay points at."""
    in_use: set[Any] = set()
    for relation in _reverse_relations(model):
        field = relation.field
        on_delete = field.remote_field.on_delete
        if on_delete is models.DO_NOTHING:
            continue  # the row pointing here is left exactly as it is
        related = relation.related_model._meta.concrete_model
        target = field.foreign_related_fields[0].attname  # the primary key, unless the key names another column
        if target == model._meta.pk.attname:  # type: ignore[union-attr]
            to_pk = {pk: pk for pk in pks}
        else:
            to_pk = dict(model._base_manager.filter(pk__in=list(pks)).values_list(target, "pk"))
        cascades = on_delete in (models.CASCADE, getattr(models, "DB_CASCADE", models.CASCADE))
        blocking = on_delete in (models.PROTECT, models.RESTRICT)
        owned_fks = [
            f
            for f in related._meta.concrete_fields
            if f.is_relation and f.related_model is not None and f.related_model._meta.concrete_model in owners
        ]
        cascaded: dict[Any, Any] = {}
        for chunk in _chunks(list(to_pk)):
            rows = related._base_manager.filter(**{f"{field.attname}__in": chunk}).values_list(
                "pk", field.attname, *(f.attname for f in owned_fks)
            )
            for row_pk, pointed, *links in rows:
                mine = to_pk[pointed]
                if related in owners:
                    # A row of a kind the demo makes: it may only be a demo row that goes too (or, for a
                    # set-null key, a demo row that stays and merely forgets this one).
                    if row_pk in doomed.get(related, ()):
                        continue
                    if row_pk in tagged.get(related, ()) and not (cascades or blocking):
                        continue
                    in_use.add(mine)
                    continue
                # A row that is not itself registered (a watched area, a report's event, an audit entry):
                # the demo's only if everything of the demo's kinds it points at is the demo's.
                demo_owned = all(
                    value is None or value in tagged.get(f.related_model._meta.concrete_model, ())
                    for f, value in zip(owned_fks, links, strict=True)
                )
                if not demo_owned or blocking:
                    in_use.add(mine)
                elif cascades:
                    cascaded[row_pk] = mine
        if cascaded:
            # Those rows go with ours: whatever points at them must be able to go too.
            if depth >= _MAX_DEPTH:
                in_use |= set(cascaded.values())
            else:
                deeper = _in_use(related, set(cascaded), doomed, tagged, owners, depth=depth + 1)
                in_use |= {cascaded[row_pk] for row_pk in deeper}
    return in_use


def _deletion_order(model_list: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models that point at others first, so a protected key never refuses a row that is going anyway."""

    def points_at(source: type[models.Model], target: type[models.Model]) -> bool:
        return any(
            f.is_relation and f.related_model is not None and f.related_model._meta.concrete_model is target
            for f in source._meta.concrete_fields
        )

    remaining = list(model_list)
    ordered: list[type[models.Model]] = []
    while remaining:
        free = [m for m in remaining if not any(points_at(other, m) for other in remaining if other is not m)]
        if not free:  # a cycle: cascades and set-null keys sort it out
            ordered.extend(remaining)
            break
        ordered.extend(free)
        remaining = [m for m in remaining if m not in free]
    return ordered
