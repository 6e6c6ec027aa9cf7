"""The back office's PACT meetings section."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.meetings.views import staff


@hooks.register("register_admin_urls")
def register_meeting_urls() -> list:
    patterns = [
        path("", staff.meeting_list, name="list"),
        path("words/", staff.word_lists, name="words"),
        path("event/<int:event_pk>/setup/", staff.meeting_setup, name="setup"),
        path("<int:pk>/", staff.meeting_console, name="console"),
        path("<int:pk>/edit/", staff.meeting_edit, name="edit"),
        path("<int:pk>/record/", staff.meeting_record, name="record"),
        path("<int:pk>/actions/new/", staff.action_add, name="action_add"),
        path("<int:pk>/questions/<int:qpk>/<slug:verb>/", staff.question_act, name="question"),
    ]
    return [path("meetings/", include((patterns, "meetings_staff")))]


class MeetingsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("meetings.moderate_meeting")


@hooks.register("register_admin_menu_item")
def register_meetings_menu_item() -> MenuItem:
    return MeetingsMenuItem("PACT meetings", reverse("meetings_staff:list"), icon_name="group", order=265)
