"""The daily digest: one email per person per day listing the alerts over their cap, sent once."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from freezegun import freeze_time

from openbeat.alerts.models import AlertTranslation, Priority
from openbeat.delivery.digest import digest_cutoff, digest_send_due, digest_send_task
from openbeat.delivery.models import Channel, DigestItem
from openbeat.delivery.tests.rules_world import alert, digested, london, subscriber

pytestmark = pytest.mark.django_db

MORNING = london(2026, 7, 15, 9)
AFTERNOON = london(2026, 7, 15, 15)
DIGEST_RUN = london(2026, 7, 15, 18, 5)
NEXT_DAY_RUN = london(2026, 7, 16, 18, 5)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the digests due at a time, with queued emails actually sent; returns how many were queued."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return digest_send_due(now=now)

    return run


def test_the_digest_time_is_18_00_london_time_today_once_passed_else_yesterday():
    assert digest_cutoff(london(2026, 7, 15, 18)) == london(2026, 7, 15, 18)
    assert digest_cutoff(DIGEST_RUN) == london(2026, 7, 15, 18)
    assert digest_cutoff(london(2026, 7, 15, 17, 59)) == london(2026, 7, 14, 18)
    assert digest_cutoff(london(2026, 1, 15, 23, 30)) == london(2026, 1, 15, 18)


def test_a_subscriber_gets_one_email_listing_every_waiting_alert_with_links(send, settings):
    settings.BASE_URL = "https://itk.example.police.uk/"
    who = subscriber()
    first = alert(title="Burglaries on Mill Lane", body="Two homes were **broken into**.\n\nLock your doors.")
    second = alert(title="Road closed on the A1", body="Until Friday.", priority=Priority.INFORMATION)
    items = [digested(who, first, at=MORNING), digested(who, second, at=AFTERNOON)]

    assert send(DIGEST_RUN) == 1

    (email,) = mail.outbox
    assert email.to == [who.email]
    assert email.subject.startswith("Your In the Know digest from ")
    assert email.subject.endswith(" (2)")
    text = email.body
    assert text.index("Burglaries on Mill Lane") < text.index("Road closed on the A1")  # in the order they came
    assert "Two homes were broken into." in text
    assert "Lock your doors" not in text  # the first paragraph only
    assert f"https://itk.example.police.uk{first.get_absolute_url()}" in text
    assert f"https://itk.example.police.uk{second.get_absolute_url()}" in text
    assert "https://itk.example.police.uk" + reverse("subscriptions:manage_link", args=["x"])[:-2] in text
    assert "https://itk.example.police.uk" + reverse("subscriptions:unsubscribe", args=["x"])[:-2] in text
    (html, mimetype) = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://itk.example.police.uk{first.get_absolute_url()}"' in html
    assert "<strong>" not in html  # the summary is plain text, escaped
    for item in items:
        item.refresh_from_db()
        assert item.sent_in_digest_at == DIGEST_RUN


def test_running_the_digest_twice_sends_it_once(send):
    who = subscriber()
    digested(who, alert(), at=MORNING)
    assert send(DIGEST_RUN) == 1
    assert send(DIGEST_RUN) == 0
    assert send(london(2026, 7, 15, 23)) == 0
    assert len(mail.outbox) == 1


def test_each_subscriber_gets_their_own_digest_with_only_their_alerts(send):
    ann, bob = subscriber(), subscriber()
    digested(ann, alert(title="For Ann"), at=MORNING)
    digested(bob, alert(title="For Bob"), at=MORNING)
    digested(bob, alert(title="Also for Bob"), at=AFTERNOON)
    assert send(DIGEST_RUN) == 2
    by_address = {email.to[0]: email.body for email in mail.outbox}
    assert "For Ann" in by_address[ann.email]
    assert "Bob" not in by_address[ann.email]
    assert "For Bob" in by_address[bob.email]
    assert "Also for Bob" in by_address[bob.email]


def test_nothing_goes_before_the_digest_time(send):
    digested(subscriber(), alert(), at=MORNING)
    assert send(london(2026, 7, 15, 17, 59)) == 0
    assert mail.outbox == []


def test_a_digest_missed_yesterday_goes_the_next_morning_without_todays_alerts(send):
    who = subscriber()
    digested(who, alert(title="From yesterday"), at=london(2026, 7, 14, 11))
    digested(who, alert(title="From this morning"), at=MORNING)
    assert send(london(2026, 7, 15, 8)) == 1
    assert "From yesterday" in mail.outbox[0].body
    assert "From this morning" not in mail.outbox[0].body
    assert send(DIGEST_RUN) == 1
    assert "From this morning" in mail.outbox[1].body


def test_alerts_after_the_digest_time_wait_for_the_next_days_digest(send):
    who = subscriber()
    digested(who, alert(title="Evening alert"), at=london(2026, 7, 15, 18, 30))
    assert send(london(2026, 7, 15, 19)) == 0
    assert send(NEXT_DAY_RUN) == 1
    assert "Evening alert" in mail.outbox[0].body


def test_a_subscriber_gets_at_most_one_digest_a_day(send):
    who = subscriber()
    digested(who, alert(title="First"), at=MORNING)
    assert send(DIGEST_RUN) == 1
    # Created before the digest time but gathered just after the run (a hand-off that was running at 18:00).
    digested(who, alert(title="Late"), at=london(2026, 7, 15, 17, 59))
    assert send(london(2026, 7, 15, 18, 20)) == 0
    assert send(NEXT_DAY_RUN) == 1
    assert "Late" in mail.outbox[1].body


def test_a_night_only_email_subscribers_digest_waits_for_the_night(send):
    who = subscriber(email_day=False)
    digested(who, alert(), at=MORNING)
    assert send(DIGEST_RUN) == 0
    assert send(london(2026, 7, 15, 22, 5)) == 1


@pytest.mark.parametrize("fields", [{"status": "paused"}, {"status": "unsubscribed"}, {"email_stopped": True}], ids=str)
def test_a_subscriber_who_cannot_get_email_now_gets_no_digest_and_their_items_are_dropped(send, fields):
    who = subscriber(**fields)
    item = digested(who, alert(), at=MORNING)
    assert send(DIGEST_RUN) == 0
    assert mail.outbox == []
    item.refresh_from_db()
    assert item.sent_in_digest_at == DIGEST_RUN
    who.__class__.objects.filter(pk=who.pk).update(status="active", email_stopped=False)
    assert send(NEXT_DAY_RUN) == 0  # resuming does not bring back what was waiting


def test_alerts_that_expired_before_the_digest_are_left_out(send):
    who = subscriber()
    digested(who, alert(title="Still current"), at=MORNING)
    digested(who, alert(title="Over by lunch", expires_at=london(2026, 7, 15, 13)), at=MORNING)
    assert send(DIGEST_RUN) == 1
    assert "Still current" in mail.outbox[0].body
    assert "Over by lunch" not in mail.outbox[0].body
    assert mail.outbox[0].subject.endswith(" (1)")


def test_no_digest_when_every_alert_in_it_has_expired(send):
    item = digested(subscriber(), alert(expires_at=london(2026, 7, 15, 13)), at=MORNING)
    assert send(DIGEST_RUN) == 0
    item.refresh_from_db()
    assert item.sent_in_digest_at is not None


def test_sms_items_never_go_into_an_email_digest(send):
    item = digested(subscriber(), alert(), at=MORNING, channel=Channel.SMS)
    assert send(DIGEST_RUN) == 0
    item.refresh_from_db()
    assert item.sent_in_digest_at is None


def test_the_digest_lists_alerts_in_the_subscribers_language(send):
    who = subscriber(language="cy")
    welsh = alert(title="Byrgleriaethau")
    AlertTranslation.objects.create(alert=welsh, language="cy", title="Lladradau ar Lôn y Felin", body="Cloiwch.")
    digested(who, welsh, at=MORNING)
    assert send(DIGEST_RUN) == 1
    assert "Lladradau ar Lôn y Felin" in mail.outbox[0].body
    assert "Cloiwch." in mail.outbox[0].body


def test_the_task_sends_the_digests_due_now(django_capture_on_commit_callbacks):
    digested(subscriber(), alert(), at=MORNING)
    with freeze_time(DIGEST_RUN), django_capture_on_commit_callbacks(execute=True):
        result = digest_send_task.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1
    assert DigestItem.objects.get().sent_in_digest_at == DIGEST_RUN


def test_the_cron_command_sends_the_digests_due_now_and_says_how_many(django_capture_on_commit_callbacks):
    digested(subscriber(), alert(), at=MORNING)
    out = io.StringIO()
    with freeze_time(DIGEST_RUN), django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=out)
        call_command("send_digests", stdout=out)
    assert out.getvalue() == "1 digest sent\n0 digests sent\n"
    assert len(mail.outbox) == 1


def test_the_digest_arrives_over_real_smtp_with_both_parts(smtp_server, django_capture_on_commit_callbacks):
    who = subscriber()
    of = alert(title="Burglaries on Mill Lane")
    digested(who, of, at=MORNING)
    with django_capture_on_commit_callbacks(execute=True):
        digest_send_due(now=DIGEST_RUN)
    (message,) = smtp_server.messages
    assert message["To"] == who.email
    assert message["Subject"].startswith("Your In the Know digest from ")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Burglaries on Mill Lane" in text
    assert of.get_absolute_url() in text
    assert "Burglaries on Mill Lane" in html


def test_the_digest_comes_from_the_force_with_one_click_unsubscribe_and_rating_links(send, settings):
    """One sender identity for all resident mail, and a digest carries what an alert email carries."""
    from openbeat.core.models import Force
    from openbeat.delivery import links

    settings.DEFAULT_FROM_EMAIL = "OpenBeat <alerts@police.example>"
    Force.objects.create(code="testshire", name="Testshire Constabulary", short_code="TC")
    who = subscriber()
    item = digested(who, alert(title="Burglaries on Mill Lane"), at=MORNING)

    send(DIGEST_RUN)

    (email,) = mail.outbox
    message = email.message()
    assert message["From"] == "Testshire Constabulary <alerts@police.example>"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http")
    assert reverse("subscriptions:unsubscribe", args=["x"])[:-2] in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for score in range(1, 6):
        assert links.rating_url(item.delivery, score) in email.body
        assert links.rating_url(item.delivery, score) in email.alternatives[0][0]


def test_a_polish_subscribers_digest_is_in_polish_in_the_forces_frame_with_text_from_the_same_html(send):
    from openbeat.core.email_frame import html_to_text
    from openbeat.core.models import Force

    force = Force.current()
    force.email_footer = "Lancashire Constabulary, PO Box 77, Preston"
    force.primary_colour = "#003a70"
    force.save()
    who = subscriber(language="pl")
    polish = alert(title="Burglaries")
    AlertTranslation.objects.create(alert=polish, language="pl", title="Włamania przy Mill Lane", body="Zamykaj.")
    untranslated = alert(title="Road closed on Fishergate")
    digested(who, polish, at=MORNING)
    digested(who, untranslated, at=MORNING)
    assert send(DIGEST_RUN) == 1
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == f"Twoje podsumowanie In the Know od {force.name} (2)"
    assert '<html lang="pl" dir="ltr">' in html
    assert "Twoje podsumowanie In the Know" in html
    assert "Bardzo przydatne" in html
    assert "Your In the Know digest" not in html
    assert "Very useful" not in html
    assert "background:#003a70" in html
    assert "PO Box 77" in html
    assert "Stop all messages" not in html
    assert "In the Know" in html
    # The alert with no Polish version keeps its English title, marked as English for screen readers.
    assert '<h2 style="margin:0 0 8px;font-size:21px;line-height:1.3;" lang="en">' in html
    assert message.body == html_to_text(html)
