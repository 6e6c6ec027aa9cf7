"""The back office's Citizens in Policing: growth per division, a division's month grid and a month's form,
file imports with their bad lines, and volunteering opportunities.

Counts are read only through `divisions_for(user)` / `counts_for(user)` (another division: 404); writes go
through the services, which check the division scope again and write the audit log.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from wagtail.admin import messages

from openbeat.areas.models import Division
from openbeat.core.months import is_month, month_of, month_shift, month_start, months_between
from openbeat.core.users import signed_in_staff
from openbeat.insights.render.charts import cached_chart_svg
from openbeat.insights.structure import Chart
from openbeat.staff.scope import scope_for
from openbeat.volunteers import importers, selectors, services
from openbeat.volunteers.forms import CountsUploadForm, MonthCountsForm, OpportunityForm
from openbeat.volunteers.models import ImportBatch, Opportunity, Role

VIEW = "volunteers.view_counts"
MANAGE = "volunteers.manage_counts"
MANAGE_OPPORTUNITY = "volunteers.manage_opportunity"


def _division(request: HttpRequest, code: str) -> Division:
    return get_object_or_404(selectors.divisions_for(request.user), code=code)


def _period(request: HttpRequest) -> tuple[str, str]:
    """The months shown: ?from=&to= when both are months in order, else the twelve to the newest count."""
    first, last = request.GET.get("from", ""), request.GET.get("to", "")
    if is_month(first) and is_month(last) and first <= last:
        return first, last
    last = selectors.latest_month() or month_of(timezone.localdate())
    return month_shift(last, -11), last


@permission_required(VIEW, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    divisions = list(selectors.divisions_for(request.user).order_by("name"))
    scope = scope_for(request.user)
    code = request.GET.get("division") or (None if scope.force_wide else (divisions[0].code if divisions else None))
    if code is not None and code not in {d.code for d in divisions}:
        raise Http404("No such division")
    if not divisions:
        raise PermissionDenied("Your login has no division")
    first, last = _period(request)
    months = months_between(first, last)
    totals = selectors.monthly_totals(first_month=first, last_month=last, division_code=code)
    chart = Chart(
        kind="line",
        title="Headcount at the end of each month, by role",
        x=months,
        series=[
            (str(label), [float(totals[role][m].headcount) if m in totals.get(role, {}) else None for m in months])
            for role, label in Role.choices
            if role in totals
        ],
        y_label="People",
    )
    return render(
        request,
        "volunteers/staff/overview.html",
        {
            "divisions": divisions,
            "division": next((d for d in divisions if d.code == code), None),
            "force_wide": scope.force_wide,
            "first": first,
            "last": last,
            "before": month_shift(first, -1),
            "growth": selectors.growth(first_month=first, last_month=last, division_code=code),
            "monthly": [(m, [totals.get(role, {}).get(m) for role in Role.values]) for m in months],
            "roles": [str(label) for _, label in Role.choices],
            # cached_chart_svg draws from numbers and labels only, escaped by matplotlib's SVG writer.
            "chart": mark_safe(cached_chart_svg(chart, id_prefix="cip")) if chart.series else "",
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


@permission_required(VIEW, raise_exception=True)
def division_grid(request: HttpRequest, code: str) -> HttpResponse:
    division = _division(request, code)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), timezone.localdate().year)
    return render(
        request,
        "volunteers/staff/division_grid.html",
        {
            "division": division,
            "year": year,
            "grid": selectors.month_grid(division, year),
            "roles": [str(label) for _, label in Role.choices],
            "previous_year": year - 1,
            "next_year": year + 1 if year < timezone.localdate().year else None,
            "can_manage": services.counts_can_manage(request.user, division),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def month_edit(request: HttpRequest, code: str, month: str) -> HttpResponse:
    division = _division(request, code)
    if not is_month(month) or month_start(month) > timezone.localdate():
        raise Http404("Not a month that has begun")
    if not services.counts_can_manage(request.user, division):
        raise PermissionDenied("You cannot enter counts for this division")
    first_day = month_start(month)
    counts = dict(selectors.month_grid(division, first_day.year))[first_day]
    form = MonthCountsForm(request.POST or None, initial=MonthCountsForm.initial_for(counts))
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if values:
            services.month_counts_save(division=division, month=first_day, values=values, user=request.user,
                                       request=request)  # fmt: skip
            messages.success(request, f"Counts for {division.name}, {first_day:%B %Y}, saved.")
        return redirect(f"{_grid_url(division)}?year={first_day.year}")
    return render(
        request,
        "volunteers/staff/month_form.html",
        {"division": division, "month": first_day, "form": form, "rows": form.rows()},
    )


def _grid_url(division: Division) -> str:
    from django.urls import reverse

    return reverse("volunteers_staff:grid", kwargs={"code": division.code})


@permission_required(MANAGE, raise_exception=True)
def upload(request: HttpRequest) -> HttpResponse:
    form = CountsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if file.size > importers.MAX_FILE_BYTES:
            form.add_error("file", "The file is larger than 5 MB")
        else:
            try:
                batch = services.counts_import(data=file.read(), file_name=file.name, user=request.user,
                                               request=request)  # fmt: skip
            except importers.CountsFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("volunteers_staff:batch", pk=batch.pk)
    batches = ImportBatch.objects.all()
    if not scope_for(request.user).force_wide:
        batches = batches.filter(uploaded_by=signed_in_staff(request))
    return render(request, "volunteers/staff/upload.html", {"form": form, "batches": batches[:10]})


@permission_required(MANAGE, raise_exception=True)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batches = ImportBatch.objects.all()
    if not scope_for(request.user).force_wide:
        batches = batches.filter(uploaded_by=signed_in_staff(request))  # a division's staff see the files they sent
    batch = get_object_or_404(batches, pk=pk)
    return render(request, "volunteers/staff/batch.html", {"batch": batch})


@permission_required(MANAGE, raise_exception=True)
def template_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importers.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="volunteer-counts-template.csv"'
    return response


# --- opportunities -----------------------------------------------------------------------------------------


def _opportunity(request: HttpRequest, pk: int) -> Opportunity:
    return get_object_or_404(selectors.opportunities_for(request.user), pk=pk)


@permission_required(MANAGE_OPPORTUNITY, raise_exception=True)
def opportunity_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "volunteers/staff/opportunity_list.html",
        {"opportunities": selectors.opportunities_for(request.user)[:200], "today": today},
    )


def _opportunity_form(request: HttpRequest, form: OpportunityForm, opportunity: Opportunity | None) -> HttpResponse:
    return render(request, "volunteers/staff/opportunity_form.html", {"form": form, "opportunity": opportunity})


@permission_required(MANAGE_OPPORTUNITY, raise_exception=True)
def opportunity_new(request: HttpRequest) -> HttpResponse:
    form = OpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(user=request.user, request=request, **form.service_values())
        except PermissionDenied:
            form.add_error("owner", "You cannot add an opportunity there")
        else:
            messages.success(request, f"Opportunity '{opportunity.title}' saved.")
            return redirect("volunteers_staff:opportunities")
    return _opportunity_form(request, form, None)


@permission_required(MANAGE_OPPORTUNITY, raise_exception=True)
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _opportunity(request, pk)
    if not services.opportunity_can_manage(request.user, opportunity, opportunity.division):
        raise PermissionDenied("You cannot change this opportunity")
    form = OpportunityForm(request.POST or None, user=request.user, initial=OpportunityForm.initial_for(opportunity))
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(opportunity=opportunity, user=request.user, request=request,
                                        **form.service_values())  # fmt: skip
        except PermissionDenied:
            form.add_error("owner", "You cannot move this opportunity there")
        else:
            messages.success(request, f"Opportunity '{opportunity.title}' saved.")
            return redirect("volunteers_staff:opportunities")
    return _opportunity_form(request, form, opportunity)
