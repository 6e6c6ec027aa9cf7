# ruff: noqa: F811 (the stand-in fixtures are imported from standin_fixtures: the app's conftest is not ours)
import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing
from openbeat.social.connectors.bluesky import bluesky_length, over_limits

from .standin_fixtures import IMAGE, a_minute_ago, bluesky_standin, connect  # noqa: F401

SECRET = "bluesky-app-password"


def test_an_emoji_family_a_flag_and_an_accented_letter_are_one_grapheme_each():
    assert bluesky_length("👨‍👩‍👧‍👦") == 1
    assert bluesky_length("🇬🇧") == 1
    assert bluesky_length("e\u0301") == 1
    assert bluesky_length("abc") == 3


def test_the_byte_limit_is_reached_by_multibyte_text_before_the_grapheme_limit():
    text = "👮" * 290  # 290 graphemes, 1,160 bytes: fine
    family = "👨‍👩‍👧‍👦" * 121  # 121 graphemes, 25 bytes each: 3,025 bytes

    assert over_limits(text) == ""
    assert bluesky_length(family) == 121
    assert "bytes" in over_limits(family)
    assert "characters" in over_limits("a" * 301)


def test_a_post_over_the_byte_limit_is_refused_before_sending(bluesky_standin):
    connector = connect("bluesky", bluesky_standin)

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="👨‍👩‍👧‍👦" * 121, idempotency_key="k1"))

    assert caught.value.kind is ErrorKind.REJECTED
    assert bluesky_standin.records == {}


def test_it_posts_with_a_link_facet_and_an_image_with_alt_text(bluesky_standin):
    connector = connect("bluesky", bluesky_standin)

    posted = connector.post(
        Outgoing(text="Appeal £5 reward", idempotency_key="k1", link="https://police.uk/a", images=(IMAGE,))
    )

    record = bluesky_standin.records[posted.remote_id]["record"]
    (facet,) = record["facets"]
    text_bytes = record["text"].encode()
    assert text_bytes[facet["index"]["byteStart"] : facet["index"]["byteEnd"]] == b"https://police.uk/a"
    assert facet["features"][0]["uri"] == "https://police.uk/a"
    assert record["embed"]["images"][0]["alt"] == IMAGE.alt_text
    assert posted.url.startswith("https://bsky.app/profile/openbeat.standin.social/post/")


def test_the_session_is_handed_back_and_resumed_without_signing_in_again(bluesky_standin):
    first = connect("bluesky", bluesky_standin)
    first.followers()
    session = first.credentials_updated["session"]

    resumed = connect("bluesky", bluesky_standin, session=session)
    resumed.followers()

    assert bluesky_standin.sessions_created == 1


def test_a_session_near_its_expiry_is_refreshed_and_the_new_one_handed_back(bluesky_standin):
    bluesky_standin.access_ttl = 60  # the SDK refreshes tokens within 15 minutes of expiry
    first = connect("bluesky", bluesky_standin)
    first.followers()
    session = first.credentials_updated["session"]

    resumed = connect("bluesky", bluesky_standin, session=session)
    resumed.followers()

    assert bluesky_standin.sessions_refreshed >= 1
    assert resumed.credentials_updated["session"] != session
    assert all(part for part in resumed.credentials_updated["session"].split(":::")[:4])


def test_an_expired_refresh_token_falls_back_to_the_app_password(bluesky_standin):
    first = connect("bluesky", bluesky_standin)
    first.followers()
    bluesky_standin.expire_refresh_tokens()
    bluesky_standin.access_ttl = 60

    resumed = connect("bluesky", bluesky_standin, session=first.credentials_updated["session"])

    assert resumed.followers() == 840
    assert bluesky_standin.sessions_created == 2


def test_a_revoked_app_password_is_revoked(bluesky_standin):
    connector = connect("bluesky", bluesky_standin, app_password="wrong-password")

    with pytest.raises(ConnectorError) as caught:
        connector.account_info()

    assert caught.value.kind is ErrorKind.REVOKED
    assert SECRET not in caught.value.message
    assert "wrong-password" not in caught.value.message
    assert connector.credentials_updated == {}


def test_delete_figures_followers_and_mentions(bluesky_standin):
    connector = connect("bluesky", bluesky_standin)
    posted = connector.post(Outgoing(text="Meeting tonight", idempotency_key="k1"))
    bluesky_standin.set_figures(posted.remote_id, reactions=5, shares=2, quotes=1, replies=3)
    bluesky_standin.add_mention(text="Where?", author="sam.example.org", in_reply_to=posted.remote_id)

    (figures,) = connector.figures([posted.remote_id])
    (mention,) = connector.mentions(since=None)
    connector.delete(posted.remote_id)

    assert (figures.impressions, figures.reactions, figures.shares, figures.replies) == (None, 5, 3, 3)
    assert connector.followers() == 840
    assert (mention.author, mention.text, mention.in_reply_to) == ("@sam.example.org", "Where?", posted.remote_id)
    assert bluesky_standin.records == {}
