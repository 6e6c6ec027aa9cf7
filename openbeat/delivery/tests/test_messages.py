"""Alert emails and SMS built for each delivery: one template for both parts, every recipient's own links,
the subscriber's language, headers for unsubscribing in one click, and the per-alert work done once."""

import email
import html
import re
from email import policy
from urllib.parse import urlsplit

import pytest
from django.test.signals import template_rendered
from django.urls import resolve

from openbeat.alerts.models import AlertTranslation
from openbeat.delivery import links
from openbeat.delivery.messages import build_emails, build_sms, iter_emails
from openbeat.delivery.models import Channel, Delivery, DeliverySettings
from openbeat.delivery.tests.pipeline_world import sending_alert, subscribers
from openbeat.delivery.transports import smtp_message
from openbeat.delivery.transports.base import OutgoingEmail
from openbeat.delivery.transports.smtp_message import serialise
from openbeat.subscriptions.tokens import read_token

pytestmark = pytest.mark.django_db

BODY = "Two homes were broken into. See [the map](https://example.org/map?a=1&b=2) or call <tel:101>."


def _deliveries(count=1, *, channel=Channel.EMAIL, alert=None, **subscriber_fields):
    alert = alert or sending_alert(body=BODY, link_url="https://police.example/appeal", link_text="Read the appeal")
    people = subscribers(None, count, sms=channel == Channel.SMS, **subscriber_fields)
    Delivery.objects.bulk_create(
        [Delivery(alert=alert, subscriber=p, channel=channel, language=p.language) for p in people]
    )
    return list(Delivery.objects.filter(alert=alert).select_related("alert", "subscriber").order_by("pk"))


def _hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def _kwargs(url: str) -> dict:
    return resolve(urlsplit(url).path).kwargs


def _clicks(urls: list[str]) -> dict[str, int]:
    """Tracked link target -> the delivery id its click link is for."""
    found = {}
    for url in urls:
        if "/d/c/" in url:
            delivery, target = links.read_click(_kwargs(url)["signed"])
            found[target] = delivery.pk
    return found


def test_the_html_part_has_the_recipients_own_tracking_rating_reply_and_preference_links():
    (delivery,) = _deliveries()
    (message,) = build_emails([delivery])
    hrefs = _hrefs(message.html)

    assert _clicks(hrefs) == {
        "https://police.example/appeal": delivery.pk,
        "https://example.org/map?a=1&b=2": delivery.pk,
    }
    ratings = [h for h in hrefs if "/d/r/" in h]
    assert [_kwargs(h)["score"] for h in ratings] == [1, 2, 3, 4, 5]
    assert all(links.read_link("rate", _kwargs(h)["signed"]) == delivery for h in ratings)
    assert ratings == [links.rating_url(delivery, n) for n in range(1, 6)]
    (reply,) = [h for h in hrefs if "/d/reply/" in h]
    assert links.read_link("reply", _kwargs(reply)["signed"]) == delivery
    (manage,) = [h for h in hrefs if "/manage/" in h]
    assert read_token("preferences", _kwargs(manage)["token"]) == delivery.subscriber
    (unsubscribe,) = [h for h in hrefs if "/unsubscribe/" in h]
    assert read_token("unsubscribe", _kwargs(unsubscribe)["token"]) == delivery.subscriber
    assert "tel:101" in hrefs  # only http(s) links are tracked


def test_the_text_part_carries_the_same_links():
    (delivery,) = _deliveries()
    (message,) = build_emails([delivery])
    urls = re.findall(r"https?://\S+?(?=\)|\s|$)", message.text)

    assert set(_clicks(urls)) == {"https://police.example/appeal", "https://example.org/map?a=1&b=2"}
    assert "https://example.org/map" not in message.text  # the map link is tracked in the text too
    for score in range(1, 6):
        assert links.rating_url(delivery, score) in message.text
    assert links.reply_url(delivery) in message.text
    assert "Reply to the officer" in message.text
    assert "Was this useful?" in message.text
    assert any("/manage/" in u for u in urls)
    assert any("/unsubscribe/" in u for u in urls)


