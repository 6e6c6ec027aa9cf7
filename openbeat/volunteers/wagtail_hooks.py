"""The back office's Citizens in Policing section: counts, imports and volunteering opportunities."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.volunteers.views import staff


@hooks.register("register_admin_urls")
def register_volunteer_urls() -> list:
    patterns = [
        path("", staff.overview, name="overview"),
        path("counts/<slug:code>/", staff.division_grid, name="grid"),
        path("counts/<slug:code>/<str:month>/", staff.month_edit, name="month"),
        path("import/", staff.upload, name="upload"),
        path("import/template.csv", staff.template_csv, name="template"),
        path("import/<int:pk>/", staff.batch_detail, name="batch"),
        path("opportunities/", staff.opportunity_list, name="opportunities"),
        path("opportunities/new/", staff.opportunity_new, name="opportunity_new"),
        path("opportunities/<int:pk>/", staff.opportunity_edit, name="opportunity_edit"),
    ]
    return [path("volunteers/", include((patterns, "volunteers_staff")))]


class VolunteersMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("volunteers.view_counts") or request.user.has_perm("volunteers.manage_opportunity")


@hooks.register("register_admin_menu_item")
def register_volunteers_menu_item() -> MenuItem:
    return VolunteersMenuItem(
        "Citizens in Policing", reverse("volunteers_staff:overview"), icon_name="group", order=267
    )
