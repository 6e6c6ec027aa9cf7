"""The public CAP feeds: the Atom index (aggregators poll it) and each message as issued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from openbeat.cap import services
from openbeat.cap.models import CapMessage
from openbeat.cap.selectors import index_messages
from openbeat.cap.tests.conftest import NS, make_alert, warning_values

pytestmark = pytest.mark.django_db


def _feed(client=None):
    response = (client or Client()).get("/cap/alerts.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


def _age(message: CapMessage, *, sent: timedelta | None = None, expires: timedelta | None = None) -> None:
    # Messages refuse save(): move them in time with an update of the rows, as if issued earlier.
    changes = {}
    if sent is not None:
        changes["sent_at"] = timezone.now() - sent
    if expires is not None:
        changes["expires_at"] = timezone.now() - expires
    CapMessage.objects.filter(pk=message.pk).update(**changes)


def test_the_index_lists_each_warning_by_its_cap_address(world, settings):
    settings.BASE_URL = "https://www.example.police.uk"
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    feed = _feed()
    (entry,) = feed.findall("atom:entry", NS)
    url = f"https://www.example.police.uk/cap/alerts/{message.identifier}.xml"
    assert entry.findtext("atom:id", namespaces=NS) == url
    link = entry.find("atom:link", NS)
    assert link.get("href") == url
    assert link.get("type") == "application/cap+xml"
    assert entry.findtext("cap:expires", namespaces=NS) == message.xml.split("<expires>")[1].split("<")[0]
    assert entry.findtext("atom:title", namespaces=NS) == "Missing man: have you seen Tom?"
    assert feed.findtext("atom:id", namespaces=NS) == "https://www.example.police.uk/cap/alerts.atom"


def test_an_update_replaces_the_entry_with_the_new_message(world):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    update = services.warning_update(warning=first.warning, actor=world.lead, severity="Severe")
    entries = _feed().findall("atom:entry", NS)
    assert [e.findtext("cap:identifier", namespaces=NS) for e in entries] == [update.identifier]
    assert entries[0].findtext("cap:msgType", namespaces=NS) == "Update"


def test_each_message_is_served_as_issued(world, assert_valid_cap):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    response = Client().get(f"/cap/alerts/{message.identifier}.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    assert response.content == message.xml.encode()
    assert_valid_cap(response.content)


def test_an_unknown_message_is_not_found(world):
    assert Client().get("/cap/alerts/nothing-here.xml").status_code == 404


def test_a_cancelled_warning_stays_listed_for_the_retention_period(world, settings):
    settings.CAP_INDEX_RETENTION_HOURS = 36
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    cancel = services.warning_cancel(warning=first.warning, actor=world.lead)
    _age(first, sent=timedelta(hours=40))
    _age(cancel, sent=timedelta(hours=35))
    assert [m.pk for m in index_messages()] == [cancel.pk]
    _age(cancel, sent=timedelta(hours=37))
    assert index_messages() == []


def test_an_expired_warning_stays_listed_for_the_retention_period(world, settings):
    settings.CAP_INDEX_RETENTION_HOURS = 24
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    _age(message, sent=timedelta(days=3), expires=timedelta(hours=23))
    assert [m.pk for m in index_messages()] == [message.pk]
    _age(message, sent=timedelta(days=3), expires=timedelta(hours=25))
    assert index_messages() == []


@pytest.mark.parametrize(("hours", "kept"), [(1, 24), (100, 48)])
def test_the_retention_setting_is_kept_between_24_and_48_hours(world, settings, hours, kept):
    settings.CAP_INDEX_RETENTION_HOURS = hours
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    _age(message, sent=timedelta(days=3), expires=timedelta(hours=kept - 0.5))
    assert len(index_messages()) == 1
    _age(message, sent=timedelta(days=3), expires=timedelta(hours=kept + 0.5))
    assert index_messages() == []


def test_a_warning_whose_expiry_was_brought_forward_is_judged_by_its_latest_message(world):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    update = services.warning_update(warning=first.warning, actor=world.lead, severity="Minor")
    _age(first, sent=timedelta(days=4))
    _age(update, sent=timedelta(days=3), expires=timedelta(days=2))
    assert index_messages() == []


def test_the_index_shows_a_change_at_once_despite_its_cache(world):
    client = Client()
    assert _feed(client).findall("atom:entry", NS) == []
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    assert len(_feed(client).findall("atom:entry", NS)) == 1
    cancel = services.warning_cancel(warning=first.warning, actor=world.lead)
    (entry,) = _feed(client).findall("atom:entry", NS)
    assert entry.findtext("cap:identifier", namespaces=NS) == cancel.identifier
    assert entry.findtext("atom:title", namespaces=NS).startswith("Cancelled: ")


def test_warnings_are_newest_first(world):
    older = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    _age(older, sent=timedelta(hours=2))
    newer = services.warning_issue(alert=make_alert(world), actor=world.lead, **warning_values())
    ids = [e.findtext("cap:identifier", namespaces=NS) for e in _feed().findall("atom:entry", NS)]
    assert ids == [newer.identifier, older.identifier]


def test_feeds_may_be_cached_by_clients(world):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    assert "public" in Client().get("/cap/alerts.atom")["Cache-Control"]
    assert "immutable" in Client().get(f"/cap/alerts/{message.identifier}.xml")["Cache-Control"]