def test_each_recipient_gets_links_of_their_own():
    first, second = build_emails(_deliveries(2))
    assert first.to != second.to
    assert set(_hrefs(first.html)).isdisjoint(u for u in _hrefs(second.html) if u.startswith("http"))


def test_headers_identify_the_message_and_offer_one_click_unsubscribe(settings):
    settings.DEFAULT_FROM_EMAIL = "Alerts <alerts@police.example>"
    (delivery,) = _deliveries()
    (message,) = build_emails([delivery])

    assert message.headers["Message-ID"] == f"<{delivery.token}@police.example>"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http")
    assert unsubscribe.endswith(">")
    assert read_token("unsubscribe", _kwargs(unsubscribe[1:-1])["token"]) == delivery.subscriber
    assert message.headers["From"] == "Demoshire Police <alerts@police.example>"
    assert "Reply-To" not in message.headers


def test_reply_to_comes_from_the_setting(settings):
    settings.DELIVERY_REPLY_TO = "neighbourhood-team@police.example"
    (message,) = build_emails(_deliveries())
    assert message.headers["Reply-To"] == "neighbourhood-team@police.example"


def test_the_html_is_accessible_and_says_the_priority_in_words():
    alert = sending_alert(title="Road closed", body="The **bridge** is shut.", priority=2)
    (message,) = build_emails(_deliveries(alert=alert))

    assert '<html lang="en" dir="ltr">' in message.html
    assert re.search(r"<h1[^>]*>Road closed</h1>", message.html)
    assert "Priority: Urgent" in message.html
    assert "Priority: Urgent" in message.text
    assert message.subject == "Urgent: Road closed"
    assert "<strong>bridge</strong>" in message.html
    assert "<img" not in message.html  # no images unless the force turns open tracking on
    # Every link says where it goes in words, never "click here" or a bare number.
    labels = re.findall(r"<a [^>]*>([^<]*)</a>", message.html)
    assert all(label.strip() and label.strip().lower() != "click here" for label in labels)


def test_normal_alerts_keep_their_title_as_the_subject():
    alert = sending_alert(title="Community meeting", body="Thursday 7pm.", priority=1)
    (message,) = build_emails(_deliveries(alert=alert))
    assert message.subject == "Community meeting"
    assert "Priority: Normal" in message.html


def test_what_an_officer_types_cannot_become_markup():
    alert = sending_alert(title='<script>alert("x")</script> & more', body="<img src=x onerror=alert(1)>")
    (message,) = build_emails(_deliveries(alert=alert))
    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "<img" not in message.html
    assert '\n<script>alert("x")</script> & more\n' in message.text  # plain text is not escaped


def test_a_welsh_subscriber_gets_the_welsh_translation():
    alert = sending_alert(title="Burglaries on Mill Lane", body="Lock your doors.")
    AlertTranslation.objects.create(
        alert=alert, language="cy", title="Byrgleriaethau ar Lôn y Felin", body="Cloiwch eich drysau."
    )
    welsh, english = _deliveries(alert=alert, language="cy") + _deliveries(alert=alert, language="en")[1:]
    welsh_message, english_message = build_emails([welsh, english])

    assert welsh_message.subject.endswith("Byrgleriaethau ar Lôn y Felin")
    assert '<html lang="cy" dir="ltr">' in welsh_message.html
    assert "Cloiwch eich drysau." in welsh_message.html
    assert "Cloiwch eich drysau." in welsh_message.text
    assert "Lock your doors." in english_message.html
    assert '<html lang="en"' in english_message.html


