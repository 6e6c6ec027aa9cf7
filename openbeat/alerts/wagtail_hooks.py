"""The back office's Alerts section: list, composer, the alert's page and its lifecycle actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.alerts.views import staff
from openbeat.subscriptions.wagtail_hooks import IN_THE_KNOW_MENU_HOOK


@hooks.register("register_admin_urls")
def register_alert_urls() -> list:
    patterns = [
        path("", staff.alert_list, name="list"),
        path("new/", staff.alert_new, name="new"),
        path("audience/", staff.alert_audience, name="audience"),
        path("preview/", staff.alert_preview, name="preview"),
        path("<int:pk>/", staff.alert_detail, name="detail"),
        path("<int:pk>/edit/", staff.alert_edit, name="edit"),
        path("<int:pk>/submit/", staff.alert_submit, name="submit"),
        path("<int:pk>/approve/", staff.alert_approve, name="approve"),
        path("<int:pk>/reject/", staff.alert_reject, name="reject"),
        path("<int:pk>/cancel/", staff.alert_cancel, name="cancel"),
    ]
    return [path("alerts/", include((patterns, "alerts_staff")))]


class AlertsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("alerts.view_alert") or request.user.has_perm("alerts.send_alert")


# In the "In the Know" section of the menu (subscriptions.wagtail_hooks), first.
@hooks.register(IN_THE_KNOW_MENU_HOOK)
def register_alerts_menu_item() -> MenuItem:
    return AlertsMenuItem("Alerts", reverse("alerts_staff:list"), icon_name="mail", order=10)
