"""Reads for the back office: an alert's delivery statistics and live progress, and the replies inbox.

Statistics are a handful of aggregate queries over the alert's deliveries, each led by the (alert, state)
index, so they stay quick at a million deliveries: one GROUP BY state and channel (with conditional counts
for held, opened and clicked folded into the same pass), one GROUP BY failure reason over the failed rows
only, ratings and replies grouped by score and urgency. Nothing here loads a row per delivery. Measured on
SQLite at 1,000,000 deliveries: the progress poll ~0.15 s (index only), the whole statistics page ~1 s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openbeat.alerts import disclosure
from openbeat.alerts.models import Alert
from openbeat.areas.models import Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.delivery.models import Channel, Delivery, DeliverySettings, Rating, Reply
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.assisted import SentMessage
from openbeat.subscriptions.models import Subscriber

State = Delivery.State
FAILED_STATES = (State.PERMANENT_FAILURE, State.TECHNICAL_FAILURE)
# Waiting for a worker: new rows, and temporary failures waiting for their retry.
QUEUED_STATES = (State.CREATED, State.TEMPORARY_FAILURE)


@dataclass(frozen=True)
class Progress:
    total: int
    queued: int
    sending: int
    delivered: int
    failed: int
    digested: int
    skipped: int

    @property
    def done(self) -> int:
        """Deliveries in a final state (delivered, failed for good, digested or skipped)."""
        return self.delivered + self.failed + self.digested + self.skipped

    @property
    def finished(self) -> bool:
        return self.done == self.total

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "queued": self.queued,
            "sending": self.sending,
            "delivered": self.delivered,
            "failed": self.failed,
            "digested": self.digested,
            "skipped": self.skipped,
            "done": self.done,
            "finished": self.finished,
        }


@dataclass(frozen=True)
class DeliveryStats:
    progress: Progress
    audience_subscribers: int
    audience_email: int
    audience_sms: int
    by_channel: dict[str, int]
    held: int
    failed_by_reason: list[tuple[str, int]]
    track_opens: bool
    opened: int
    clicked: int
    ratings: dict[int, int] = field(default_factory=dict)
    replies: int = 0
    urgent_replies: int = 0
    conversions: int = 0

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def rating_mean(self) -> float | None:
        if not self.rated:
            return None
        return sum(score * n for score, n in self.ratings.items()) / self.rated

    @property
    def rating_distribution(self) -> list[tuple[int, int, int]]:
        """(score, count, percentage of ratings) for 1 to 5, for a bar per score."""
        return [
            (s, self.ratings.get(s, 0), round(100 * self.ratings.get(s, 0) / (self.rated or 1))) for s in range(1, 6)
        ]


def _by_state(alert: Alert, now: datetime) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Counts by state and by channel, and held/opened/clicked, in ONE pass over the alert's deliveries."""
    rows = (
        Delivery.objects.filter(alert=alert)
        .values("state", "channel")
        .annotate(
            n=Count("pk"),
            held=Count("pk", filter=Q(not_before__gt=now)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
        .order_by()
    )
    counts: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    extra = {"held": 0, "opened": 0, "clicked": 0}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + row["n"]
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["n"]
        if row["state"] in QUEUED_STATES:
            extra["held"] += row["held"]
        extra["opened"] += row["opened"]
        extra["clicked"] += row["clicked"]
    return counts, by_channel, extra


def _progress(counts: dict[str, int]) -> Progress:
    return Progress(
        total=sum(counts.values()),
        queued=sum(counts.get(s, 0) for s in QUEUED_STATES),
        sending=counts.get(State.SENDING, 0),
        delivered=counts.get(State.DELIVERED, 0),
        failed=sum(counts.get(s, 0) for s in FAILED_STATES),
        digested=counts.get(State.DIGESTED, 0),
        skipped=counts.get(State.SKIPPED, 0),
    )


def delivery_progress(alert: Alert) -> Progress:
    """Counts for the live progress bar: one GROUP BY over the (alert, state) index."""
    rows = Delivery.objects.filter(alert=alert).values("state").annotate(n=Count("pk")).order_by()
    return _progress({row["state"]: row["n"] for row in rows})


def conversion_sources(alert: Alert) -> list[str]:
    """What a sign-up that came from the alert's public page would record as its source.

    The public page links to the sign-up with `?from=alert-<public_id>`; Subscriber.source holds 40 characters,
    so the compact (hex) form is counted too.
    """
    return [f"alert-{alert.public_id}", f"alert-{alert.public_id.hex}"]


def alert_conversions(alert: Alert) -> int:
    sources = conversion_sources(alert)
    return (
        Subscriber.objects.filter(Q(source__in=sources) | Q(consents__source__in=sources))
        .values("pk")
        .distinct()
        .count()
    )


def delivery_stats(alert: Alert) -> DeliveryStats:
    counts, by_channel, extra = _by_state(alert, timezone.now())
    failed_by_reason = [
        (row["failure_reason"] or "No reason given", row["n"])
        for row in Delivery.objects.filter(alert=alert, state__in=FAILED_STATES)
        .values("failure_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "failure_reason")
    ]
    ratings = {
        row["score"]: row["n"]
        for row in Rating.objects.filter(delivery__alert=alert).values("score").annotate(n=Count("pk")).order_by()
    }
    replies = Reply.objects.filter(alert=alert).aggregate(n=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))
    track_opens = DeliverySettings.load().track_opens
    return DeliveryStats(
        progress=_progress(counts),
        audience_subscribers=alert.audience_subscribers,
        audience_email=alert.audience_email,
        audience_sms=alert.audience_sms,
        by_channel=by_channel,
        held=extra["held"],
        failed_by_reason=failed_by_reason,
        track_opens=track_opens,
        opened=extra["opened"] if track_opens else 0,
        clicked=extra["clicked"],
        ratings=ratings,
        replies=replies["n"],
        urgent_replies=replies["urgent"],
        conversions=alert_conversions(alert),
    )


# ------------------------------------------------------------------------------------------------- replies


def replies_for(user: RequestUser, *, filters: dict[str, Any] | None = None) -> QuerySet[Reply]:
    """Replies the user may handle, urgent first then newest: their division's, or all for force-wide staff."""
    if not user.has_perm("delivery.view_reply"):
        return Reply.objects.none()
    queryset = scope_for(user).filter(Reply.objects.select_related("alert", "division", "assigned_to"))
    filters = filters or {}
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("urgent") in (True, False):
        queryset = queryset.filter(urgent=filters["urgent"])
    if filters.get("alert"):
        queryset = queryset.filter(alert=filters["alert"])
    return queryset.order_by("-urgent", "-created_at", "-pk")


def reply_assignees(reply: Reply) -> list[Any]:
    """Active staff who may handle this reply (they hold the permission and the reply is in their scope)."""
    permission = Permission.objects.get(content_type__app_label="delivery", codename="handle_reply")
    candidates = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=permission) | Q(user_permissions=permission))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [user for user in candidates if scope_for(user).allows_division(reply.division_id)]


