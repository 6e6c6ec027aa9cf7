"""The In the Know sign-up journey, its confirmation link, and the preferences' change pages.

One view, `step`, serves every question page in two modes. Signing up, the draft lives in the session
under SIGNUP_KEY and the pages run in order to "Check your answers". Changing preferences, a section's
pages (say areas: postcode, neighbourhood, other areas) edit a draft made from the subscriber
(CHANGE_KEY), and the section is saved when its last page is done. Which page comes next is worked out
from what the draft holds (`Step.done`), so a change from "Check your answers" comes back there, and a
new postcode or mobile number brings up the pages that depend on it: core.journeys' engine, shared with the
report journeys.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.areas.models import Neighbourhood
from openbeat.core import journeys
from openbeat.core.ratelimit import ratelimit
from openbeat.subscriptions import forms, signup
from openbeat.subscriptions.models import Interest, Subscriber
from openbeat.subscriptions.services import MAX_EXTRA_AREAS
from openbeat.subscriptions.session import current_subscriber, subscriber_sign_in
from openbeat.subscriptions.tokens import MAX_AGE, TokenError, read_token
from openbeat.subscriptions.views.common import link_error

TEMPLATES = "subscriptions/signup"
SIGNUP_KEY = "itk_signup"
CHANGE_KEY = "itk_change"
SENT_KEY = "itk_sent"  # the address the confirmation link went to, for "Check your email"
# Fields of a POST that are not answers.
NOT_TYPED = {"csrfmiddlewaretoken", "action", "remove", "code"}

Draft = dict[str, Any]


def needs_code(draft: Draft) -> bool:
    return bool(draft.get("sms")) and bool(draft.get("phone")) and draft.get("phone_verified") != draft["phone"]


@dataclass(frozen=True)
class Step:
    name: str
    slug: str
    title: str
    form_class: type[forms.StepForm]
    done: Callable[[Draft], bool]
    applies: Callable[[Draft], bool] = lambda draft: True
    looks_up_postcodes: bool = False

    @property
    def template(self) -> str:
        return f"{TEMPLATES}/{self.name}.html"


STEPS = {
    s.name: s
    for s in [
        Step("postcode", "postcode", "What is your postcode?", forms.PostcodeForm,
             done=lambda d: bool(d.get("home")), looks_up_postcodes=True),
        Step("neighbourhood", "your-neighbourhood", "Is this your neighbourhood?", forms.NeighbourhoodForm,
             done=lambda d: bool(d.get("home")) and d.get("home_confirmed") == signup.home_key(d.get("home"))),
        Step("areas", "other-areas", "Other areas to watch", forms.AreasForm,
             done=lambda d: bool(d.get("areas_done")), looks_up_postcodes=True),
        Step("interests", "interests", "What would you like to hear about?", forms.InterestsForm,
             done=lambda d: bool(d.get("topics"))),
        Step("contact", "contact", "How should we contact you?", forms.ContactForm,
             done=lambda d: "sms" in d),
        Step("verify", "check-your-phone", "Enter the code we sent", forms.PhoneCodeForm,
             done=lambda d: not needs_code(d), applies=needs_code),
        Step("language", "language", "Language", forms.LanguageForm,
             done=lambda d: bool(d.get("language"))),
        Step("about_you", "about-you", "Questions about you (optional)", forms.AboutYouForm,
             done=lambda d: bool(d.get("about_you_done"))),
    ]
}  # fmt: skip

# Preferences sections: their steps in order, and the page the section opens on (its "hub").
SECTIONS: dict[str, tuple[list[str], str, str]] = {
    "areas": (["postcode", "neighbourhood", "areas"], "areas", "Your areas have been updated."),
    "interests": (["interests"], "interests", "Your interests have been updated."),
    "channels": (["contact", "verify"], "contact", "How we contact you has been updated."),
    "language": (["language"], "language", "Your language has been updated."),
    "demographics": (["about_you"], "about_you", "Your answers have been updated."),
}


class Journey(journeys.Journey[Step]):
    """The draft and the order of pages for this request: the sign-up, or one preferences section."""

    def __init__(self, request: HttpRequest, subscriber: Subscriber | None = None) -> None:
        self.request = request
        match = request.resolver_match
        self.section: str | None = match.kwargs.get("section") if match else None
        self.subscriber = subscriber
        if self.section is None:
            super().__init__(request.session.get(SIGNUP_KEY) or {})
            self._steps = list(STEPS.values())
        else:
            names, _, _ = SECTIONS[self.section]
            stored = request.session.get(CHANGE_KEY) or {}
            super().__init__(stored.get("draft") or {})
            self._steps = [STEPS[n] for n in names]

    @property
    def draft(self) -> Draft:
        return self.data

    @draft.setter
    def draft(self, value: Draft) -> None:
        self.data = value

    @property
    def steps(self) -> list[Step]:
        return self._steps

    def done(self, step: Step) -> bool:
        return step.done(self.data)

    def applies(self, step: Step) -> bool:
        return step.applies(self.data)

    @property
    def changing(self) -> bool:
        return self.section is not None

    @property
    def hub(self) -> Step:
        return STEPS[SECTIONS[self.section][1]] if self.section else self.steps[0]

    def save(self) -> None:
        if self.section is None:
            self.request.session[SIGNUP_KEY] = self.draft
        else:
            assert self.subscriber is not None
            self.request.session[CHANGE_KEY] = {
                "subscriber": self.subscriber.pk,
                "section": self.section,
                "draft": self.draft,
            }

    def url(self, step: Step) -> str:
        if self.section is None:
            return reverse(f"subscriptions:signup_{step.name}")
        return reverse(f"subscriptions:change_{self.section}_{step.name}")

    def after(self, step: Step) -> str | None:
        """Where to go once `step` is answered; None when a preferences section is ready to save."""
        unfinished = self.first_unfinished()
        if unfinished is not None:
            return self.url(unfinished)
        if self.section is None:
            return reverse("subscriptions:signup_check")
        if self.steps.index(step) < self.steps.index(self.hub):
            return self.url(self.hub)
        return None

    def back(self, step: Step) -> str:
        if self.section is not None and step == self.hub:
            return reverse("subscriptions:preferences")
        previous = self.previous(step)
        if previous is not None:
            return self.url(previous)
        return self.url(self.hub) if self.section else reverse("subscriptions:start")

    def saves_here(self, step: Step) -> bool:
        """Whether the button on `step` saves the preferences section (rather than leading to another page)."""
        return self.section is not None and self.steps.index(step) >= self.steps.index(self.hub)


# Pages before and after the questions


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    # Arriving from a shared alert's public page (?from=alert-<id>): kept as the sign-up's source, so the
    # alert's statistics can count the sign-ups it brought. Only that exact shape is kept.
    came_from = request.GET.get("from", "")
    if ALERT_SOURCE_RE.fullmatch(came_from):
        request.session[SOURCE_KEY] = "alert-" + came_from.removeprefix("alert-").replace("-", "")
    return render(request, f"{TEMPLATES}/start.html", {"next_url": reverse("subscriptions:signup_postcode")})


@never_cache
@require_GET
def check_email(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATES}/check_email.html",
        {"email": journeys.sent_cookie_get(request, name=SENT_KEY).get("email", ""), "days": MAX_AGE["confirm"].days},
    )


# The question pages


def _subscriber_or_manage(request: HttpRequest) -> Subscriber | HttpResponse:
    subscriber = current_subscriber(request)
    if subscriber is None:
        return redirect("subscriptions:manage")
    return subscriber


@never_cache
@require_GET
def change_start(request: HttpRequest, section: str) -> HttpResponse:
    """Open a preferences section on a draft of the subscriber's current choices."""
    subscriber = _subscriber_or_manage(request)
    if isinstance(subscriber, HttpResponse):
        return subscriber
    journey = Journey(request, subscriber)
    journey.draft = signup.draft_from_subscriber(subscriber)
    journey.save()
    # The hub, not the first unanswered page: an unproved number is only texted a code once the person saves.
    return redirect(journey.url(journey.hub))


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, step: str, section: str | None = None) -> HttpResponse:
    subscriber: Subscriber | None = None
    if section is not None:
        found = _subscriber_or_manage(request)
        if isinstance(found, HttpResponse):
            return found
        subscriber = found
        stored = request.session.get(CHANGE_KEY) or {}
        if (stored.get("subscriber"), stored.get("section")) != (subscriber.pk, section):
            return redirect(f"subscriptions:change_{section}")
    journey = Journey(request, subscriber)
    current = STEPS[step]
    if not journey.applies(current):
        return redirect(journey.after(current) or journey.url(journey.hub))
    unfinished = journey.first_unfinished(before=current)
    if unfinished is not None:
        return redirect(journey.url(unfinished))
    handler = _STEP_HANDLERS.get(step, _form_step)
    return handler(request, journey, current)


