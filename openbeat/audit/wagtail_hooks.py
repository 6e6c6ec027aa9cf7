from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.audit.views import staff


@hooks.register("register_admin_urls")
def register_audit_urls() -> list:
    return [
        path("audit/", staff.audit_log, name="audit_log"),
        path("audit/export.csv", staff.audit_log_export, name="audit_log_export"),
    ]


class AuditMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("audit.view_auditentry")


@hooks.register("register_admin_menu_item")
def register_audit_menu_item() -> MenuItem:
    return AuditMenuItem("Audit log", reverse("audit_log"), icon_name="history", order=900)
