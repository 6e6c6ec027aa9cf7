"""Public watch scheme pages: the finder, a scheme's page with its map, registering, the emailed link, and the
coordinator's manage page.

A coordinator is known only through their session, after opening an emailed link (no password). Pages with no
session carry no forms with personal data, so the public page cache may keep them.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.ratelimit import ratelimit
from openbeat.core.tokens import LinkExpired, LinkInvalid, LinkUsed
from openbeat.schemes import selectors, services
from openbeat.schemes.forms import CoordinatorForm, FinderForm, ManageForm, RegisterForm, SignInForm
from openbeat.schemes.models import Coordinator, Scheme

SESSION_KEY = "schemes_coordinator"
SESSION_SECONDS = 2 * 60 * 60
T = "schemes"


def _put_errors(form: Any, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)


def _saved(form: Any, save: Callable[[dict[str, Any]], object], *, prefix: str = "") -> bool:
    """Run `save` (a service call) on a valid form's data; put what the service refused back on the form (its
    field errors, with `prefix` when the form's fields are named apart, and state errors above the form). True
    when it saved."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except services.SchemeInvalid as error:
        _put_errors(form, {f"{prefix}{name}": message for name, message in error.errors.items()})
    except services.SchemeStateError as error:
        form.add_error(None, error.message)
    else:
        return True
    return False


