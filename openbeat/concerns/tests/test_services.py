"""Residents' concerns: the rules of a response, confirmation by link, minimum data, and the month's results."""

from __future__ import annotations

import re

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.concerns import selectors, services
from openbeat.concerns.models import Concern, ConcernResponse, PendingConcernResponse
from openbeat.concerns.tests.conftest import link_in_last_email
from openbeat.core.tokens import LinkInvalid, LinkUsed

pytestmark = pytest.mark.django_db


def counts(results):
    return {row.concern: row.count for row in results.rows}


def test_the_migration_seeds_the_force_list():
    from openbeat.concerns.migrations import __path__ as _  # noqa: F401

    names = set(Concern.objects.values_list("name", flat=True))
    assert {"Speeding", "Drug dealing", "Anti-social behaviour", "Burglary"} <= names


def test_at_most_three_concerns_and_at_least_one(home, concerns):
    with pytest.raises(services.ConcernsInvalid) as error:
        services.concern_response_start(
            neighbourhood=home, email="a@example.com", concern_ids=[c.pk for c in concerns.values()][:4]
        )
    assert error.value.errors == {"concerns": "Choose up to 3 concerns"}
    with pytest.raises(services.ConcernsInvalid):
        services.concern_response_start(neighbourhood=home, email="a@example.com", concern_ids=[])
    inactive = Concern.objects.create(name="Old one", active=False)
    with pytest.raises(services.ConcernsInvalid):
        services.concern_response_start(neighbourhood=home, email="a@example.com", concern_ids=[inactive.pk])
    assert not PendingConcernResponse.objects.exists()


def test_an_unconfirmed_response_is_not_counted(respond, home):
    respond("a@example.com", "Speeding", confirm=False)
    assert PendingConcernResponse.objects.count() == 1
    results = selectors.concern_results(home, services.current_month())
    assert results.responses == 0
    assert counts(results)["Speeding"] == 0


def test_a_confirmed_response_counts_once_and_its_link_works_once(respond, home):
    token = respond("a@example.com", "Speeding", "Burglary")
    results = selectors.concern_results(home, services.current_month())
    assert results.responses == 1
    assert counts(results)["Speeding"] == 1
    assert counts(results)["Burglary"] == 1
    assert not PendingConcernResponse.objects.exists()
    with pytest.raises(LinkUsed):
        services.concern_response_confirm(token=token)
    with pytest.raises(LinkInvalid):
        services.concern_response_confirm(token=token[:-2] + "xx")
    assert ConcernResponse.objects.count() == 1
    assert AuditEntry.objects.filter(action="concerns.response.confirmed").count() == 1


def test_a_second_response_in_the_month_replaces_the_first(respond, home):
    respond("a@example.com", "Speeding", comment="first")
    token = respond(" A@Example.com ", "Drug dealing", comment="second", confirm=False)
    confirmed = services.concern_response_confirm(token=token)
    assert confirmed.replaced is True
    results = selectors.concern_results(home, services.current_month())
    assert results.responses == 1
    assert counts(results)["Speeding"] == 0
    assert counts(results)["Drug dealing"] == 1
    assert ConcernResponse.objects.get().comment == "second"


def test_the_same_person_counts_again_in_another_month_or_neighbourhood(respond, home, away):
    respond("a@example.com", "Speeding", month="2026-01")
    respond("a@example.com", "Speeding", month="2026-02")
    respond("a@example.com", "Speeding", month="2026-02", neighbourhood=away)
    assert ConcernResponse.objects.count() == 3


def test_only_a_keyed_hash_of_the_address_is_stored(respond, home):
    respond("resident@example.com", "Speeding", confirm=False)
    pending = PendingConcernResponse.objects.get()
    respond("other@example.com", "Speeding")
    response = ConcernResponse.objects.get()
    month = services.current_month()
    assert response.email_hash == services.email_hash(email="other@example.com", neighbourhood=home, month=month)
    assert re.fullmatch(r"[0-9a-f]{64}", response.email_hash)
    for row in (pending, response):
        stored = " ".join(str(getattr(row, f.attname)) for f in row._meta.concrete_fields)
        assert "@example.com" not in stored
        assert "resident" not in stored
        assert "other" not in stored
    # Keyed per neighbourhood and month: the same address gives unrelated hashes elsewhere.
    assert services.email_hash(email="other@example.com", neighbourhood=home, month="1999-01") != response.email_hash
    assert not any("example.com" in str(e.data) for e in AuditEntry.objects.all())


def test_public_counts_below_the_threshold_are_withheld(respond, home):
    month = services.current_month()
    for n in range(3):
        respond(f"r{n}@example.com", "Speeding", *(["Burglary"] if n < 2 else []))
    shown = selectors.public_results(home, month, threshold=3)
    assert shown.responses == 3
    assert counts(shown)["Speeding"] == 3
    assert counts(shown)["Burglary"] is None
    assert counts(shown)["Drug dealing"] is None
    few = selectors.public_results(home, month, threshold=4)
    assert few.responses is None
    assert all(row.count is None for row in few.rows)
    # Staff see every figure.
    assert counts(selectors.concern_results(home, month))["Burglary"] == 2


def _desc(svg: str) -> str:
    return re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)


def test_the_chart_and_the_table_give_the_same_figures(respond, home):
    for n in range(4):
        respond(f"r{n}@example.com", "Speeding", *(["Burglary"] if n < 3 else []))
    results = selectors.public_results(home, services.current_month(), threshold=3)
    svg = results.chart_svg()
    assert 'role="img"' in svg
    assert "<title" in svg
    described = dict(re.findall(r"([A-Z][\w' -]+?) (\d+)[;.]", _desc(svg).split("Residents who chose it:")[1]))
    assert {k: int(v) for k, v in described.items()} == {
        r.concern: r.count for r in results.rows if r.count is not None
    }
    assert described == {"Speeding": "4", "Burglary": "3"}


def test_the_email_names_the_neighbourhood_and_the_concerns(respond):
    respond("a@example.com", "Speeding", confirm=False)
    from django.core import mail

    assert mail.outbox[-1].to == ["a@example.com"]
    assert "Ashbridge" in mail.outbox[-1].subject
    assert "Speeding" in mail.outbox[-1].body
    assert link_in_last_email().startswith("http")