def urgent_waiting(user: RequestUser) -> QuerySet[Reply]:
    """Urgent replies in the user's scope that nobody has picked up yet (and nobody closed), oldest first."""
    return (
        replies_for(user)
        .filter(urgent=True, picked_up_at__isnull=True)
        .exclude(state=Reply.State.DONE)
        .order_by("created_at", "pk")
    )


# --------------------------------------------------------------------------------------- rating comments

COMMENTS_SHOWN = 200


def rating_comments(alert: Alert, *, include_hidden: bool) -> list[Rating]:
    """The alert's rating comments, newest first: only those a moderator has shown, unless `include_hidden`."""
    queryset = Rating.objects.filter(delivery__alert=alert).exclude(comment="")
    if not include_hidden:
        queryset = queryset.filter(comment_shown=True)
    return list(queryset.select_related("comment_moderated_by").order_by("-at", "-pk")[:COMMENTS_SHOWN])


# ---------------------------------------------------------------------- an alert's figures, the same everywhere
#
# One meaning per word, on the list of alerts, the alert's page and the statistics page:
#   before sending  "To receive by email/SMS": the audience as last counted (alert.audience_email/_sms); who
#                   the rules would hold back now (daily cap, quiet hours, time of day) is the live count's part
#                   (delivery.forecast), on the composer and the alert's page.
#   after sending   "Sent": handed to the email server or the SMS provider (sending, delivered or failed);
#                   "Delivered": the server accepted the email / the provider's receipt said delivered;
#                   "Sent, awaiting receipt": SMS handed over whose receipt has not come (sending);
#                   "Failed": failed for good; "Waiting to send": not yet handed over (new, held, retrying);
#                   "In the daily digest instead": over the daily cap; "Not sent": the rules skipped it, with
#                   the reasons, never counted as sent; "Opened", "Clicked a link", "Rated".

SENT_STATES = (State.SENDING, State.DELIVERED, *FAILED_STATES)