def test_without_a_translation_the_alert_goes_in_english_marked_as_english_in_the_residents_frame():
    (message,) = build_emails(_deliveries(language="ur"))
    assert '<html lang="ur" dir="rtl">' in message.html
    assert '<div lang="en" dir="ltr">' in message.html  # the title and body, as the officer wrote them


def test_a_right_to_left_translation_is_marked_so():
    alert = sending_alert(title="Burglaries", body="Lock your doors.")
    AlertTranslation.objects.create(alert=alert, language="ur", title="چوری", body="دروازے بند رکھیں")
    (message,) = build_emails(_deliveries(alert=alert, language="ur"))
    assert '<html lang="ur" dir="rtl">' in message.html
    assert '<div lang="' not in message.html  # the frame is in Urdu too: nothing is marked as another language


def test_the_open_pixel_is_there_only_when_the_force_turns_it_on():
    (delivery,) = _deliveries()
    (without,) = build_emails([delivery])
    assert "<img" not in without.html

    DeliverySettings.objects.update_or_create(defaults={"track_opens": True})
    (with_pixel,) = build_emails([delivery])
    (src,) = re.findall(r'<img src="([^"]+)"[^>]*alt=""', with_pixel.html)
    assert html.unescape(src) == links.open_pixel_url(delivery)


