"""What the resident receives is what the officer saw: the composer's email preview and the sent email come
from one renderer (alerts.emails), so their HTML is the same but for each resident's own links."""

import html
import re
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from openbeat.core.models import Force
from openbeat.delivery import links
from openbeat.delivery.messages import build_emails
from openbeat.delivery.models import Channel, Delivery, DeliverySettings
from openbeat.delivery.tests.pipeline_world import sending_alert, subscribers
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user

pytestmark = pytest.mark.django_db

BODY = "Two homes were broken into. See [the map](https://example.org/map?a=1&b=2) or call <tel:101>.\n\n- one\n- two"


@pytest.fixture
def force():
    return Force.objects.create(
        code="testshire",
        name="Testshire Constabulary",
        short_code="TC",
        primary_colour="#8a1538",
        logo_url="/static/testshire-logo.png",
        email_footer="Testshire Constabulary, 1 High Street.\nWrite to us at any time.",
    )


def _alert():
    return sending_alert(
        title="Road closed",
        body=BODY,
        priority=2,
        link_url="https://police.example/appeal",
        link_text="Read the appeal",
    )


def _sent(alert):
    (person,) = subscribers(None, 1)
    delivery = Delivery.objects.create(alert=alert, subscriber=person, channel=Channel.EMAIL, language="en")
    (message,) = build_emails([Delivery.objects.select_related("alert", "subscriber").get(pk=delivery.pk)])
    return message


def _preview(alert):
    officer = staff_user(roles.HQ_MEDIA, None)
    data = {
        "title": alert.title,
        "body": alert.body,
        "priority": str(alert.priority),
        "interest": str(alert.interest_id),
        "link_url": alert.link_url,
        "link_text": alert.link_text,
    }
    response = client_for(officer).post("/admin/alerts/preview/", data)
    assert response.status_code == 200
    (email,) = re.findall(r"<!-- email -->(.*)<!-- /email -->", response.content.decode(), re.DOTALL)
    return email


def _per_recipient(url: str) -> str:
    """A sent message's own link as the preview's stand-in for it (a click link as the address it goes to)."""
    parts = urlsplit(url)
    if not parts.scheme:
        return url
    if "/d/c/" in parts.path:
        return links.read_click(resolve(parts.path).kwargs["signed"])[1]
    if "/d/r/" in parts.path:
        return f"#rate{resolve(parts.path).kwargs['score']}"
    if "/d/reply/" in parts.path:
        return "#reply"
    if "/manage/" in parts.path:
        return "#preferences"
    if "/unsubscribe/" in parts.path:
        return "#unsubscribe"
    return url


def _normalised(page: str) -> str:
    def swap(match: re.Match[str]) -> str:
        return f'href="{html.escape(_per_recipient(html.unescape(match.group(1))))}"'

    return re.sub(r'href="([^"]*)"', swap, page)


def test_the_preview_is_the_sent_email_but_for_each_residents_own_links(force):
    DeliverySettings.objects.update_or_create(defaults={"track_opens": True})
    alert = _alert()
    sent = _sent(alert)
    (body,) = re.findall(r"<body[^>]*>(.*)</body>", sent.html, re.DOTALL)
    body = re.sub(r'<img src="[^"]*/d/o/[^"]*"[^>]*>', "", body)  # the open pixel (no preview has one)

    preview = _preview(alert)

    assert _normalised(body) == _normalised(preview)
    # ... and it is the email the help text and the issue describe.
    assert "Topic: Crime alerts and appeals" in preview
    assert "Was this useful?" in preview
    assert "5 &ndash; Very useful" in preview
    assert '<img src="http://127.0.0.1:8000/static/testshire-logo.png"' in preview  # absolute, for mail clients
    assert "background:#8a1538" in preview
    assert "Testshire Constabulary, 1 High Street.<br>Write to us at any time." in preview
    assert ">Read the appeal</a>" in preview


def test_the_text_part_is_generated_from_the_same_content(force):
    sent = _sent(_alert())
    text = sent.text
    assert text.startswith(
        "Testshire Constabulary \u2013 In the Know\n\nPriority: Urgent\n\nTopic: Crime alerts and appeals"
    )
    assert "Road closed" in text
    assert "- one\n- two" in text
    assert "Read the appeal: " in text
    assert "5 \u2013 Very useful: " + links.rating_url(Delivery.objects.get(), 5) in text
    assert "Testshire Constabulary, 1 High Street.\nWrite to us at any time." in text
    assert "<" not in text.replace("<tel:", "")


def test_a_polish_subscriber_gets_the_polish_alert_in_a_polish_frame(force):
    from openbeat.alerts.models import AlertTranslation

    alert = _alert()
    AlertTranslation.objects.create(alert=alert, language="pl", title="Droga zamknięta", body="Objazd do 18:00.")
    (person,) = subscribers(None, 1, language="pl")
    Delivery.objects.create(alert=alert, subscriber=person, channel=Channel.EMAIL, language="pl")
    (message,) = build_emails(list(Delivery.objects.select_related("alert", "subscriber")))

    assert "Droga zamknięta" in message.text
    assert "Objazd do 18:00." in message.text
    assert "Priorytet: Pilny" in message.text
    assert "Czy to było przydatne?" in message.text
    assert "Ten alert pochodzi od Testshire Constabulary." in message.text
    assert message.subject == "Pilny: Droga zamknięta"


def test_the_email_footer_is_edited_with_the_forces_branding_in_the_back_office(force):
    from django.urls import reverse

    admin = staff_user(roles.ADMINISTRATOR, None)
    page = client_for(admin).get(reverse("force:edit", args=[force.pk])).content.decode()
    assert 'name="email_footer"' in page
    assert "Testshire Constabulary, 1 High Street." in page
