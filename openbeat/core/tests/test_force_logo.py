"""The force's logo: an uploaded PNG or JPEG, else logo_url, else the OPENBEAT_FORCE_LOGO static file."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from openbeat.core.context_processors import branding
from openbeat.core.models import Force
from openbeat.core.uploads import LOGO_MAX_BYTES, validate_logo_image

pytestmark = pytest.mark.django_db


def _image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "#00205b").save(out, kind)
    return out.getvalue()


def _force_logo_url() -> str:
    return branding(RequestFactory().get("/"))["force_logo_url"]


@pytest.mark.parametrize(("name", "kind"), [("crest.png", "PNG"), ("crest.jpg", "JPEG"), ("crest.JPEG", "JPEG")])
def test_png_and_jpeg_logos_named_for_what_they_are_pass(name, kind):
    validate_logo_image(SimpleUploadedFile(name, _image(kind)))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("crest.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "PNG or JPG"),
        ("crest.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "PNG or JPG"),
        ("crest.gif", _image("GIF"), "PNG or JPG"),
        ("crest.webp", _image("WEBP"), "PNG or JPG"),
        ("crest.png", b"<html><script>alert(1)</script></html>", "PNG or JPG"),
        ("crest.jpg", _image("PNG"), "name it .png"),
        ("crest.png", b"", "empty"),
    ],
)
def test_anything_else_is_refused_whatever_it_is_called(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_logo_image(SimpleUploadedFile(name, content))


def test_a_logo_too_large_is_refused():
    with pytest.raises(ValidationError, match="smaller than 2MB"):
        validate_logo_image(SimpleUploadedFile("crest.png", _image("PNG") + b"\0" * LOGO_MAX_BYTES))


def test_the_uploaded_logo_comes_first_then_logo_url_then_the_static_setting(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.OPENBEAT_FORCE_LOGO = "core/img/force-logo.png"
    force = Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    assert _force_logo_url() == "/static/core/img/force-logo.png"
    force.logo_url = "https://cdn.example.org/crest.png"
    force.save()
    assert _force_logo_url() == "https://cdn.example.org/crest.png"
    force.logo = SimpleUploadedFile("crest.png", _image("PNG"))
    force.save()
    served = _force_logo_url()
    assert served.startswith("/logo/crest")
    assert served.endswith(".png")


def test_the_uploaded_logo_is_served_without_debug(client, settings, tmp_path):
    # /media/ is served only with DEBUG: the logo has its own address, so it shows in production too.
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = False
    force = Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    force.logo = SimpleUploadedFile("crest.png", _image("PNG"))
    force.save()
    response = client.get(_force_logo_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == _image("PNG")
    assert client.get("/logo/someone-elses.png").status_code == 404


def test_with_no_force_row_and_no_setting_there_is_no_logo(settings):
    settings.OPENBEAT_FORCE_LOGO = ""
    settings.FORCE_LOGO_URL = ""
    assert _force_logo_url() == ""


def test_the_header_shows_the_logo_from_the_setting_when_the_force_has_none(client, settings):
    settings.OPENBEAT_FORCE_LOGO = "core/img/force-logo.png"
    Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    html = client.get("/neighbourhoods/").content.decode()
    assert '<img src="/static/core/img/force-logo.png" alt="" class="ob-header__logo">' in html
