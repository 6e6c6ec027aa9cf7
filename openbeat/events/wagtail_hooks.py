"""The back office's Events section."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.events.views import staff


@hooks.register("register_admin_urls")
def register_event_urls() -> list:
    patterns = [
        path("", staff.event_list, name="list"),
        path("new/", staff.event_new, name="new"),
        path("<int:pk>/", staff.event_detail, name="detail"),
        path("<int:pk>/edit/", staff.event_edit, name="edit"),
        path("<int:pk>/publish/", staff.event_publish, name="publish"),
        path("<int:pk>/notify/", staff.event_notify, name="notify"),
        path("<int:pk>/cancel/", staff.event_cancel, name="cancel"),
    ]
    return [path("events/", include((patterns, "events_staff")))]


class EventsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("events.view_event")


@hooks.register("register_admin_menu_item")
def register_events_menu_item() -> MenuItem:
    return EventsMenuItem("Events", reverse("events_staff:list"), icon_name="date", order=260)
