"""The back office's survey indices: list, define (name and scope), add or change scored questions, a page per index
with its scores over time per division or neighbourhood (an accessible chart with the same figures as a table), and
CSV export.

Indices are read only through `indices.indices_for(user)` (outside it: 404); changing one needs
`indices.index_can_manage`. Scores cover the respondents `indices.index_divisions(user)` allows (division staff:
their own division's). The services write the audit log; so does exporting, here.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.core.users import signed_in_staff
from openbeat.insights.render.charts import chart_svg
from openbeat.insights.structure import Chart
from openbeat.surveys import indices
from openbeat.surveys.forms import ComponentForm, IndexFilterForm, IndexForm
from openbeat.surveys.models import SurveyIndex, SurveyIndexComponent
from openbeat.surveys.views.staff import _any_survey_permission


def _index(request: HttpRequest, pk: int) -> SurveyIndex:
    return get_object_or_404(indices.indices_for(request.user), pk=pk)


def _managed(request: HttpRequest, pk: int) -> SurveyIndex:
    index = _index(request, pk)
    if not indices.index_can_manage(request.user, index):
        raise PermissionDenied("You cannot change this index")
    return index


@_any_survey_permission
def index_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/staff/index_list.html",
        {
            "indices": indices.indices_for(request.user).prefetch_related("components")[:200],
            "can_add": request.user.has_perm("surveys.manage_survey"),
        },
    )


def _form_page(request: HttpRequest, form: IndexForm, index: SurveyIndex | None) -> HttpResponse:
    return render(request, "surveys/staff/index_form.html", {"form": form, "index": index})


@permission_required("surveys.manage_survey", raise_exception=True)
def index_new(request: HttpRequest) -> HttpResponse:
    form = IndexForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            index = indices.index_create(actor=signed_in_staff(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except indices.IndexPermissionError as error:
            form.add_error("division", error.message)
        else:
            messages.success(request, f"Index '{index.name}' saved: now add the questions it scores.")
            return redirect("surveys_staff:index_detail", pk=index.pk)
    return _form_page(request, form, None)


@permission_required("surveys.manage_survey", raise_exception=True)
def index_edit(request: HttpRequest, pk: int) -> HttpResponse:
    index = _managed(request, pk)
    form = IndexForm(request.POST or None, user=request.user, instance=index)
    if request.method == "POST" and form.is_valid():
        try:
            indices.index_update(
                index=SurveyIndex.objects.get(pk=pk),
                actor=signed_in_staff(request),
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        except indices.IndexPermissionError as error:
            form.add_error("division", error.message)
        else:
            return redirect("surveys_staff:index_detail", pk=pk)
    return _form_page(request, form, index)


def _filters(request: HttpRequest) -> tuple[IndexFilterForm, str, str, indices.Window]:
    allowed = indices.index_divisions(request.user)
    choices = Division.objects.all() if allowed is None else Division.objects.filter(pk__in=allowed or [])
    form = IndexFilterForm(request.GET or None, divisions=choices.order_by("name"))
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    window = indices.Window(
        divisions=allowed,
        division=data["division"].pk if data.get("division") else None,
        since=data.get("since") if isinstance(data.get("since"), date) else None,
        until=data.get("until") if isinstance(data.get("until"), date) else None,
    )
    return form, data.get("by") or "division", data.get("period") or "month", window


def _table(request: HttpRequest, index: SurveyIndex) -> tuple[IndexFilterForm, indices.IndexTable]:
    if not request.user.has_perm("surveys.view_survey_results") or indices.index_divisions(request.user) == frozenset():
        raise PermissionDenied("You cannot see this index's scores")
    form, by, period, window = _filters(request)
    return form, indices.index_table(index, by=by, period=period, window=window)  # type: ignore[arg-type]


@_any_survey_permission
def index_detail(request: HttpRequest, pk: int) -> HttpResponse:
    index = _index(request, pk)
    can_see = (
        request.user.has_perm("surveys.view_survey_results") and indices.index_divisions(request.user) != frozenset()
    )
    form, table, chart = None, None, None
    if can_see:
        form, table = _table(request, index)
        if table.columns:
            # Areas with no score in any period are left out of the chart (the table still lists them).
            series = [
                (label, [None if v is None else float(v) for v in table.scores[r]])
                for r, label in enumerate(table.row_labels)
                if any(v is not None for v in table.scores[r])
            ][:8]
            chart = mark_safe(  # chart_svg draws from numbers and labels only, escaped by matplotlib's SVG writer.
                chart_svg(
                    Chart(kind="line", title=f"{index.name} by {table.period}", x=table.column_labels,
                          series=series or [("The force", [None] * len(table.columns))], y_label="Score (0-100)"),
                    width=640, height=320, id_prefix=f"index-{index.pk}",
                )
            )  # fmt: skip
    rows = (
        [
            {
                "label": label,
                "cells": list(zip(table.scores[r], table.respondents.cells[r], strict=True)),
                "score": table.row_scores[r],
                "n": table.respondents.row_totals[r],
            }
            for r, label in enumerate(table.row_labels)
        ]
        if table is not None
        else []
    )
    return render(
        request,
        "surveys/staff/index_detail.html",
        {
            "index": index,
            "components": index.components.select_related("survey"),
            "can_manage": indices.index_can_manage(request.user, index),
            "form": form,
            "table": table,
            "rows": rows,
            "totals": list(zip(table.column_scores, table.respondents.column_totals, strict=True)) if table else [],
            "chart": chart,
            "figures_today": bool(
                table and table.figures_at and timezone.localdate(table.figures_at) == timezone.localdate()
            ),
            "query": request.GET.urlencode(),
        },
    )


@permission_required("surveys.view_survey_results", raise_exception=True)
def index_export(request: HttpRequest, pk: int) -> HttpResponse:
    index = _index(request, pk)
    _, table = _table(request, index)
    log_action("surveys.index.export", actor=signed_in_staff(request), target=index, request=request,
               data={"format": "csv"})  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows(indices.index_export_rows(table))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="index-{index.slug}-{table.by}-{table.period}.csv"'
    return response


@permission_required("surveys.manage_survey", raise_exception=True)
def component_edit(request: HttpRequest, pk: int, component_pk: int | None = None) -> HttpResponse:
    """Add a question (first choose it, then score its answers), or change a question's scores and weight."""
    index = _managed(request, pk)
    component = get_object_or_404(index.components, pk=component_pk) if component_pk else None
    available = indices.candidates_for(request.user)
    if component is not None:
        key = f"{component.survey_id}:{component.question_id}:{component.statement_id or ''}"
    else:
        key = request.GET.get("question") or request.POST.get("question") or ""
    candidate = next((c for c in available if c.key == key), None)
    if candidate is None:
        if component is not None:
            raise Http404("That question is no longer in a published survey you can see")
        used = {f"{c.survey_id}:{c.question_id}:{c.statement_id or ''}" for c in index.components.all()}
        return render(
            request,
            "surveys/staff/index_question_choose.html",
            {"index": index, "candidates": [c for c in available if c.key not in used], "error": bool(key)},
        )
    initial: dict[str, Any] = {"weight": component.weight if component else 1.0}
    if component is not None:
        initial |= {f"score_{k}": v for k, v in component.scores.items()}
    elif candidate.kind == "grid":
        initial |= {f"score_{k}": v for k, v in indices.GRID_DEFAULT_SCORES.items()}
    form = ComponentForm(request.POST or None, options=candidate.options, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            indices.component_save(
                index=index,
                actor=signed_in_staff(request),
                candidate=candidate,
                scores=form.scores(),
                weight=form.cleaned_data["weight"],
                component=component,
                request=request,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"'{candidate.label}' saved in the index.")
            return redirect("surveys_staff:index_detail", pk=index.pk)
    return render(
        request,
        "surveys/staff/index_question_form.html",
        {"index": index, "candidate": candidate, "form": form, "component": component},
    )


@require_POST
@permission_required("surveys.manage_survey", raise_exception=True)
def component_remove(request: HttpRequest, pk: int, component_pk: int) -> HttpResponse:
    index = _managed(request, pk)
    component: SurveyIndexComponent = get_object_or_404(index.components, pk=component_pk)
    indices.component_remove(component=component, actor=signed_in_staff(request), request=request)
    messages.success(request, "The question was taken out of the index.")
    return redirect("surveys_staff:index_detail", pk=index.pk)
