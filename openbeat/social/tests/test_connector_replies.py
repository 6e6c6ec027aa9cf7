"""Every connector answers an inbox message in its thread, against its stand-in, table-driven: the reply is
attached to the message the network's way, a reply whose answer was lost is found afterwards (and only as a
reply to that message), and a message gone meanwhile is a refusal said plainly."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing, with_mention

from .standin_fixtures import (  # noqa: F401
    a_minute_ago,
    bluesky_standin,
    connect,
    facebook_standin,
    instagram_standin,
    mastodon_standin,
    x_standin,
)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Network:
    reply_request: dict[str, str]  # which request carries the reply (for faults)
    gone: str  # the remote id of a message that is not there


NETWORKS = {
    "mastodon": Network({"method": "POST", "path_contains": "/statuses"}, "109999"),
    "bluesky": Network({"path_contains": "createRecord"}, "at://did:plc:resident000/app.bsky.feed.post/3gone"),
    "facebook": Network({"path_contains": "/comments"}, "104000000000001_999"),
    "x": Network({"path_contains": "/2/tweets"}, "1999"),
    "instagram": Network({"path_contains": "/replies"}, "17999999999999999"),
}
ALL = pytest.mark.parametrize("network", list(NETWORKS))


def a_message(request, network: str):
    """A resident's reply to the force's post, as the inbox fetched it; the stand-in and the connector."""
    standin = request.getfixturevalue(f"{network}_standin")
    connector = connect(network, standin)
    if network == "instagram":  # no text-only posts there: the force's photo post, as published
        posted_id = standin._publish(caption="Road closed on the High Street", alt_text="A closed road", moment=_now())
    else:
        posted_id = connector.post(Outgoing(text="Road closed on the High Street", idempotency_key="p1")).remote_id
    standin.add_mention(text="How long for?", author="sam", in_reply_to=posted_id)
    (mention,) = connector.mentions(since=None)
    return standin, connector, mention


@ALL
def test_a_reply_is_attached_to_the_message_it_answers(request, network):
    standin, connector, mention = a_message(request, network)

    posted = connector.post(Outgoing(text="Until 6pm, thank you", idempotency_key="r1", in_reply_to=mention.remote_id))

    (reply,) = standin.replies_to(mention.remote_id)
    assert "Until 6pm, thank you" in str(reply)
    assert posted.remote_id
    # An Instagram comment has no address of its own.
    assert posted.url.startswith("https://") if network != "instagram" else posted.url == ""


def test_a_bluesky_reply_carries_the_threads_root_and_the_messages_cid(request):
    standin, connector, mention = a_message(request, "bluesky")
    (force_post,) = list(standin.records)

    connector.post(Outgoing(text="Until 6pm", idempotency_key="r1", in_reply_to=mention.remote_id))

    (record,) = standin.replies_to(mention.remote_id)
    parent, root = record["reply"]["parent"], record["reply"]["root"]
    assert (parent["uri"], parent["cid"]) == (mention.remote_id, standin.others[mention.remote_id]["cid"])
    assert (root["uri"], root["cid"]) == (force_post, standin.records[force_post]["cid"])


def test_the_bluesky_stand_in_refuses_a_reply_without_cids_as_the_lexicon_does(request):
    _standin, connector, mention = a_message(request, "bluesky")
    session = connector._login()
    ref = {"uri": mention.remote_id}

    with pytest.raises(ConnectorError) as caught:
        connector._authed(
            lambda: connector.client.com.atproto.repo.create_record(
                {
                    "repo": session.did,
                    "collection": "app.bsky.feed.post",
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "text": "Hi",
                        "createdAt": "2026-12-07T12:00:00Z",
                        "reply": {"root": ref, "parent": ref},
                    },
                }
            ),
            write=True,
        )

    assert caught.value.kind is ErrorKind.REJECTED


@ALL
def test_after_a_dropped_connection_the_reply_is_found_as_a_reply_to_that_message(request, network):
    standin, connector, mention = a_message(request, network)
    since = a_minute_ago()
    standin.fail_next("drop_after_accept", **NETWORKS[network].reply_request)

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Until 6pm, thanks", idempotency_key="r1", in_reply_to=mention.remote_id))

    assert caught.value.kind is ErrorKind.UNKNOWN_OUTCOME
    found = connector.find_post("r1", since=since, text="Until 6pm, thanks", in_reply_to=mention.remote_id)
    assert found is not None
    assert len(standin.replies_to(mention.remote_id)) == 1
    assert connector.find_post("r2", since=since, text="Something else", in_reply_to=mention.remote_id) is None
    # The force's own post is not a reply to the message, whatever its text.
    assert (
        connector.find_post("p1", since=since, text="Road closed on the High Street", in_reply_to=mention.remote_id)
        is None
    )


@ALL
def test_a_reply_to_a_message_gone_meanwhile_is_refused_plainly(request, network):
    _standin, connector, _mention = a_message(request, network)

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Until 6pm", idempotency_key="r1", in_reply_to=NETWORKS[network].gone))

    assert caught.value.kind is ErrorKind.REJECTED
    assert "no longer there" in caught.value.message


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("At the library.", "@sam@example.org At the library."),
        ("Thanks @SAM@example.org.", "Thanks @SAM@example.org."),  # named already, in any case
        ("Ask @sam@example.org.uk", "@sam@example.org Ask @sam@example.org.uk"),  # another account
        ("Ask x@sam@example.org", "@sam@example.org Ask x@sam@example.org"),  # not a mention
        ("", "@sam@example.org"),
    ],
)
def test_with_mention_puts_the_handle_first_unless_the_text_names_that_account(text, sent):
    assert with_mention("@sam@example.org", text) == sent
    assert with_mention("", text) == text


@pytest.mark.parametrize("network", ["bluesky", "facebook", "instagram", "x"])
def test_only_mastodon_names_the_author_in_a_reply(network, request):
    standin = request.getfixturevalue(f"{network}_standin")

    assert connect(network, standin).reply_mention("@sam@example.org") == ""
