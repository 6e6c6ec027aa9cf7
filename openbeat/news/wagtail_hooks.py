"""The back office's Appeals pages (updates and outcomes), and the second-person approval task for news."""

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.news.views import staff


@hooks.register("register_admin_urls")
def register_news_urls() -> list:
    patterns = [
        path("", staff.appeal_list, name="appeals"),
        path("<int:pk>/", staff.appeal_detail, name="appeal"),
        path("<int:pk>/outcome/", staff.appeal_outcome, name="appeal_outcome"),
    ]
    return [path("appeals/", include((patterns, "news_staff")))]


class AppealsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user.has_perm(staff.PERMISSION))


@hooks.register("register_admin_menu_item")
def register_appeals_menu_item() -> MenuItem:
    return AppealsMenuItem("Appeals", reverse("news_staff:appeals"), icon_name="help", order=265)


# A second person approves every story (news.moderation): nobody publishes a news page or appeal directly, even
# with the "publish" permission that approving needs. The button goes, and a posted "Publish" is refused.


def _is_news(page_or_class: object) -> bool:
    from openbeat.news.models import NewsPage

    if isinstance(page_or_class, type):
        return issubclass(page_or_class, NewsPage)
    specific = getattr(page_or_class, "specific_class", None)
    return specific is not None and issubclass(specific, NewsPage)


def _refused() -> HttpResponse:
    return HttpResponseForbidden("News and appeals are published once a second person approves them.")


@hooks.register("construct_page_action_menu")
def hide_direct_publish(menu_items: list, request: HttpRequest, context: dict) -> None:
    from openbeat.news.models import NewsIndexPage

    page, parent = context.get("page"), context.get("parent_page")
    creating_news = page is None and parent is not None and parent.specific_class is NewsIndexPage
    if creating_news or (page is not None and _is_news(page)):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("before_create_page")
def refuse_direct_publish_on_create(request: HttpRequest, parent_page: object, page_class: type) -> HttpResponse | None:
    if request.method == "POST" and request.POST.get("action-publish") and _is_news(page_class):
        return _refused()
    return None


@hooks.register("before_edit_page")
def refuse_direct_publish_on_edit(request: HttpRequest, page: object) -> HttpResponse | None:
    if request.method == "POST" and request.POST.get("action-publish") and _is_news(page):
        return _refused()
    return None
