"""An alert's SMS: characters and message parts as networks count them."""

import pytest

from openbeat.alerts.sms import sms_segments, sms_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0, 0)),
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("Café £5 @ Ünited? ¿Sì! Ø", ("GSM-7", 24, 1)),
        ("Café in Łódź", ("UCS-2", 12, 1)),
    ],
)
def test_plain_text_is_gsm7_160_in_one_part_and_153_per_part(text, expected):
    assert sms_segments(text) == expected


def test_gsm_extension_characters_count_double():
    assert sms_segments("€{}[]~|^\\") == ("GSM-7", 18, 1)
    assert sms_segments("a" * 158 + "€") == ("GSM-7", 160, 1)
    assert sms_segments("a" * 159 + "€") == ("GSM-7", 161, 2)


def test_an_extension_character_is_never_split_across_parts():
    # 152 plain characters then a two-unit one: it does not fit the first part's last unit.
    assert sms_segments("a" * 152 + "€" + "a" * 152) == ("GSM-7", 306, 3)


def test_any_other_character_makes_the_whole_message_ucs2_70_and_67():
    assert sms_segments("It\u2019s on") == ("UCS-2", 7, 1)  # a curly apostrophe
    assert sms_segments("ł" * 70) == ("UCS-2", 70, 1)
    assert sms_segments("ł" * 71) == ("UCS-2", 71, 2)
    assert sms_segments("ł" * 135) == ("UCS-2", 135, 3)


def test_an_emoji_takes_two_ucs2_units():
    assert sms_segments("🚓") == ("UCS-2", 2, 1)
    assert sms_segments("a" * 69 + "🚓") == ("UCS-2", 71, 2)


def test_the_sms_is_the_title_the_plain_body_and_the_link():
    text = sms_text(title="Burglaries", body_text="Lock your doors.", link_url="https://example.org/x")

    assert text == "Burglaries\nLock your doors.\nhttps://example.org/x"
    assert sms_text(title="Burglaries", body_text="Lock up.") == "Burglaries\nLock up."
