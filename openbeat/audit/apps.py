from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openbeat.audit"
    label = "audit"
    verbose_name = "Audit log"
