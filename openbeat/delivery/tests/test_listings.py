import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.core.metric_sources import listing
from openbeat.delivery.models import Delivery, Rating, Reply
from openbeat.delivery.outbox import outbox_fill_for_alert
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

pytestmark = pytest.mark.django_db


def test_latest_alerts_are_listed_with_their_delivery_figures(west):
    people = subscribers(NeighbourhoodFactory(division=west), 3)
    alert = sending_alert(division=west)
    outbox_fill_for_alert(alert=alert, audience=audience(email=people))
    deliveries = list(Delivery.objects.filter(alert=alert).order_by("pk"))
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries[:2]]).update(state=Delivery.State.DELIVERED)
    Delivery.objects.filter(pk=deliveries[0].pk).update(clicked_at=deliveries[0].created_at)
    Rating.objects.create(delivery=deliveries[0], score=4)
    Rating.objects.create(delivery=deliveries[1], score=5)
    Reply.objects.create(delivery=deliveries[0], alert=alert, division=west, body="Thanks")
    (row,) = listing("latest_alerts", limit=5)
    assert row["title"] == alert.title
    assert (row["delivered"], row["clicked"], row["replies"]) == (2, 1, 1)
    assert row["rating"] == pytest.approx(4.5)
    assert listing("latest_alerts", division_code="nowhere") == []
