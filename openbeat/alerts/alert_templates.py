"""Alert templates: the force's (made by staff with `alerts.manage_force_templates`) and an officer's own
(private to them), with placeholders filled from a neighbourhood when one is used.

Placeholders, in the title, the message and the link text:

    {neighbourhood}  the neighbourhood's name                      "Abbey"
    {team}           its team's public officers, in the team's order ("PC Jane Smith and PCSO Ali Khan"), or
                     "the Abbey neighbourhood team" when none is listed
    {division}       the neighbourhood's division                  "West"
    {force}          the force's name                              "Demoshire Police"

The neighbourhood is the one the officer picks in the composer, else their own team's (the first neighbourhood
whose team lists their officer profile, else the first in their staff profile). Any other `{word}` is an error
when the template is saved; a template needing a neighbourhood when none is known is refused when it is used.
Values go into the Markdown message with Markdown's own characters escaped, so a name is always text.

Writes (`template_create`, `template_update`, `template_delete`) check who is acting and write the audit log
(`alerts.template.<verb>`, the template as target, its name and whether it is the force's in `data`).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from openbeat.alerts.models import AlertTemplate, Priority
from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.models import Force
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.models import Interest

PLACEHOLDERS = {
    "neighbourhood": "the neighbourhood's name",
    "team": "the neighbourhood team's officers",
    "division": "the neighbourhood's division",
    "force": "the force's name",
}
# What needs a neighbourhood to be known.
_LOCAL = frozenset({"neighbourhood", "team", "division"})
_PLACEHOLDER = re.compile(r"\{([^{}\n]*)\}")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
TEXT_FIELDS = ("title", "body", "link_text")
MAX_BODY = 10_000


class TemplatePermissionError(PermissionError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemplateFillError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in `text`, in order, each once."""
    return list(dict.fromkeys(match.strip() for match in _PLACEHOLDER.findall(text or "")))


def placeholder_help() -> str:
    return ", ".join(f"{{{name}}} ({words})" for name, words in PLACEHOLDERS.items())


# ---------------------------------------------------------------------------------------------- reads


def templates_for(user: RequestUser) -> QuerySet[AlertTemplate]:
    """The templates `user` may use: the force's and their own (nobody else's)."""
    if user is None or not user.is_authenticated or not user.has_perm("alerts.send_alert"):
        return AlertTemplate.objects.none()
    return AlertTemplate.objects.filter(Q(owner__isnull=True) | Q(owner=user)).select_related("interest")


def template_can_change(user: RequestUser, template: AlertTemplate) -> bool:
    if user is None or not user.is_authenticated or not user.has_perm("alerts.send_alert"):
        return False
    if template.owner_id is None:
        return bool(user.has_perm("alerts.manage_force_templates"))
    return bool(template.owner_id == user.pk)


def default_neighbourhood(user: RequestUser) -> Neighbourhood | None:
    """The officer's own team's neighbourhood, within their scope (None when they have none)."""
    neighbourhoods = scope_for(user).filter(Neighbourhood.objects.select_related("division"), "division")
    found = neighbourhoods.filter(team__officer__user=user.pk).order_by("team__sort_order", "name").first()
    if found is None:
        found = neighbourhoods.filter(staff__user=user.pk).order_by("name").first()
    return found


# ---------------------------------------------------------------------------------------------- filling


def _team_words(neighbourhood: Neighbourhood) -> str:
    from openbeat.staff.selectors import neighbourhood_team

    names = [str(member.officer) for member in neighbourhood_team(neighbourhood)]
    if not names:
        return f"the {neighbourhood.name} neighbourhood team"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def template_values(
    *, template: AlertTemplate, user: RequestUser, neighbourhood: Neighbourhood | None
) -> dict[str, str]:
    """The placeholders `template` uses, each with its value for this neighbourhood."""
    used = {name for field in TEXT_FIELDS for name in placeholders_in(getattr(template, field))}
    values: dict[str, str] = {}
    if used & _LOCAL:
        if neighbourhood is None:
            needed = " and ".join(f"{{{name}}}" for name in sorted(used & _LOCAL))
            raise TemplateFillError(f"Choose a neighbourhood: the template '{template.name}' fills in {needed}")
        if not scope_for(user).allows(neighbourhood):
            raise TemplateFillError("Choose a neighbourhood in your own division")
        division: Division = neighbourhood.division
        values.update(neighbourhood=neighbourhood.name, division=division.name)
        if "team" in used:
            values["team"] = _team_words(neighbourhood)
    if "force" in used:
        values["force"] = Force.current().name
    return values