FIGURE_LABELS = {
    "email": "To receive by email",
    "sms": "To receive by SMS",
    "sent": "Sent",
    "delivered": "Delivered",
    "awaiting": "Sent, awaiting receipt",
    "failed": "Failed",
    "waiting": "Waiting to send",
    "digested": "In the daily digest instead",
    "skipped": "Not sent",
    "opened": "Opened",
    "clicked": "Clicked a link",
    "rated": "Rated",
}
STATE_FIGURES = ("sent", "delivered", "failed", "waiting", "digested", "skipped")
ENGAGEMENT_FIGURES = ("opened", "clicked", "rated")


@dataclass(frozen=True)
class Figure:
    key: str
    shown: disclosure.Shown
    reasons: tuple[tuple[str, disclosure.Shown], ...] = ()

    @property
    def label(self) -> str:
        return FIGURE_LABELS[self.key]


@dataclass(frozen=True)
class AlertFigures:
    after_sending: bool
    figures: tuple[Figure, ...]
    rating_mean: float | None = None
    # Why some figures are not shown (a demographic group, alerts.disclosure), or "".
    withheld: str = ""

    def get(self, key: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.key == key), None)


def _after_sending(alert: Alert) -> bool:
    return alert.state in (Alert.State.SENDING, Alert.State.SENT)


NOT_COUNTED = "Counted when it is submitted."


def _before(alert: Alert, n: int) -> AlertFigures:
    if alert.submitted_at is None:
        return AlertFigures(False, (), withheld=NOT_COUNTED)
    counts = disclosure.alert_counts(alert, n)
    if not counts.whole:
        return AlertFigures(False, (), withheld=_withheld_audience(counts))
    return AlertFigures(False, (Figure("email", counts.email), Figure("sms", counts.sms)))


def _withheld_audience(counts: disclosure.AlertCounts) -> str:
    if counts.subscribers.high is None:
        return "A demographic group: its numbers are not shown."
    return (
        f"{counts.subscribers} subscriber{'s' if counts.subscribers.plural else ''} in a demographic group: the "
        "split by email and SMS is not shown."
    )


WITHHELD_STATES = (
    "It went to a demographic group: how its messages went (sent, delivered, failed, not sent) is not shown, "
    "as that would split the group by its members' own choices."
)


def alert_figures(alerts: Sequence[Alert], *, n: int | None = None) -> dict[int, AlertFigures]:
    """Each alert's figures, by id, as they may be shown: three queries for the whole page of alerts (the
    deliveries grouped by alert and state, the ratings grouped by alert and score, the delivery settings)."""
    n = disclosure.threshold() if n is None else n
    sent = [alert for alert in alerts if _after_sending(alert)]
    out = {alert.pk: _before(alert, n) for alert in alerts if not _after_sending(alert)}
    if not sent:
        return out
    ids = [alert.pk for alert in sent]
    states: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    skipped: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    engaged: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Delivery.objects.filter(alert_id__in=ids)
        .values("alert_id", "state", "failure_reason")
        .annotate(
            n=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
        .order_by()
    )
    for row in rows:
        states[row["alert_id"]][row["state"]] += row["n"]
        if row["state"] == State.SKIPPED:
            skipped[row["alert_id"]][row["failure_reason"] or "no reason given"] += row["n"]
        engaged[row["alert_id"]]["opened"] += row["opened"]
        engaged[row["alert_id"]]["clicked"] += row["clicked"]
    ratings: dict[int, dict[int, int]] = defaultdict(dict)
    for alert_id, score, count in (
        Rating.objects.filter(delivery__alert_id__in=ids)
        .values("delivery__alert_id", "score")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("delivery__alert_id", "score", "n")
    ):
        ratings[alert_id][score] = count
    track_opens = DeliverySettings.load().track_opens
    for alert in sent:
        out[alert.pk] = _after(
            alert, states[alert.pk], skipped[alert.pk], engaged[alert.pk], ratings[alert.pk], track_opens, n
        )
    return out


def state_figures(counts: Mapping[str, int]) -> dict[str, int]:
    """The state figures from counts by state (one definition for the figures and the statistics table)."""
    return {
        "sent": sum(counts.get(s, 0) for s in SENT_STATES),
        "delivered": counts.get(State.DELIVERED, 0),
        "failed": sum(counts.get(s, 0) for s in FAILED_STATES),
        "waiting": sum(counts.get(s, 0) for s in QUEUED_STATES),
        "digested": counts.get(State.DIGESTED, 0),
        "skipped": counts.get(State.SKIPPED, 0),
    }


def _rating_mean(ratings: Mapping[int, int]) -> float | None:
    rated = sum(ratings.values())
    return sum(score * count for score, count in ratings.items()) / rated if rated else None


