"""Every connector against its stand-in, table-driven: each kind of error the network answers is told apart (and
names neither the secret nor the post's text), and a post whose answer was lost is found afterwards. Network
specifics (X's credits and duplicates, Facebook's usage header, Bluesky's sessions,
Instagram's publishing allowance) stay in each network's file."""

from dataclasses import dataclass, field

import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing

from .standin_fixtures import (  # noqa: F401
    a_minute_ago,
    bluesky_standin,
    connect,
    facebook_standin,
    instagram_standin,
    mastodon_standin,
    public_image,
    x_standin,
)

K = ErrorKind


@dataclass(frozen=True)
class Network:
    secret: str
    post_request: dict[str, str]  # which request the fault is put on: the post's own
    faults: dict[str, ErrorKind]
    store: str  # the stand-in's attribute holding what was posted
    retry_after: tuple[int, int] = (0, 0)  # the rate limit's wait the network announces, in seconds (low, high)
    signed_in_first: bool = False  # Bluesky: the session is made by an earlier call, not by the post
    no_cause: bool = False  # the error carries no chained exception (it would hold the token-bearing request)
    lost_post: dict[str, str] = field(default_factory=lambda: {"text": "Road closed"})
    needs_image: bool = False  # Instagram: every post has an image (at a public address)


COMMON = {
    "unauthorized": K.REVOKED,
    "server_error": K.PASSING,
    "unavailable": K.PASSING,
    "too_long": K.REJECTED,
    "drop_after_accept": K.UNKNOWN_OUTCOME,
}
NETWORKS = {
    "mastodon": Network(
        secret="mastodon-secret-token",
        post_request={"method": "POST"},
        faults=COMMON | {"rate_limited": K.RATE_LIMITED, "media_rejected": K.REJECTED},
        store="statuses",
        retry_after=(100, 121),
        no_cause=True,
        lost_post={"text": "Road <closed> & diverted", "link": "https://police.uk/r"},
    ),
    "bluesky": Network(
        secret="bluesky-app-password",
        post_request={"path_contains": "createRecord"},
        faults=COMMON | {"rate_limited": K.RATE_LIMITED, "duplicate": K.REJECTED},
        store="records",
        retry_after=(60, 91),
        signed_in_first=True,
        lost_post={"text": "Road closed", "link": "https://police.uk/r"},
    ),
    "facebook": Network(
        secret="facebook-secret-token",
        post_request={"path_contains": "/feed"},
        faults=COMMON | {"duplicate": K.REJECTED},
        store="posts",
    ),
    "x": Network(
        secret="x-secret",
        post_request={"path_contains": "/2/tweets"},
        faults=COMMON | {"rate_limited": K.RATE_LIMITED, "duplicate": K.REJECTED, "credits": K.CREDITS},
        store="tweets",
        retry_after=(500, 601),
    ),
    "instagram": Network(
        secret="instagram-secret-token",
        post_request={"path_contains": "/media_publish"},  # the call that publishes (the container's is a draft)
        faults=COMMON | {"rate_limited": K.RATE_LIMITED, "duplicate": K.REJECTED, "media_rejected": K.REJECTED},
        store="media",
        retry_after=(240, 240),
        no_cause=True,
        needs_image=True,
        lost_post={"text": "Road closed", "link": "https://police.uk/r"},
    ),
}
ERROR_CASES = [
    pytest.param(network, fault, kind, id=f"{network}-{fault}")
    for network, spec in NETWORKS.items()
    for fault, kind in spec.faults.items()
]


def connected(request, network: str):
    standin = request.getfixturevalue(f"{network}_standin")
    connector = connect(network, standin)
    if NETWORKS[network].signed_in_first:
        connector.followers()
    return standin, connector


def images(request, network: str) -> tuple:
    return (request.getfixturevalue("public_image"),) if NETWORKS[network].needs_image else ()


@pytest.mark.parametrize(("network", "fault", "kind"), ERROR_CASES)
def test_each_error_is_told_apart_and_names_neither_secret_nor_text(request, network, fault, kind):
    spec = NETWORKS[network]
    standin, connector = connected(request, network)
    standin.fail_next(fault, **spec.post_request)

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Private words", idempotency_key="k1", images=images(request, network)))

    assert caught.value.kind is kind
    assert spec.secret not in caught.value.message
    assert "Private words" not in caught.value.message
    if spec.no_cause:
        assert caught.value.__cause__ is None
    if kind is K.RATE_LIMITED:
        low, high = spec.retry_after
        assert low <= (caught.value.retry_after or 0) <= high


@pytest.mark.parametrize("network", list(NETWORKS))
def test_after_a_dropped_connection_the_post_is_found(request, network):
    spec = NETWORKS[network]
    standin, connector = connected(request, network)
    since = a_minute_ago()
    standin.fail_next("drop_after_accept", **spec.post_request)

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(idempotency_key="k1", images=images(request, network), **spec.lost_post))

    assert caught.value.kind is K.UNKNOWN_OUTCOME
    found = connector.find_post("k1", since=since, text=spec.lost_post["text"])
    assert found is not None
    assert found.remote_id in getattr(standin, spec.store)
    assert connector.find_post("k2", since=since, text="Other") is None
