"""The back office's surveys: list, build (sections, questions, options, conditions, order), preview, publish,
close, the public link's QR code, results with filters, free-text moderation, and CSV/XLSX export.

Surveys are read only through `selectors.surveys_for(user)` (outside it: 404). Building needs
`services.survey_can_manage`; results `selectors.results_divisions` (division staff see a force-wide survey's
responses from their own division only). The services write the audit log; so does exporting, here.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.core.users import signed_in_staff
from openbeat.insights.render.charts import chart_svg
from openbeat.surveys import exporting, exports, logic, selectors, services
from openbeat.surveys.forms import (
    OptionFormSet,
    QuestionForm,
    ResultsFilterForm,
    SectionEditForm,
    SectionForm,
    SurveyForm,
)
from openbeat.surveys.models import Answer, Question, ResponseConflict, Section, Survey, SurveyExport

_VIEW = ("surveys.manage_survey", "surveys.view_survey_results")


def _any_survey_permission(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not any(request.user.has_perm(p) for p in _VIEW):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _survey(request: HttpRequest, pk: int) -> Survey:
    return get_object_or_404(selectors.surveys_for(request.user), pk=pk)


def _managed(request: HttpRequest, pk: int) -> Survey:
    survey = _survey(request, pk)
    if not services.survey_can_manage(request.user, survey):
        raise PermissionDenied("You cannot change this survey")
    return survey


def _public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(survey.get_absolute_url())


@_any_survey_permission
def survey_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/staff/survey_list.html",
        {
            "surveys": selectors.surveys_for(request.user)[:200],
            "can_add": request.user.has_perm("surveys.manage_survey"),
        },
    )


def _survey_form_page(request: HttpRequest, form: SurveyForm, survey: Survey | None) -> HttpResponse:
    return render(request, "surveys/staff/survey_form.html", {"form": form, "survey": survey})


@permission_required("surveys.manage_survey", raise_exception=True)
def survey_new(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=signed_in_staff(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except services.SurveyPermissionError as error:
            form.add_error("division", error.message)
        else:
            messages.success(request, f"Survey '{survey.title}' saved as a draft.")
            return redirect("surveys_staff:detail", pk=survey.pk)
    return _survey_form_page(request, form, None)


@permission_required("surveys.manage_survey", raise_exception=True)
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    form = SurveyForm(request.POST or None, user=request.user, instance=survey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.survey_update(
                survey=Survey.objects.get(pk=pk), actor=signed_in_staff(request), request=request, **data
            )
        except ValidationError as error:
            form.add_error(None, error)
        except services.SurveyPermissionError as error:
            form.add_error("division", error.message)
        else:
            return redirect("surveys_staff:detail", pk=pk)
    return _survey_form_page(request, form, survey)


@_any_survey_permission
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    sections = survey.sections.prefetch_related(
        "questions__options", "conditions__option", "questions__conditions__option"
    )
    return render(
        request,
        "surveys/staff/survey_detail.html",
        {
            "survey": survey,
            "sections": sections,
            "can_manage": services.survey_can_manage(request.user, survey),
            "can_see_results": selectors.results_can_view(request.user, survey),
            "unpublished": selectors.has_unpublished_changes(survey),
            "public_url": _public_url(request, survey),
            "versions": survey.versions.all(),
            "conflicts": selectors.conflicts(survey)[:50],
            "open_conflicts": selectors.open_conflict_count(survey),
            "responses": survey.responses.count(),
            "section_form": SectionEditForm(survey=survey),
        },
    )


@permission_required("surveys.manage_survey", raise_exception=True)
def survey_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Every section and question of the draft as residents would see them (conditions noted), nothing sent."""
    survey = _survey(request, pk)
    definition = selectors.definition_of(survey)
    pages = [
        {"section": s, "form": SectionForm(questions=s["questions"], auto_id=f"s{s['id']}_%s")}
        for s in definition["sections"]
    ]
    return render(
        request,
        "surveys/staff/survey_preview.html",
        {"survey": survey, "pages": pages, "labels": logic.option_labels(definition)},
    )


@require_POST
@permission_required("surveys.manage_survey", raise_exception=True)
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    try:
        version = services.survey_publish(survey=survey, actor=signed_in_staff(request), request=request)
    except services.SurveyInvalid as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Published as version {version.number}.")
    return redirect("surveys_staff:detail", pk=pk)


@require_POST
@permission_required("surveys.manage_survey", raise_exception=True)
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    services.survey_close(survey=survey, actor=signed_in_staff(request), request=request)
    messages.success(request, "The survey is closed: it takes no more answers.")
    return redirect("surveys_staff:detail", pk=pk)


