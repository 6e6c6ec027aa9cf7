"""The email frame (everything around the officer's title and body) is in the resident's language: every
string of it is translated for each language residents may choose (settings.SUBSCRIBER_LANGUAGES)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import translation as catalogue

from openbeat.alerts import emails
from openbeat.core.models import Force

ALERTS = Path(emails.__file__).parent
TEMPLATE = ALERTS / "templates" / "alerts" / "email" / "alert_content.html"


def _frame_strings() -> list[tuple[str, str]]:
    """(context, msgid) of every translated string of the frame: its template and alerts/emails.py."""
    found: list[tuple[str, str]] = []
    template = TEMPLATE.read_text()
    found += [("", m) for m in re.findall(r'{% translate "([^"]+)" %}', template)]
    found += [("", m) for m in re.findall(r'_\("([^"]+)"\)', template)]
    for body in re.findall(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", template, re.DOTALL):
        found.append(("", re.sub(r"{{ (\w+) }}", r"%(\1)s", body)))
    source = (ALERTS / "emails.py").read_text()
    found += [("", m) for m in re.findall(r'(?<![\w])_\("([^"]+)"\)', source)]
    found += re.findall(r'pgettext_lazy\("([^"]+)", "([^"]+)"\)', source)
    return found


def test_the_frame_strings_are_found():
    strings = {msgid: context for context, msgid in _frame_strings()}
    assert "Was this useful?" in strings
    assert "Priority: %(priority)s" in strings
    assert strings["Urgent"] == "alert priority"
    assert len(strings) >= 20


@pytest.mark.parametrize("language", [code for code, _name in settings.SUBSCRIBER_LANGUAGES if code != "en"])
def test_every_frame_string_is_translated_for_each_language_offered(language):
    """Untranslated or fuzzy entries are not compiled into the .mo, so they are missing from the catalogue."""
    messages = catalogue(language)._catalog
    missing = [
        msgid for context, msgid in _frame_strings() if (f"{context}\x04{msgid}" if context else msgid) not in messages
    ]
    assert missing == [], f"{language} lacks translations of the email frame: {missing}"


@pytest.mark.django_db
def test_a_polish_resident_gets_the_whole_frame_in_polish():
    email = emails.alert_email(
        force=Force.current(),
        language="pl",
        content_language="pl",
        title="Włamania przy Mill Lane",
        body_html="<p>Zamykaj drzwi.</p>",
        priority=2,
        topic="Przestępczość",
        link_url="https://example.org/",
        link_text="",
        hrefs=emails.preview_hrefs,
    )
    assert '<html lang="pl" dir="ltr">' in email.html
    assert "Priorytet: Pilny" in email.text
    assert "Czy to było przydatne?" in email.text
    assert "5 \u2013 Bardzo przydatne" in email.text
    assert "Dowiedz się więcej" in email.text  # the link's words when the officer gave none
    assert "W nagłym wypadku dzwoń pod 999." in email.text
    assert email.subject == "Pilny: Włamania przy Mill Lane"
    for english in ("Priority", "Was this useful?", "Very useful", "Find out more", "In an emergency"):
        assert english not in email.text
    assert translation.get_language() in ("en-gb", "en")  # the resident's language was only for the message
