"""Wagtail's workflow on news: a second person approves, nobody their own work; scheduled publishing through the
scheduler's job; revisions kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import Revision, TaskState

from openbeat.news.models import NewsPage, SecondPersonApprovalTask
from openbeat.news.moderation import news_workflow_ensure
from openbeat.news.tests.conftest import body
from openbeat.scheduler import jobs

pytestmark = pytest.mark.django_db


def submitted(site, author, **fields):
    """A draft by `author`, submitted to the news workflow."""
    page = NewsPage(title="Road closed for the carnival", slug="carnival", summary="S", body=body("x"), live=False)
    site.index.add_child(instance=page)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision(user=author)
    workflow = page.get_workflow()
    workflow.start(page, author)
    page.refresh_from_db()
    return page, page.current_workflow_task_state


def test_the_news_index_and_its_pages_use_the_second_person_workflow(site):
    assert site.index.get_workflow() == site.workflow
    task = site.workflow.tasks.get().specific
    assert isinstance(task, SecondPersonApprovalTask)
    assert news_workflow_ensure(index=site.index) == site.workflow  # again: nothing new
    assert site.workflow.tasks.count() == 1


def test_nobody_approves_their_own_page(site, world):
    page, state = submitted(site, world.hq)
    task = state.task.specific
    assert task.get_actions(page, world.hq) == []
    assert not task.get_task_states_user_can_moderate(world.hq).exists()
    with pytest.raises(PermissionDenied):
        task.on_action(state, world.hq, "approve")
    page.refresh_from_db()
    assert not page.live


def test_a_second_approver_publishes_it(site, world):
    page, state = submitted(site, world.officer_west)
    task = state.task.specific
    assert task.get_actions(page, world.officer_west) == []  # not an approver, and the author
    assert [a[0] for a in task.get_actions(page, world.hq)] == ["reject", "approve", "approve"]
    assert task.get_task_states_user_can_moderate(world.hq).get() == state
    task.on_action(state, world.hq, "approve")
    page.refresh_from_db()
    assert page.live
    assert TaskState.objects.get(pk=state.pk).status == TaskState.STATUS_APPROVED


def test_an_approver_who_edits_the_draft_under_review_cannot_approve_it(site, world):
    page, state = submitted(site, world.officer_west)
    page.title = "Changed by HQ"
    page.save_revision(user=world.hq)
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, world.hq, "approve")
    state.task.specific.on_action(state, world.hq_other, "approve")
    page.refresh_from_db()
    assert page.title == "Changed by HQ"
    assert page.live


def test_an_approved_page_with_a_go_live_time_is_published_by_the_scheduler(site, world, monkeypatch):
    later = timezone.now() + timedelta(hours=2)
    page, state = submitted(site, world.officer_west, go_live_at=later)
    state.task.specific.on_action(state, world.hq, "approve")
    page.refresh_from_db()
    assert not page.live
    jobs.publish_scheduled_pages()
    page.refresh_from_db()
    assert not page.live

    after = later + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: after)
    jobs.publish_scheduled_pages()
    page.refresh_from_db()
    assert page.live
    assert Revision.objects.for_instance(page).count() == 1


def test_nobody_publishes_a_news_page_directly_in_the_editor(site, world):
    from django.urls import reverse

    from openbeat.news.tests.conftest import news
    from openbeat.staff.tests.factories import client_for

    page = news(site.index)
    client = client_for(world.hq)
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = client.get(edit)
    assert form.status_code == 200
    assert 'name="action-publish"' not in form.content.decode()
    assert 'name="action-submit"' in form.content.decode()
    posted = client.post(edit, {"title": "Changed", "slug": page.slug, "summary": "S", "action-publish": "1"})
    assert posted.status_code == 403
    page.refresh_from_db()
    assert page.title == "Officers join school safety day"
    create = reverse("wagtailadmin_pages:add", args=["news", "newspage", site.index.pk])
    assert 'name="action-publish"' not in client.get(create).content.decode()
