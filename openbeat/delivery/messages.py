"""Alert messages for each delivery: an email (accessible HTML, and plain text generated from it, by the same
renderer as the composer's preview: alerts.emails) or an SMS. Each is rendered in the subscriber's language.

A batch can be tens of thousands of messages, so the templates are rendered ONCE per (alert, language) with
unguessable markers where each recipient's own links go (tracking, rating, reply, preferences, unsubscribe,
the optional open pixel); each message is then the pre-split template joined with that recipient's links.
The markers carry a random per-process nonce, so nothing an officer types can be mistaken for one.

An alert that carries a survey invitation (surveys.invitations) gets each recipient's own survey link too, in the
email (the "survey" marker) and at the end of the SMS.

Links in the Markdown body are tracked as well: http(s) hrefs in the rendered HTML are swapped for click
links (mailto: and tel: are left as they are), and the same URLs where the plain-text part shows them.

A delivery whose subscriber has been erased, or who has no address/number for its channel, is left out of
the result: the caller marks it skipped (it has nothing to send to).
"""

from __future__ import annotations

import html
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.utils import translation

from openbeat.alerts.emails import RATING_WORDS as RATING_WORDS  # the rating page's words
from openbeat.alerts.emails import RATINGS, alert_email, frame_language
from openbeat.alerts.markdown import render_html, render_text
from openbeat.alerts.media import email_media_for
from openbeat.alerts.models import Alert, AlertTranslation
from openbeat.alerts.sms import sms_text
from openbeat.core.messaging import from_header
from openbeat.core.models import Force
from openbeat.core.paths import absolute_url
from openbeat.delivery import links
from openbeat.delivery.models import Delivery, DeliverySettings
from openbeat.delivery.transports.base import OutgoingEmail, OutgoingSms
from openbeat.subscriptions.links import preferences_link, unsubscribe_link
from openbeat.surveys.invitations import invitation_url, invitations_for

logger = logging.getLogger(__name__)
_NONCE = secrets.token_hex(8)
_MARKER = re.compile(f"{_NONCE}([a-z0-9_]+){_NONCE}")
_HREF = re.compile(r'<a href="([^"]*)"')


def _marker(name: str) -> str:
    return f"{_NONCE}{name}{_NONCE}"


class _Split:
    """A rendered template cut at its markers: literal parts at even indexes, link names at odd ones."""

    def __init__(self, rendered: str) -> None:
        self.parts = _MARKER.split(rendered)

    def fill(self, values: dict[str, str]) -> str:
        parts = self.parts[:]
        for i in range(1, len(parts), 2):
            parts[i] = values[parts[i]]
        return "".join(parts)


@dataclass
class _Rendered:
    """What one (alert, language) looks like, before any recipient's links are put in."""

    subject: str
    text: _Split
    html: _Split
    sms: str  # the SMS text without its link
    targets: list[str]  # the URLs that get a click link each, in marker order ("click0", "click1", ...)
    survey_id: int | None = None  # the survey the alert invites its recipients to (surveys.invitations)


def _language_info(code: str) -> tuple[str, bool]:
    try:
        info = translation.get_language_info(code)
    except KeyError:
        return code, False
    return code, bool(info.get("bidi"))


def _track_body(body_html: str, body_text: str, targets: list[str]) -> tuple[str, str]:
    """Swap the body's http(s) links for click markers, in the HTML and where the text part shows them."""

    def swap_href(match: re.Match[str]) -> str:
        url = html.unescape(match.group(1))
        if not links.is_safe_target(url):
            return match.group(0)
        if url not in targets:
            targets.append(url)
        return f'<a href="{_marker(f"click{targets.index(url)}")}"'

    body_html = _HREF.sub(swap_href, body_html)
    # Longest first, and only where a whole URL ends (space, closing bracket or end), so that a link that is
    # the start of another is never swapped inside it.
    for url in sorted(targets, key=len, reverse=True):
        pattern = re.escape(url) + r"(?=[\s)]|$)"
        body_text = re.sub(pattern, _marker(f"click{targets.index(url)}"), body_text)
    return body_html, body_text


