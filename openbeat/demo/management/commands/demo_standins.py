"""Give the running social stand-ins the posts the demo's accounts have on them (scripts/run.sh runs it after
starting them): a stand-in starts empty, and without them looking a post up or fetching its results would answer
as for a post deleted on the network."""

from typing import Any

import requests
from django.core.management.base import BaseCommand

from openbeat.demo.social import standins_seed


class Command(BaseCommand):
    help = "Give the running social stand-ins (python -m openbeat.social.standins demo) the demo accounts' posts."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            given = standins_seed()
        except requests.RequestException as error:
            self.stderr.write(f"The social stand-ins were not given the demo's posts: {type(error).__name__}")
            return
        if given:
            self.stdout.write(
                "Social stand-ins given the demo accounts' posts: "
                + ", ".join(f"{network} {count}" for network, count in sorted(given.items()))
            )