def _form(journey: Journey, step: Step, data: Any = None) -> forms.StepForm:
    kwargs: dict[str, Any] = {}
    if step.name == "areas":
        kwargs = {"draft": journey.draft}
        if data is not None:
            action = "remove" if data.get("remove") else data.get("action", "continue")
            kwargs |= {"action": action, "remove": data.get("remove", "")}
    elif step.name == "contact":
        kwargs = {"with_email": not journey.changing}
    elif step.name == "verify":
        kwargs = {"store": journey.draft, "phone": journey.draft.get("phone", "")}
    elif step.name == "about_you":
        kwargs = {"changing": journey.changing}
    if data is not None:
        return step.form_class(data, **kwargs)
    typed = journey.typed(step)
    initial = (
        journeys.initial_from_typed(step.form_class, typed) if typed else step.form_class.initial_from(journey.draft)
    )
    return step.form_class(initial=initial, **kwargs)


def _render(
    request: HttpRequest, journey: Journey, step: Step, form: forms.StepForm, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "form": form,
        "step": step,
        "journey": journey,
        "draft": journey.draft,
        "back_url": journey.back(step),
        "submit_label": "Save changes" if journey.saves_here(step) else "Continue",
        **_step_context(journey, step),
        **extra,
    }
    return render(request, step.template, context, status=status)


