"""The back office's Alerts section: list, composer, the alert's page and its lifecycle actions."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.alerts.views import library, staff
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
        path("<int:pk>/copy/", staff.alert_copy, name="copy"),
        path("<int:pk>/update/", staff.alert_send_update, name="update"),
        path("templates/", library.template_list, name="templates"),
        path("templates/new/", library.template_new, name="template_new"),
        path("templates/<int:pk>/", library.template_edit, name="template_edit"),
        path("templates/<int:pk>/delete/", library.template_remove, name="template_delete"),
        path("audiences/", library.audience_list, name="audiences"),
        path("audiences/<int:pk>/delete/", library.audience_remove, name="audience_delete"),
    ]
    return [path("alerts/", include((patterns, "alerts_staff")))]


class AlertsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("alerts.view_alert") or request.user.has_perm("alerts.send_alert")


# In the "In the Know" section of the menu (subscriptions.wagtail_hooks), first.
@hooks.register(IN_THE_KNOW_MENU_HOOK)
def register_alerts_menu_item() -> MenuItem:
    return AlertsMenuItem("Alerts", reverse("alerts_staff:list"), icon_name="mail", order=10)


class AlertReuseMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("alerts.send_alert")


@hooks.register(IN_THE_KNOW_MENU_HOOK)
def register_alert_templates_menu_item() -> MenuItem:
    return AlertReuseMenuItem("Alert templates", reverse("alerts_staff:templates"), icon_name="doc-full", order=11)


@hooks.register(IN_THE_KNOW_MENU_HOOK)
def register_saved_audiences_menu_item() -> MenuItem:
    return AlertReuseMenuItem("Saved audiences", reverse("alerts_staff:audiences"), icon_name="group", order=12)
