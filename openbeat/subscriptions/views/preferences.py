"""A subscriber's own pages: ask for a sign-in link, sign in with it, see and manage everything held, stop
messages (also in one click from any message), download or delete their data.

Every page behind the sign-in link needs the resident session (`subscriber_required`); people who have
unsubscribed may still sign in, to download or delete their data or to start messages again. The sign-in
link is short-lived and works once; the link in every message opens only `message_options`, which can
pause or stop messages or email a fresh sign-in link, and never opens a session (see tokens.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openbeat.core.models import Force
from openbeat.core.ratelimit import ratelimit
from openbeat.subscriptions import preferences, privacy
from openbeat.subscriptions.forms_preferences import ManageLinkForm, ResubscribeForm
from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber
from openbeat.subscriptions.services import CONTACT_CONSENT_WORDING
from openbeat.subscriptions.session import (
    SESSION_SECONDS,
    current_subscriber,
    subscriber_sign_in,
    subscriber_sign_out,
)
from openbeat.subscriptions.tokens import (
    TokenError,
    TokenExpired,
    TokenUsed,
    duration_text,
    lifetime_text,
    read_token,
    read_token_any_age,
    sign_in_link_use,
    sign_in_link_used,
)
from openbeat.subscriptions.views.common import link_error

TEMPLATES = "subscriptions/preferences"
SubscriberView = Callable[..., HttpResponse]


def signed_in_subscriber(request: HttpRequest) -> Subscriber | None:
    return current_subscriber(request, include_unsubscribed=True)


def subscriber_required(view: SubscriberView) -> Callable[..., HttpResponse]:
    """Call the view with the signed-in subscriber, or send the person to ask for a new link."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        subscriber = signed_in_subscriber(request)
        if subscriber is None:
            return redirect(reverse("subscriptions:manage") + "?signed-out=1")
        return view(request, subscriber, *args, **kwargs)

    # Personal data: never kept by a browser's or a proxy's cache.
    return never_cache(wrapped)


# Sign-in links


def _lifetimes() -> dict[str, str]:
    """How long a sign-in link and a session last, in words, from the values the code checks."""
    return {
        "link_lifetime": lifetime_text("manage"),
        "session_lifetime": duration_text(timedelta(seconds=SESSION_SECONDS)),
    }


def _typed_email(request: HttpRequest) -> str | None:
    return request.POST.get("email", "").strip() or None


@ratelimit(key="itk-manage-link", limit=5, period=900, by=_typed_email)
def _manage_link_send(request: HttpRequest) -> HttpResponse:
    form = ManageLinkForm(request.POST)
    if not form.is_valid():
        return render(request, f"{TEMPLATES}/manage.html", {"form": form, **_lifetimes()})
    preferences.manage_link_request(email=form.cleaned_data["email"])
    # The same answer whether or not the address is subscribed, so the form tells nobody who is.
    return redirect("subscriptions:manage_sent")


