# ruff: noqa: F811 (the stand-in fixtures are imported from standin_fixtures: the app's conftest is not ours)
import json

import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing

from .standin_fixtures import IMAGE, a_minute_ago, connect, facebook_standin  # noqa: F401

SECRET = "facebook-secret-token"


def test_it_posts_with_a_link_field_and_an_image_with_alt_text(facebook_standin):
    connector = connect("facebook", facebook_standin)

    posted = connector.post(Outgoing(text="Appeal", idempotency_key="k1", link="https://police.uk/a", images=(IMAGE,)))

    post = facebook_standin.posts[posted.remote_id]
    assert (post["message"], post["link"]) == ("Appeal", "https://police.uk/a")
    (photo,) = facebook_standin.photos.values()
    assert photo["alt_text_custom"] == IMAGE.alt_text
    assert posted.url.startswith("https://www.facebook.com/")


def test_a_post_whose_address_cannot_be_read_back_is_still_posted_once(facebook_standin):
    connector = connect("facebook", facebook_standin)
    facebook_standin.fail_next("server_error", method="GET")  # the read of the new post's permalink

    posted = connector.post(Outgoing(text="Appeal", idempotency_key="k1"))

    assert list(facebook_standin.posts) == [posted.remote_id]
    assert posted.url == f"https://www.facebook.com/{posted.remote_id}"


def test_the_token_travels_in_a_header_never_in_the_url(facebook_standin):
    connector = connect("facebook", facebook_standin)

    assert connector.session.headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in connector.base_url


def test_account_info_delete_figures_followers_and_mentions(facebook_standin):
    connector = connect("facebook", facebook_standin)
    posted = connector.post(Outgoing(text="Meeting tonight", idempotency_key="k1"))
    facebook_standin.set_figures(posted.remote_id, impressions=900, reactions=12, shares=4, replies=2)
    facebook_standin.add_mention(text="Where?", author="Sam Smith", in_reply_to=posted.remote_id)

    info = connector.account_info()
    (figures,) = connector.figures([posted.remote_id])
    (mention,) = connector.mentions(since=None)
    connector.delete(posted.remote_id)
    connector.delete(posted.remote_id)

    assert (info.handle, info.followers) == ("openbeatstandin", 5200)
    assert (figures.impressions, figures.reactions, figures.shares, figures.replies) == (900, 12, 4, 2)
    assert connector.followers() == 5200
    assert (mention.author, mention.text, mention.in_reply_to) == ("Sam Smith", "Where?", posted.remote_id)
    assert facebook_standin.posts == {}


def test_a_post_deleted_on_facebook_has_no_figures_and_the_others_keep_theirs(facebook_standin):
    connector = connect("facebook", facebook_standin)
    gone = connector.post(Outgoing(text="Road closed", idempotency_key="k1"))
    kept = connector.post(Outgoing(text="Road open", idempotency_key="k2"))
    facebook_standin.set_figures(kept.remote_id, impressions=40, reactions=3, shares=1, replies=0)
    del facebook_standin.posts[gone.remote_id]  # deleted by someone on Facebook, not through OpenBeat

    assert [(f.remote_id, f.impressions) for f in connector.figures([gone.remote_id, kept.remote_id])] == [
        (kept.remote_id, 40)
    ]


def test_any_other_error_while_reading_figures_still_fails_the_fetch(facebook_standin):
    connector = connect("facebook", facebook_standin)
    posted = connector.post(Outgoing(text="Road closed", idempotency_key="k1"))
    facebook_standin.fail_next("rate_limited")

    with pytest.raises(ConnectorError) as caught:
        connector.figures([posted.remote_id])

    assert caught.value.kind is ErrorKind.RATE_LIMITED


def test_a_rate_limit_waits_as_long_as_the_usage_header_says(facebook_standin):
    connector = connect("facebook", facebook_standin)
    facebook_standin.fail_next("rate_limited")

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Hello", idempotency_key="k1"))

    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 3 * 60
    assert json  # the stand-in's header is JSON, as Meta sends it


def test_a_rejected_image_is_a_refusal(facebook_standin):
    connector = connect("facebook", facebook_standin)
    facebook_standin.fail_next("media_rejected", path_contains="/photos")

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Hello", idempotency_key="k1", images=(IMAGE,)))

    assert caught.value.kind is ErrorKind.REJECTED
    assert "image" in caught.value.message