def fill(text: str, values: dict[str, str], *, markdown: bool = False) -> str:
    """`text` with each known placeholder replaced (escaped for Markdown when `markdown`)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name not in values:
            return match.group(0)
        return _MARKDOWN_SPECIAL.sub(r"\\\1", values[name]) if markdown else values[name]

    return _PLACEHOLDER.sub(value, text or "")


def template_fill(*, template: AlertTemplate, user: RequestUser, neighbourhood: Neighbourhood | None) -> dict[str, Any]:
    """The composer's fields from a template, its placeholders filled (TemplateFillError when they cannot be)."""
    values = template_values(template=template, user=user, neighbourhood=neighbourhood)
    interest = template.interest if template.interest is not None and template.interest.active else None
    return {
        "title": fill(template.title, values)[:150],
        "body": fill(template.body, values, markdown=True),
        "interest": interest.pk if interest is not None else "",
        "priority": template.priority,
        "link_url": template.link_url,
        "link_text": fill(template.link_text, values)[:80],
    }


# ---------------------------------------------------------------------------------------------- writes

_url = URLValidator(schemes=["http", "https"])
FIELDS = ("name", "title", "body", "interest", "priority", "link_url", "link_text")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check a template's fields; ValidationError keyed by field (an unknown placeholder names itself)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {name: values.get(name) for name in FIELDS}
    for name, limit in (("name", 100), ("title", 150), ("link_text", 80)):
        clean[name] = " ".join(str(values.get(name) or "").split())
        if len(clean[name]) > limit:
            errors[name] = f"Must be {limit} characters or fewer"
    clean["body"] = str(values.get("body") or "").strip()
    required = {"name": "Enter a name for the template", "title": "Enter a title", "body": "Enter the message"}
    for name, words in required.items():
        if not clean[name] and name not in errors:
            errors[name] = words
    if len(clean["body"]) > MAX_BODY:
        errors["body"] = f"The message must be {MAX_BODY:,} characters or fewer"
    for name in TEXT_FIELDS:
        unknown = [p for p in placeholders_in(clean[name]) if p not in PLACEHOLDERS]
        if unknown and name not in errors:
            errors[name] = (
                f"Unknown placeholder {', '.join('{' + p + '}' for p in unknown)}: "
                f"use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
            )
    interest = values.get("interest")
    if interest is not None and not (isinstance(interest, Interest) and interest.active):
        errors["interest"] = "Choose a topic that is in use, or none"
    try:
        clean["priority"] = int(values.get("priority", Priority.NORMAL))
    except (TypeError, ValueError):
        clean["priority"] = None
    if clean["priority"] not in Priority.values:
        errors["priority"] = "Choose a priority"
    clean["link_url"] = link_url = str(values.get("link_url") or "").strip()
    if link_url:
        try:
            _url(link_url)
        except ValidationError:
            errors["link_url"] = "Enter a web address starting with https://"
    elif clean["link_text"]:
        errors["link_url"] = "Enter the web address the link text is for"
    if errors:
        raise ValidationError(errors)
    return clean


def _check_can_write(user: StaffUser, *, force: bool) -> None:
    if user is None or not user.is_authenticated or not user.has_perm("alerts.send_alert"):
        raise TemplatePermissionError("You do not have permission to send alerts")
    if force and not user.has_perm("alerts.manage_force_templates"):
        raise TemplatePermissionError("You do not have permission to change the force's templates")


def _log(verb: str, actor: StaffUser, template: AlertTemplate, request: HttpRequest | None, **data: Any) -> None:
    log_action(
        f"alerts.template.{verb}",
        actor=actor,
        target=template,
        data={"name": template.name, "force": template.is_force_template, **data},
        request=request,
    )


@transaction.atomic
def template_create(
    *, actor: StaffUser, force: bool = False, request: HttpRequest | None = None, **fields: Any
) -> AlertTemplate:
    """A new template: the force's (`force`, with `alerts.manage_force_templates`) or the actor's own."""
    _check_can_write(actor, force=force)
    template = AlertTemplate.objects.create(**_clean(fields), owner=None if force else actor, created_by=actor)
    _log("create", actor, template, request)
    return template


@transaction.atomic
def template_update(
    *, template: AlertTemplate, actor: StaffUser, request: HttpRequest | None = None, **fields: Any
) -> AlertTemplate:
    template = AlertTemplate.objects.select_for_update().get(pk=template.pk)
    if not template_can_change(actor, template):
        raise TemplatePermissionError("You cannot change this template")
    current = {name: getattr(template, name) for name in FIELDS}
    values = _clean({**current, **fields})
    changed = sorted(name for name in FIELDS if values[name] != current[name])
    for name, value in values.items():
        setattr(template, name, value)
    template.save()
    _log("change", actor, template, request, fields=changed)
    return template


@transaction.atomic
def template_delete(*, template: AlertTemplate, actor: StaffUser, request: HttpRequest | None = None) -> None:
    if not template_can_change(actor, template):
        raise TemplatePermissionError("You cannot delete this template")
    _log("delete", actor, template, request)
    template.delete()