def _render(
    alert: Alert,
    language: str,
    content_language: str,
    title: str,
    body: str,
    *,
    force: Force,
    topic: str,
    track_opens: bool,
    media: dict[str, Any] | None = None,
    survey: tuple[int, str] | None = None,
) -> _Rendered:
    """The email through the one renderer the composer's preview uses too (alerts.emails), with markers for the
    recipient's links; the body's http(s) links are swapped for click markers first."""
    targets: list[str] = []
    body_html, _body_text = _track_body(str(render_html(body)), render_text(body), targets)
    link = ""
    if alert.link_url and links.is_safe_target(alert.link_url):
        if alert.link_url not in targets:
            targets.append(alert.link_url)
        link = _marker(f"click{targets.index(alert.link_url)}")
    # The body is already safe HTML with markers in it; the markers are plain hex so escaping keeps them.
    email = alert_email(
        force=force,
        language=language,
        content_language=content_language,
        title=title,
        body_html=body_html,
        priority=alert.priority,
        topic=topic,
        link_url=link,
        link_text=alert.link_text,
        hrefs=lambda name: "" if name == "pixel" and not track_opens else _marker(name),
        **(media or {}),  # the alert's image and PDF links (alerts.media), the same in every language
        survey_title=survey[1] if survey else "",
    )
    return _Rendered(
        subject=email.subject,
        text=_Split(email.text),
        html=_Split(email.html),
        sms=sms_text(title=title, body_text=render_text(body)),
        targets=targets,
        survey_id=survey[0] if survey else None,
    )


class _Renderer:
    """Renders each (alert, language) once for a batch and remembers it.

    Everything it needs from the database is read up front: the messages are then built lazily, between
    the SMTP sessions' replies, where a query would hold up every session.
    """

    def __init__(self, deliveries: list[Delivery], *, track_opens: bool) -> None:
        self.force = Force.current()
        self.track_opens = track_opens
        self.cache: dict[tuple[int, str], _Rendered] = {}
        self.translations: dict[int, dict[str, AlertTranslation]] = {}
        alert_ids = {delivery.alert_id for delivery in deliveries}
        for translation_ in AlertTranslation.objects.filter(alert_id__in=alert_ids):
            self.translations.setdefault(translation_.alert_id, {})[translation_.language] = translation_
        self.topics = dict(Alert.objects.filter(pk__in=alert_ids).values_list("pk", "interest__name"))
        self.media = email_media_for(Alert.objects.filter(pk__in=alert_ids))
        self.surveys = invitations_for(alert_ids)

    def __call__(self, alert: Alert, language: str) -> _Rendered:
        # The frame is in the subscriber's language when it is offered (alerts.emails.frame_language); the
        # title and body too when the alert has that translation, otherwise they are the alert as written.
        frame = frame_language(language)
        translated = self.translations.get(alert.pk, {}).get(frame)
        key = (alert.pk, frame)
        if key not in self.cache:
            title, body = (translated.title, translated.body) if translated else (alert.title, alert.body)
            content_language = frame if translated else "en"
            topic = self.topics.get(alert.pk) or ""
            self.cache[key] = _render(
                alert,
                frame,
                content_language,
                title,
                body,
                force=self.force,
                topic=topic,
                track_opens=self.track_opens,
                media=self.media.get(alert.pk),
                survey=self.surveys.get(alert.pk),
            )
        return self.cache[key]


def _message_id_domain() -> str:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "openbeat.invalid"


class _RatingLinks:
    """The five "Was this useful?" links of a delivery.

    They differ only in the score, so the batch signs once (score 1) and writes the other four by swapping
    the score in, having first checked on the batch's first delivery that this gives exactly what
    links.rating_url gives; if it ever does not, every link is asked for in full."""

    def __init__(self) -> None:
        self.derivable: bool | None = None

    @staticmethod
    def _derive(first: str, score: int) -> str | None:
        head, sep, tail = first.rpartition("/1/")
        return f"{head}/{score}/{tail}" if sep else None

    def __call__(self, delivery: Delivery) -> dict[str, str]:
        first = links.rating_url(delivery, 1)
        if self.derivable is None:
            self.derivable = all(self._derive(first, n) == links.rating_url(delivery, n) for n in RATINGS[1:])
        if self.derivable:
            return {f"rate{n}": first if n == 1 else str(self._derive(first, n)) for n in RATINGS}
        return {f"rate{n}": links.rating_url(delivery, n) for n in RATINGS}


def _links(delivery: Delivery, rendered: _Rendered, *, ratings: _RatingLinks) -> dict[str, str]:
    assert delivery.subscriber is not None
    values = {f"click{i}": links.click_url(delivery, url) for i, url in enumerate(rendered.targets)}
    values.update(ratings(delivery))
    values["reply"] = links.reply_url(delivery)
    values["preferences"] = preferences_link(delivery.subscriber)
    values["unsubscribe"] = unsubscribe_link(delivery.subscriber)
    if rendered.survey_id is not None:
        values["survey"] = _survey_link(delivery, rendered.survey_id)
    return values


