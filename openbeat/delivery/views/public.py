"""The links in every alert message: a tracked click, the open pixel, "Was this useful?" and "Reply to the officer".

No sign-in: the signed link is the credential, and it only ever lets someone act on that one delivery. A
link that has been tampered with, or made for another purpose, gets a plain 400 page (never a 500, never
a redirect somewhere unchecked). What is recorded is about the message, not the person: a deleted
subscriber's delivery still counts a click or a rating, with nothing to tie it to anyone.

Only a click and an open are counted by a GET. A rating link opens a page with the score preselected and is
recorded only when the resident presses its button (a POST with a CSRF token), because mail scanners and
link previews fetch every link in a message and would otherwise rate every alert.
"""

from __future__ import annotations

import base64

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.forms import GovukForm
from openbeat.core.ratelimit import ratelimit
from openbeat.delivery import feedback
from openbeat.delivery.links import SCORES, LinkError, read_click, read_link
from openbeat.delivery.messages import RATING_WORDS
from openbeat.delivery.models import Delivery, DeliverySettings

TEMPLATES = "delivery/public"
# The smallest transparent GIF (43 bytes).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class RatingForm(GovukForm):
    """The score chosen in the message, to confirm or change, and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("How useful was this alert?"),
        # "4 - Useful" with an en dash, as the links in the message say it.
        choices=[(n, f"{n} \u2013 {RATING_WORDS[n]}") for n in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how useful the alert was")},
    )
    comment = forms.CharField(
        label=_("Tell us more (optional)"),
        help_text=_("Do not include personal details such as your name, address or phone number."),
        required=False,
        max_length=feedback.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Your comment must be %(limit_value)d characters or fewer")},
    )


class ReplyForm(GovukForm):
    body = forms.CharField(
        label=_("Your message"),
        help_text=_("Do not include bank details or passwords."),
        max_length=feedback.REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Enter your message to the officer"),
            "max_length": _("Your message must be %(limit_value)d characters or fewer"),
        },
    )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Enter your message to the officer"))
        return body


def _link(request: HttpRequest) -> str:
    # Forms are limited per address and per link: many residents can share an address (mobile networks).
    return request.path


def _bad_link(request: HttpRequest) -> HttpResponse:
    return render(request, f"{TEMPLATES}/link_error.html", {"message": LinkError.message}, status=400)


def _now_once(delivery: Delivery, field: str) -> None:
    # A conditional UPDATE: only the first click/open is kept, and two at once cannot race.
    Delivery.objects.filter(pk=delivery.pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})


@require_GET
@never_cache
def click(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        delivery, url = read_click(signed)
    except LinkError:
        return _bad_link(request)
    _now_once(delivery, "clicked_at")
    # The target was signed with the delivery when the message was built, so this is not an open redirect.
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def open_pixel(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        delivery = read_link("open", signed)
    except LinkError:
        return _bad_link(request)
    # Counted only while the force has open tracking on, even for pixels in messages sent before.
    if DeliverySettings.load().track_opens:
        _now_once(delivery, "opened_at")
    return HttpResponse(PIXEL, content_type="image/gif")


@ratelimit(key="delivery-comment", limit=10, period=3600, by=_link)
def _rate(request: HttpRequest, delivery: Delivery) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, f"{TEMPLATES}/rate.html", {"alert": delivery.alert, "form": form})
    score, comment = form.cleaned_data["score"], form.cleaned_data["comment"]
    feedback.rating_record(delivery=delivery, score=score, comment=comment)
    context = {"alert": delivery.alert, "score": score, "words": RATING_WORDS[score], "commented": bool(comment)}
    return render(request, f"{TEMPLATES}/rated.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
def rate(request: HttpRequest, signed: str, score: int) -> HttpResponse:
    """GET shows the score chosen in the message, preselected, with a button to send it (and a comment): link
    scanners and previews follow every link in a message, so a GET records nothing. POST records it."""
    try:
        delivery = read_link("rate", signed)
    except LinkError:
        return _bad_link(request)
    if score not in SCORES:
        return _bad_link(request)
    if request.method == "POST":
        return _rate(request, delivery)
    form = RatingForm(initial={"score": score})
    return render(request, f"{TEMPLATES}/rate.html", {"alert": delivery.alert, "form": form})


@ratelimit(key="delivery-reply", limit=10, period=3600, by=_link)
def _reply_send(request: HttpRequest, signed: str, delivery: Delivery) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render(request, f"{TEMPLATES}/reply.html", {"alert": delivery.alert, "form": form})
    feedback.reply_create(delivery=delivery, body=form.cleaned_data["body"])
    return redirect("delivery:reply_sent", signed=signed)


@require_http_methods(["GET", "POST"])
@never_cache
def reply(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        delivery = read_link("reply", signed)
    except LinkError:
        return _bad_link(request)
    if request.method == "POST":
        return _reply_send(request, signed, delivery)
    return render(request, f"{TEMPLATES}/reply.html", {"alert": delivery.alert, "form": ReplyForm()})


@require_GET
@never_cache
def reply_sent(request: HttpRequest, signed: str) -> HttpResponse:
    try:
        delivery = read_link("reply", signed)
    except LinkError:
        return _bad_link(request)
    return render(request, f"{TEMPLATES}/reply_sent.html", {"alert": delivery.alert, "signed": signed})
