"""The metric sources other apps register: In the Know subscribers ("itk") and alert delivery ("delivery")."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory
from openbeat.core.metric_sources import Figure, figures, metric_sources
from openbeat.delivery.models import Channel, Delivery, Rating, Reply
from openbeat.delivery.tests.feedback_world import alert_in
from openbeat.subscriptions.models import Consent, Subscriber

pytestmark = pytest.mark.django_db


def at(day: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(day)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def by_key(found: list[Figure], metric: str, key: str = "division") -> dict[tuple[str | None, str], float]:
    out: dict[tuple[str | None, str], float] = defaultdict(float)
    for f in found:
        if f.metric == metric:
            out[(getattr(f, key), f.month)] += f.value
    return dict(out)


def subscriber(home, *, confirmed: str | None, consents: list[tuple[str, str | None]], **fields) -> Subscriber:  # type: ignore[no-untyped-def]
    s = Subscriber.objects.create(
        home_neighbourhood=home,
        email=f"p{Subscriber.objects.count()}@example.com",
        email_confirmed_at=at(confirmed) if confirmed else None,
        status=Subscriber.Status.ACTIVE if confirmed else Subscriber.Status.PENDING,
        **fields,
    )
    for given, withdrawn in consents:
        Consent.objects.create(
            subscriber=s,
            purpose=Consent.Purpose.CONTACT,
            wording="Send me alerts",
            source="web",
            given_at=at(given),
            withdrawn_at=at(withdrawn) if withdrawn else None,
        )
    return s


def test_sources_registered() -> None:
    assert {"itk", "delivery"} <= set(metric_sources())


def test_subscribers_stock_new_and_lost_by_division_and_neighbourhood() -> None:
    west, east = DivisionFactory(code="west"), DivisionFactory(code="east")
    a, b = NeighbourhoodFactory(code="A1", division=west), NeighbourhoodFactory(code="B1", division=east)
    subscriber(a, confirmed="2026-01-10", consents=[("2026-01-10", None)])
    # Signed up in January, confirmed in February: counts from February.
    subscriber(a, confirmed="2026-02-03", consents=[("2026-01-05", None)])
    # Unsubscribed in February, came back in March.
    subscriber(b, confirmed="2025-12-01", consents=[("2025-12-01", "2026-02-15"), ("2026-03-02", None)])
    subscriber(a, confirmed=None, consents=[("2026-01-07", None)])  # never confirmed
    subscriber(None, confirmed="2025-11-01", consents=[("2025-11-01", None)])  # no home neighbourhood
    subscriber(a, confirmed="2025-06-01", consents=[("2025-06-01", "2025-08-01")])  # gone before the period
    # A demographics consent is not a subscription.
    s = subscriber(a, confirmed="2026-01-01", consents=[])
    Consent.objects.create(
        subscriber=s, purpose=Consent.Purpose.DEMOGRAPHICS, wording="x", source="web", given_at=at("2026-01-01")
    )

    found = figures(first_month="2026-01", last_month="2026-03", only=["itk"])

    assert by_key(found, "itk_subscribers") == {
        ("west", "2026-01"): 1,
        ("west", "2026-02"): 2,
        ("west", "2026-03"): 2,
        ("east", "2026-01"): 1,
        ("east", "2026-02"): 0,
        ("east", "2026-03"): 1,
        (None, "2026-01"): 1,
        (None, "2026-02"): 1,
        (None, "2026-03"): 1,
    }
    new = {k: v for k, v in by_key(found, "itk_new").items() if v}
    lost = {k: v for k, v in by_key(found, "itk_lost").items() if v}
    assert new == {("west", "2026-01"): 1, ("west", "2026-02"): 1, ("east", "2026-03"): 1}
    assert lost == {("east", "2026-02"): 1}
    assert by_key(found, "itk_subscribers", "neighbourhood")[("A1", "2026-02")] == 2
    assert {f.aggregation for f in found if f.metric == "itk_subscribers"} == {"stock"}


def test_subscriber_figures_cross_a_month_boundary_in_local_time() -> None:
    west = DivisionFactory(code="west")
    a = NeighbourhoodFactory(code="A1", division=west)
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): an April subscriber.
    subscriber(a, confirmed="2026-03-31T23:30:00+00:00", consents=[("2026-03-31T23:30:00+00:00", None)])
    found = by_key(figures(first_month="2026-03", last_month="2026-04", only=["itk"]), "itk_subscribers")
    assert found == {("west", "2026-03"): 0, ("west", "2026-04"): 1}


def test_delivery_figures_by_division_and_month() -> None:
    west, east = DivisionFactory(code="west"), DivisionFactory(code="east")
    feb, mar = at("2026-02-10T12:00"), at("2026-03-05T12:00")
    alert = alert_in(west, sending_at=feb)
    alert_in(None, sending_at=mar)  # force-wide
    alert_in(east, sending_at=at("2025-12-01T09:00"))  # before the period

    def deliver(division, state, channel=Channel.EMAIL, **fields) -> Delivery:  # type: ignore[no-untyped-def]
        s = Subscriber.objects.create(email=f"d{Subscriber.objects.count()}@example.com")
        d = Delivery.objects.create(
            alert=alert, subscriber=s, channel=channel, state=state, division=division, **fields
        )
        Delivery.objects.filter(pk=d.pk).update(created_at=feb)
        return d

    opened = deliver(west, Delivery.State.DELIVERED, opened_at=feb, clicked_at=feb)
    deliver(west, Delivery.State.DELIVERED, opened_at=feb)
    deliver(west, Delivery.State.DELIVERED, channel=Channel.SMS, clicked_at=feb)
    deliver(west, Delivery.State.PERMANENT_FAILURE)
    deliver(east, Delivery.State.TEMPORARY_FAILURE)  # still retrying: neither delivered nor failed
    Rating.objects.create(delivery=opened, score=4)
    reply = Reply.objects.create(alert=alert, delivery=opened, division=west, body="Thanks")
    Reply.objects.filter(pk=reply.pk).update(created_at=feb)
    home = NeighbourhoodFactory(code="W1", division=west)
    signup = Subscriber.objects.create(email="new@example.com", source="alert-" + "a" * 32, home_neighbourhood=home)
    Subscriber.objects.filter(pk=signup.pk).update(created_at=mar)

    found = figures(first_month="2026-01", last_month="2026-03", only=["delivery"])

    def nonzero(metric: str) -> dict:
        return {k: v for k, v in by_key(found, metric).items() if v}

    assert nonzero("alerts_sent") == {("west", "2026-02"): 1, (None, "2026-03"): 1}
    assert nonzero("deliveries_delivered") == {("west", "2026-02"): 3}
    assert nonzero("deliveries_failed") == {("west", "2026-02"): 1}
    assert nonzero("emails_delivered") == {("west", "2026-02"): 2}
    assert nonzero("emails_opened") == {("west", "2026-02"): 2}
    assert nonzero("deliveries_clicked") == {("west", "2026-02"): 2}
    assert nonzero("ratings") == {("west", "2026-02"): 1}
    assert nonzero("rating_points") == {("west", "2026-02"): 4}
    assert nonzero("replies") == {("west", "2026-02"): 1}
    assert nonzero("alert_signups") == {("west", "2026-03"): 1}
    assert all(f.aggregation == "flow" for f in found)


def test_itk_figures_reach_the_report() -> None:
    from openbeat.insights.build import report_build

    west = DivisionFactory(code="west", name="West")
    a = NeighbourhoodFactory(code="A1", division=west)
    subscriber(a, confirmed="2025-12-01", consents=[("2025-12-01", None)])
    subscriber(a, confirmed="2026-02-01", consents=[("2026-02-01", None)])
    subscriber(a, confirmed="2026-03-01", consents=[("2026-03-01", None)])
    report = report_build(period_from="2026-01", period_to="2026-03", comparison="previous")
    # 3 at the end of March, 1 at the end of December: +2, +200.0%; 2 new, none lost.
    assert report.table("itk_divisions").rows == [["West", 3, 1, 2, 200.0, 2, 0]]
    summary = {r[0]: r[1:] for r in report.table("summary").rows}
    assert summary["In the Know subscribers"] == [3, 1, 2, 200.0, "end of 2025-12"]
    # By default, month by month within the period: 1, 2, 3, growth from January to March.
    within = report_build(period_from="2026-01", period_to="2026-03")
    assert within.table("itk_divisions").rows == [["West", 1, 2, 3, 2, 200.0, 2, 0]]


def test_alerts_performance_for_the_dashboard() -> None:
    from openbeat.insights.selectors import alerts_performance

    west = DivisionFactory(code="west")
    feb = at("2026-02-10T12:00")
    alert = alert_in(west, sending_at=feb)
    states = [Delivery.State.DELIVERED] * 3 + [Delivery.State.PERMANENT_FAILURE]
    made = []
    for n, state in enumerate(states):
        s = Subscriber.objects.create(email=f"perf{n}@example.com")
        made.append(
            Delivery.objects.create(
                alert=alert,
                subscriber=s,
                channel=Channel.EMAIL,
                state=state,
                division=west,
                opened_at=feb if n == 0 else None,
            )
        )
    Delivery.objects.update(created_at=feb)
    Rating.objects.create(delivery=made[0], score=5)
    Rating.objects.create(delivery=made[1], score=2)

    (january, february) = alerts_performance(months=["2026-01", "2026-02"], division=west)
    assert january.alerts_sent == 0
    assert january.delivery_rate is None
    assert (february.alerts_sent, february.delivered, february.failed) == (1, 3, 1)
    # 3 of 4 delivered; 1 of 3 delivered emails opened; ratings 5 and 2 average 3.5.
    assert (february.delivery_rate, february.open_rate, february.average_rating) == (75.0, 33.3, 3.5)
    assert alerts_performance(months=["2026-02"], division=DivisionFactory(code="east"))[0].delivered == 0
