"""One module per social network behind one small interface (base.Connector), as delivery/transports/ is for mail
and SMS. `connector_for(network)` imports the network's module on first use."""

from __future__ import annotations

import importlib

from openbeat.social.connectors.base import Connector

MODULES = {
    "fake": "openbeat.social.connectors.fake",
    "mastodon": "openbeat.social.connectors.mastodon",
    "bluesky": "openbeat.social.connectors.bluesky",
    "facebook": "openbeat.social.connectors.facebook",
    "x": "openbeat.social.connectors.x",
    "instagram": "openbeat.social.connectors.instagram",
}


def connector_for(network: str) -> type[Connector]:
    """The connector class for `network` (a key of MODULES); KeyError for an unknown one."""
    module = importlib.import_module(MODULES[network])
    return module.CONNECTOR  # type: ignore[no-any-return]