def _send_fresh_link(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    """Email a new sign-in link to the subscriber's own address, within the same limits as the form that
    asks for one by address (per client, and per subscriber's address whatever the client)."""

    def send(request: HttpRequest) -> HttpResponse:
        preferences.sign_in_link_send(subscriber=subscriber)
        return redirect(reverse("subscriptions:manage_sent") + "?own=1")

    limited = ratelimit(key="itk-manage-link", limit=5, period=900, by=lambda _request: subscriber.email)
    return limited(send)(request)


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Only asking for a link counts towards the limit, not reading the page.
        return _manage_link_send(request)
    return render(
        request,
        f"{TEMPLATES}/manage.html",
        {"form": ManageLinkForm(), "signed_out": "signed-out" in request.GET, **_lifetimes()},
    )


@require_GET
def manage_sent(request: HttpRequest) -> HttpResponse:
    # ?own=1: sent from a link that named the subscriber, so to the address they subscribed with.
    return render(request, f"{TEMPLATES}/manage_sent.html", {"own": "own" in request.GET, **_lifetimes()})


def _link_error(request: HttpRequest, error: TokenError, **context: Any) -> HttpResponse:
    return link_error(request, error, template=f"{TEMPLATES}/link_error.html", **context)


def _renewable_error(request: HttpRequest, error: TokenError, token: str) -> HttpResponse:
    """An expired or used link that is genuine: the page offers to email a fresh sign-in link, in one press,
    to the address of the subscriber it was for (never to an address typed here)."""
    renew = reverse("subscriptions:manage_link_renew", kwargs={"token": token})
    return _link_error(request, error, renew_url=renew, **_lifetimes())


def _renewable_subscriber(token: str) -> Subscriber:
    """Whose genuine sign-in or message link this is, however old or used (TokenError otherwise)."""
    try:
        return read_token_any_age("manage", token)
    except TokenError:
        return read_token_any_age("preferences", token)


def _is_message_link(token: str) -> bool:
    try:
        read_token("preferences", token)
    except TokenError:
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed sign-in link. GET only shows a button, so a mail scanner that follows the link neither signs
    anyone in nor uses the link up; POST uses it (once) and opens the session."""
    try:
        read_token("manage", token)
        if sign_in_link_used(token):
            raise TokenUsed()
    except (TokenExpired, TokenUsed) as error:
        return _renewable_error(request, error, token)
    except TokenError as error:
        # Alert emails sent before message links had a page of their own pointed here: such a link still
        # works, but only as a message link, which opens no session.
        if _is_message_link(token):
            return redirect("subscriptions:message_options", token=token)
        return _link_error(request, error)
    if request.method == "POST":
        try:
            subscriber = sign_in_link_use(token)
        except (TokenExpired, TokenUsed) as error:
            return _renewable_error(request, error, token)
        except TokenError as error:
            return _link_error(request, error)
        subscriber_sign_in(request, subscriber)
        # Redirect, so the token leaves the address bar and the browser history.
        return redirect("subscriptions:preferences")
    return render(request, f"{TEMPLATES}/manage_link.html", _lifetimes())


@never_cache
@require_POST
def manage_link_renew(request: HttpRequest, token: str) -> HttpResponse:
    """The "Send me a new link" button of an expired or used link's page."""
    try:
        subscriber = _renewable_subscriber(token)
    except TokenError as error:
        return _link_error(request, error)
    return _send_fresh_link(request, subscriber)


# The page behind the link in every message

MESSAGE_OPTION_DONE = {
    "paused": "Your messages are paused. Resume them here at any time.",
    "resumed": "Your messages have started again.",
    "stopped": "You have unsubscribed. You will not get any more In the Know messages.",
}


@never_cache
@require_http_methods(["GET", "POST"])
def message_options(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind "Change what you get" in every alert email and digest. The link lives long and travels
    with a forwarded message, so it opens no session and shows nothing about the person: it can pause, resume
    or stop messages (which the unsubscribe link in the same message can do anyway) or email a fresh sign-in
    link to the subscriber's own address, for everything else (changes, download, delete)."""
    try:
        subscriber = read_token("preferences", token)
    except TokenExpired as error:
        return _renewable_error(request, error, token)
    except TokenError as error:
        return _link_error(request, error)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "sign-in":
            return _send_fresh_link(request, subscriber)
        done = ""
        if action == "pause" and preferences.subscriber_pause(subscriber=subscriber):
            done = "paused"
        elif action == "resume" and preferences.subscriber_resume(subscriber=subscriber):
            done = "resumed"
        elif action == "stop":
            preferences.subscriber_unsubscribe(subscriber=subscriber)
            done = "stopped"
        here = reverse("subscriptions:message_options", kwargs={"token": token})
        return redirect(f"{here}?done={done}" if done else here)
    context = {
        "status": subscriber.status,
        "has_email": bool(subscriber.email),
        "done": MESSAGE_OPTION_DONE.get(request.GET.get("done", ""), ""),
        **_lifetimes(),
    }
    return render(request, f"{TEMPLATES}/message_options.html", context)


# The preferences page


def _priority_text(minimum: int) -> str:
    wanted = [p.label.lower() for p in Subscriber.Priority if p >= minimum]
    if len(wanted) == len(Subscriber.Priority):
        return "all messages"
    if len(wanted) == 1:
        return f"{wanted[0]} messages only"
    return f"{', '.join(wanted[:-1])} and {wanted[-1]} messages"


def _channel_text(*, day: bool, night: bool, minimum: int) -> str:
    if not (day or night):
        return "Off"
    when = "Day and night" if day and night else ("Daytime only" if day else "Night-time only")
    return f"{when}: {_priority_text(minimum)}"


def _summary(subscriber: Subscriber) -> dict[str, Any]:
    areas = list(subscriber.areas.select_related("neighbourhood").order_by("-is_home", "pk"))
    interests = [i for i in Interest.objects.all() if subscriber.interest_bits & i.mask]
    return {
        "home_area": next((a for a in areas if a.is_home), None),
        "extra_areas": [a for a in areas if not a.is_home],
        "topics": [i.name for i in interests if i.kind == Interest.Kind.TOPIC],
        "groups": [i.name for i in interests if i.kind == Interest.Kind.GROUP],
        "email_channel": _channel_text(
            day=subscriber.email_day, night=subscriber.email_night, minimum=subscriber.email_min_priority
        ),
        "sms_channel": _channel_text(
            day=subscriber.sms_day, night=subscriber.sms_night, minimum=subscriber.sms_min_priority
        ),
        "language": dict(settings.SUBSCRIBER_LANGUAGES).get(subscriber.language, subscriber.language),
        "demographics": Demographics.objects.filter(subscriber=subscriber).first(),
        "contact_consent": Consent.objects.filter(subscriber=subscriber, purpose=Consent.Purpose.CONTACT)
        .order_by("-given_at", "-pk")
        .first(),
    }


@require_GET
@subscriber_required
def preferences_page(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    context = {
        "subscriber": subscriber,
        "unsubscribed": subscriber.status == Subscriber.Status.UNSUBSCRIBED,
        **_summary(subscriber),
    }
    return render(request, f"{TEMPLATES}/preferences.html", context)


@require_POST
@subscriber_required
def pause(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if preferences.subscriber_pause(subscriber=subscriber):
        messages.success(request, "Your messages are paused. Resume them here at any time.")
    return redirect("subscriptions:preferences")


@require_POST
@subscriber_required
def resume(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if preferences.subscriber_resume(subscriber=subscriber):
        messages.success(request, "Your messages have started again.")
    return redirect("subscriptions:preferences")


@require_POST
@subscriber_required
def stop(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    preferences.subscriber_unsubscribe(subscriber=subscriber)
    return redirect("subscriptions:stopped")


@require_GET
@subscriber_required
def stopped(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        return redirect("subscriptions:preferences")
    return render(request, f"{TEMPLATES}/stopped.html", {"subscriber": subscriber})


@require_http_methods(["GET", "POST"])
@subscriber_required
def resubscribe(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        return redirect("subscriptions:preferences")
    wording = CONTACT_CONSENT_WORDING.format(force=Force.current().name)
    form = ResubscribeForm(request.POST if request.method == "POST" else None, wording=wording)
    if form.is_valid():
        preferences.subscriber_resubscribe(subscriber=subscriber, wording=wording, source="preferences")
        messages.success(request, "Your messages have started again.")
        return redirect("subscriptions:preferences")
    return render(request, f"{TEMPLATES}/resubscribe.html", {"form": form})


# Download and delete


def _download(content: str, *, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    filename = f"in-the-know-my-data-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@subscriber_required
def export_json(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    content = privacy.export_json(privacy.subscriber_export(subscriber))
    return _download(content, content_type="application/json; charset=utf-8", extension="json")


@require_GET
@subscriber_required
def export_csv(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
    content = "\ufeff" + privacy.export_csv(privacy.subscriber_export(subscriber))
    return _download(content, content_type="text/csv; charset=utf-8", extension="csv")


@require_http_methods(["GET", "POST"])
@subscriber_required
def delete(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    if request.method == "POST":
        preferences.subscriber_erase(subscriber=subscriber)
        subscriber_sign_out(request)
        return redirect("subscriptions:deleted")
    return render(request, f"{TEMPLATES}/delete.html", {"subscriber": subscriber})


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, f"{TEMPLATES}/deleted.html")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    subscriber_sign_out(request)
    return redirect("subscriptions:signed_out")


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, f"{TEMPLATES}/signed_out.html")


# One-click unsubscribe, from the link (and List-Unsubscribe header) in every message


@csrf_exempt  # RFC 8058: a mail client POSTs "List-Unsubscribe=One-Click" with no session and no CSRF token.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for a click (link scanners must not unsubscribe anyone); POST unsubscribes, answering 200."""
    try:
        subscriber = read_token("unsubscribe", token)
    except TokenError as error:
        return _link_error(request, error)
    if request.method == "POST":
        preferences.subscriber_unsubscribe(subscriber=subscriber)
        return render(request, f"{TEMPLATES}/unsubscribed.html")
    already = subscriber.status == Subscriber.Status.UNSUBSCRIBED
    return render(request, f"{TEMPLATES}/unsubscribe.html", {"already": already})
