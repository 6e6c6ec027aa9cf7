"""A subscriber's delivery data in their export, and gone from replies and ratings when they erase it."""

import json

import pytest

from openbeat.delivery.models import Rating, Reply
from openbeat.delivery.privacy import ERASED
from openbeat.delivery.tests.feedback_world import delivery_for
from openbeat.subscriptions.preferences import subscriber_erase
from openbeat.subscriptions.privacy import export_json, subscriber_export

pytestmark = pytest.mark.django_db


def test_the_export_lists_alerts_received_with_ratings_and_replies(west):
    delivery = delivery_for(west)
    Rating.objects.create(delivery=delivery, score=4, comment="Good to know")
    Reply.objects.create(delivery=delivery, alert=delivery.alert, division=west, body="I saw the van")

    exported = json.loads(export_json(subscriber_export(delivery.subscriber)))

    [row] = exported["sections"]["alerts_received"]
    assert row["alert"] == delivery.alert.title
    assert row["rating"] == 4
    assert row["rating_comment"] == "Good to know"
    assert row["replies"] == "I saw the van"


def test_erasing_a_subscriber_removes_what_they_wrote_and_keeps_anonymous_counts(west):
    delivery = delivery_for(west)
    other = delivery_for(west, alert=delivery.alert)
    Rating.objects.create(delivery=delivery, score=2, comment="Too many")
    Reply.objects.create(delivery=delivery, alert=delivery.alert, division=west, body="Call me on 07700 900123")
    Reply.objects.create(delivery=other, alert=delivery.alert, division=west, body="Someone else's words")

    subscriber_erase(subscriber=delivery.subscriber)

    delivery.refresh_from_db()
    assert delivery.subscriber is None
    rating = Rating.objects.get(delivery=delivery)
    assert (rating.score, rating.comment) == (2, "")
    assert Reply.objects.get(delivery=delivery).body == ERASED
    assert Reply.objects.get(delivery=other).body == "Someone else's words"
