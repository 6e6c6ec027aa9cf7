"""Who may write news and appeals, and who approves them: Wagtail's workflow with a second person.

`news_workflow_ensure(index=...)` (the demo runs it; a force runs it once for its own index) makes the
"News and appeals" workflow with one `SecondPersonApprovalTask` (HQ Media & Engagement and division leads
approve, never their own work), assigns it to the index (so to every page under it), and gives the roles their
page permissions there: officers draft and submit; leads and HQ also hold "publish", which Wagtail needs to approve
(approving publishes), while news.wagtail_hooks takes the direct "Publish" away on news pages, so that every
story goes through a second person. Safe to run again.

Scheduled publishing is Wagtail's: an approved page with a "go live" date is published by `publish_scheduled`,
which the scheduler runs every minute (openbeat.scheduler.jobs).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask

from openbeat.news.models import SecondPersonApprovalTask
from openbeat.staff import roles

WORKFLOW_NAME = "News and appeals: second-person approval"
TASK_NAME = "Approval by a second person"
APPROVERS = (roles.HQ_MEDIA, roles.DIVISION_LEAD)
PAGE_PERMISSIONS = {
    roles.HQ_MEDIA: ("add_page", "change_page", "publish_page"),
    roles.DIVISION_LEAD: ("add_page", "change_page", "publish_page"),
    roles.NEIGHBOURHOOD_OFFICER: ("add_page", "change_page"),
}


def news_workflow_ensure(*, index: Page) -> Workflow:
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = SecondPersonApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = SecondPersonApprovalTask.objects.create(name=TASK_NAME)
    task.groups.set(Group.objects.filter(name__in=APPROVERS))
    # Written directly: the workflow's own child manager (modelcluster) keeps rows in memory until the next save.
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(
            workflow=workflow, task=task, sort_order=WorkflowTask.objects.filter(workflow=workflow).count()
        )
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    for role, codenames in PAGE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for permission in Permission.objects.filter(content_type__app_label="wagtailcore", codename__in=codenames):
            GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
    return workflow