def _limited_when(
    applies: Callable[[HttpRequest], bool], **limits: Any
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """`core.ratelimit` for the requests `applies` picks (a form sent, a search made) only: showing the empty form
    is neither counted nor refused."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        limited = ratelimit(**limits)(view)

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return (limited if applies(request) else view)(request, *args, **kwargs)

        return wrapped

    return decorator


def _posted(request: HttpRequest) -> bool:
    return request.method == "POST"


def _searched(request: HttpRequest) -> bool:
    return "postcode" in request.GET


def _coordinator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The signed-in coordinator as the view's second argument; no session sends the visitor to sign in."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        coordinator = _coordinator(request)
        if coordinator is None:
            return redirect("schemes:sign_in")
        return view(request, coordinator, *args, **kwargs)

    return wrapped


def _map_context() -> dict[str, str]:
    return {"map_tile_url": settings.MAP_TILE_URL, "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _typed_email(request: HttpRequest) -> str | None:
    return request.POST.get("email", "").strip()[:254] or None


# ------------------------------------------------------------------------------------------------ the finder


@require_GET
@_limited_when(_searched, key="schemes-find", limit=60, period=60)
def finder(request: HttpRequest) -> HttpResponse:
    if not _searched(request):
        return render(request, f"{T}/finder.html", {"form": FinderForm(None)})
    form = FinderForm(request.GET)
    finding = None
    if form.is_valid():
        assert form.location is not None
        finding = selectors.find(form.location)
    return render(request, f"{T}/finder.html", {"form": form, "finding": finding})


def _public_or_404(slug: str) -> Scheme:
    scheme = selectors.public_scheme(slug[:200]) if "\x00" not in slug else None
    if scheme is None:
        raise Http404("No such scheme")
    return scheme


@require_GET
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    scheme = _public_or_404(slug)
    return render(
        request,
        f"{T}/detail.html",
        {"scheme": scheme, "coordinators": scheme.shown_coordinators, **_map_context()},  # type: ignore[attr-defined]
    )


@require_GET
def area_geojson(request: HttpRequest, slug: str) -> JsonResponse:
    scheme = _public_or_404(slug)
    feature = {
        "type": "Feature",
        "id": scheme.slug,
        "geometry": scheme.area,
        "properties": {"name": scheme.name, "kind": scheme.get_kind_display()},
    }
    response = JsonResponse(feature, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=600"
    return response


# ------------------------------------------------------------------------------------------------ registering


def _register_form(data: Any = None) -> RegisterForm:
    return RegisterForm(data, itk_wording=services.itk_wording())


@never_cache
@require_http_methods(["GET", "POST"])
@_limited_when(_posted, key="schemes-register", limit=10, period=3600, by=_typed_email)
def register(request: HttpRequest) -> HttpResponse:
    if not _posted(request):
        return render(request, f"{T}/register.html", {"form": _register_form()})
    form = _register_form(request.POST)
    if _saved(
        form,
        lambda data: services.scheme_register(
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            postcode=data["postcode"],
            radius_m=data["radius"],
            households=data["households"],
            coordinator_name=data["coordinator_name"],
            email=data["email"],
            phone=data["phone"],
            show_contact=data["show_contact"],
            itk_opt_in=data["itk_opt_in"],
            area_geojson=data["area_geojson"],
            request=request,
        ),
    ):
        return redirect("schemes:sent")
    return render(request, f"{T}/register.html", {"form": form})


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, f"{T}/sent.html", {"lifetime": services.LIFETIME_TEXT})


@never_cache
@require_http_methods(["GET", "POST"])
@_limited_when(_posted, key="schemes-sign-in", limit=10, period=3600, by=_typed_email)
def sign_in(request: HttpRequest) -> HttpResponse:
    if not _posted(request):
        return render(request, f"{T}/sign_in.html", {"form": SignInForm()})
    form = SignInForm(request.POST)
    if _saved(form, lambda data: services.sign_in_request(email=data["email"], request=request)):
        return redirect("schemes:sent")
    return render(request, f"{T}/sign_in.html", {"form": form})


# ------------------------------------------------------------------------------------------------ the link


def _sign_in(request: HttpRequest, coordinator: Coordinator) -> None:
    # A fresh session key, so a link opened on a shared machine cannot ride an earlier session.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"id": str(coordinator.public_id), "until": time.time() + SESSION_SECONDS}


def _coordinator(request: HttpRequest) -> Coordinator | None:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("until", 0) < time.time():
        return None
    return selectors.coordinator_for_session(data.get("id"))


def _link_error(request: HttpRequest, error: LinkInvalid) -> HttpResponse:
    gone = isinstance(error, (LinkExpired, LinkUsed))
    return render(request, f"{T}/link_error.html", {"message": error.message}, status=410 if gone else 400)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="schemes-confirm", limit=30, period=3600)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (a mail scanner opening the link uses nothing up); POST signs the coordinator in."""
    try:
        if request.method == "POST":
            coordinator = services.link_confirm(token=token[:500], request=request)
        else:
            coordinator = services.link_read(token[:500])
    except LinkInvalid as error:
        return _link_error(request, error)
    if request.method == "POST":
        _sign_in(request, coordinator)
        return redirect("schemes:manage")
    return render(request, f"{T}/confirm.html", {"scheme": coordinator.scheme})


# ------------------------------------------------------------------------------------------------ managing


def _manage_page(
    request: HttpRequest, coordinator: Coordinator, form: ManageForm, add_form: CoordinatorForm
) -> HttpResponse:
    scheme = coordinator.scheme
    return render(
        request,
        f"{T}/manage.html",
        {
            "coordinator": coordinator,
            "scheme": scheme,
            "form": form,
            "add_form": add_form,
            "coordinators": list(scheme.coordinators.all()),
        },
    )


def _manage_form(coordinator: Coordinator, data: Any = None) -> ManageForm:
    return ManageForm(
        data,
        initial=_manage_initial(coordinator),
        itk_wording=services.itk_wording(),
        current_area=coordinator.scheme.area,
    )


def _manage_initial(coordinator: Coordinator) -> dict[str, Any]:
    scheme = coordinator.scheme
    return {
        "name": scheme.name,
        "kind": scheme.kind,
        "households": scheme.households,
        "description": scheme.description,
        "show_contact": coordinator.show_contact,
        "itk_opt_in": coordinator.itk_opt_in,
    }


def _manage_save(request: HttpRequest, coordinator: Coordinator, data: dict[str, Any]) -> None:
    services.scheme_update_by_coordinator(
        scheme=coordinator.scheme,
        coordinator=coordinator,
        name=data["name"],
        kind=data["kind"],
        description=data["description"],
        households=data["households"],
        show_contact=data["show_contact"],
        area_geojson=data["area_geojson"],
        request=request,
    )
    if data["itk_opt_in"] != coordinator.itk_opt_in:
        services.coordinator_set_preferences(
            coordinator=coordinator,
            show_contact=data["show_contact"],
            itk_opt_in=data["itk_opt_in"],
            request=request,
        )


@never_cache
@require_http_methods(["GET", "POST"])
@_coordinator_required
def manage(request: HttpRequest, coordinator: Coordinator) -> HttpResponse:
    form = _manage_form(coordinator, request.POST if _posted(request) else None)
    if _posted(request) and _saved(form, lambda data: _manage_save(request, coordinator, data)):
        return redirect(request.path + "?saved=1")
    return _manage_page(request, coordinator, form, CoordinatorForm())


@never_cache
@require_http_methods(["POST"])
@ratelimit(key="schemes-add-coordinator", limit=20, period=3600)
@_coordinator_required
def add_coordinator(request: HttpRequest, coordinator: Coordinator) -> HttpResponse:
    add_form = CoordinatorForm(request.POST)
    if _saved(
        add_form,
        lambda data: services.coordinator_add(
            scheme=coordinator.scheme,
            by=coordinator,
            name=data["co_name"],
            email=data["co_email"],
            phone=data["co_phone"],
            request=request,
        ),
        prefix="co_",
    ):
        return redirect(reverse("schemes:manage") + "?added=1")
    return _manage_page(request, coordinator, _manage_form(coordinator), add_form)


@require_http_methods(["POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("schemes:finder")
