import pytest

from openbeat.alerts import handoff


@pytest.fixture(autouse=True)
def _no_delivery_pipeline():
    """Alerts are tested on their own: no delivery pipeline unless a test installs one (the delivery app's
    tests cover the real one). Whatever was installed before is put back afterwards."""
    previous = handoff.installed()
    figures, forecast = handoff.figures_source(), handoff.forecast_installed()
    handoff.register(None)
    handoff.register_figures(None)
    handoff.register_forecast(None)
    yield
    handoff.register(previous)
    handoff.register_figures(*(figures or (None,)))
    handoff.register_forecast(forecast)
