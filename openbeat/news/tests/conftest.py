"""The news tests' world: the home page with a news index under it (and its second-person workflow), two
divisions with staff in each role (alerts.tests.lifecycle_world), and helpers that publish news and appeals."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from openbeat.alerts.tests.lifecycle_world import make_world
from openbeat.core.services import site_pages_ensure
from openbeat.delivery.transports import fake as fake_transport
from openbeat.news.models import AppealKind, AppealPage, NewsIndexPage, NewsPage
from openbeat.news.moderation import news_workflow_ensure


def body(*paragraphs: str) -> list[tuple[str, Any]]:
    return [("paragraph", f"<p>{text}</p>") for text in paragraphs]


def image(title: str = "Photo") -> Any:
    return get_image_model().objects.create(title=title, file=get_test_image_file())


def publish(parent: Any, page: Any, *, neighbourhoods: Any = (), divisions: Any = (), alerts: Any = ()) -> Any:
    page.neighbourhoods = list(neighbourhoods)
    page.divisions = list(divisions)
    if alerts and isinstance(page, AppealPage):
        page.alerts = list(alerts)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def news(index: Any, title: str = "Officers join school safety day", **kwargs: Any) -> NewsPage:
    values = {"title": title, "summary": f"{title}: the summary.", "body": body("What happened.")}
    areas = {k: kwargs.pop(k) for k in ("neighbourhoods", "divisions") if k in kwargs}
    return publish(index, NewsPage(**{**values, **kwargs}), **areas)


def appeal(index: Any, title: str = "Have you seen Jane Doe?", **kwargs: Any) -> AppealPage:
    values = {
        "title": title,
        "slug": kwargs.pop("slug", "missing-woman-abbey"),
        "summary": "Jane Doe, 34, was last seen in Abbey on Monday.",
        "body": body("Jane is 5ft 6in with long dark hair."),
        "kind": AppealKind.MISSING,
        "subject_name": "Jane Doe",
    }
    links = {k: kwargs.pop(k) for k in ("neighbourhoods", "divisions", "alerts") if k in kwargs}
    return publish(index, AppealPage(**{**values, **kwargs}), **links)


@pytest.fixture
def world(west, east) -> Any:
    return make_world(west, east)


@pytest.fixture
def site(world) -> Any:
    home = site_pages_ensure()
    index = NewsIndexPage(title="News and appeals", slug="news", intro="The latest from the force.")
    home.add_child(instance=index)
    index.save_revision().publish()
    workflow = news_workflow_ensure(index=index)
    return SimpleNamespace(home=home, index=index, workflow=workflow)


@pytest.fixture
def fake(settings):
    settings.DELIVERY_TRANSPORT_FAKE = True
    fake_transport.reset()
    yield fake_transport
    fake_transport.reset()
