"""The back office's watch schemes: the list (the user's divisions, or all for force-wide roles), a scheme's page
with verify and suspend, and its edit form. Out-of-scope schemes are refused (403); every write goes through
`schemes.services`, which checks again and writes the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from openbeat.core.users import signed_in_staff
from openbeat.schemes import selectors, services
from openbeat.schemes.forms import StaffSchemeForm, SuspendForm
from openbeat.schemes.models import Scheme
from openbeat.staff.scope import scope_for

PERMISSION = services.PERMISSION


def _scheme(request: HttpRequest, pk: int) -> Scheme:
    scheme = Scheme.objects.select_related("division", "verified_by").filter(pk=pk).first()
    if scheme is None:
        raise Http404
    if not scope_for(request.user).allows(scheme):
        raise PermissionDenied
    return scheme


@permission_required(PERMISSION, raise_exception=True)
def scheme_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    schemes = selectors.schemes_for_staff(request.user, status=status).order_by("status", "name")
    return render(
        request,
        "schemes/staff/list.html",
        {"schemes": schemes[:500], "status": status, "statuses": Scheme.Status.choices},
    )


@permission_required(PERMISSION, raise_exception=True)
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    return render(
        request,
        "schemes/staff/detail.html",
        {"scheme": scheme, "coordinators": list(scheme.coordinators.all()), "suspend_form": SuspendForm()},
    )


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def scheme_verify(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    try:
        services.scheme_verify(scheme=scheme, actor=signed_in_staff(request), request=request)
    except services.SchemeStateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Scheme verified: it now appears in the finder.")
    return redirect("schemes_staff:detail", pk=scheme.pk)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def scheme_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    form = SuspendForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.scheme_suspend(scheme=scheme, actor=signed_in_staff(request), reason=reason, request=request)
    except services.SchemeStateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Scheme suspended: it no longer appears in the finder.")
    return redirect("schemes_staff:detail", pk=scheme.pk)


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _scheme(request, pk)
    initial = {
        "name": scheme.name,
        "kind": scheme.kind,
        "households": scheme.households,
        "description": scheme.description,
        "area_source": scheme.area_source,
        "neighbourhoods": list(scheme.neighbourhoods.all()),
    }
    form = StaffSchemeForm(request.POST or None, user=request.user, initial=initial, current_area=scheme.area)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.scheme_edit(
                scheme=scheme,
                actor=signed_in_staff(request),
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                households=data["households"],
                area_source=data["area_source"],
                area_geojson=data["area_geojson"],
                neighbourhoods=list(data["neighbourhoods"]),
                request=request,
            )
        except services.SchemeInvalid as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, "Scheme saved.")
            return redirect("schemes_staff:detail", pk=scheme.pk)
    return render(request, "schemes/staff/form.html", {"form": form, "scheme": scheme})
