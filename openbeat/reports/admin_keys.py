"""Back office: Open311 API keys (administrators only). A new key is shown once, on the page that creates
it, and never again: only its hash is stored. Creating and revoking are audit-logged (in `open311`).

Mounted at /admin/open311-keys/ (namespace `reports_keys`) by the hooks below, which run once
`reports/wagtail_hooks.py` imports this module.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, include, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from openbeat.core.users import signed_in_staff
from openbeat.reports import open311
from openbeat.reports.models import Open311Key


class KeyForm(forms.Form):
    name = forms.CharField(max_length=120, label="Who will use it", help_text="e.g. 'FixMyStreet'.")


@permission_required("reports.view_open311key", raise_exception=True)
@never_cache
def key_list(request: HttpRequest) -> HttpResponse:
    form = KeyForm(request.POST or None)
    new_key = ""
    if request.method == "POST":
        if not request.user.has_perm("reports.add_open311key"):
            return HttpResponse("You may not create API keys.", status=403)
        if form.is_valid():
            _, new_key = open311.key_create(
                name=form.cleaned_data["name"], actor=signed_in_staff(request), request=request
            )
            form = KeyForm()
    context = {"keys": Open311Key.objects.order_by("-active", "-created_at"), "form": form, "new_key": new_key}
    return render(request, "reports/open311/keys.html", context)


@permission_required("reports.change_open311key", raise_exception=True)
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(Open311Key, pk=pk, active=True)
    open311.key_revoke(key=key, actor=signed_in_staff(request), request=request)
    messages.success(request, f"The key {key.prefix}… for {key.name} no longer works.")
    return redirect("reports_keys:list")


urlpatterns: list[URLPattern] = [
    path("", key_list, name="list"),
    path("<int:pk>/revoke/", key_revoke, name="revoke"),
]


@hooks.register("register_admin_urls")
def register_key_urls() -> list:
    return [path("open311-keys/", include((urlpatterns, "reports_keys")))]


class KeysMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("reports.view_open311key")


@hooks.register("register_settings_menu_item")
def register_keys_menu_item() -> MenuItem:
    return KeysMenuItem("Open311 API keys", reverse("reports_keys:list"), icon_name="key", order=900)
