import pytest

from openbeat.alerts import handoff


@pytest.fixture(autouse=True)
def _no_delivery_pipeline():
    """Alerts are tested on their own: no delivery pipeline unless a test installs one (the delivery app's
    tests cover the real one). Whatever was installed before is put back afterwards."""
    previous = handoff.installed()
    handoff.register(None)
    yield
    handoff.register(previous)
