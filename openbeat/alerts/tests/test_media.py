"""An alert's image and PDF documents: kept through the composer, served by OpenBeat to whom may see them, and
shown in the email (the one renderer), the composer's preview and the public archive."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from openbeat.alerts import media
from openbeat.alerts.emails import alert_email, preview_hrefs
from openbeat.alerts.models import Alert, AlertAttachment
from openbeat.alerts.services import AlertPermissionError
from openbeat.alerts.tests.lifecycle_world import compose, make_world
from openbeat.alerts.tests.test_staff_views import form_data, login, outsiders  # noqa: F401  (a fixture)
from openbeat.audit.models import AuditEntry
from openbeat.core.models import Force
from openbeat.core.paths import absolute_url
from openbeat.core.tests.test_uploads import pdf, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def world(west, east):
    return make_world(west, east)


@pytest.fixture
def draft(world):
    """A draft by the west officer with a photo (GPS in its EXIF) and a PDF."""
    alert = compose(world, world.officer_west)
    return media.alert_media_change(
        alert=alert,
        editor=world.officer_west,
        image=SimpleUploadedFile("car.png", photo("PNG", (1600, 800), gps=True)),
        image_alt="A silver hatchback parked on Mill Lane",
        attachments=[SimpleUploadedFile("Lock_your_doors-leaflet.pdf", pdf(body=b"%" + b"x" * 240_000 + b"\n"))],
    )


def send(alert):
    Alert.objects.filter(pk=alert.pk).update(state=Alert.State.SENT, sent_at=timezone.now())
    alert.refresh_from_db()
    return alert


# ------------------------------------------------------------------------------------------------ keeping


def test_the_image_is_kept_shrunk_and_without_its_exif_under_a_random_name(draft, private_storage):
    stored = media.image_file(draft)
    assert stored.is_relative_to(private_storage)
    assert stored.name != "car.png"
    content = stored.read_bytes()
    assert b"Exif" not in content
    image = Image.open(io.BytesIO(content))
    assert dict(image.getexif()) == {}
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert image.size == (1200, 600) == (draft.image_width, draft.image_height)
    entry = AuditEntry.objects.get(action="alerts.alert.media")
    assert entry.data == {"image": "added", "attachments_added": 1}


def test_an_image_needs_alt_text_of_at_most_250_characters(world):
    alert = compose(world, world.officer_west)
    image = SimpleUploadedFile("car.png", photo())
    with pytest.raises(ValidationError) as caught:
        media.alert_media_change(alert=alert, editor=world.officer_west, image=image, image_alt=" ")
    assert "image_alt" in caught.value.message_dict
    with pytest.raises(ValidationError):
        media.alert_media_change(alert=alert, editor=world.officer_west, image=image, image_alt="x" * 251)
    alert.refresh_from_db()
    assert alert.image_path == ""


def test_replacing_and_removing_the_image_deletes_the_old_file(draft, world, django_capture_on_commit_callbacks):
    first = media.image_file(draft)
    with django_capture_on_commit_callbacks(execute=True):
        replaced = media.alert_media_change(
            alert=draft, editor=world.officer_west, image=SimpleUploadedFile("b.jpg", photo("JPEG"))
        )
    assert not first.exists()
    assert media.image_file(replaced).exists()
    assert replaced.image_alt == "A silver hatchback parked on Mill Lane"  # kept with the new image
    second = media.image_file(replaced)
    with django_capture_on_commit_callbacks(execute=True):
        removed = media.alert_media_change(alert=replaced, editor=world.officer_west, remove_image=True)
    assert removed.image_path == removed.image_alt == ""
    assert not second.exists()


def test_only_the_author_may_change_a_drafts_media(draft, world):
    with pytest.raises(AlertPermissionError):
        media.alert_media_change(alert=draft, editor=world.officer_east, remove_image=True)


def test_at_most_three_pdfs_and_each_checked(draft, world):
    more = [SimpleUploadedFile(f"{n}.pdf", pdf()) for n in range(3)]
    with pytest.raises(ValidationError, match="up to 3"):
        media.alert_media_change(alert=draft, editor=world.officer_west, attachments=more)
    script = SimpleUploadedFile("x.pdf", pdf(b"/OpenAction << /S /JavaScript /JS (x) >>"))
    with pytest.raises(ValidationError, match="scripts"):
        media.alert_media_change(alert=draft, editor=world.officer_west, attachments=[script])
    assert draft.attachments.count() == 1


# ------------------------------------------------------------------------------------------------ serving


def test_a_drafts_image_and_document_are_for_staff_who_can_see_the_alert(client, draft, world, outsiders):  # noqa: F811
    image, document = media.image_url(draft), media.attachment_url(draft.attachments.get(), draft)
    assert client.get(image).status_code == 404
    assert client.get(document).status_code == 404
    for user in (world.officer_east, *outsiders.values()):
        login(client, user)
        assert client.get(image).status_code == 404, user
        assert client.get(document).status_code == 404, user
    login(client, world.lead_west)
    response = client.get(image)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(document).status_code == 200


def test_a_sent_alerts_image_is_public_with_long_cache_headers(client, draft):
    send(draft)
    response = client.get(media.image_url(draft))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == media.image_file(draft).read_bytes()
    # The address names the image: another digest or extension is nothing.
    assert client.get(media.image_url(draft).replace(draft.image_digest, "0" * 16)).status_code == 404
    assert client.get(media.image_url(draft).replace(".jpg", ".png")).status_code == 404


def test_a_sent_alerts_document_downloads_as_an_attachment(client, draft):
    send(draft)
    response = client.get(media.attachment_url(draft.attachments.get(), draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="lock-your-doors-leaflet.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"


# ------------------------------------------------------------------------------------------------ showing


def test_the_email_shows_the_image_with_its_alt_text_and_the_documents(draft):
    email = alert_email(
        force=Force.current(),
        language="cy",
        title=draft.title,
        body_html="<p>Body</p>",
        priority=1,
        topic="",
        link_url="",
        link_text="",
        hrefs=preview_hrefs,
        **media.email_media(draft),
    )
    assert f'<img src="{absolute_url(media.image_url(draft))}"' in email.content_html  # absolute, for mail clients
    assert 'alt="A silver hatchback parked on Mill Lane"' in email.content_html
    assert "Lock your doors leaflet</a> (PDF, 235 KB)" in email.content_html
    assert "Lock your doors leaflet: http" in email.text


def test_the_composer_preview_and_alert_page_use_the_same_renderer_with_the_image(client, draft, world):
    login(client, world.officer_west)
    page = client.get(f"/admin/alerts/{draft.pk}/").content.decode()
    assert media.image_url(draft) in page
    assert 'alt="A silver hatchback parked on Mill Lane"' in page
    preview = client.post(f"/admin/alerts/preview/?alert={draft.pk}", form_data(world)).content.decode()
    assert media.image_url(draft) in preview


def test_the_archive_page_shows_the_image_and_lists_the_documents(client, draft):
    send(draft)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert f'src="{media.image_url(draft)}"' in page
    assert 'alt="A silver hatchback parked on Mill Lane"' in page
    assert "Lock your doors leaflet</a> (PDF, 235 KB)" in page


# ------------------------------------------------------------------------------------------------ composer


def test_the_owner_uploads_an_image_and_a_pdf_through_the_composer(client, world):
    login(client, world.officer_west)
    data = form_data(
        world,
        image=SimpleUploadedFile("car.png", photo(gps=True)),
        image_alt="A silver car",
        attachments=[SimpleUploadedFile("Leaflet.pdf", pdf())],
    )
    response = client.post("/admin/alerts/new/", data)
    assert response.status_code == 302
    alert = Alert.objects.get()
    assert alert.image_alt == "A silver car"
    assert b"Exif" not in media.image_file(alert).read_bytes()
    assert list(alert.attachments.values_list("title", flat=True)) == ["Leaflet"]


def test_the_composer_refuses_a_disguised_file_and_an_image_without_alt_text(client, world):
    login(client, world.officer_west)
    html = client.post(
        "/admin/alerts/new/",
        form_data(world, title="Keep me", image=SimpleUploadedFile("car.jpg", b"<html><script></script></html>")),
    )
    no_alt = client.post("/admin/alerts/new/", form_data(world, image=SimpleUploadedFile("car.png", photo())))
    bad_pdf = client.post(
        "/admin/alerts/new/",
        form_data(world, attachments=[SimpleUploadedFile("a.pdf", pdf(b"/AA << /S /JavaScript >>"))]),
    )
    assert "The image must be a JPG, PNG or WebP file" in html.content.decode()
    assert 'value="Keep me"' in html.content.decode()
    assert "Enter alt text that describes the image" in no_alt.content.decode()
    assert "contains scripts" in bad_pdf.content.decode()
    assert not Alert.objects.exists()
    assert not AlertAttachment.objects.exists()


def test_the_owner_removes_the_image_and_a_document_on_edit_and_others_cannot(client, draft, world):
    document = draft.attachments.get()
    login(client, world.officer_east)
    assert client.post(f"/admin/alerts/{draft.pk}/edit/", form_data(world, remove_image="on")).status_code == 404
    login(client, world.officer_west)
    data = form_data(world, image_alt="", remove_image="on", remove_attachments=[str(document.pk)])
    response = client.post(f"/admin/alerts/{draft.pk}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.image_path == ""
    assert not draft.attachments.exists()