def _step_context(journey: Journey, step: Step) -> dict[str, Any]:
    draft = journey.draft
    if step.name in ("neighbourhood", "areas") and draft.get("home"):
        home = Neighbourhood.objects.select_related("division").filter(pk=draft["home"]["neighbourhood_id"]).first()
        return {
            "home": home,
            "home_postcode": draft["home"].get("postcode", ""),
            "extra": _areas_described(draft.get("extra", [])),
            "max_areas": MAX_EXTRA_AREAS,
            "change_home_url": journey.url(STEPS["postcode"]),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        }
    if step.name == "contact" and journey.subscriber is not None:
        return {"email": journey.subscriber.email}
    if step.name == "verify":
        return {"phone": forms.phone_display(draft.get("phone", ""))}
    return {}


def _areas_described(areas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = dict(Neighbourhood.objects.filter(pk__in=[a["neighbourhood_id"] for a in areas]).values_list("pk", "name"))
    return [{**a, "key": forms.area_key(a), "neighbourhood": names.get(a["neighbourhood_id"], "")} for a in areas]


def _form_step(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    if request.method != "POST":
        return _render(request, journey, step, _form(journey, step))
    if step.looks_up_postcodes and _looks_up_postcode(request):
        return _post_with_lookup(request, journey, step)
    return _post(request, journey, step)


def _looks_up_postcode(request: HttpRequest) -> bool:
    return bool(request.POST.get("postcode", "").strip()) and not request.POST.get("remove")


def _post(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    form = _form(journey, step, request.POST)
    journey.keep_typed(step, journeys.typed_values(request.POST, form.fields, not_typed=NOT_TYPED))
    if not form.is_valid():
        journey.save()
        return _render(request, journey, step, form)
    form.save_to(journey.draft)
    journey.clear_typed(step)
    if isinstance(form, forms.AreasForm) and form.action != "continue":
        # Adding or removing stays on the page; a postcode typed but not yet added is kept.
        if form.action == "remove":
            journey.keep_typed(step, {k: request.POST.getlist(k) for k in ("postcode", "label")})
        journey.save()
        return redirect(journey.url(step))
    journey.save()
    return _next(request, journey, step)


# Every postcode typed is a database look-up a script could repeat: limited per client address.
_post_with_lookup = ratelimit(key="itk-postcode", limit=30, period=600)(_post)


def _next(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    target = journey.after(step)
    if target is not None:
        return redirect(target)
    assert journey.section is not None
    assert journey.subscriber is not None
    signup.subscriber_apply_section(subscriber=journey.subscriber, section=journey.section, draft=journey.draft)
    del request.session[CHANGE_KEY]
    cleared = journey.section == "demographics" and not journey.draft.get("demographics")
    messages.success(request, "Your answers have been deleted." if cleared else SECTIONS[journey.section][2])
    return redirect("subscriptions:preferences")


# The text-message code


def _phone_being_checked(request: HttpRequest) -> str | None:
    return Journey(request).draft.get("phone") or None


@ratelimit(key="itk-phone-code", limit=5, period=3600, by=_phone_being_checked)
def _send_code(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    signup.phone_code_send(store=journey.draft, phone=journey.draft["phone"])
    journey.save()
    return redirect(journey.url(step) + ("?sent=again" if request.method == "POST" else ""))


def _verify_step(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    phone = journey.draft["phone"]
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "resend" or (request.method == "GET" and not signup.phone_code_pending(journey.draft, phone)):
        return _send_code(request, journey, step)
    if action == "skip" and not journey.changing:
        journey.draft.update(sms=False, phone="")
        journey.save()
        return _next(request, journey, step)
    if request.method == "POST":
        return _post(request, journey, step)
    return _render(request, journey, step, _form(journey, step), sent_again="sent" in request.GET)


# Optional questions


def _about_you_step(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    if action == "skip" and not journey.changing:
        journey.draft.update(demographics=None, about_you_done=True)
        journey.clear_typed(step)
        journey.save()
        return _next(request, journey, step)
    if action == "clear" and request.method == "POST" and journey.changing:
        journey.draft.update(demographics=None)
        journey.save()
        return _next(request, journey, step)
    return _form_step(request, journey, step)


_STEP_HANDLERS = {"verify": _verify_step, "about_you": _about_you_step}


# Check your answers, and sending the sign-up


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    journey = Journey(request)
    unfinished = journey.first_unfinished()
    if unfinished is not None:
        return redirect(journey.url(unfinished))
    if request.method == "POST":
        return _submit(request, journey)
    return render(
        request,
        f"{TEMPLATES}/check.html",
        {
            "rows": _summary_rows(journey),
            "wording": signup.contact_consent_wording(),
            "back_url": journey.url(STEPS["about_you"]),
        },
    )


SOURCE_KEY = "itk_source"
# alert-<uuid>, with or without hyphens; stored as alert-<32 hex> (Subscriber.source holds 40 characters).
ALERT_SOURCE_RE = re.compile(r"alert-[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def _draft_email(request: HttpRequest) -> str | None:
    return Journey(request).draft.get("email") or None


@ratelimit(key="itk-signup", limit=5, period=3600, by=_draft_email)
def _submit(request: HttpRequest, journey: Journey) -> HttpResponse:
    answers = signup.answers_from_draft(journey.draft)
    signup.subscriber_signup(answers=answers, source=request.session.pop(SOURCE_KEY, "web"))
    del request.session[SIGNUP_KEY]
    if not request.session.keys():
        # Nothing else kept: the session row (which held the draft, address and all) is deleted and its cookie
        # with it, so the pages the resident reads next come from the page cache (core.journeys says more).
        request.session.flush()
    # The same page whether or not the address was already subscribed: it tells nobody who is.
    check_email_url = reverse("subscriptions:check_email")
    response = redirect(check_email_url)
    journeys.sent_cookie_set(response, name=SENT_KEY, value={"email": answers.email}, path=check_email_url)
    return response


def _summary_rows(journey: Journey) -> list[dict[str, Any]]:
    draft = journey.draft
    ids = [draft["home"]["neighbourhood_id"]]
    home = Neighbourhood.objects.select_related("division").get(pk=ids[0])
    interests = dict(Interest.objects.values_list("slug", "name"))
    extra = [
        f"{a['label']} ({a['postcode']})" if a.get("label") else a.get("postcode") or a["neighbourhood"]
        for a in _areas_described(draft.get("extra", []))
    ]
    url = {name: journey.url(s) for name, s in STEPS.items()}
    channels = signup.channels_from_draft(draft)
    when = dict(signup.WHEN_CHOICES)
    priority = dict(forms.PRIORITY_CHOICES)
    demographics = draft.get("demographics")
    about = (
        [
            forms.choice_label(choices, demographics[name])
            for name, choices in zip(
                forms.DEMOGRAPHIC_FIELDS, (forms.AGE_BANDS, forms.ETHNICITIES, forms.DISABILITY), strict=True
            )
            if demographics.get(name)
        ]
        if demographics
        else ["Not answered"]
    )
    sms = (
        [forms.phone_display(channels.phone), when[channels.sms_when], priority[channels.sms_min_priority]]
        if channels.phone
        else ["No text messages"]
    )
    return [
        {"key": "Postcode", "values": [draft["home"]["postcode"]], "url": url["postcode"], "hidden": "postcode"},
        {
            "key": "Neighbourhood",
            "values": [f"{home.name}, {home.division.name}"],
            "url": url["postcode"],
            "hidden": "neighbourhood",
        },
        {"key": "Other areas", "values": extra or ["None"], "url": url["areas"], "hidden": "other areas"},
        {
            "key": "Topics",
            "values": [interests.get(s, s) for s in draft.get("topics", [])],
            "url": url["interests"],
            "hidden": "topics",
        },
        {
            "key": "You are",
            "values": [interests.get(s, s) for s in draft.get("groups", [])] or ["None of the groups listed"],
            "url": url["interests"],
            "hidden": "groups",
        },
        {"key": "Email address", "values": [draft["email"]], "url": url["contact"], "hidden": "email address"},
        {
            "key": "Emails",
            "values": [when[channels.email_when], priority[channels.email_min_priority]],
            "url": url["contact"],
            "hidden": "when we email you",
        },
        {"key": "Text messages", "values": sms, "url": url["contact"], "hidden": "text messages"},
        {
            "key": "Language",
            "values": [dict(settings.SUBSCRIBER_LANGUAGES).get(draft["language"], draft["language"])],
            "url": url["language"],
            "hidden": "language",
        },
        {"key": "About you", "values": about, "url": url["about_you"], "hidden": "answers about you"},
    ]


# The confirmation link


def _link_error(request: HttpRequest, error: TokenError) -> HttpResponse:
    return link_error(request, error, template=f"{TEMPLATES}/link_error.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button, so a mail scanner that follows the link confirms nothing."""
    try:
        subscriber = read_token("confirm", token)
    except TokenError as error:
        return _link_error(request, error)
    if request.method == "POST":
        if not signup.subscriber_confirm(subscriber=subscriber):
            return _link_error(request, TokenError())
        subscriber_sign_in(request, subscriber)
        # Redirect, so the token leaves the address bar and a refresh does not post it again.
        return redirect("subscriptions:confirmed")
    return render(request, f"{TEMPLATES}/confirm.html")


@never_cache
@require_GET
def confirmed(request: HttpRequest) -> HttpResponse:
    subscriber = current_subscriber(request)
    if subscriber is None:
        return redirect("subscriptions:start")
    return render(request, f"{TEMPLATES}/confirmed.html", {"subscriber": subscriber})