def _after(
    alert: Alert,
    counts: Mapping[str, int],
    skipped: Mapping[str, int],
    engaged: Mapping[str, int],
    ratings: Mapping[int, int],
    track_opens: bool,
    n: int,
) -> AlertFigures:
    engagement = {
        **({"opened": engaged.get("opened", 0)} if track_opens else {}),
        "clicked": engaged.get("clicked", 0),
        "rated": sum(ratings.values()),
    }
    shown = disclosure.alert_results(alert, engagement, n)
    mean = _rating_mean(ratings)
    if shown is None:
        reasons = tuple(
            (reason, disclosure.exact(count)) for reason, count in sorted(skipped.items(), key=lambda i: (-i[1], i[0]))
        )
        figures = [
            Figure(key, disclosure.exact(value), reasons if key == "skipped" else ())
            for key, value in state_figures(counts).items()
        ]
        figures += [Figure(key, disclosure.exact(value)) for key, value in engagement.items()]
        return AlertFigures(True, tuple(figures), mean)
    return AlertFigures(
        True,
        tuple(Figure(key, value) for key, value in shown.items()),
        mean if shown["rated"].exact else None,
        WITHHELD_STATES,
    )


# --------------------------------------------------------------------- statistics by channel and neighbourhood

TABLE_COLUMNS = (
    ("messages", "Messages"),
    ("sent", FIGURE_LABELS["sent"]),
    ("delivered", FIGURE_LABELS["delivered"]),
    ("awaiting", FIGURE_LABELS["awaiting"]),
    ("failed", FIGURE_LABELS["failed"]),
    ("skipped", FIGURE_LABELS["skipped"]),
    ("digested", FIGURE_LABELS["digested"]),
    ("opened", FIGURE_LABELS["opened"]),
    ("clicked", FIGURE_LABELS["clicked"]),
    ("rated", FIGURE_LABELS["rated"]),
    *((f"score_{score}", f"Rated {score}") for score in range(1, 6)),
    ("average", "Average rating"),
)
OTHER_NEIGHBOURHOODS = "Other neighbourhoods"


@dataclass(frozen=True)
class TableRow:
    name: str
    cells: dict[str, str]  # column key -> the figure as it may be shown


@dataclass(frozen=True)
class StatsTable:
    by_channel: list[TableRow]
    by_neighbourhood: list[TableRow]
    track_opens: bool
    # Why some figures are not shown (a demographic group, alerts.disclosure), or "".
    note: str = ""

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label in TABLE_COLUMNS if key != "opened" or self.track_opens]

    def _in_order(self, rows: list[TableRow]) -> list[tuple[str, list[str]]]:
        return [(row.name, [row.cells.get(key, "") for key, _label in self.columns]) for row in rows]

    @property
    def channel_rows(self) -> list[tuple[str, list[str]]]:
        """(name, cells in the order of `columns`), for the page and the CSV."""
        return self._in_order(self.by_channel)

    @property
    def neighbourhood_rows(self) -> list[tuple[str, list[str]]]:
        return self._in_order(self.by_neighbourhood)