def _survey_link(delivery: Delivery, survey_id: int) -> str:
    subscriber = delivery.subscriber
    assert subscriber is not None
    return invitation_url(survey_id, subscriber_id=subscriber.pk, neighbourhood_id=subscriber.home_neighbourhood_id)


Failures = dict[int, Exception]


def iter_emails(deliveries: list[Delivery], *, failed: Failures | None = None) -> Iterator[OutgoingEmail]:
    """The emails one by one, each built when asked for.

    Handed straight to a transport (`transport.send_batch(iter_emails(deliveries))`), each message is built
    when a session is ready to send it, while the other sessions wait for their servers' replies. The
    database is read here, before the first message is asked for (see _Renderer). With `failed`, a delivery whose
    message cannot be built is put there with its error and the rest go on; without it the error is raised.
    """
    track_opens = DeliverySettings.load().track_opens
    render = _Renderer(deliveries, track_opens=track_opens)
    # The open pixel link reads the force's setting itself: ask for them all here, up front.
    pixels = {d.pk: links.open_pixel_url(d) or "" for d in deliveries} if track_opens else {}
    ratings = _RatingLinks()
    context = (from_header(render.force), _message_id_domain(), getattr(settings, "DELIVERY_REPLY_TO", ""))

    def build(delivery: Delivery) -> OutgoingEmail | None:
        return _email(delivery, render, ratings, pixels, *context)

    return _each(deliveries, build, failed)


def _each(deliveries: list[Delivery], build: Callable[[Delivery], Any], failed: Failures | None) -> Iterator[Any]:
    for delivery in deliveries:
        try:
            message = build(delivery)
        except Exception as error:
            if failed is None:
                raise
            logger.exception("building the message of delivery %s failed", delivery.pk)
            failed[delivery.pk] = error
            continue
        if message is not None:
            yield message


def _email(
    delivery: Delivery,
    render: _Renderer,
    ratings: _RatingLinks,
    pixels: dict[int, str],
    from_header: str,
    domain: str,
    reply_to: str,
) -> OutgoingEmail | None:
    subscriber = delivery.subscriber
    if subscriber is None or not subscriber.email:
        return None
    rendered = render(delivery.alert, delivery.language)
    values = _links(delivery, rendered, ratings=ratings)
    values["pixel"] = pixels.get(delivery.pk, "")
    headers = {
        "From": from_header,
        "Message-ID": f"<{delivery.token}@{domain}>",
        "List-Unsubscribe": f"<{values['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if reply_to:
        headers["Reply-To"] = reply_to
    return OutgoingEmail(
        delivery_id=delivery.pk,
        to=subscriber.email,
        subject=rendered.subject,
        text=rendered.text.fill(values),
        html=rendered.html.fill({name: html.escape(value) for name, value in values.items()}),
        headers=headers,
    )


def build_emails(deliveries: list[Delivery]) -> list[OutgoingEmail]:
    """One email per delivery with a subscriber and an address (select_related alert and subscriber first)."""
    return list(iter_emails(deliveries))


def iter_sms(deliveries: list[Delivery], *, failed: Failures | None = None) -> Iterator[OutgoingSms]:
    """One SMS per delivery with a subscriber and a number: title, plain body and a tracked link.

    The link is the alert's own link when it has one, otherwise its public page (which has the rest).
    `failed` as for iter_emails."""
    render = _Renderer(deliveries, track_opens=False)

    def build(delivery: Delivery) -> OutgoingSms | None:
        subscriber = delivery.subscriber
        if subscriber is None or not subscriber.phone:
            return None
        alert = delivery.alert
        rendered = render(alert, delivery.language)
        target = alert.link_url if alert.link_url and links.is_safe_target(alert.link_url) else ""
        target = target or absolute_url(alert.get_absolute_url())
        body = f"{rendered.sms}\n{links.click_url(delivery, target)}" if links.is_safe_target(target) else rendered.sms
        if rendered.survey_id is not None:
            body = f"{body}\nSurvey: {_survey_link(delivery, rendered.survey_id)}"
        return OutgoingSms(delivery_id=delivery.pk, to=subscriber.phone, body=body, reference=str(delivery.token))

    return _each(deliveries, build, failed)


def build_sms(deliveries: list[Delivery]) -> list[OutgoingSms]:
    return list(iter_sms(deliveries))
