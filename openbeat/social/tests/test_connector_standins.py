import json
import subprocess
import sys
import urllib.request

import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing
from openbeat.social.standins import running_standin, url_prefix

from .standin_fixtures import connect


def _call(url, data=None):
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (a local stand-in's http URL)
        return json.loads(response.read())


def test_the_control_api_injects_faults_and_mentions_for_another_process():
    with running_standin("mastodon") as standin:
        _call(f"{standin.base_url}/_standin/fail", {"fault": "unauthorized", "method": "POST"})
        _call(f"{standin.base_url}/_standin/mention", {"text": "Hello"})

        with pytest.raises(ConnectorError) as caught:
            connect("mastodon", standin).post(Outgoing(text="Hi", idempotency_key="k"))

        state = _call(f"{standin.base_url}/_standin/state")
    assert caught.value.kind is ErrorKind.REVOKED
    assert (state["network"], state["mentions"], state["faults"]) == ("mastodon", 1, 0)


@pytest.mark.parametrize("network", ["x", "instagram"])
def test_each_stand_in_runs_as_a_process(network):
    process = subprocess.Popen(
        [sys.executable, "-m", "openbeat.social.standins", network, "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()
        base_url = line.split(" at ")[1].split()[0]
        root = base_url.removesuffix(url_prefix(network))  # the control API is at the server's root
        assert _call(f"{root}/_standin/state")["network"] == network
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_stand_ins_take_many_posts_quickly():
    with running_standin("mastodon") as standin:
        connector = connect("mastodon", standin)
        for number in range(200):
            connector.post(Outgoing(text=f"Post {number}", idempotency_key=f"k{number}"))
        assert len(standin.statuses) == 200
