"""The back office: "Ask us anonymously" (the queue and the safeguarding settings), and the readability warning
shown when a youth or parents' article is saved above its reading level (a warning: it still saves)."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from openbeat.youth.models import ArticlePage
from openbeat.youth.readability import page_readability
from openbeat.youth.services import can_answer
from openbeat.youth.views import staff


@hooks.register("register_admin_urls")
def register_youth_urls() -> list[Any]:
    patterns = [
        path("", staff.question_list, name="list"),
        path("safeguarding/", staff.safeguarding_settings, name="settings"),
        path("<int:pk>/", staff.question_detail, name="question"),
        path("<int:pk>/<slug:verb>/", staff.question_act, name="act"),
    ]
    return [path("youth-questions/", include((patterns, "youth_staff")))]


class YouthQuestionsMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return can_answer(request.user)


@hooks.register("register_admin_menu_item")
def register_youth_menu_item() -> MenuItem:
    return YouthQuestionsMenuItem("Young people's questions", reverse("youth_staff:list"), icon_name="help", order=266)


def warn_if_hard_to_read(request: Any, page: Any) -> None:
    specific = getattr(page, "specific", page)
    if not isinstance(specific, ArticlePage):
        return
    result = page_readability(specific)
    if result.too_hard:
        messages.warning(request, f"{specific.title}: {result.message()}")


@hooks.register("after_create_page")
def readability_after_create(request: Any, page: Any) -> None:
    warn_if_hard_to_read(request, page)


@hooks.register("after_edit_page")
def readability_after_edit(request: Any, page: Any) -> None:
    warn_if_hard_to_read(request, page)
