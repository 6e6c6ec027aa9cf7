"""The public search page: the empty page, results with their type tags, pagination, the type filter, no
results, and bad input (a 200 page with an error, never a 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openbeat.core.models import ContentPage
from openbeat.search.views import PER_PAGE

pytestmark = pytest.mark.django_db

URL = reverse("search:search")


def test_the_empty_page_offers_the_search_box(client, pages):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert '<label class="ob-label" for="id_q">' in html or 'for="id_q"' in html
    assert "Enter a word or phrase" in html
    assert "results for" not in html


def test_a_blank_query_is_the_empty_page(client, pages):
    response = client.get(URL, {"q": "   "})
    assert response.status_code == 200
    assert "Enter a word or phrase" in response.content.decode()


def test_results_show_title_link_type_summary_and_date(client, pages, world):
    response = client.get(URL, {"q": "abbey"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 results for \u2018abbey\u2019" in html  # the neighbourhood, the story, the appeal
    assert f'<a href="{world.west_a.get_absolute_url()}">Abbey</a>' in html
    assert f'<a href="{pages.story.url}">Bicycle marking day in Abbey</a>' in html
    assert '<strong class="ob-tag ob-search-tag--neighbourhood">Neighbourhood</strong>' in html
    assert '<strong class="ob-tag ob-search-tag--news">News</strong>' in html
    assert "Bring your bicycle to be marked." in html
    assert "<time datetime=" in html


def test_each_type_has_its_tag(client, pages):
    html = client.get(URL, {"q": "bicycle"}).content.decode()
    for tag in ("News", "Advice", "Information"):
        assert f">{tag}</strong>" in html
    assert ">Appeal</strong>" in client.get(URL, {"q": "jane"}).content.decode()


def test_a_postcode_offers_its_neighbourhood(client, pages, world):
    html = client.get(URL, {"q": "PR1 2AB"}).content.decode()
    assert f'<a href="{world.west_b.get_absolute_url()}">Brook</a>' in html


def test_the_type_filter(client, pages):
    html = client.get(URL, {"q": "bicycle", "type": "page"}).content.decode()
    assert "1 result for \u2018bicycle\u2019" in html
    assert "Bicycle registration" in html
    assert "Bicycle marking day" not in html


def test_no_results_gives_advice(client, pages):
    html = client.get(URL, {"q": "xylophone", "type": "news"}).content.decode()
    assert "0 results for \u2018xylophone\u2019" in html
    assert "There are no matching results." in html
    assert "removing the filter by type of result" in html
    assert "double-checking your spelling" in html


def test_pagination(client, pages):
    for n in range(PER_PAGE + 3):
        pages.home.add_child(
            instance=ContentPage(title=f"Kettle notice {n}", slug=f"kettle-{n}", body="<p>x</p>")
        ).save_revision().publish()
    first = client.get(URL, {"q": "kettle"}).content.decode()
    assert f"{PER_PAGE + 3} results for \u2018kettle\u2019" in first
    assert first.count("ob-search-results__item") == PER_PAGE
    assert 'aria-current="page">1</a>' in first
    assert 'rel="next" href="?q=kettle&amp;page=2"' in first
    second = client.get(URL, {"q": "kettle", "page": "2"}).content.decode()
    assert second.count("ob-search-results__item") == 3
    assert 'rel="prev" href="?q=kettle&amp;page=1"' in second
    assert 'start="11"' in second
    # A page number that is not one shows a page rather than failing.
    assert client.get(URL, {"q": "kettle", "page": "abc"}).status_code == 200
    assert client.get(URL, {"q": "kettle", "page": "999"}).content.decode().count("ob-search-results__item") == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "a" * 201}, "Search terms must be 200 characters or fewer"),
        ({"q": "bad\x00input"}, "Search terms must only include letters, numbers and punctuation"),
        ({"q": "bicycle", "type": "everything"}, "Select a type of result from the list"),
    ],
)
def test_bad_input_is_a_page_with_an_error(client, pages, params, message):
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert 'href="#id_' in html  # the summary links to the field
    assert "<title>Error:" in html
    assert "results for" not in html


@pytest.mark.parametrize("q", ['"', "(((", "*", "NEAR(a b)", "a OR", "\u202e", "💥", "<script>alert(1)</script>"])
def test_odd_input_is_a_page(client, pages, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_search_is_a_bounded_number_of_queries(client, pages, django_assert_max_num_queries):
    client.get(URL, {"q": "bicycle"})  # warm Wagtail's site and content-type caches
    with django_assert_max_num_queries(14):
        client.get(URL, {"q": "bicycle"})


def test_searches_are_rate_limited(client, pages, settings):
    for _ in range(60):
        assert client.get(URL, {"q": "kettle"}).status_code == 200
    assert client.get(URL, {"q": "kettle"}).status_code == 429
    # The empty page is never limited.
    assert client.get(URL).status_code == 200


def test_post_is_refused(client):
    assert client.post(URL, {"q": "x"}).status_code == 405
