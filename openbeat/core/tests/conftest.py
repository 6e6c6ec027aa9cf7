"""Fixtures for core's tests. The Notify stand-in's fixtures live beside it so other apps can import them too."""

import socket

import pytest

from openbeat.core.tests.notify_standin import notify_server, notify_sms

__all__ = ["message_templates", "notify_server", "notify_sms", "refused_port"]

# Message templates for the tests only, in a temporary folder so that none ships with the app.
MESSAGE_TEMPLATES = {
    "test/confirm_subject.txt": "Confirm your\n   subscription to {{ force.name }}\n",
    "test/confirm.txt": "Hello {{ name }},\n\nConfirm at {{ base_url }}/confirm/{{ token }}/\n",
    "test/confirm.html": "<p>Hello <strong>{{ name }}</strong>,</p>\n"
    '<p><a href="{{ base_url }}/confirm/{{ token }}/">Confirm</a></p>\n',
    "test/plain_subject.txt": "A plain note\n",
    "test/plain.txt": "Just text.\n",
    "test/code.txt": "\n{{ force.name }}: your code is {{ code }}\n\n",
}


@pytest.fixture
def message_templates(settings, tmp_path):
    folder = tmp_path / "templates"
    for name, content in MESSAGE_TEMPLATES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [folder]}, *settings.TEMPLATES[1:]]
    settings.FORCE_NAME = "Testshire Constabulary"
    settings.BASE_URL = "https://beat.police.example/"
    return folder


@pytest.fixture
def refused_port():
    """A local port that refuses connections: bound but not listening, so no other process can take it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
