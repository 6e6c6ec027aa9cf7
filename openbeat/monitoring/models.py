"""No tables: only the permission to see the service's detailed health and its metrics."""

from django.db import models


class Monitoring(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_monitoring", "Can see the service's detailed health and metrics")]

    def __str__(self) -> str:
        return "Monitoring"
