"""Settings > Scheduled jobs, for those who run the service (Administrators; a force may give the permission
to others)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.scheduler import views


@hooks.register("register_admin_urls")
def register_scheduler_urls() -> list:
    return [path("scheduled-jobs/", views.job_list, name="scheduled_jobs")]


class JobsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("scheduler.view_scheduled_jobs")


@hooks.register("register_settings_menu_item")
def register_jobs_menu_item() -> MenuItem:
    return JobsMenuItem("Scheduled jobs", reverse("scheduled_jobs"), icon_name="time", order=910)
