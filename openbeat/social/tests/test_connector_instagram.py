# ruff: noqa: F811 (the stand-in fixtures are imported from standin_fixtures: the app's conftest is not ours)
"""What is Instagram's own: a post in two steps (a media container, then media_publish) with the image fetched
from a public address and its alt text; the publishing allowance read before every post and a used-up allowance
said plainly; no post without an image (the connector and the composer); at most once after an unknown outcome
(the container is the handle); figures, followers and comments into insights and the inbox."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from openbeat.insights.models import Observation
from openbeat.social import inbox, results, services
from openbeat.social.connectors.base import ConnectorError, ErrorKind, Image, Outgoing
from openbeat.social.credentials import encrypt_credentials
from openbeat.social.models import InboxItem, InboxReply, Post, PostTarget, SocialAccount
from openbeat.social.replies import inbox_reply
from openbeat.staff.tests.factories import client_for

from .conftest import make_post, make_social
from .standin_fixtures import (  # noqa: F401
    CREDENTIALS,
    a_minute_ago,
    connect,
    instagram_standin,
    public_image,
)

SECRET = "instagram-secret-token"
S = PostTarget.State


def outgoing(image: Image, text: str = "Street surgery on Saturday", **kw) -> Outgoing:
    return Outgoing(text=text, idempotency_key=kw.pop("key", "k1"), images=(image,), **kw)


# --- The connector against the stand-in ----------------------------------------------------------------------


def test_a_post_is_a_container_then_its_publication_with_the_image_fetched_and_its_alt_text(
    instagram_standin, public_image
):
    connector = connect("instagram", instagram_standin)
    kept = []

    posted = connector.post(outgoing(public_image, link="https://police.uk/s", keep_handle=kept.append))

    (container,) = instagram_standin.containers.values()
    assert kept == [container["id"]]  # handed over to be stored before media_publish
    assert container["status_code"] == "PUBLISHED"
    assert container["image_url"] == public_image.url
    assert container["image_bytes"] == len(public_image.content)  # the stand-in fetched it, as Instagram does
    assert container["alt_text"] == "Officers at a street surgery"
    media = instagram_standin.media[posted.remote_id]
    assert media["caption"] == "Street surgery on Saturday\n\nhttps://police.uk/s"  # a link is plain caption text
    assert posted.url == media["permalink"]


def test_the_token_travels_in_a_header_never_in_the_url(instagram_standin):
    connector = connect("instagram", instagram_standin)

    assert connector.session.headers["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in connector.base_url


def test_the_publishing_allowance_is_read_at_run_time_and_a_used_up_one_said_plainly(instagram_standin, public_image):
    connector = connect("instagram", instagram_standin)
    instagram_standin.quota_total = 5
    instagram_standin.use_allowance(5, at=datetime.now(UTC) - timedelta(hours=2))

    with pytest.raises(ConnectorError) as caught:
        connector.post(outgoing(public_image))

    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert caught.value.message.startswith("Instagram allows 5 posts in 24 hours; this account has used them.")
    # Room again when the oldest post of the window leaves it: in 22 hours.
    assert 22 * 3600 - 60 <= (caught.value.retry_after or 0) <= 22 * 3600 + 1
    assert instagram_standin.containers == {}  # nothing made that could not be published

    instagram_standin.quota_total = 6  # the network's figure, not one written in OpenBeat
    assert connector.post(outgoing(public_image)).remote_id in instagram_standin.media
    assert connector.account_info().extra["posts_allowed"] == 6


def test_an_allowance_used_up_between_the_check_and_the_publication_is_a_rate_limit(
    instagram_standin, public_image, monkeypatch
):
    connector = connect("instagram", instagram_standin)
    original = connector.allowance
    monkeypatch.setattr(connector, "allowance", lambda: (0, 100, 86400))  # another app posts meanwhile
    instagram_standin.quota_total = 1
    instagram_standin.use_allowance(1)

    with pytest.raises(ConnectorError) as caught:
        connector.post(outgoing(public_image))

    assert (caught.value.kind, caught.value.code) == (ErrorKind.RATE_LIMITED, "9/2207042")
    assert "this account has used them" in caught.value.message
    assert original()[:2] == (1, 1)


def test_there_is_no_post_without_an_image_at_a_public_address(instagram_standin, public_image):
    connector = connect("instagram", instagram_standin)

    with pytest.raises(ConnectorError) as no_image:
        connector.post(Outgoing(text="Text only", idempotency_key="k1"))
    with pytest.raises(ConnectorError) as no_url:
        connector.post(outgoing(Image(content=public_image.content, mime_type="image/jpeg", alt_text="A")))

    assert no_image.value.kind is ErrorKind.REJECTED
    assert "needs an image with every post" in no_image.value.message
    assert no_url.value.kind is ErrorKind.REJECTED
    assert instagram_standin.requests_seen == 0


def test_an_image_instagram_cannot_fetch_is_refused_plainly(instagram_standin, public_image):
    connector = connect("instagram", instagram_standin)
    gone = Image(content=b"", mime_type="image/jpeg", alt_text="A", url="http://127.0.0.1:9/nothing.jpg")

    with pytest.raises(ConnectorError) as caught:
        connector.post(outgoing(gone))

    assert caught.value.kind is ErrorKind.REJECTED
    assert caught.value.code == "9004/2207052"
    assert "could not fetch the image" in caught.value.message
    assert instagram_standin.media == {}


def test_after_an_unknown_outcome_the_same_container_is_never_published_twice(instagram_standin, public_image):
    connector = connect("instagram", instagram_standin)
    kept = []
    instagram_standin.fail_next("drop_after_accept", path_contains="/media_publish")

    with pytest.raises(ConnectorError) as caught:
        connector.post(outgoing(public_image, keep_handle=kept.append))
    again = connector.post(outgoing(public_image, handle=kept[0]))  # a retry that skipped the lookup

    assert caught.value.kind is ErrorKind.UNKNOWN_OUTCOME
    assert list(instagram_standin.media) == [again.remote_id]
    assert len(instagram_standin.containers) == 1


def test_a_container_that_was_not_published_is_published_on_the_next_attempt(instagram_standin, public_image):
    connector = connect("instagram", instagram_standin)
    kept = []
    instagram_standin.fail_next("server_error", path_contains="/media_publish")

    with pytest.raises(ConnectorError):
        connector.post(outgoing(public_image, keep_handle=kept.append))
    connector.post(outgoing(public_image, handle=kept[0], keep_handle=kept.append))

    assert len(kept) == 1  # no second container
    assert len(instagram_standin.media) == 1


def test_figures_followers_comments_and_no_delete(instagram_standin, public_image):
    connector = connect("instagram", instagram_standin)
    posted = connector.post(outgoing(public_image))
    instagram_standin.set_figures(posted.remote_id, views=800, reach=500, likes=30, comments=2, shares=5, saved=4)
    instagram_standin.add_mention(text="Which hall?", author="sam.resident", in_reply_to=posted.remote_id)

    (figures,) = connector.figures([posted.remote_id, "404404"])  # one deleted in the app: no figures, no failure
    (mention,) = connector.mentions(since=None)
    info = connector.account_info()
    with pytest.raises(ConnectorError) as refused:
        connector.delete(posted.remote_id)

    assert (figures.impressions, figures.reactions, figures.shares, figures.replies) == (800, 30, 5, 2)
    assert connector.followers() == 3100
    assert (info.handle, info.followers, info.extra["posts_used"]) == ("openbeat.standin", 3100, 1)
    assert (mention.author, mention.text, mention.in_reply_to) == ("sam.resident", "Which hall?", posted.remote_id)
    assert mention.url == instagram_standin.media[posted.remote_id]["permalink"]
    assert connector.mentions(since=mention.created_at) == []
    assert "delete it in the Instagram app" in refused.value.message


# --- Through OpenBeat --------------------------------------------------------------------------------------


def instagram_account(world, standin, **changes) -> SocialAccount:
    values = {
        "network": "instagram",
        "base_url": standin.base_url,
        "credentials": encrypt_credentials(CREDENTIALS["instagram"]),
        "requires_approval": False,
    }
    values.update(changes)
    return make_social("@westpolice.insta", world.west_account.account.group, **values)


def png_upload():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PillowImage

    buffer = io.BytesIO()
    PillowImage.new("RGBA", (1080, 1080), (200, 0, 0, 128)).save(buffer, "PNG")  # kept as PNG: it has transparency
    return SimpleUploadedFile("poster.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_the_composer_refuses_an_instagram_post_without_an_image_with_an_error_summary(world, instagram_standin):
    account = instagram_account(world, instagram_standin)

    response = client_for(world.officer).post(
        reverse("social_staff:new"), {"text": "Bikes stolen on Park Road", "accounts": [account.pk]}
    )

    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b'href="#id_image"' in response.content
    assert b"Instagram needs an image with every post: it has no text-only posts." in response.content
    assert b"Bikes stolen on Park Road" in response.content  # what was typed is kept
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_the_preview_gives_instagrams_rules_and_submitting_refuses_too_many_hashtags(world, instagram_standin):
    account = instagram_account(world, instagram_standin)
    tags = " ".join(f"#tag{number}" for number in range(31))

    response = client_for(world.officer).post(
        reverse("social_staff:new"), {"text": f"Appeal {tags}", "accounts": [account.pk], "preview": "1"}
    )
    post = make_post(world.officer, [account], text=f"Appeal {tags}", image=png_upload(), image_alt="A poster")

    assert b"Instagram needs an image with every post." in response.content
    assert b"At most 30 hashtags." in response.content
    assert b"Links in Instagram posts cannot be clicked" in response.content
    assert b"Instagram needs an image: it has no text-only posts" in response.content
    assert b"31 hashtags: Instagram takes at most 30" in response.content
    with pytest.raises(ValidationError, match="31 hashtags"):
        services.post_submit(post=post, actor=world.officer)


@pytest.mark.django_db(transaction=True)
def test_a_post_goes_out_once_with_its_image_fetched_from_a_signed_link(
    world, instagram_standin, live_server, settings
):
    settings.BASE_URL = live_server.url
    account = instagram_account(world, instagram_standin)
    post = make_post(world.officer, [account], image=png_upload(), image_alt="A poster for the street surgery")
    target = post.targets.get()
    target.state, target.next_attempt_at = S.APPROVED, timezone.now()
    target.save()
    instagram_standin.fail_next("drop_after_accept", path_contains="/media_publish")

    assert services.target_send(target_id=target.pk) == S.POSTING  # the outcome is unknown
    target.refresh_from_db()
    (container,) = instagram_standin.containers.values()
    assert target.attempt_handle == container["id"]  # stored before media_publish
    assert container["image_url"].startswith(live_server.url + "/social/images/")
    assert container["image_bytes"] > 0  # fetched through the signed link, as JPEG (the stand-in takes no other)
    assert container["alt_text"] == "A poster for the street surgery"

    later = timezone.now() + services.posting_lease() + timedelta(minutes=2)
    assert services.target_send(target_id=target.pk, now=later) == S.POSTED
    target.refresh_from_db()
    assert list(instagram_standin.media) == [target.remote_id]  # found by its caption, never posted again
    assert target.url.startswith("https://www.instagram.com/p/")


@pytest.mark.django_db
def test_a_container_made_before_a_failed_publication_is_published_by_the_retry(world, instagram_standin, settings):
    instagram_standin.fetch_images = False  # the image's address is tested above, with a live server
    account = instagram_account(world, instagram_standin)
    post = make_post(world.officer, [account], image=png_upload(), image_alt="A poster")
    target = post.targets.get()
    target.state, target.next_attempt_at = S.APPROVED, timezone.now()
    target.save()
    instagram_standin.fail_next("server_error", path_contains="/media_publish")

    assert services.target_send(target_id=target.pk) == S.APPROVED  # backing off
    target.refresh_from_db()
    assert services.target_send(target_id=target.pk, now=target.next_attempt_at) == S.POSTED

    assert len(instagram_standin.containers) == 1
    assert len(instagram_standin.media) == 1


@pytest.mark.django_db
def test_a_used_up_allowance_waits_and_tells_staff_why(world, instagram_standin):
    instagram_standin.fetch_images = False
    instagram_standin.quota_total = 2
    instagram_standin.use_allowance(2)
    account = instagram_account(world, instagram_standin)
    post = make_post(world.officer, [account], image=png_upload(), image_alt="A poster")
    target = post.targets.get()
    target.state, target.next_attempt_at = S.APPROVED, timezone.now()
    target.save()

    assert services.target_send(target_id=target.pk) == S.APPROVED
    target.refresh_from_db()
    assert target.last_error.startswith("Instagram allows 2 posts in 24 hours; this account has used them.")
    assert target.next_attempt_at - timezone.now() > timedelta(hours=23)


@pytest.mark.django_db
def test_figures_followers_and_comments_come_back_into_insights_and_the_inbox_and_are_answered(
    world, instagram_standin, public_image, django_capture_on_commit_callbacks
):
    account = instagram_account(world, instagram_standin)
    remote = connect("instagram", instagram_standin).post(outgoing(public_image))
    instagram_standin.set_figures(remote.remote_id, views=800, likes=30, comments=2, shares=5)
    instagram_standin.add_mention(text="Which hall?", author="sam.resident", in_reply_to=remote.remote_id)
    day = date(2026, 11, 20)
    target = make_post(world.officer, [account], image=png_upload(), image_alt="A poster").targets.get()
    target.state, target.remote_id = S.POSTED, remote.remote_id
    target.posted_at = datetime.combine(day, time(12), timezone.get_current_timezone())
    target.save()

    results.results_fetch(account_id=account.pk, day=day)
    assert inbox.mentions_fetch(account_id=account.pk) == "1 new, 0 escalated"

    rows = Observation.objects.filter(account=account.account).select_related("metric")
    assert {o.metric.slug: o.value for o in rows} == {
        "followers": 3100,
        "impressions": 800,
        "reactions": 30,
        "shares": 5,
        "comments": 2,
        "engagements": 37,
        "posts": 1,
    }
    item = InboxItem.objects.get()
    assert (item.author, item.text, item.in_reply_to) == ("sam.resident", "Which hall?", target)

    # Answered from the inbox: a reply needs no image, and lands under the comment.
    with django_capture_on_commit_callbacks(execute=True):
        reply = inbox_reply(item=item, actor=world.officer, text="The village hall, 7pm", confirmed_warnings=set())
    reply.refresh_from_db()
    assert reply.state == InboxReply.State.SENT
    assert [r["text"] for r in instagram_standin.replies_to(item.remote_id)] == ["The village hall, 7pm"]


# --- The image's public address ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_image_link_serves_a_jpeg_only_while_signed_and_unexpired(world, client, settings):
    from openbeat.social.images import IMAGE_LINK_LIFETIME, image_link

    post = make_post(world.officer, [world.west_account], image=png_upload(), image_alt="A poster")
    link = image_link(post.image_file).removeprefix(settings.BASE_URL.rstrip("/"))

    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"\xff\xd8\xff")

    assert client.get(link.replace("/images/", "/images/x")).status_code == 404  # altered
    assert client.get("/social/images/").status_code == 404  # nothing is listed
    with freeze_time(datetime.now(UTC) + IMAGE_LINK_LIFETIME + timedelta(minutes=1)):
        assert client.get(link).status_code == 404  # expired
    services.post_cancel(post=post, actor=world.officer)
    assert client.get(link).status_code == 404  # a cancelled post's image is not served
