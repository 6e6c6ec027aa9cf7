"""The contact centre's pages: "Find a subscriber", the subscriber's page, and each change made on their behalf.

Force-wide by nature and decided by one permission (`subscriptions.look_up_subscriber`: Contact centre and HQ
Media & Engagement; Administrators have every permission), never by division. The search is a POST (an
address never sits in a URL, a browser's history or an access log) and leads to the subscriber's page by
their public id; there is no list of subscribers to browse. Demographic answers are never shown here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.users import signed_in_staff
from openbeat.subscriptions import assisted
from openbeat.subscriptions.assisted import LOOKUP_PERMISSION, Kind
from openbeat.subscriptions.forms import phone_display
from openbeat.subscriptions.forms_contact_centre import (
    ActionForm,
    AreasForm,
    ChannelsForm,
    ConsentForm,
    InterestsForm,
    LanguageForm,
    LookupForm,
)
from openbeat.subscriptions.models import AssistedChange, Interest, Subscriber

TEMPLATES = "subscriptions/contact_centre"


def lookup_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """403 without the permission, whatever the user's division. (Wagtail turns a raised PermissionDenied into
    a redirect to the dashboard; staff without the permission get a plain answer instead.)"""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(LOOKUP_PERMISSION):
            return TemplateResponse(request, f"{TEMPLATES}/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@lookup_required
@never_cache
@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    staff = signed_in_staff(request)
    form = LookupForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        if not assisted.lookup_allowed(staff):
            form.add_error(None, "You have searched too many times in the last hour. Try again later.")
            return TemplateResponse(request, f"{TEMPLATES}/find.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            subscriber = assisted.subscriber_look_up(by=data["by"], value=data["value"], actor=staff, request=request)
            if subscriber is not None:
                return redirect("subscriber_lookup:detail", public_id=subscriber.public_id)
            context["not_found"] = True
    return TemplateResponse(request, f"{TEMPLATES}/find.html", context, status=400 if form.errors else 200)


def _subscriber(public_id: str) -> Subscriber:
    return get_object_or_404(Subscriber.objects.select_related("home_neighbourhood__division"), public_id=public_id)


def _status(subscriber: Subscriber) -> str:
    status = subscriber.get_status_display()
    if subscriber.email_stopped:
        status += "; email stopped after messages bounced"
    return status


def _channel(*, day: bool, night: bool, minimum: int) -> str:
    if not (day or night):
        return "Off"
    when = "day and night" if day and night else ("daytime only" if day else "night-time only")
    return f"On, {when}: {Subscriber.Priority(minimum).label.lower()} messages and above"


@lookup_required
@never_cache
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    subscriber = _subscriber(public_id)
    assisted.subscriber_view_record(subscriber=subscriber, actor=signed_in_staff(request), request=request)
    interests = [i for i in Interest.objects.all() if subscriber.interest_bits & i.mask]
    context = {
        "subscriber": subscriber,
        "status": _status(subscriber),
        "phone": phone_display(subscriber.phone) if subscriber.phone else "",
        "email_channel": _channel(
            day=subscriber.email_day, night=subscriber.email_night, minimum=subscriber.email_min_priority
        ),
        "sms_channel": _channel(day=subscriber.sms_day, night=subscriber.sms_night, minimum=subscriber.sms_min_priority)
        if subscriber.phone
        else "Off",
        "areas": subscriber.areas.select_related("neighbourhood").order_by("-is_home", "pk"),
        "topics": [i.name for i in interests if i.kind == Interest.Kind.TOPIC],
        "groups": [i.name for i in interests if i.kind == Interest.Kind.GROUP],
        "language": dict(settings.SUBSCRIBER_LANGUAGES).get(subscriber.language, subscriber.language),
        "contact_consent": assisted.contact_consent(subscriber),
        "sent": assisted.recent_messages(subscriber),
        "assisted_changes": subscriber.assisted_changes.all()[:20],
        "history": assisted.subscriber_history(subscriber),
        "changes": [(kind, CHANGES[kind].title) for kind in CHANGES if _offered(kind, subscriber)],
    }
    return TemplateResponse(request, f"{TEMPLATES}/detail.html", context)


class Change:
    def __init__(
        self, title: str, form: type[ConsentForm], service: Callable[..., AssistedChange], button: str, done: str
    ) -> None:
        self.title, self.form, self.service, self.button, self.done = title, form, service, button, done


CHANGES: dict[str, Change] = {
    Kind.INTERESTS: Change(
        "Change interests", InterestsForm, assisted.assisted_set_interests, "Save interests", "Interests changed."
    ),
    Kind.AREAS: Change("Change areas", AreasForm, assisted.assisted_set_areas, "Save areas", "Areas changed."),
    Kind.CHANNELS: Change(
        "Change how they are contacted",
        ChannelsForm,
        assisted.assisted_set_channels,
        "Save how they are contacted",
        "How they are contacted is changed.",
    ),
    Kind.LANGUAGE: Change(
        "Change language", LanguageForm, assisted.assisted_set_language, "Save language", "Language changed."
    ),
    Kind.STOP_SMS: Change(
        "Stop text messages", ActionForm, assisted.assisted_stop_texts, "Stop text messages", "Text messages stopped."
    ),
    Kind.UNSUBSCRIBE: Change(
        "Stop all messages", ActionForm, assisted.assisted_unsubscribe, "Stop all messages", "All messages stopped."
    ),
    Kind.SEND_LINK: Change(
        "Email a confirmation or sign-in link",
        ActionForm,
        assisted.assisted_send_link,
        "Email the link",
        "The link is being emailed to the resident's own address.",
    ),
    Kind.ERASURE_START: Change(
        "Start deleting their account",
        ActionForm,
        assisted.assisted_erasure_start,
        "Email the link to confirm deleting",
        "A link to confirm deleting the account is being emailed to the resident's own address.",
    ),
}


def _offered(kind: str, subscriber: Subscriber) -> bool:
    if kind == Kind.STOP_SMS:
        return bool(subscriber.phone)
    if kind == Kind.UNSUBSCRIBE:
        return subscriber.status != Subscriber.Status.UNSUBSCRIBED
    if kind in (Kind.SEND_LINK, Kind.ERASURE_START):
        return bool(subscriber.email)
    return True


@lookup_required
@never_cache
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    subscriber = _subscriber(public_id)
    if kind not in CHANGES or not _offered(kind, subscriber):
        raise Http404("No such change for this subscriber")
    spec = CHANGES[kind]
    staff = signed_in_staff(request)
    form = spec.form(request.POST if request.method == "POST" else None, subscriber=subscriber)  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        spec.service(subscriber=subscriber, actor=staff, request=request, **form.change(), **form.consent())  # type: ignore[attr-defined]
        messages.success(request, f"{spec.done} The resident's consent and your note are recorded.")
        return redirect("subscriber_lookup:detail", public_id=subscriber.public_id)
    assisted.subscriber_view_record(subscriber=subscriber, actor=staff, request=request, page=kind)
    context = {"subscriber": subscriber, "form": form, "change": spec, "kind": kind}
    return TemplateResponse(request, f"{TEMPLATES}/change.html", context, status=400 if form.errors else 200)
