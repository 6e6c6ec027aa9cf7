"""Staff second factor (TOTP, any authenticator app): set up, verify after sign-in, remove."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from openbeat.audit.services import log_action

DEVICE_NAME = "Authenticator app"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/admin/"
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/admin/"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required(login_url="wagtailadmin_login")
def setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return render(request, "staff/two_factor_enabled.html", {"form": TokenForm(), "next": _next_url(request)})
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": DEVICE_NAME})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            log_action("staff.2fa.enable", actor=user, request=request)
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right. Check the time on your phone and try the newest code.")
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # SVG built here from our own URL
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": _next_url(request),
    }
    return render(request, "staff/two_factor_setup.html", context)


@login_required(login_url="wagtailadmin_login")
def verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            log_action("staff.2fa.verify", actor=request.user, request=request)
            return redirect(_next_url(request))
        log_action("staff.2fa.failure", actor=request.user, request=request)
        form.add_error("token", "That code is not right. Try the newest code from your authenticator app.")
    return render(request, "staff/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required(login_url="wagtailadmin_login")
def remove(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("staff_2fa_setup")
    form = TokenForm(request.POST)
    if form.is_valid() and match_token(request.user, form.cleaned_data["token"]) is not None:
        TOTPDevice.objects.filter(user=request.user).delete()
        log_action("staff.2fa.disable", actor=request.user, request=request)
        return redirect("wagtailadmin_home")
    form.add_error("token", "Enter a current code to remove your second factor.")
    return render(request, "staff/two_factor_enabled.html", {"form": form, "next": "/admin/"})
