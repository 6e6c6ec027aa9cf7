"""What the delivery app holds about a subscriber, for their data export and their erasure.

Registered from DeliveryConfig.ready() with the subscriptions app's registries: the export gains the alerts
sent to them with what they did (opened, clicked, rated, replied); erasure removes their replies' text and
rating comments (the words they wrote) and detaches their deliveries, which the delivery rows' SET_NULL then
leaves as anonymous counts for the alert's statistics.
"""

from __future__ import annotations

from typing import Any

from openbeat.delivery.models import Delivery, Rating, Reply, ReplyAnswer
from openbeat.subscriptions.models import Subscriber

ERASED = "(erased at the resident's request)"


def export_deliveries(subscriber: Subscriber) -> list[dict[str, Any]]:
    rows = (
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("alert", "rating")
        .prefetch_related("replies__answers")
        .order_by("created_at")
    )
    out = []
    for d in rows:
        rating = getattr(d, "rating", None)
        out.append(
            {
                "alert": d.alert.title,
                "channel": d.channel,
                "state": d.state,
                "sent_at": d.sent_at.isoformat() if d.sent_at else "",
                "opened_at": d.opened_at.isoformat() if d.opened_at else "",
                "clicked_at": d.clicked_at.isoformat() if d.clicked_at else "",
                "rating": rating.score if rating else "",
                "rating_comment": rating.comment if rating else "",
                "replies": " | ".join(r.body for r in d.replies.all()),
                "answers": " | ".join(a.body for r in d.replies.all() for a in r.answers.all()),
            }
        )
    return out


def erase_feedback(subscriber: Subscriber) -> None:
    Reply.objects.filter(delivery__subscriber=subscriber).update(body=ERASED, triggers="")
    # Staff's answers quote and name the resident's circumstances: they go with the replies.
    ReplyAnswer.objects.filter(reply__delivery__subscriber=subscriber).update(body=ERASED)
    Rating.objects.filter(delivery__subscriber=subscriber).update(comment="", comment_shown=False)
