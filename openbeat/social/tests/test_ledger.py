"""The tamper-evident record: a chain of hashes that any change breaks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.social.ledger import GENESIS, ledger_append, ledger_prune, ledger_verify
from openbeat.social.models import LedgerEntry

pytestmark = pytest.mark.django_db


def chain(n=3):
    return [ledger_append(action="posted", actor=None, data={"n": n, "text": "Hello £ world"}) for n in range(n)]


def test_each_entry_carries_the_hash_of_the_one_before():
    first, second, third = chain()
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert ledger_verify() is None


def test_a_changed_entry_is_found():
    _first, second, _ = chain()
    LedgerEntry.objects.filter(pk=second.pk).update(data={"n": 99, "text": "Hello £ world"})
    assert ledger_verify() == second


def test_a_removed_entry_is_found():
    _first, second, third = chain()
    LedgerEntry.objects.filter(pk=second.pk).delete()
    assert ledger_verify() == third


def test_a_rehashed_entry_still_breaks_the_link_to_the_next():
    from openbeat.social.ledger import entry_hash

    _, second, third = chain()
    forged = entry_hash(prev_hash=second.prev_hash, at=second.at, action="deleted", actor_label="", data=second.data)
    LedgerEntry.objects.filter(pk=second.pk).update(action="deleted", hash=forged)
    assert ledger_verify() == third


def test_entries_past_the_retention_are_pruned_and_the_rest_still_verify():
    chain()
    LedgerEntry.objects.filter(pk=LedgerEntry.objects.order_by("pk").first().pk).update(
        at=timezone.now() - timedelta(days=4000)
    )
    assert ledger_prune() == 1
    assert LedgerEntry.objects.count() == 2
    assert ledger_verify() is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one connection: appends cannot run concurrently")

    def append(n):
        try:
            return ledger_append(action="posted", actor=None, data={"n": n}).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append, range(20)))
    assert LedgerEntry.objects.count() == 20
    assert ledger_verify() is None


def test_entries_appended_together_are_chained_in_order():
    from openbeat.social.ledger import ledger_append_many

    first = ledger_append(action="approved", actor=None, data={"n": 0})
    made = ledger_append_many([("posted", None, {"n": n}) for n in range(1, 4)])
    assert [entry.prev_hash for entry in made] == [first.hash, made[0].hash, made[1].hash]
    assert [entry.data["n"] for entry in LedgerEntry.objects.order_by("pk")] == [0, 1, 2, 3]
    assert ledger_verify() is None
    assert ledger_append_many([]) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_single_and_batched_appends_keep_one_chain():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from openbeat.social.ledger import ledger_append_many

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is one connection: appends cannot run concurrently")

    def append(n):
        try:
            if n % 2:
                ledger_append_many([("posted", None, {"n": n, "i": i}) for i in range(5)])
            else:
                ledger_append(action="posted", actor=None, data={"n": n})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(append, range(20)))
    assert LedgerEntry.objects.count() == 10 + 10 * 5
    assert ledger_verify() is None
