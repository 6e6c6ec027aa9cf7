"""The resident's pages: respond, the emailed link, confirmation, results; rate limit and fuzzed input."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from openbeat.concerns.models import ConcernResponse, PendingConcernResponse
from openbeat.concerns.tests.conftest import link_in_last_email

pytestmark = pytest.mark.django_db


def post(client, home, **data):
    return client.post(reverse("concerns:respond", kwargs={"code": home.code}), data)


def test_a_resident_responds_confirms_and_is_told_a_second_response_replaces_the_first(
    home, concerns, django_capture_on_commit_callbacks
):
    client = Client()
    assert "Voice your concerns" in client.get(home.get_absolute_url()).content.decode()
    for choice in (["Speeding"], ["Burglary"]):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, home, concerns=[concerns[n].pk for n in choice], email="a@example.com")
        assert response["Location"] == reverse("concerns:sent", kwargs={"code": home.code})
        link = link_in_last_email().split("testserver", 1)[-1]
        assert "Confirm my concerns" in client.get(link).content.decode()
        assert not ConcernResponse.objects.filter(concerns__name=choice[0]).exists()  # GET uses nothing
        page = client.post(link).content.decode()
        assert "your concerns count" in page
    assert "This replaces the response you gave earlier" in page
    assert client.post(link).status_code == 410
    assert list(ConcernResponse.objects.values_list("concerns__name", flat=True)) == ["Burglary"]


def test_four_concerns_are_refused_with_the_typed_values_kept(home, concerns):
    response = post(Client(), home, concerns=[c.pk for c in concerns.values()], email="a@example.com", comment="Hi")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose up to 3 concerns" in page
    assert 'href="#id_concerns_0"' in page
    assert 'value="a@example.com"' in page
    assert "Hi</textarea>" in page
    assert not PendingConcernResponse.objects.exists()
    assert not mail.outbox


def test_a_long_comment_is_refused(home, concerns):
    page = post(Client(), home, concerns=[concerns["Speeding"].pk], email="a@example.com", comment="x" * 501)
    assert "500 characters or fewer" in page.content.decode()


def test_the_form_is_rate_limited_by_client(home, concerns):
    client = Client()
    statuses = [post(client, home, concerns=["nope"], email=f"r{n}@example.com").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


@pytest.mark.parametrize(
    "data",
    [
        {"concerns": ["99999999999999999999999"], "email": "a@example.com"},
        {"concerns": ["-1", "0", "1.5", "\x00"], "email": "a@example.com"},
        {"concerns": "", "email": "\x00@example.com", "comment": "\x00"},
        {"email": "x" * 5000, "comment": "é" * 600},
    ],
)
def test_fuzzed_input_is_an_error_on_the_form_never_a_500(home, concerns, data):
    response = post(Client(), home, **data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/concerns/confirm/nonsense/",
        "/concerns/confirm/" + "a" * 2000 + "/",
        "/concerns/confirm/%00/",
        "/concerns/W01/results/?month=2026-13",
        "/concerns/W01/results/?month=%00",
        "/concerns/W01/results/?month=99999-01",
        "/concerns/NOPE/results/",
        "/concerns/NOPE/",
        "/concerns/%00/",
        "/concerns/%00/results/",
    ],
)
def test_bad_links_and_parameters_never_500(home, concerns, path):
    assert Client().get(path).status_code in (200, 400, 404)


def test_results_page_withholds_small_counts_and_shows_a_chart(home, concerns, respond, settings):
    settings.CONCERNS_PUBLIC_MIN = 3
    for n in range(3):
        respond(f"r{n}@example.com", "Speeding", *(["Burglary"] if n == 0 else []), comment="secret words")
    page = Client().get(reverse("concerns:results", kwargs={"code": home.code})).content.decode()
    assert "3 residents responded" in page
    assert "<svg" in page
    assert 'role="img"' in page
    assert "fewer than 3" in page
    assert "secret words" not in page
