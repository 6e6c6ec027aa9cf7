# ruff: noqa: F811 (the stand-in fixtures are imported from standin_fixtures: the app's conftest is not ours)
import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing
from openbeat.social.connectors.x import x_length

from .standin_fixtures import IMAGE, a_minute_ago, connect, x_standin  # noqa: F401

SECRET = "x-secret"


def test_a_link_counts_23_whatever_its_length():
    assert x_length("Read https://www.police.uk/a/very/long/path/that/goes/on/and/on") == 5 + 23
    assert x_length("http://a.uk") == 23


def test_cjk_and_emoji_weigh_two_and_latin_one():
    assert x_length("café") == 4
    assert x_length("警察") == 4
    assert x_length("👨‍👩‍👧‍👦") == 2
    assert x_length("👮") == 2
    assert x_length("\u201cquoted\u201d \u2013 dash") == 15  # curly quotes and an en dash weigh 1


def test_it_posts_with_an_image_and_its_alt_text(x_standin):
    connector = connect("x", x_standin)

    posted = connector.post(
        Outgoing(text="Road closed", idempotency_key="k1", link="https://police.uk/r", images=(IMAGE,))
    )

    tweet = x_standin.tweets[posted.remote_id]
    assert tweet["text"] == "Road closed\n\nhttps://police.uk/r"
    (media,) = x_standin.media.values()
    assert media["alt_text"] == IMAGE.alt_text


def test_spent_credits_are_said_plainly_and_not_retried(x_standin):
    connector = connect("x", x_standin)
    x_standin.fail_next("credits")

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Hello", idempotency_key="k1"))

    assert caught.value.kind is ErrorKind.CREDITS
    assert "credits are used up" in caught.value.message


def test_after_a_dropped_connection_a_blind_retry_would_be_a_duplicate(x_standin):
    connector = connect("x", x_standin)
    since = a_minute_ago()
    x_standin.fail_next("drop_after_accept", path_contains="/2/tweets")

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Road closed", idempotency_key="k1"))
    assert caught.value.kind is ErrorKind.UNKNOWN_OUTCOME

    found = connector.find_post("k1", since=since, text="Road closed")
    assert found is not None
    assert found.remote_id in x_standin.tweets
    with pytest.raises(ConnectorError) as again:
        connector.post(Outgoing(text="Road closed", idempotency_key="k1"))
    assert again.value.kind is ErrorKind.REJECTED


def test_account_info_delete_figures_followers_and_mentions(x_standin):
    connector = connect("x", x_standin)
    posted = connector.post(Outgoing(text="Meeting tonight", idempotency_key="k1"))
    x_standin.set_figures(posted.remote_id, impressions=1500, reactions=20, shares=3, quotes=1, replies=4)
    x_standin.add_mention(text="@openbeatstandin where?", author="sam", in_reply_to=posted.remote_id)

    info = connector.account_info()
    (figures,) = connector.figures([posted.remote_id])
    (mention,) = connector.mentions(since=None)
    connector.delete(posted.remote_id)

    assert (info.handle, info.followers) == ("@openbeatstandin", 3100)
    assert (figures.impressions, figures.reactions, figures.shares, figures.replies) == (1500, 20, 4, 4)
    assert connector.followers() == 3100
    assert (mention.author, mention.in_reply_to) == ("@sam", posted.remote_id)
    assert x_standin.tweets == {}
