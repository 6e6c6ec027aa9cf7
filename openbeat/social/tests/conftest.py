"""The social world: two divisions with an account each, a corporate account, and staff in the roles that
matter (owner, another division, outsider). Accounts post to the in-process fake network."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from openbeat.insights.models import Account, ReportingGroup
from openbeat.social.connectors import fake
from openbeat.social.models import LegalPattern, Post, SocialAccount
from openbeat.social.services import Draft, post_create, post_submit
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user


@pytest.fixture(autouse=True)
def _fresh_fake_network():
    fake.reset()
    yield
    fake.reset()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path


def make_social(name: str, group: ReportingGroup | None, **changes: Any) -> SocialAccount:
    account = Account.objects.create(platform=Account.Platform.OTHER, name=name, group=group)
    values: dict[str, Any] = {"network": "fake", "status": SocialAccount.Status.CONNECTED, "requires_approval": True}
    values.update(changes)
    return SocialAccount.objects.create(account=account, **values)


@pytest.fixture
def world(west, east) -> Any:
    west_group = ReportingGroup.objects.create(name="West", slug="west", division=west)
    east_group = ReportingGroup.objects.create(name="East", slug="east", division=east)
    corporate_group = ReportingGroup.objects.create(name="Corporate", slug="corporate")
    return SimpleNamespace(
        west=west,
        east=east,
        west_account=make_social("@WestPolice", west_group),
        east_account=make_social("@EastPolice", east_group),
        corporate_account=make_social("@ForcePolice", corporate_group, corporate=True),
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west", email="officer@police.example"),
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        other=staff_user(roles.DIVISION_LEAD, east, username="lead-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq", email="hq@police.example"),
        hq2=staff_user(roles.HQ_MEDIA, None, username="hq2"),
        contact=staff_user(roles.CONTACT_CENTRE, None, username="contact"),
        public=UserFactory(username="public"),
    )


@pytest.fixture
def no_legal_patterns():
    LegalPattern.objects.all().delete()


def make_post(author: Any, accounts: list[SocialAccount], *, text: str = "Lock your bikes tonight.", **kw: Any) -> Post:
    draft = Draft(text=text, link=kw.pop("link", ""), accounts=accounts, variants=kw.pop("variants", {}), **kw)
    return post_create(author=author, draft=draft)


@pytest.fixture
def post_maker():
    return make_post


@pytest.fixture
def submitted(world, post_maker) -> Post:
    """An officer's post to the West account, waiting for approval."""
    post = post_maker(world.officer, [world.west_account])
    return post_submit(post=post, actor=world.officer)
