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
OPENBEAT = ALERTS.parent
# Every template of an email a resident gets: the alert, the frame shared with digests and answers, those two.
TEMPLATES = [
    ALERTS / "templates" / "alerts" / "email" / "alert_content.html",
    OPENBEAT / "core" / "templates" / "core" / "email" / "_header.html",
    OPENBEAT / "core" / "templates" / "core" / "email" / "_footer.html",
    OPENBEAT / "core" / "templates" / "core" / "email" / "resident.html",
    *sorted((OPENBEAT / "delivery" / "templates" / "delivery" / "email").glob("digest*")),
    *sorted((OPENBEAT / "delivery" / "templates" / "delivery" / "email").glob("reply_answer*")),
]


def _template_strings(template: str) -> list[tuple[str, str]]:
    found = [("", m) for m in re.findall(r'{% translate "([^"]+)" %}', template)]
    found += [("", m) for m in re.findall(r'_\("([^"]+)"\)', template)]
    for body in re.findall(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", template, re.DOTALL):
        found.append(("", re.sub(r"{{ (\w+) }}", r"%(\1)s", body)))
    return found


def _frame_strings() -> list[tuple[str, str]]:
    """(context, msgid) of every translated string of the frame: its templates and alerts/emails.py."""
    found: list[tuple[str, str]] = []
    for path in TEMPLATES:
        found += _template_strings(path.read_text())
    source = (ALERTS / "emails.py").read_text()
    found += [("", m) for m in re.findall(r'(?<![\w])_\("([^"]+)"\)', source)]
    found += re.findall(r'pgettext_lazy\("([^"]+)", "([^"]+)"\)', source)
    return found


def test_no_resident_email_template_writes_a_word_outside_a_translation():
    """Plain-text templates are gone (the text part is generated from the HTML), and the subjects and the
    digest and answer say every word through {% translate %} / {% blocktranslate %}."""
    email = OPENBEAT / "delivery" / "templates" / "delivery" / "email"
    assert not list(email.glob("digest.txt"))
    assert not list(email.glob("reply_answer.txt"))
    for path in TEMPLATES:
        text = re.sub(r"{% comment %}.*?{% endcomment %}", " ", path.read_text(), flags=re.DOTALL)
        text = re.sub(r"{% blocktranslate.*?{% endblocktranslate %}", " ", text, flags=re.DOTALL)
        text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.DOTALL)
        text = re.sub(r"<[^>]+>|&\w+;", " ", text)
        words = re.findall(r"[A-Za-z]{3,}", text)
        assert words == [], f"{path.name}: untranslated words {words[:10]}"


def test_the_frame_strings_are_found():
    strings = {msgid: context for context, msgid in _frame_strings()}
    assert "Was this useful?" in strings
    assert "Priority: %(priority)s" in strings
    assert strings["Urgent"] == "alert priority"
    assert len(strings) >= 35
    assert "Your In the Know digest" in strings
    assert "Reply to %(name)s" in strings


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
