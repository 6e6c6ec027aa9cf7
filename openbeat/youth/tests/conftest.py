"""The youth site's test world: the home page with the youth site under it (a youth article, the parents'
section with an article), and staff: the force-wide answerer, a division lead, an administrator, a member of
the public."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from openbeat.core.services import site_pages_ensure
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.youth.models import ParentsArticlePage, ParentsIndexPage, Topic, YouthArticlePage, YouthHomePage

EASY = (
    "The cat sat on the mat. It was a warm day. We went to the park to play. The sun was out and we had fun. "
    "Then we went home for tea."
)
HARD = (
    "Notwithstanding considerable methodological heterogeneity characterising contemporary epidemiological "
    "investigations, substantial evidence demonstrates that adolescent exposure to psychoactive substances "
    "significantly increases subsequent vulnerability to dependency, particularly amongst individuals "
    "experiencing socioeconomic disadvantage."
)


def body(*paragraphs: str) -> list[tuple[str, Any]]:
    return [("paragraph", f"<p>{text}</p>") for text in paragraphs]


def publish(parent: Any, page: Any) -> Any:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def site() -> Any:
    home = site_pages_ensure()
    youth = publish(home, YouthHomePage(title="Youth zone", slug="youth"))
    article = publish(
        youth,
        YouthArticlePage(
            title="Staying safe online", slug="online", topic=Topic.ONLINE_SAFETY, summary="Be safe.", body=body(EASY)
        ),
    )
    parents = publish(youth, ParentsIndexPage(title="For parents and carers", slug="parents-and-carers"))
    parents_article = publish(
        parents,
        ParentsArticlePage(
            title="Talking about bullying", slug="bullying", topic=Topic.BULLYING, summary="Listen.", body=body(EASY)
        ),
    )
    return SimpleNamespace(home=home, youth=youth, article=article, parents=parents, parents_article=parents_article)


@pytest.fixture
def people(west) -> Any:
    return SimpleNamespace(
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        admin=staff_user(roles.ADMINISTRATOR, None, username="admin"),
        public=UserFactory(username="public"),
        # Wagtail's page permissions come from its own tree rules: an editor with them all.
        editor=UserFactory(username="editor", is_superuser=True),
    )