def test_templates_are_rendered_once_per_alert_and_language_not_per_message():
    alert = sending_alert(title="Burglaries", body="Lock your doors.")
    AlertTranslation.objects.create(alert=alert, language="cy", title="Byrgleriaethau", body="Cloiwch.")
    deliveries = _deliveries(20, alert=alert) + _deliveries(20, alert=alert, language="cy")[20:]
    rendered = []

    def count(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        messages = build_emails(deliveries)
    finally:
        template_rendered.disconnect(count)

    assert len(messages) == 40
    # The alert's content (with the force's frame it includes) and the document around it: once per language.
    per_language = [
        "alerts/email/alert_content.html",
        "core/email/_header.html",
        "core/email/_footer.html",
        "alerts/email/document.html",
    ]
    assert sorted(rendered) == sorted(per_language * 2)


def test_deliveries_with_nobody_to_send_to_are_left_out():
    gone, kept, no_email = _deliveries(3)
    gone.subscriber = None
    no_email.subscriber.email = None
    assert [m.delivery_id for m in build_emails([gone, kept, no_email])] == [kept.pk]


def test_emails_can_be_built_lazily_without_touching_the_database(django_assert_num_queries):
    deliveries = _deliveries(3)
    messages = iter_emails(deliveries)  # reads what it needs now...
    with django_assert_num_queries(0):  # ...so that sending threads never open connections of their own
        assert len(list(messages)) == 3


def test_the_message_serialises_to_a_standard_multipart_email():
    (delivery,) = _deliveries()
    (message,) = build_emails([delivery])
    parsed = email.message_from_bytes(serialise(message, to=message.to), policy=policy.default)

    assert parsed["To"] == message.to
    assert parsed["Message-ID"] == f"<{delivery.token}@openbeat.invalid>"
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == message.text
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == message.html


def _parts(raw: bytes) -> dict[str, tuple[str, str]]:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    return {
        kind: (part["Content-Transfer-Encoding"], part.get_content().replace("\r\n", "\n"))
        for kind in ("plain", "html")
        for part in [parsed.get_body((kind,))]
    }


def test_plain_ascii_parts_go_as_they_are_and_others_are_quoted_printable():
    long_line = "word " * 250  # 1,250 characters on one line: over SMTP's 998
    message = OutgoingEmail(delivery_id=1, to="a@example.com", subject="s", text=long_line, html="<p>Lôn y Felin</p>")
    raw = serialise(message, to=message.to)
    parts = _parts(raw)
    assert parts["plain"] == ("quoted-printable", long_line)
    assert parts["html"] == ("quoted-printable", "<p>Lôn y Felin</p>")

    plain = OutgoingEmail(delivery_id=2, to="a@example.com", subject="s", text="Hi\n.\nBye", html="<p>a=b</p>")
    parts = _parts(serialise(plain, to=plain.to))
    assert parts["plain"] == ("7bit", "Hi\n.\nBye")
    assert parts["html"] == ("7bit", "<p>a=b</p>")
    assert b"\r\n<p>a=b</p>\r\n" in serialise(plain, to=plain.to)  # unencoded, CRLF line ends


def test_a_part_that_contains_the_boundary_is_quoted_printable():
    boundary = smtp_message._BOUNDARY
    message = OutgoingEmail(delivery_id=1, to="a@example.com", subject="s", text=f"--{boundary}--", html="<p>x</p>")
    parts = _parts(serialise(message, to=message.to))
    assert parts["plain"][0] == "quoted-printable"
    assert parts["plain"][1].strip() == f"--{boundary}--"


def test_non_ascii_subjects_are_encoded():
    alert = sending_alert(title="Byrgleriaethau ar Lôn y Felin", body="x", priority=1)
    (message,) = build_emails(_deliveries(alert=alert))
    raw = serialise(message, to=message.to)
    assert b"L\xc3\xb4n" not in raw.split(b"\r\n\r\n")[0]  # headers stay 7-bit
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == "Byrgleriaethau ar Lôn y Felin"


def test_an_sms_is_title_plain_body_and_a_tracked_link():
    (delivery,) = _deliveries(channel=Channel.SMS, email=False)
    (sms,) = build_sms([delivery])

    assert sms.to == delivery.subscriber.phone
    assert sms.reference == str(delivery.token)
    title, body, link = sms.body.split("\n")
    assert title == "Burglaries on Mill Lane"
    assert body == "Two homes were broken into. See the map (https://example.org/map?a=1&b=2) or call tel:101."
    assert links.read_click(_kwargs(link)["signed"]) == (delivery, "https://police.example/appeal")


def test_an_sms_without_a_link_points_to_the_alerts_public_page(settings):
    alert = sending_alert(title="Road closed", body="The bridge is shut.")
    (delivery,) = _deliveries(channel=Channel.SMS, alert=alert, email=False)
    (sms,) = build_sms([delivery])
    target = links.read_click(_kwargs(sms.body.split("\n")[-1])["signed"])[1]
    assert target == settings.BASE_URL.rstrip("/") + alert.get_absolute_url()


def test_an_sms_in_welsh_uses_the_translation():
    alert = sending_alert(title="Road closed", body="The bridge is shut.")
    AlertTranslation.objects.create(alert=alert, language="cy", title="Ffordd ar gau", body="Mae'r bont ar gau.")
    (delivery,) = _deliveries(channel=Channel.SMS, alert=alert, email=False, language="cy")
    (sms,) = build_sms([delivery])
    assert sms.body.startswith("Ffordd ar gau\nMae'r bont ar gau.\n")


def test_an_sms_needs_a_number():
    (delivery,) = _deliveries()  # email only
    assert build_sms([delivery]) == []


def test_the_change_link_in_an_alert_email_opens_no_session_and_cannot_download_or_delete(client):
    """A forwarded alert must not forward the power to export or delete the subscriber's data."""
    from openbeat.subscriptions.session import SESSION_KEY

    (delivery,) = _deliveries()
    (message,) = build_emails([delivery])
    (change,) = [h for h in _hrefs(message.html) if "/in-the-know/manage/" in h]
    path = urlsplit(change).path
    assert resolve(path).url_name == "message_options"
    assert client.get(path).status_code == 200
    client.post(path, {"action": "pause"})
    assert SESSION_KEY not in client.session
    assert client.get("/in-the-know/preferences/my-data.json").status_code == 302
    assert client.post("/in-the-know/preferences/delete/").status_code == 302
    delivery.subscriber.refresh_from_db()
    assert delivery.subscriber.status == "paused"
