"""The youth site's page types: where each can go, so editors can build only the sensible tree."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from openbeat.core.models import ContentPage, HomePage
from openbeat.youth.models import (
    ParentsArticlePage,
    ParentsIndexPage,
    Topic,
    YouthArticlePage,
    YouthHomePage,
)
from openbeat.youth.tests.conftest import EASY, body

pytestmark = pytest.mark.django_db


def test_the_youth_home_goes_under_the_home_page_only():
    assert YouthHomePage in HomePage.allowed_subpage_models()
    assert YouthHomePage.allowed_parent_page_models() == [HomePage]


def test_youth_articles_and_the_parents_section_go_under_the_youth_home():
    assert set(YouthHomePage.allowed_subpage_models()) == {YouthArticlePage, ParentsIndexPage}
    assert YouthArticlePage.allowed_parent_page_models() == [YouthHomePage]
    assert ParentsIndexPage.allowed_parent_page_models() == [YouthHomePage]


def test_parents_articles_go_under_the_parents_section_only():
    assert ParentsIndexPage.allowed_subpage_models() == [ParentsArticlePage]
    assert ParentsArticlePage.allowed_parent_page_models() == [ParentsIndexPage]


def test_articles_have_no_children():
    assert YouthArticlePage.allowed_subpage_models() == []
    assert ParentsArticlePage.allowed_subpage_models() == []


def test_a_second_youth_home_or_parents_section_cannot_be_made(site):
    assert not YouthHomePage.can_create_at(site.home)
    assert not ParentsIndexPage.can_create_at(site.youth)
    assert YouthArticlePage.can_create_at(site.youth)


def test_youth_pages_cannot_go_elsewhere_in_the_tree(site):
    footer_page = ContentPage.objects.first()
    assert not YouthArticlePage.can_create_at(site.home)
    assert not YouthArticlePage.can_create_at(footer_page)
    assert not ParentsArticlePage.can_create_at(site.youth)
    assert not YouthHomePage.can_create_at(Page.get_first_root_node())


def test_a_youth_article_cannot_take_a_path_the_youth_site_serves_itself(site):
    page = YouthArticlePage(title="Ask", slug="ask", topic=Topic.DRUGS, summary="s", body=body(EASY))
    with pytest.raises(ValidationError) as error:
        site.youth.add_child(instance=page)
    assert "slug" in error.value.message_dict


def test_every_topic_of_the_issue_is_offered():
    labels = {label.lower() for label in Topic.labels}
    for topic in ("online safety", "sexting", "knife crime", "drugs", "exploitation", "bullying"):
        assert any(topic in label for label in labels)
