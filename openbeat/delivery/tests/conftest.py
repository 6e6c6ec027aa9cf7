"""Fixtures the delivery tests share: a fake transport, and a task backend that records instead of running."""

import pytest
from django.tasks import task_backends

from openbeat.delivery.transports import fake as fake_transport

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@pytest.fixture
def fake(settings):
    settings.DELIVERY_TRANSPORT_FAKE = True
    fake_transport.reset()
    yield fake_transport
    fake_transport.reset()


@pytest.fixture
def queued(settings):
    """Tasks are recorded, not run: the test sees exactly what the outbox queued."""
    settings.TASKS = DUMMY_TASKS
    backend = task_backends["default"]
    backend.clear()
    return backend.results
