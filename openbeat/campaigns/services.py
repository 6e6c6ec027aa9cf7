"""Writes to campaigns: create and change one (audited), and record a report made through a campaign link.

Who may: `campaigns.manage_campaign`, with the campaign's division in the actor's scope (staff.scope); a
force-wide campaign (no division) only force-wide staff. What a campaign groups must be visible to the actor
too: alerts and events in their scope; pages are the public site's, any page.

Errors, each with a `.message`:
- `CampaignPermissionError` (a PermissionDenied): the actor may not make or change this campaign, or not there.
- `django.core.exceptions.ValidationError` with a dict keyed by field (slug, ends_on, alerts, events).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from openbeat.alerts.selectors import alerts_for
from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.campaigns.models import Campaign, CampaignReport
from openbeat.core.users import RequestUser, StaffUser
from openbeat.events.selectors import events_for
from openbeat.staff.scope import scope_for


class CampaignPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def campaign_can_manage(user: RequestUser, campaign: Campaign) -> bool:
    if user is None or not user.is_authenticated or not user.has_perm("campaigns.manage_campaign"):
        return False
    scope = scope_for(user)
    return scope.force_wide if campaign.division_id is None else scope.allows_division(campaign.division_id)


def _check(
    *,
    actor: StaffUser,
    division: Division | None,
    slug: str,
    starts_on: date,
    ends_on: date,
    alerts: list[Any],
    events: list[Any],
    campaign: Campaign | None,
) -> None:
    if not actor.has_perm("campaigns.manage_campaign"):
        raise CampaignPermissionError("You cannot make or change campaigns")
    scope = scope_for(actor)
    if division is None and not scope.force_wide:
        raise CampaignPermissionError("Only force-wide staff can run a campaign for the whole force")
    if division is not None and not scope.allows_division(division):
        raise CampaignPermissionError("You can only run campaigns for your own division")
    errors: dict[str, str] = {}
    if ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    taken = Campaign.objects.filter(slug=slug)
    if campaign is not None:
        taken = taken.exclude(pk=campaign.pk)
    if taken.exists():
        errors["slug"] = "Another campaign has this short name: choose another"
    visible_alerts = set(alerts_for(actor).filter(pk__in=[a.pk for a in alerts]).values_list("pk", flat=True))
    if any(a.pk not in visible_alerts for a in alerts):
        errors["alerts"] = "You can only add alerts you can see"
    visible_events = set(events_for(actor).filter(pk__in=[e.pk for e in events]).values_list("pk", flat=True))
    if any(e.pk not in visible_events for e in events):
        errors["events"] = "You can only add events you can see"
    if errors:
        raise ValidationError(errors)


def _summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "dates": f"{campaign.starts_on} to {campaign.ends_on}",
        "pages": sorted(campaign.pages.values_list("pk", flat=True)),
        "alerts": sorted(campaign.alerts.values_list("pk", flat=True)),
        "events": sorted(campaign.events.values_list("pk", flat=True)),
    }


def campaign_create(
    *,
    author: StaffUser,
    name: str,
    slug: str,
    starts_on: date,
    ends_on: date,
    hashtag: str = "",
    aims: str = "",
    division: Division | None = None,
    pages: Iterable[Any] = (),
    alerts: Iterable[Any] = (),
    events: Iterable[Any] = (),
    request: HttpRequest | None = None,
) -> Campaign:
    pages, alerts, events = list(pages), list(alerts), list(events)
    _check(
        actor=author, division=division, slug=slug, starts_on=starts_on, ends_on=ends_on,
        alerts=alerts, events=events, campaign=None,
    )  # fmt: skip
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name.strip(),
            slug=slug,
            hashtag=hashtag.strip().lstrip("#"),
            starts_on=starts_on,
            ends_on=ends_on,
            aims=aims.strip(),
            division=division,
            created_by=author,
        )
        campaign.pages.set(pages)
        campaign.alerts.set(alerts)
        campaign.events.set(events)
        log_action("campaigns.campaign.create", actor=author, target=campaign, data=_summary(campaign), request=request)
    return campaign


def campaign_update(
    *,
    campaign: Campaign,
    editor: StaffUser,
    name: str,
    slug: str,
    starts_on: date,
    ends_on: date,
    hashtag: str = "",
    aims: str = "",
    division: Division | None = None,
    pages: Iterable[Any] = (),
    alerts: Iterable[Any] = (),
    events: Iterable[Any] = (),
    request: HttpRequest | None = None,
) -> Campaign:
    if not campaign_can_manage(editor, campaign):
        raise CampaignPermissionError("You cannot change this campaign")
    pages, alerts, events = list(pages), list(alerts), list(events)
    _check(
        actor=editor, division=division, slug=slug, starts_on=starts_on, ends_on=ends_on,
        alerts=alerts, events=events, campaign=campaign,
    )  # fmt: skip
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = _summary(campaign)
        campaign.name, campaign.slug, campaign.hashtag = name.strip(), slug, hashtag.strip().lstrip("#")
        campaign.starts_on, campaign.ends_on, campaign.aims, campaign.division = (
            starts_on,
            ends_on,
            aims.strip(),
            division,
        )
        campaign.save()
        campaign.pages.set(pages)
        campaign.alerts.set(alerts)
        campaign.events.set(events)
        after = _summary(campaign)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        log_action("campaigns.campaign.change", actor=editor, target=campaign, data=changes, request=request)
    return campaign


def campaign_known(slug: str) -> bool:
    """Whether a campaign link's `campaign` names a campaign (reports' start page asks before keeping it)."""
    return bool(slug) and Campaign.objects.filter(slug=slug).exists()


def campaign_report_record(*, report: Any, draft_data: dict[str, Any]) -> CampaignReport | None:
    """Called by reports as a report is filed (inside its transaction): if its draft came through a campaign
    link, note which campaign. Only the report's id and time are kept; an unknown campaign is ignored."""
    slug = draft_data.get("campaign")
    if not isinstance(slug, str) or not slug:
        return None
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        return None
    return CampaignReport.objects.create(campaign=campaign, report=report, made_at=report.created_at)