@require_POST
@permission_required("surveys.manage_survey", raise_exception=True)
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    form = SectionEditForm(request.POST, survey=survey)
    if form.is_valid():
        actor = signed_in_staff(request)
        section = services.section_add(
            survey=survey, actor=actor, title=form.cleaned_data["title"], intro=form.cleaned_data["intro"]
        )
        if form.cleaned_data["show_when"]:
            services.section_condition_set(section=section, actor=actor, show_when=form.cleaned_data["show_when"])
    else:
        messages.error(request, "Give the section a title.")
    return redirect("surveys_staff:detail", pk=pk)


def _section(request: HttpRequest, pk: int, section_pk: int) -> tuple[Survey, Section]:
    survey = _managed(request, pk)
    return survey, get_object_or_404(Section, pk=section_pk, survey=survey)


@permission_required("surveys.manage_survey", raise_exception=True)
def section_edit(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    survey, section = _section(request, pk, section_pk)
    condition = section.conditions.first()
    form = SectionEditForm(
        request.POST or None,
        survey=survey,
        initial={"title": section.title, "intro": section.intro, "show_when": condition.option if condition else None},
    )
    if request.method == "POST" and form.is_valid():
        actor = signed_in_staff(request)
        services.section_update(
            section=section, actor=actor, title=form.cleaned_data["title"], intro=form.cleaned_data["intro"]
        )
        services.section_condition_set(section=section, actor=actor, show_when=form.cleaned_data["show_when"])
        return redirect("surveys_staff:detail", pk=pk)
    return render(request, "surveys/staff/section_form.html", {"survey": survey, "section": section, "form": form})


@require_POST
@permission_required("surveys.manage_survey", raise_exception=True)
def item_action(request: HttpRequest, pk: int, kind: str, item_pk: int, action: str) -> HttpResponse:
    """Move a section or question up or down, or delete it."""
    if kind not in ("section", "question") or action not in ("up", "down", "delete"):
        raise Http404
    survey = _managed(request, pk)
    item: Section | Question = (
        get_object_or_404(Section, pk=item_pk, survey=survey)
        if kind == "section"
        else get_object_or_404(Question, pk=item_pk, section__survey=survey)
    )
    actor = signed_in_staff(request)
    if action in ("up", "down"):
        services.item_move(item=item, actor=actor, up=action == "up")
    elif isinstance(item, Section):
        services.section_delete(section=item, actor=actor)
    else:
        services.question_delete(question=item, actor=actor)
    return redirect("surveys_staff:detail", pk=pk)


@permission_required("surveys.manage_survey", raise_exception=True)
def question_edit(request: HttpRequest, pk: int, section_pk: int, question_pk: int | None = None) -> HttpResponse:
    survey, section = _section(request, pk, section_pk)
    question = get_object_or_404(Question, pk=question_pk, section=section) if question_pk else None
    if request.method == "POST":
        form = QuestionForm(request.POST, survey=survey)
        options = OptionFormSet(request.POST, prefix="options")
        if form.is_valid() and options.is_valid():
            kept = [
                (o.cleaned_data.get("option_id"), o.cleaned_data.get("label", ""))
                for o in options.forms
                if o.cleaned_data and not o.cleaned_data.get("DELETE")
            ]
            try:
                services.question_save(
                    section=section,
                    actor=signed_in_staff(request),
                    question=question,
                    options=kept,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("surveys_staff:detail", pk=pk)
    else:
        initial: dict[str, Any] = {"required": True}
        option_initial: list[dict[str, Any]] = []
        if question is not None:
            condition = question.conditions.first()
            initial = {
                "kind": question.kind,
                "text": question.text,
                "hint": question.hint,
                "required": question.required,
                "show_when": condition.option if condition else None,
            }
            option_initial = [{"option_id": o.pk, "label": o.label} for o in question.options.all()]
        form = QuestionForm(survey=survey, initial=initial)
        options = OptionFormSet(prefix="options", initial=option_initial)
    return render(
        request,
        "surveys/staff/question_form.html",
        {"survey": survey, "section": section, "question": question, "form": form, "options": options},
    )


def qr_code(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if not any(request.user.has_perm(p) for p in _VIEW):
        raise PermissionDenied
    if fmt not in ("png", "svg"):
        raise Http404
    survey = _survey(request, pk)
    url = _public_url(request, survey)
    if fmt == "svg":
        image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
        return HttpResponse(image.to_string(), content_type="image/svg+xml")
    buffer = io.BytesIO()
    qrcode.make(url, box_size=10).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-qr.png"'
    return response


def _results(
    request: HttpRequest, pk: int
) -> tuple[Survey, ResultsFilterForm, selectors.Results, frozenset[int] | None]:
    survey = _survey(request, pk)
    divisions = selectors.results_divisions(request.user, survey)
    if divisions is not None and not divisions:
        raise PermissionDenied("You cannot see this survey's results")
    division_choices = Division.objects.all() if divisions is None else Division.objects.filter(pk__in=divisions)
    form = ResultsFilterForm(request.GET or None, divisions=division_choices)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filters = selectors.Filters(
        neighbourhood=data.get("neighbourhood"),
        division=data["division"].pk if data.get("division") else None,
        channel=data.get("channel") or "",
        since=data.get("since") if isinstance(data.get("since"), date) else None,
        until=data.get("until") if isinstance(data.get("until"), date) else None,
        breakdown=data.get("breakdown") or "",
    )
    return survey, form, selectors.survey_results(survey, filters=filters, divisions=divisions), divisions


@permission_required("surveys.view_survey_results", raise_exception=True)
def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey, form, results, divisions = _results(request, pk)
    tables = [
        {
            "table": table,
            "rows": [
                {"label": label, "cells": table.figures.cells[r], "total": table.figures.row_totals[r]}
                for r, label in enumerate(table.row_labels)
            ],
            # chart_svg draws from numbers and labels only, escaped by matplotlib's SVG writer.
            "chart": mark_safe(
                chart_svg(table.chart(), width=560, height=300, id_prefix=f"survey-{survey.pk}-{table.key}")
            ),
        }
        for table in results.tables
    ]
    texts = (
        [
            {
                "question": question,
                "answers": selectors.text_answers(survey, question["id"], filters=results.filters, divisions=divisions),
            }
            for question in results.text_questions
        ]
        if not results.withheld
        else []
    )
    return render(
        request,
        "surveys/staff/survey_results.html",
        {
            "survey": survey,
            "form": form,
            "results": results,
            "tables": tables,
            "texts": texts,
            "query": request.GET.urlencode(),
            "invitation_rate": selectors.invitation_rate(survey, divisions=divisions),
            "exports": _exports_seen(request, survey)[:10],
        },
    )


@permission_required("surveys.view_survey_results", raise_exception=True)
def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    survey, _, results, divisions = _results(request, pk)
    if (results.responses or 0) > exporting.background_over():
        # Large: built by a task, with its progress on a page (surveys.exporting).
        return _export_in_background(request, survey, results.filters, divisions, SurveyExport.Kind.RESULTS, fmt)
    log_action(
        "surveys.results.export", actor=signed_in_staff(request), target=survey, request=request, data={"format": fmt}
    )
    if fmt == "xlsx":
        response = HttpResponse(
            exports.results_xlsx(results),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.results_csv(results), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-results.{fmt}"'
    return response


@require_POST
@permission_required("surveys.view_survey_results", raise_exception=True)
def answer_moderate(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    divisions = selectors.results_divisions(request.user, survey)
    answers = Answer.objects.filter(survey=survey)
    if divisions is not None:
        answers = answers.filter(division_id__in=divisions)
    answer = get_object_or_404(answers.exclude(text=""), pk=answer_pk)
    try:
        services.answer_moderate(
            answer=answer, actor=signed_in_staff(request), shown=request.POST.get("shown") == "1", request=request
        )
    except services.SurveyPermissionError as error:
        raise PermissionDenied(error.message) from error
    return redirect(reverse("surveys_staff:results", kwargs={"pk": pk}) + f"?{request.GET.urlencode()}")


# --- distribution: conflict review and background exports (helper "distribution") ------------------------------


def _results_survey(request: HttpRequest, pk: int) -> tuple[Survey, frozenset[int] | None]:
    survey = _survey(request, pk)
    divisions = selectors.results_divisions(request.user, survey)
    if divisions is not None and not divisions:
        raise PermissionDenied("You cannot see this survey's results")
    return survey, divisions


@permission_required("surveys.view_survey_results", raise_exception=True)
def conflict_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's conflicting submissions: the stored answers beside the conflicting ones, to keep or replace."""
    survey, divisions = _results_survey(request, pk)
    return render(
        request,
        "surveys/staff/conflicts.html",
        {
            "survey": survey,
            "open": [
                {"conflict": c, "rows": selectors.conflict_rows(c)}
                for c in selectors.conflicts_for_review(survey, divisions, resolved=False)
            ],
            "resolved": selectors.conflicts_for_review(survey, divisions, resolved=True),
        },
    )


@require_POST
@permission_required("surveys.view_survey_results", raise_exception=True)
def conflict_resolve(request: HttpRequest, pk: int, conflict_pk: int) -> HttpResponse:
    survey, divisions = _results_survey(request, pk)
    conflicts = ResponseConflict.objects.filter(response__survey=survey)
    if divisions is not None:
        conflicts = conflicts.filter(response__division_id__in=divisions)
    conflict = get_object_or_404(conflicts, pk=conflict_pk)
    action = request.POST.get("action")
    if action not in ("keep", "replace"):
        messages.error(request, "Choose whether to keep the stored answers or replace them.")
        return redirect("surveys_staff:conflicts", pk=pk)
    try:
        services.conflict_resolve(
            conflict=conflict, actor=signed_in_staff(request), replace=action == "replace", request=request
        )
    except services.SurveyPermissionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "The answers were replaced." if action == "replace" else "The stored answers were kept."
        )
    return redirect("surveys_staff:conflicts", pk=pk)


def _exports_seen(request: HttpRequest, survey: Survey) -> Any:
    return SurveyExport.objects.filter(survey=survey, requested_by_id=request.user.pk).select_related("survey")


def _export_can_see(user: Any, export: SurveyExport) -> bool:
    """The requester, and staff who may see at least what the file holds (all of it, or those divisions)."""
    if export.requested_by_id is not None and export.requested_by_id == user.pk:
        return True
    allowed = selectors.results_divisions(user, export.survey)
    if allowed is None:
        return True
    return bool(allowed) and export.divisions is not None and set(export.divisions) <= allowed


def _export(request: HttpRequest, pk: int, export_pk: int) -> SurveyExport:
    survey, _ = _results_survey(request, pk)
    export = get_object_or_404(SurveyExport.objects.select_related("survey"), pk=export_pk, survey=survey)
    if not _export_can_see(request.user, export):
        raise PermissionDenied("You cannot see this export")
    return export


def _export_in_background(
    request: HttpRequest,
    survey: Survey,
    filters: selectors.Filters,
    divisions: frozenset[int] | None,
    kind: str,
    fmt: str,
) -> HttpResponse:
    export = exporting.export_request(
        survey=survey,
        actor=signed_in_staff(request),
        kind=kind,
        fmt=fmt,
        filters=filters,
        divisions=divisions,
        request=request,
    )
    return redirect("surveys_staff:export_detail", pk=survey.pk, export_pk=export.pk)


@permission_required("surveys.view_survey_results", raise_exception=True)
def responses_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Every response as a row (surveys.exporting's rules), at once when small, else in the background."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    survey, _, results, divisions = _results(request, pk)
    filters = results.filters
    if exporting.responses_count(survey, filters, divisions) > exporting.background_over():
        return _export_in_background(request, survey, filters, divisions, SurveyExport.Kind.RESPONSES, fmt)
    log_action(
        "surveys.responses.export",
        actor=signed_in_staff(request),
        target=survey,
        request=request,
        data={"format": fmt},
    )
    content = exporting.export_content(
        survey, kind=SurveyExport.Kind.RESPONSES, fmt=fmt, filters=filters, divisions=divisions
    )
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.slug}-responses.{fmt}"'
    return response


@permission_required("surveys.view_survey_results", raise_exception=True)
def export_detail(request: HttpRequest, pk: int, export_pk: int) -> HttpResponse:
    export = _export(request, pk, export_pk)
    return render(
        request,
        "surveys/staff/export.html",
        {"survey": export.survey, "export": export, "status": exporting.export_status(export)},
    )


@permission_required("surveys.view_survey_results", raise_exception=True)
def export_status(request: HttpRequest, pk: int, export_pk: int) -> JsonResponse:
    """The JSON the export's page polls (never cached: Wagtail's admin URLs say so)."""
    return JsonResponse(exporting.export_status(_export(request, pk, export_pk)))


@permission_required("surveys.view_survey_results", raise_exception=True)
def export_download(request: HttpRequest, pk: int, export_pk: int) -> FileResponse:
    export = _export(request, pk, export_pk)
    path = exporting.export_file(export)
    if path is None:
        raise Http404("This export is not ready, or its file has been deleted")
    log_action(
        "surveys.export.download",
        actor=signed_in_staff(request),
        target=export.survey,
        request=request,
        data={"export": export.pk},
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=exporting.export_filename(export))
