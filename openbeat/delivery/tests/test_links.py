from urllib.parse import urlsplit

import pytest
from django.core import signing

from openbeat.delivery import links
from openbeat.delivery.links import LinkError, click_url, open_pixel_url, rating_url, read_click, read_link, reply_url
from openbeat.delivery.models import DeliverySettings
from openbeat.delivery.tests.feedback_world import delivery_for

pytestmark = pytest.mark.django_db


def _signed(url: str, kind: str) -> str:
    """The signed part of a /d/<kind>/<signed>/... link."""
    parts = urlsplit(url).path.split("/")
    assert parts[1:3] == ["d", kind]
    return parts[3].removesuffix(".gif")


def test_links_are_absolute_and_short(settings):
    settings.BASE_URL = "https://police.example"
    delivery = delivery_for()
    reply = reply_url(delivery)
    assert reply.startswith("https://police.example/d/reply/")
    assert len(reply) < 110
    assert rating_url(delivery, 4).startswith("https://police.example/d/r/")
    assert rating_url(delivery, 4).endswith("/4/")


def test_links_carry_the_token_not_the_sequential_id():
    delivery = delivery_for()
    signed = _signed(rating_url(delivery, 3), "r")
    assert read_link("rate", signed) == delivery
    assert str(delivery.token) not in signed  # compact form
    value = signing.Signer(salt="openbeat.delivery.rate").unsign(signed)
    assert value != str(delivery.pk)


def test_no_link_is_made_for_a_delivery_not_yet_claimed():
    delivery = delivery_for()
    delivery.token = None  # as the fill leaves it, until its batch claims it
    with pytest.raises(ValueError, match="no token yet"):
        reply_url(delivery)
    with pytest.raises(ValueError, match="no token yet"):
        click_url(delivery, "https://police.example/appeal")


def test_a_tampered_link_is_refused():
    delivery = delivery_for()
    signed = _signed(reply_url(delivery), "reply")
    tampered = ("A" if signed[0] != "A" else "B") + signed[1:]
    with pytest.raises(LinkError):
        read_link("reply", tampered)
    with pytest.raises(LinkError):
        read_link("reply", "nonsense")


def test_a_link_made_for_one_purpose_does_not_work_for_another():
    delivery = delivery_for()
    rate_signed = _signed(rating_url(delivery, 5), "r")
    with pytest.raises(LinkError):
        read_link("reply", rate_signed)
    with pytest.raises(LinkError):
        read_link("open", rate_signed)


def test_a_link_to_a_deleted_delivery_is_refused():
    delivery = delivery_for()
    signed = _signed(reply_url(delivery), "reply")
    delivery.delete()
    with pytest.raises(LinkError):
        read_link("reply", signed)


def test_click_links_sign_their_target():
    delivery = delivery_for()
    signed = _signed(click_url(delivery, "https://police.example/news/mill-lane"), "c")
    assert read_click(signed) == (delivery, "https://police.example/news/mill-lane")


def test_a_click_link_cannot_be_rewritten_to_go_elsewhere():
    delivery = delivery_for()
    short = links._short(delivery.token)
    forged = signing.Signer(salt="openbeat.delivery.rate").sign_object([short, "https://evil.example/"])
    with pytest.raises(LinkError):
        read_click(forged)
    unsigned = signing.Signer(key="not-the-secret", salt="openbeat.delivery.click").sign_object(
        [short, "https://x.example/"]
    )
    with pytest.raises(LinkError):
        read_click(unsigned)


@pytest.mark.parametrize("target", ["javascript:alert(1)", "//evil.example/", "/relative", "data:text/html,hi"])
def test_only_absolute_web_links_can_be_tracked(target):
    delivery = delivery_for()
    with pytest.raises(ValueError, match="Only absolute http"):
        click_url(delivery, target)
    # Even a correctly signed one is refused when read back.
    signed = signing.Signer(salt="openbeat.delivery.click").sign_object([links._short(delivery.token), target])
    with pytest.raises(LinkError):
        read_click(signed)


def test_the_open_pixel_only_exists_when_the_force_turns_it_on():
    delivery = delivery_for()
    assert open_pixel_url(delivery) is None
    delivery_settings = DeliverySettings.load()
    delivery_settings.track_opens = True
    delivery_settings.save()
    url = open_pixel_url(delivery)
    assert url is not None
    assert url.endswith(".gif")
    assert read_link("open", _signed(url, "o")) == delivery


@pytest.mark.parametrize("score", [0, 6])
def test_ratings_are_one_to_five(score):
    with pytest.raises(ValueError, match="from 1 to 5"):
        rating_url(delivery_for(), score)
