"""Writes to an appeal after it is published: an update note, the outcome (and its follow-up alerts), and the
removal of a missing or wanted person's name and photos once it is resolved. Pages themselves are written by
editors in Wagtail, through its workflow (news.moderation).

- `appeal_add_update`: a dated note shown on the page ("updated").
- `appeal_set_outcome`: the outcome, shown at the top of the page. Each In the Know alert the appeal names gets a
  follow-up: a new alert through `alerts.services` targeted `{"update_of": <alert id>}`, so it reaches exactly
  the people that alert reached, once (`AppealFollowUp` is unique per appeal and alert, under a row lock).
  A missing person or suspect appeal is due for removal NEWS_APPEAL_REDACT_AFTER_HOURS later (0: at once).
- `appeal_redact`: the name and photos go from the page, every revision, the search index and the public page
  cache, leaving a short resolved notice; `appeals_redact_due` (the scheduler, every few minutes) does the due
  ones. Images the appeal alone used are deleted with their renditions.

Each checks `news.manage_appeal` and the appeal's division (news.selectors.appeal_in_scope), and writes the audit
log (`news.appeal.<verb>`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import PageLogEntry, ReferenceIndex, Revision
from wagtail.search import index

from openbeat.alerts import services as alert_services
from openbeat.alerts.models import Alert
from openbeat.audit.services import log_action
from openbeat.core.pagecache import public_content_changed
from openbeat.core.users import RequestUser, StaffUser
from openbeat.news.models import AppealFollowUp, AppealKind, AppealPage, AppealUpdate, Outcome
from openbeat.news.selectors import appeal_in_scope

PERMISSION = "news.manage_appeal"
RESOLVED_NOTICE = "This appeal has been resolved. Thank you to everyone who shared it or got in touch."


class AppealPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check(actor: RequestUser, appeal: AppealPage) -> None:
    if not (actor.is_authenticated and actor.has_perm(PERMISSION)):
        raise AppealPermissionError("You do not have permission to update appeals")
    if not appeal_in_scope(actor, appeal):
        raise AppealPermissionError("This appeal is about another division")


def _locked(appeal: AppealPage) -> AppealPage:
    return AppealPage.objects.select_for_update().get(pk=appeal.pk)


@transaction.atomic
def appeal_add_update(
    *, appeal: AppealPage, actor: StaffUser, note: str, request: HttpRequest | None = None
) -> AppealUpdate:
    _check(actor, appeal)
    appeal = _locked(appeal)
    update = AppealUpdate.objects.create(appeal=appeal, note=note.strip(), created_by=actor)
    log_action("news.appeal.update", actor=actor, target=appeal, data={"update": update.pk}, request=request)
    return update


def _follow_up_words(appeal: AppealPage, outcome: str, note: str) -> tuple[str, str]:
    """The follow-up's title and body: never the person's name (the title of a personal appeal may hold it)."""
    label = Outcome(outcome).label
    if appeal.is_personal:
        title = f"{AppealKind(appeal.kind).label} appeal: {label.lower()}"
    else:
        title = f"Update: {appeal.title}"[:150]
    body = f"The appeal we told you about has been resolved: **{label.lower()}**."
    if note:
        body += f"\n\n{note}"
    body += "\n\nThank you to everyone who shared the appeal or got in touch."
    return title, body


def _follow_up(appeal: AppealPage, actor: StaffUser, outcome: str, note: str, request: HttpRequest | None) -> list[int]:
    """A follow-up alert to the recipients of each sent alert the appeal names that has none yet."""
    done = set(AppealFollowUp.objects.filter(appeal=appeal).values_list("original_id", flat=True))
    title, body = _follow_up_words(appeal, outcome, note)
    link = appeal.get_full_url() or ""
    made: list[int] = []
    for original in appeal.alerts.filter(state=Alert.State.SENT).exclude(pk__in=done).order_by("pk"):
        targeting: dict[str, Any] = {
            "update_of": original.pk,
            # An update keeps the demographic groups (and channels) of the alert it updates.
            "demographics": (original.targeting or {}).get("demographics") or {},
        }
        if "channels" in (original.targeting or {}):
            targeting["channels"] = original.targeting["channels"]
        alert = alert_services.alert_create(
            author=actor,
            title=title,
            body=body,
            interest=original.interest,
            priority=original.priority,
            targeting=targeting,
            link_url=link,
            link_text="Read the appeal" if link else "",
            request=request,
        )
        alert_services.alert_submit(alert=alert, actor=actor, request=request)
        AppealFollowUp.objects.create(appeal=appeal, original=original, follow_up=alert)
        made.append(alert.pk)
    return made


@transaction.atomic
def appeal_set_outcome(
    *, appeal: AppealPage, actor: StaffUser, outcome: str, note: str = "", request: HttpRequest | None = None
) -> AppealPage:
    """Set (or change) the outcome. Follow-ups go once per alert, however often this is called; a refused
    follow-up (the actor may not send to that alert's recipients) refuses the outcome too, so none is missed."""
    _check(actor, appeal)
    appeal = _locked(appeal)
    now = timezone.now()
    note = " ".join(note.split())
    fields: dict[str, Any] = {"outcome": Outcome(outcome).value, "outcome_note": note}
    if appeal.outcome_at is None:
        fields["outcome_at"] = now
    if appeal.is_personal and appeal.redact_due_at is None and appeal.redacted_at is None:
        fields["redact_due_at"] = now + timedelta(hours=settings.NEWS_APPEAL_REDACT_AFTER_HOURS)
    # Lifecycle fields are no part of revisions (AppealPage.with_content_json): written to the live row alone.
    AppealPage.objects.filter(pk=appeal.pk).update(**fields)
    for name, value in fields.items():
        setattr(appeal, name, value)
    follow_ups = _follow_up(appeal, actor, outcome, note, request)
    public_content_changed()  # update() sends no signal
    log_action(
        "news.appeal.outcome",
        actor=actor,
        target=appeal,
        data={"outcome": appeal.outcome, "follow_ups": follow_ups},
        request=request,
    )
    if appeal.redact_due_at is not None and appeal.redact_due_at <= now:
        appeal = appeal_redact(appeal=appeal, actor=actor, request=request)
    return appeal


def _redacted_values(appeal: AppealPage) -> dict[str, Any]:
    title = f"{AppealKind(appeal.kind).label} appeal: {Outcome(appeal.outcome).label.lower()}"
    return {
        "title": title,
        "draft_title": title,
        "seo_title": "",
        "search_description": "",
        "summary": RESOLVED_NOTICE,
        "subject_name": "",
        "lead_image": None,
        "lead_image_alt": "",
        "body": [],
    }


def _images_of(appeal: AppealPage, revisions: list[Revision]) -> set[int]:
    """Every image the page or any of its revisions showed (lead image and image blocks)."""
    found: set[int] = set()
    for content in [{"lead_image": appeal.lead_image_id, "body": appeal.body.raw_data}] + [
        r.content for r in revisions
    ]:
        if content.get("lead_image"):
            found.add(int(content["lead_image"]))
        body = content.get("body") or []
        if isinstance(body, str):
            import json

            body = json.loads(body or "[]")
        for block in body:
            if isinstance(block, dict) and block.get("type") == "image" and (block.get("value") or {}).get("image"):
                found.add(int(block["value"]["image"]))
    return found


@transaction.atomic
def appeal_redact(
    *, appeal: AppealPage, actor: RequestUser | None = None, request: HttpRequest | None = None
) -> AppealPage:
    """Remove a resolved missing person or suspect appeal's name and photos. Doing it twice changes nothing."""
    appeal = _locked(appeal)
    if appeal.redacted_at is not None or not appeal.is_personal or not appeal.outcome:
        return appeal
    revisions = list(Revision.objects.for_instance(appeal))
    images = _images_of(appeal, revisions)
    values = _redacted_values(appeal)
    for name, value in values.items():
        setattr(appeal, name, value)
    appeal.redacted_at = timezone.now()
    appeal.save()
    AppealPage.objects.filter(pk=appeal.pk).update(redacted_at=appeal.redacted_at)  # kept out of revisions
    stored = {**values, "lead_image": None, "body": "[]"}
    for revision in revisions:
        revision.content = {**revision.content, **stored}
        revision.object_str = values["title"]
        revision.save(update_fields=["content", "object_str"])
    # The page history's labels carried the old title.
    PageLogEntry.objects.filter(page_id=appeal.pk).update(label=values["title"])
    appeal.updates.all().delete()
    deleted = _delete_unused_images(images, appeal)
    index.insert_or_update_object(appeal)
    public_content_changed()
    log_action(
        "news.appeal.redact",
        actor=actor,
        target=appeal,
        data={"revisions": len(revisions), "images_deleted": deleted},
        request=request,
    )
    return appeal


def _delete_unused_images(image_ids: set[int], appeal: AppealPage) -> int:
    """Delete the images no other page or object uses (their renditions and files go with them)."""
    deleted = 0
    for image in get_image_model().objects.filter(pk__in=image_ids):
        users = ReferenceIndex.get_references_to(image).exclude(object_id=str(appeal.pk))
        if not users.exists():
            image.delete()
            deleted += 1
    return deleted


def appeals_redact_due(*, now: datetime | None = None) -> int:
    """Redact every resolved personal appeal whose delay has passed (the scheduler's job)."""
    due = AppealPage.objects.filter(redact_due_at__lte=now or timezone.now(), redacted_at__isnull=True).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(due):
        appeal = AppealPage.objects.get(pk=pk)
        appeal_redact(appeal=appeal)
        count += 1
    return count
