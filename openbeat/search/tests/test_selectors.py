"""site_search: which pages and neighbourhoods are found, in which order, and what is shown for each."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from openbeat.news import services as news_services
from openbeat.search.selectors import Kind, search_terms, site_search

pytestmark = pytest.mark.django_db


def found(query: str, kind: str = "") -> list[tuple[str, str]]:
    results = site_search(query=query, kind=kind).results
    return [(hit.kind, hit.title) for hit in results[: len(results)]]


def test_it_finds_each_kind_of_page(pages):
    assert sorted(found("bicycle")) == [
        (Kind.ADVICE, "Staying safe online with your bicycle"),
        (Kind.ADVICE, "Talking about bullying"),  # by its summary
        (Kind.NEWS, "Bicycle marking day in Abbey"),
        (Kind.PAGE, "Bicycle registration"),
    ]


def test_it_finds_an_appeal_by_its_name(pages):
    assert found("Jane Doe") == [(Kind.APPEAL, "Have you seen Jane Doe?")]


def test_it_shows_the_summary_date_and_address_of_a_page(pages):
    [hit] = site_search(query="marking", kind=Kind.NEWS).results[0:1]
    pages.story.refresh_from_db()
    assert hit.url == pages.story.url
    assert hit.summary == "Bring your bicycle to be marked."
    assert hit.date == pages.story.first_published_at
    assert hit.kind_label == "News"


def test_it_finds_neighbourhoods_by_name_first(pages, world):
    results = found("abbey")
    assert results[0] == (Kind.NEIGHBOURHOOD, "Abbey")
    assert (Kind.NEWS, "Bicycle marking day in Abbey") in results


def test_it_finds_the_neighbourhood_of_a_postcode(pages, world):
    search = site_search(query="pr12ab")
    [hit] = search.results[0:1]
    assert (hit.kind, hit.title, hit.url) == (Kind.NEIGHBOURHOOD, "Brook", world.west_b.get_absolute_url())
    assert "PR1 2AB" in hit.summary
    assert search.postcode is not None
    assert search.postcode.problem == ""


def test_an_unknown_postcode_says_so(pages):
    search = site_search(query="PR9 9ZZ")
    assert search.postcode is not None
    assert search.postcode.neighbourhood is None
    assert "could not find that postcode" in search.postcode.problem


def test_it_filters_by_type(pages):
    assert found("bicycle", Kind.NEWS) == [(Kind.NEWS, "Bicycle marking day in Abbey")]
    assert found("bicycle", Kind.PAGE) == [(Kind.PAGE, "Bicycle registration")]
    assert {k for k, _ in found("bicycle", Kind.ADVICE)} == {Kind.ADVICE}
    assert found("bicycle", Kind.APPEAL) == []
    assert found("jane", Kind.APPEAL) == [(Kind.APPEAL, "Have you seen Jane Doe?")]
    assert found("jane", Kind.NEWS) == []  # an appeal is a NewsPage too, but not news
    assert found("abbey", Kind.NEIGHBOURHOOD) == [(Kind.NEIGHBOURHOOD, "Abbey")]


def test_drafts_and_unpublished_pages_are_not_found(pages):
    pages.story.unpublish()
    draft = pages.info
    draft.title = "Bicycle registration: new zebra words"
    draft.save_revision()  # a draft, not published
    assert found("zebra") == []
    assert (Kind.NEWS, "Bicycle marking day in Abbey") not in found("bicycle")


def test_a_page_never_published_is_not_found(pages):
    from openbeat.core.models import ContentPage

    pages.home.add_child(instance=ContentPage(title="Giraffe policy", slug="giraffe", body="<p>x</p>", live=False))
    assert found("giraffe") == []


def test_private_pages_and_pages_under_them_are_not_found(pages):
    PageViewRestriction.objects.create(page=pages.index, restriction_type=PageViewRestriction.PASSWORD, password="x")
    results = found("bicycle")
    assert (Kind.NEWS, "Bicycle marking day in Abbey") not in results
    assert found("jane") == []


def test_a_redacted_appeal_is_not_found_by_the_removed_name(pages, world, settings):
    settings.NEWS_APPEAL_REDACT_AFTER_HOURS = 0
    news_services.appeal_set_outcome(appeal=pages.appeal, actor=world.hq, outcome="found-safe")
    assert found("Jane") == []
    assert found("Doe") == []
    # Still found as what it now is.
    assert found("missing person", Kind.APPEAL) == [(Kind.APPEAL, "Missing person appeal: found safe")]


@pytest.mark.parametrize(
    "query",
    ['"', "'", "*", "(", "a AND", "OR", "NEAR(x y)", "-", "^", "bicycle*", '"bicycle', "&&||!", "\u202e", "💥"],
)
def test_odd_input_never_fails(pages, query):
    site_search(query=query).results.count()


def test_search_terms_keep_words_only():
    assert search_terms('"Jane" AND (doe*)') == "Jane AND doe"
    assert len(search_terms(" ".join(["w"] * 50)).split()) == 12


def test_results_are_sliced_across_neighbourhoods_and_pages(pages):
    results = site_search(query="abbey").results
    everything = results[0 : results.count()]
    assert [results[i] for i in range(results.count())] == everything
    assert results[1:5] == everything[1:5]
