"""The back office's delivery pages: the replies inbox (in the In the Know menu) and an alert's statistics."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.delivery.selectors import urgent_waiting
from openbeat.delivery.views import staff
from openbeat.subscriptions.wagtail_hooks import IN_THE_KNOW_MENU_HOOK


@hooks.register("register_admin_urls")
def register_delivery_urls() -> list:
    patterns = [
        path("replies/", staff.reply_list, name="replies"),
        path("replies/<int:pk>/", staff.reply_detail, name="reply"),
        path("replies/<int:pk>/assign/", staff.reply_assign, name="reply_assign"),
        path("replies/<int:pk>/state/", staff.reply_state, name="reply_state"),
        path("replies/<int:pk>/answer/", staff.reply_answer, name="reply_answer"),
        path("replies/<int:pk>/pick-up/", staff.reply_pick_up, name="reply_pick_up"),
        path("replies/<int:pk>/address/", staff.reply_address, name="reply_address"),
        path("alerts/<int:pk>/delivery/", staff.alert_delivery, name="alert_delivery"),
        path("alerts/<int:pk>/delivery/statistics.csv", staff.alert_delivery_csv, name="alert_delivery_csv"),
        path(
            "alerts/<int:pk>/delivery/comments/<int:rating_pk>/",
            staff.rating_comment_visibility,
            name="rating_comment",
        ),
        path("alerts/<int:pk>/delivery/progress.json", staff.alert_delivery_progress, name="alert_progress"),
    ]
    return [path("", include((patterns, "delivery_staff")))]


class RepliesMenuItem(MenuItem):
    """The inbox's menu item, its label carrying a count of urgent replies nobody has picked up yet."""

    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("delivery.view_reply")

    def render_component(self, request):  # type: ignore[no-untyped-def]
        component = super().render_component(request)
        waiting = urgent_waiting(request.user).count()
        if waiting:
            component.label = f"{self.label} ({waiting} urgent waiting)"
            component.attrs = {**component.attrs, "data-urgent-waiting": str(waiting)}
        return component


# In the "In the Know" section, after Alerts (10) and before Interests (20).
@hooks.register(IN_THE_KNOW_MENU_HOOK)
def register_replies_menu_item() -> MenuItem:
    return RepliesMenuItem("Residents' replies", reverse("delivery_staff:replies"), icon_name="comment", order=15)
