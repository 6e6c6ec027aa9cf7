import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from openbeat.delivery.links import click_url, open_pixel_url, rating_url, reply_url
from openbeat.delivery.models import Delivery, DeliverySettings, Rating, Reply
from openbeat.delivery.tests.feedback_world import delivery_for

pytestmark = pytest.mark.django_db


def path(url: str) -> str:
    return urlsplit(url).path


def _track_opens() -> None:
    delivery_settings = DeliverySettings.load()
    delivery_settings.track_opens = True
    delivery_settings.save()


# Clicks


def test_a_click_is_recorded_once_and_redirects_to_the_signed_target(client):
    delivery = delivery_for()
    url = path(click_url(delivery, "https://police.example/news?x=1"))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "https://police.example/news?x=1"
    first = Delivery.objects.get(pk=delivery.pk).clicked_at
    assert first is not None
    client.get(url)
    assert Delivery.objects.get(pk=delivery.pk).clicked_at == first


def test_a_tampered_click_link_is_a_400_page_not_a_redirect(client):
    url = path(click_url(delivery_for(), "https://police.example/"))
    response = client.get(url.replace("/d/c/", "/d/c/x"))
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert "Location" not in response


# The open pixel


def test_the_open_pixel_is_a_gif_and_records_the_first_open(client):
    _track_opens()
    delivery = delivery_for()
    response = client.get(path(open_pixel_url(delivery) or ""))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert Delivery.objects.get(pk=delivery.pk).opened_at is not None


def test_an_old_pixel_counts_nothing_once_the_force_turns_tracking_off(client):
    _track_opens()
    delivery = delivery_for()
    url = path(open_pixel_url(delivery) or "")
    delivery_settings = DeliverySettings.load()
    delivery_settings.track_opens = False
    delivery_settings.save()
    assert client.get(url).status_code == 200
    assert Delivery.objects.get(pk=delivery.pk).opened_at is None


# Rating


def _checked(page: str) -> list[str]:
    """The values of the checked radios on a page."""
    return re.findall(r'<input type="radio" name="score" value="(\d)"[^>]*\schecked', page)


def test_opening_a_rating_link_records_nothing_and_shows_the_score_to_send(client):
    delivery = delivery_for()
    response = client.get(path(rating_url(delivery, 4)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Was this alert useful?" in page
    assert _checked(page) == ["4"]
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="comment"' in page
    assert "Send rating" in page
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    client.get(path(rating_url(delivery, 4)))  # a link scanner, and a preview, and the resident
    assert not Rating.objects.exists()


def test_pressing_send_records_the_rating(client):
    delivery = delivery_for()
    url = path(rating_url(delivery, 4))
    client.get(url)
    assert not Rating.objects.exists()
    response = client.post(url, {"score": "4"})
    assert response.status_code == 200
    assert "Thank you for your feedback" in response.content.decode()
    rating = Rating.objects.get(delivery=delivery)
    assert (rating.score, rating.comment) == (4, "")


def test_a_comment_is_sent_with_the_rating(client):
    delivery = delivery_for()
    url = path(rating_url(delivery, 2))
    response = client.post(url, {"score": "2", "comment": "Too late to be useful"})
    assert "We have your comment too" in response.content.decode()
    rating = Rating.objects.get(delivery=delivery)
    assert (rating.score, rating.comment) == (2, "Too late to be useful")


def test_the_score_can_be_changed_on_the_page_before_sending(client):
    delivery = delivery_for()
    client.post(path(rating_url(delivery, 5)), {"score": "3"})
    assert Rating.objects.get(delivery=delivery).score == 3


@pytest.mark.parametrize("score", ["", "0", "6", "four"])
def test_sending_without_a_valid_score_shows_the_error_summary_and_records_nothing(client, score):
    url = path(rating_url(delivery_for(), 3))
    response = client.post(url, {"score": score, "comment": "Hello"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "ob-error-summary" in page
    assert 'href="#id_score_0"' in page
    assert "Hello" in page  # the comment typed is kept
    assert not Rating.objects.exists()


def test_the_rating_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    url = path(rating_url(delivery_for(), 3))
    assert client.post(url, {"score": "3", "comment": "x"}).status_code == 403
    assert not Rating.objects.exists()


def test_a_rating_link_with_a_score_out_of_range_is_refused(client):
    url = path(rating_url(delivery_for(), 3)).replace("/3/", "/9/")
    assert client.get(url).status_code == 400
    assert not Rating.objects.exists()


def test_a_rating_link_cannot_be_used_as_a_reply_link(client):
    signed = path(rating_url(delivery_for(), 3)).split("/")[3]
    assert client.get(f"/d/reply/{signed}/").status_code == 400


# Replying


def test_the_reply_page_says_it_is_not_for_emergencies(client):
    response = client.get(path(reply_url(delivery_for())))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Reply to the officer" in page
    assert "This is not for emergencies" in page
    assert "call 999" in page


def test_a_reply_reaches_the_division_and_confirms(client, west):
    delivery = delivery_for(west)
    url = path(reply_url(delivery))
    response = client.post(url, {"body": "I saw two people trying car doors at 2am."})
    assert response.status_code == 302
    assert client.get(response["Location"]).content.decode().count("Message sent") >= 1
    reply = Reply.objects.get()
    assert (reply.alert, reply.division, reply.delivery, reply.urgent) == (delivery.alert, west, delivery, False)


def test_an_empty_reply_keeps_the_page_with_an_error_summary(client):
    url = path(reply_url(delivery_for()))
    response = client.post(url, {"body": "   "})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_body"' in page
    assert "Enter your message to the officer" in page
    assert not Reply.objects.exists()


def test_a_too_long_reply_is_refused_and_its_text_kept(client):
    url = path(reply_url(delivery_for()))
    text = "word " * 500
    page = client.post(url, {"body": text}).content.decode()
    assert "2000 characters or fewer" in page
    assert "word word word" in page


def test_replies_are_rate_limited(client):
    url = path(reply_url(delivery_for()))
    statuses = [client.post(url, {"body": f"message {n}"}).status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]
    assert Reply.objects.count() == 10


def test_ratings_are_rate_limited(client):
    url = path(rating_url(delivery_for(), 4))
    statuses = [client.post(url, {"score": "4", "comment": f"comment {n}"}).status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]


def test_a_tampered_reply_link_is_a_400_page(client):
    url = path(reply_url(delivery_for()))
    assert client.get(url[:-5] + "zzzz/").status_code == 400
    assert client.post(url[:-5] + "zzzz/", {"body": "hello"}).status_code == 400
    assert not Reply.objects.exists()


def test_an_erased_subscribers_links_still_work_and_tie_nothing_to_anyone(client):
    delivery = delivery_for()
    delivery.subscriber.delete()
    delivery.refresh_from_db()
    assert delivery.subscriber is None
    assert client.get(path(click_url(delivery, "https://police.example/"))).status_code == 302
    assert client.get(path(rating_url(delivery, 5))).status_code == 200
    assert client.post(path(rating_url(delivery, 5)), {"score": "5"}).status_code == 200
    assert client.post(path(reply_url(delivery)), {"body": "Thanks"}).status_code == 302
    reply = Reply.objects.get()
    assert reply.delivery.subscriber is None
    assert Rating.objects.get().delivery.subscriber is None