def _grouped(alert: Alert, by: str) -> dict[Any, dict[str, Any]]:
    """Counts per channel or neighbourhood in one pass: by state, awaiting receipt, opened, clicked; ratings."""
    groups: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {"states": defaultdict(int), "awaiting": 0, "opened": 0, "clicked": 0, "ratings": {}}
    )
    rows = (
        Delivery.objects.filter(alert=alert)
        .values(by, "state")
        .annotate(
            n=Count("pk"),
            awaiting=Count("pk", filter=Q(channel="sms", state=State.SENDING)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
        .order_by()
    )
    for row in rows:
        group = groups[row[by]]
        group["states"][row["state"]] += row["n"]
        for name in ("awaiting", "opened", "clicked"):
            group[name] += row[name]
    for key, score, count in (
        Rating.objects.filter(delivery__alert=alert)
        .values_list(f"delivery__{by}", "score")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        groups[key]["ratings"][score] = count
    return groups


def _figures_of(group: Mapping[str, Any]) -> dict[str, int]:
    states = state_figures(group["states"])
    return {
        "messages": sum(group["states"].values()),
        **states,
        "awaiting": group["awaiting"],
        "opened": group["opened"],
        "clicked": group["clicked"],
        "rated": sum(group["ratings"].values()),
        **{f"score_{score}": group["ratings"].get(score, 0) for score in range(1, 6)},
    }


def _as_is(name: str, figures: Mapping[str, int], ratings: Mapping[int, int]) -> TableRow:
    mean = _rating_mean(ratings)
    cells = {key: f"{value:,}" for key, value in figures.items()}
    cells["average"] = f"{mean:.1f}" if mean is not None else "—"
    return TableRow(name, cells)


def _disclosed(name: str, figures: Mapping[str, int], ratings: Mapping[int, int], alert: Alert, n: int) -> TableRow:
    """A row of a demographic alert's table: state figures never (rule 4), engagement only as alerts.disclosure
    allows, the rating average only from N ratings."""
    engagement = {key: figures[key] for key in ("opened", "clicked", "rated")}
    engagement.update({f"score_{score}": figures[f"score_{score}"] for score in range(1, 6)})
    shown = disclosure.alert_results(alert, engagement, n) or {}
    cells = dict.fromkeys(figures, disclosure.NOT_SHOWN.text)
    cells.update({key: value.text for key, value in shown.items()})
    mean = _rating_mean(ratings)
    rated = shown.get("rated")
    cells["average"] = f"{mean:.1f}" if mean is not None and rated is not None and rated.exact else "not shown"
    return TableRow(name, cells)


def delivery_table(alert: Alert, *, n: int | None = None) -> StatsTable:
    """The alert's statistics by channel and by neighbourhood (the subscriber's home neighbourhood when it was
    sent, Delivery.neighbourhood), as they may be shown. For an alert sent to a demographic group, only
    engagement figures, and neighbourhoods with fewer than N messages are not shown apart
    (alerts.disclosure.rows_kept)."""
    n = disclosure.threshold() if n is None else n
    track_opens = DeliverySettings.load().track_opens
    channels = _grouped(alert, "channel")
    places = _grouped(alert, "neighbourhood")
    names = dict(Neighbourhood.objects.filter(pk__in=[k for k in places if k is not None]).values_list("pk", "name"))

    def label(key: int | None) -> str:
        return names.get(key, "Unknown neighbourhood") if key is not None else "No home neighbourhood"

    channel_names = dict(Channel.choices)
    if not alert.targets_demographics:
        by_channel = [
            _as_is(channel_names.get(key, key), _figures_of(group), group["ratings"])
            for key, group in sorted(channels.items())
        ]
        by_place = [
            _as_is(label(key), _figures_of(group), group["ratings"])
            for key, group in sorted(places.items(), key=lambda item: label(item[0]))
        ]
        return StatsTable(by_channel, by_place, track_opens)
    if not disclosure.alert_counts(alert, n).whole:
        return StatsTable([], [], track_opens, "It went to a demographic group whose numbers are not shown.")
    by_channel = [
        _disclosed(channel_names.get(key, key), _figures_of(group), group["ratings"], alert, n)
        for key, group in sorted(channels.items())
    ]
    sizes = {key: sum(group["states"].values()) for key, group in places.items()}
    kept, merged = disclosure.rows_kept(sizes, n)
    by_place = [
        _disclosed(label(key), _figures_of(places[key]), places[key]["ratings"], alert, n)
        for key in sorted(kept, key=label)
    ]
    if merged:
        together: dict[str, Any] = {"states": defaultdict(int), "awaiting": 0, "opened": 0, "clicked": 0}
        ratings: dict[int, int] = defaultdict(int)
        for key in merged:
            for state, count in places[key]["states"].items():
                together["states"][state] += count
            for name in ("awaiting", "opened", "clicked"):
                together[name] += places[key][name]
            for score, count in places[key]["ratings"].items():
                ratings[score] += count
        together["ratings"] = ratings
        by_place.append(_disclosed(OTHER_NEIGHBOURHOODS, _figures_of(together), ratings, alert, n))
    note = (
        f"{WITHHELD_STATES} Neighbourhoods with fewer than {n:,} of its messages are counted together under "
        f"“{OTHER_NEIGHBOURHOODS}”; figures about fewer than {n:,} people are not shown."
    )
    return StatsTable(by_channel, by_place, track_opens, note)


# --------------------------------------------------------------------------------------- one subscriber's messages


def recent_deliveries(subscriber: Subscriber, limit: int) -> list[SentMessage]:
    """The newest alerts sent to one subscriber, for the contact centre's page (subscriptions.assisted's
    registry, DeliveryConfig.ready). Led by the delivery's subscriber index; the subscriber's own rows only."""
    rows = (
        Delivery.objects.filter(subscriber=subscriber)
        .select_related("alert")
        .only("alert__title", "channel", "state", "sent_at", "created_at")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        SentMessage(
            title=d.alert.title,
            channel=d.get_channel_display(),
            state=d.get_state_display(),
            at=d.sent_at or d.created_at,
        )
        for d in rows
    ]
