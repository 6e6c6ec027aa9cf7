"""Back-office editing of report types and their questions, in the "Do It Online" menu section.

Force-wide staff with `reports.change_reporttype` (HQ Media & Engagement, administrators) edit them; every save
is audit-logged (`reports.reporttype.create` / `.change`) through the scoped views. Types are deactivated, never
deleted: reports keep pointing at their type, and a type's slug is its Open311 service code.

The form checks what the public journey relies on: choice questions have choices, a condition names another
question of the same type, and signposts are https links.
"""

from __future__ import annotations

from typing import Any

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from openbeat.core.admin_policies import NoDeletePermissionPolicy
from openbeat.reports.models import Question, ReportType
from openbeat.staff.admin_views import ScopedViewSetMixin

REPORTS_MENU_HOOK = "register_do_it_online_menu_item"  # as in views/staff_menu.py, which owns the section
_CHOICE_KINDS = {Question.Kind.CHOICE, Question.Kind.MULTICHOICE}


class ReportTypePermissionPolicy(NoDeletePermissionPolicy):
    """No deleting: deactivate a type instead (its reports are protected, and its slug may be in use)."""


register_permission_policy(ReportType, ReportTypePermissionPolicy(ReportType))


def _signpost_errors(signposts: Any) -> str | None:
    if not isinstance(signposts, list):
        return 'Enter a list like [{"text": "Action Fraud", "url": "https://www.actionfraud.police.uk/"}]'
    for item in signposts:
        if not isinstance(item, dict) or not str(item.get("text", "")).strip():
            return "Each signpost needs a text"
        if not str(item.get("url", "")).startswith("https://"):
            return "Each signpost's url must start with https://"
    return None


def _choices_error(choices: Any) -> str | None:
    if not isinstance(choices, list) or not choices:
        return 'Enter the choices, like [{"value": "car", "label": "A car"}]'
    values = []
    for choice in choices:
        if isinstance(choice, str):
            values.append(choice)
        elif isinstance(choice, dict) and str(choice.get("value", "")).strip():
            values.append(str(choice["value"]))
        else:
            return 'Each choice needs a value: {"value": "car", "label": "A car"}'
    if len(set(values)) != len(values):
        return "Each choice needs a different value"
    return None


def _condition_error(condition: Any, key: str, keys: set[str]) -> str | None:
    if condition in (None, "", {}):
        return None
    if not isinstance(condition, dict) or not isinstance(condition.get("in"), list) or not condition["in"]:
        return 'Enter a condition like {"question": "kind", "in": ["road"]}, or leave it empty'
    if condition.get("question") == key or condition.get("question") not in keys:
        return "The condition must name another question of this type by its key"
    return None


class ReportTypeForm(WagtailAdminModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        problem = _signpost_errors(cleaned.get("signposts") or [])
        if problem:
            self.add_error("signposts", problem)
        formset = self.formsets.get("questions")
        if formset is None:
            return cleaned
        live = [f for f in formset.forms if f.is_valid() and not f.cleaned_data.get("DELETE")]
        keys = {f.cleaned_data.get("key") for f in live}
        seen: set[str] = set()
        for form in live:
            data = form.cleaned_data
            if data.get("key") in seen:
                form.add_error("key", "Another question already has this key")
            seen.add(data.get("key"))
            if data.get("kind") in _CHOICE_KINDS and (problem := _choices_error(data.get("choices"))):
                form.add_error("choices", problem)
            if problem := _condition_error(data.get("condition"), data.get("key"), keys):
                form.add_error("condition", problem)
        return cleaned

    @property
    def changed_data(self) -> list[str]:
        # For the audit log: the questions are a formset, not a field of the type.
        changed = list(super().changed_data)
        formset = self.formsets.get("questions") if hasattr(self, "formsets") else None
        if formset is not None and formset.has_changed():
            changed.append("questions")
        return changed


QUESTION_PANELS = [
    FieldRowPanel([FieldPanel("key"), FieldPanel("kind"), FieldPanel("required")]),
    FieldPanel("label"),
    FieldPanel("hint"),
    FieldPanel("choices", help_text='For radios and checkboxes: [{"value": "car", "label": "A car"}, ...]'),
    FieldRowPanel([FieldPanel("page"), FieldPanel("page_title"), FieldPanel("sort_order")]),
    FieldPanel("max_length"),
    FieldPanel("condition", help_text='Ask only when: {"question": "<key>", "in": ["value", ...]}. Blank: always.'),
]


class ReportTypeViewSet(ScopedViewSetMixin, ModelViewSet):
    model = ReportType
    audit_name = "reports.reporttype"
    scope_field = None  # force-wide: only force-wide staff (HQ, administrators) reach it
    icon = "form"
    menu_label = "Report types"
    menu_order = 40
    menu_hook = REPORTS_MENU_HOOK
    list_display = ["name", "slug", "kind", "active", "sort_order"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    ordering = ["sort_order", "name"]
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("summary")], heading="Type"
            ),
            MultiFieldPanel(
                [FieldPanel("start_page"), FieldPanel("signposts")],
                heading="Start page",
            ),
            MultiFieldPanel(
                [
                    FieldPanel("location"),
                    FieldRowPanel([FieldPanel("allows_evidence"), FieldPanel("max_evidence_files")]),
                    FieldPanel("asks_named_officer"),
                ],
                heading="What to ask",
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("sla_amber_hours"), FieldPanel("sla_red_hours")]),
                    FieldPanel("handling_group"),
                    FieldPanel("handling_email"),
                ],
                heading="Who handles it",
            ),
            MultiFieldPanel(
                [FieldPanel("active"), FieldPanel("open311"), FieldPanel("sort_order")], heading="Publishing"
            ),
            InlinePanel("questions", panels=QUESTION_PANELS, heading="Questions", label="Question"),
        ],
        base_form_class=ReportTypeForm,
    )


@hooks.register("register_admin_viewset")
def register_report_types() -> ReportTypeViewSet:
    return ReportTypeViewSet("report_types", url_prefix="report-types")
