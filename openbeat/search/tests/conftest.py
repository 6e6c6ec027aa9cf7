"""The search tests' world: the home page with a force page under it, the news index with a story and a
missing-person appeal, the youth site with an article for young people and one for parents, neighbourhoods
(two in the west, one in the east) and a postcode in one of them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from openbeat.areas.tests.factories import PostcodeFactory
from openbeat.core.models import ContentPage
from openbeat.news.models import NewsIndexPage
from openbeat.news.tests.conftest import appeal, news
from openbeat.youth.models import ParentsArticlePage, ParentsIndexPage, Topic, YouthArticlePage, YouthHomePage
from openbeat.youth.tests.conftest import EASY
from openbeat.youth.tests.conftest import body as youth_body
from openbeat.youth.tests.conftest import publish as youth_publish


@pytest.fixture
def world(west, east) -> Any:
    from openbeat.alerts.tests.lifecycle_world import make_world

    return make_world(west, east)


@pytest.fixture
def pages(world) -> Any:
    from openbeat.core.services import site_pages_ensure

    home = site_pages_ensure()
    index = NewsIndexPage(title="News and appeals", slug="news")
    home.add_child(instance=index)
    index.save_revision().publish()
    story = news(index, "Bicycle marking day in Abbey", summary="Bring your bicycle to be marked.")
    missing = appeal(index, "Have you seen Jane Doe?", neighbourhoods=[world.west_a])
    youth = youth_publish(home, YouthHomePage(title="Youth zone", slug="youth"))
    article = youth_publish(
        youth,
        YouthArticlePage(
            title="Staying safe online with your bicycle",
            slug="online",
            topic=Topic.ONLINE_SAFETY,
            summary="Bicycle safety and online safety.",
            body=youth_body(EASY),
        ),
    )
    parents = youth_publish(youth, ParentsIndexPage(title="For parents and carers", slug="parents-and-carers"))
    parents_article = youth_publish(
        parents,
        ParentsArticlePage(
            title="Talking about bullying",
            slug="bullying",
            topic=Topic.BULLYING,
            summary="Bicycle theft and bullying at school.",
            body=youth_body(EASY),
        ),
    )
    info = youth_publish(
        home,
        ContentPage(title="Bicycle registration", slug="bicycles", summary="Register your bicycle.", body="<p>x</p>"),
    )
    postcode = PostcodeFactory(postcode="PR1 2AB", neighbourhood=world.west_b)
    return SimpleNamespace(
        home=home,
        index=index,
        story=story,
        appeal=missing,
        article=article,
        parents_article=parents_article,
        info=info,
        postcode=postcode,
    )
