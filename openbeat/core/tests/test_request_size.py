"""A request body over REQUEST_MAX_BYTES is refused from its declared length, before a byte of it is read."""

import io

import pytest
from django.test import Client


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read before the size limit refused it")


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_with_413_unread(settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    response = Client().generic(
        "POST",
        "/report/",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "The most that can be sent at once is 1 MB" in response.content.decode()


@pytest.mark.django_db
def test_a_body_within_the_limit_reaches_the_view(settings, client):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    response = client.post("/in-the-know/manage/", {"email": "x" * 1000})
    assert response.status_code != 413


@pytest.mark.django_db
def test_a_malformed_length_is_a_400_not_a_500(client):
    response = client.generic("POST", "/report/", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400
