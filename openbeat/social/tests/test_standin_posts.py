"""A stand-in given a post made elsewhere (the demo's sent posts, by `manage.py demo_standins`) answers for it as
the network would: the connector finds it and fetches its figures."""

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from openbeat.social.standins import running_standin
from openbeat.social.standins.bluesky import DID
from openbeat.social.standins.facebook import PAGE_ID

from .standin_fixtures import connect

REMOTE_IDS = {
    "mastodon": "113000000000000001",
    "bluesky": f"at://{DID}/app.bsky.feed.post/3demo0000000001",
    "facebook": f"{PAGE_ID}_900000000000001",
    "x": "1800000000000000001",
}


def _post(base_url, document):
    address = urlsplit(base_url)  # the control API is at the server's root (Facebook's base URL has a version)
    request = urllib.request.Request(  # noqa: S310 (a local stand-in's http URL)
        f"{address.scheme}://{address.netloc}/_standin/post",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.mark.parametrize("network", sorted(REMOTE_IDS))
def test_a_post_given_to_a_stand_in_is_found_with_its_figures(network):
    remote_id = REMOTE_IDS[network]
    text = "Bike marking this Saturday outside the police station."
    posted_at = datetime.now(UTC) - timedelta(days=3)
    with running_standin(network) as standin:
        answer = _post(
            standin.base_url,
            {
                "remote_id": remote_id,
                "text": text,
                "created_at": posted_at.isoformat(),
                "figures": {"reactions": 12, "shares": 3, "replies": 2, "impressions": 900},
            },
        )
        connector = connect(network, standin)
        [figures] = connector.figures([remote_id])
        found = connector.find_post("no-such-key", since=posted_at - timedelta(minutes=5), text=text)
    assert answer == {"id": remote_id}
    assert (figures.remote_id, figures.reactions, figures.shares, figures.replies) == (remote_id, 12, 3, 2)
    assert found is not None
    assert found.remote_id == remote_id
