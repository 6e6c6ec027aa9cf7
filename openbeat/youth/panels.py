"""The readability panel on an article's edit view: the level of the text as last saved, and the aim."""

from __future__ import annotations

from typing import Any

from wagtail.admin.panels import Panel


class ReadabilityPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "youth/panels/readability.html"

        def get_context_data(self, parent_context: Any = None) -> Any:
            from openbeat.youth.readability import page_readability

            context = super().get_context_data(parent_context)
            page = self.instance
            # A page being created has no saved text yet: the check runs on save.
            context["readability"] = page_readability(page) if page is not None and page.pk else None
            return context
