"""The demo's register of its own rows: the only rows `load_demo` ever changes and `load_demo --reset` deletes.

A force may load the demo beside its own data (a training copy, say), so nothing can tell demo rows from real
ones by what they hold: a real neighbourhood may be called Bowerham, a real division West. The demo writes
down every row it creates instead, in this table, and looks nowhere else.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class DemoRow(models.Model):
    """One row the demo created: its model and primary key (text, so a postcode's key fits too)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    # The demo's own name for the row (e.g. "West" for the division it created as "West (demo)" because the
    # force already had a West), so a later run finds its row and never a real one with the same name.
    key = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="demo_row_unique")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"
