"""An alert's figures, the same on the list of alerts and the alert's page; its statistics by channel and
neighbourhood (with the CSV) for the owner, another division and an outsider; the staff home's batched read."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.delivery.home_panels import results_rows
from openbeat.delivery.models import Channel, Delivery, DeliverySettings, Rating
from openbeat.delivery.selectors import alert_figures, delivery_table
from openbeat.delivery.tests.feedback_world import alert_in, delivery_for
from openbeat.delivery.tests.pipeline_world import subscribers
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user

pytestmark = pytest.mark.django_db
State = Delivery.State
DEMOGRAPHIC = {"demographics": {"disability": {"include": ["yes"]}}}


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner")


@pytest.fixture
def other_division(east):
    return staff_user(roles.DIVISION_LEAD, east, username="other")


@pytest.fixture
def outsider():
    return staff_user(roles.BOARD_VIEWER, None, username="board")


@pytest.fixture
def tracking():
    settings = DeliverySettings.load()
    settings.track_opens = True
    settings.save()


@pytest.fixture
def abbey(west):
    return NeighbourhoodFactory(name="Abbey", division=west)


@pytest.fixture
def brook(west):
    return NeighbourhoodFactory(name="Brook", division=west)


def _sent(division, **fields):
    return alert_in(division, state=Alert.State.SENT, sent_at=timezone.now(), submitted_at=timezone.now(), **fields)


@pytest.fixture
def every_state(west, abbey, brook, tracking, owner):
    """One alert with a delivery in each state, on both channels and in two neighbourhoods, some engaged."""
    alert = _sent(west, created_by=owner)
    now = timezone.now()

    def add(state, channel=Channel.EMAIL, neighbourhood=abbey, **fields):
        return delivery_for(west, alert=alert, state=state, channel=channel, neighbourhood=neighbourhood, **fields)

    rated = add(State.DELIVERED, opened_at=now, clicked_at=now)
    Rating.objects.create(delivery=rated, score=4)
    Rating.objects.create(delivery=add(State.DELIVERED, opened_at=now), score=2)
    add(State.DELIVERED, channel=Channel.SMS, neighbourhood=brook)
    add(State.SENDING, channel=Channel.SMS, neighbourhood=brook, provider_id="n-1")  # awaiting its receipt
    add(State.PERMANENT_FAILURE, failure_reason="mailbox unavailable")
    add(State.TECHNICAL_FAILURE)
    add(State.CREATED)
    add(State.TEMPORARY_FAILURE)
    add(State.DIGESTED)
    add(State.SKIPPED, failure_reason="paused")
    add(State.SKIPPED, channel=Channel.SMS, failure_reason="over the daily SMS cap", neighbourhood=brook)
    return alert


def _values(figures):
    return {figure.key: figure.shown.text for figure in figures.figures}


def test_the_figures_count_each_state_once_with_skipped_apart_from_sent(every_state):
    figures = alert_figures([every_state], n=10)[every_state.pk]
    assert figures.after_sending
    assert _values(figures) == {
        "sent": "6",  # delivered 3, awaiting a receipt 1, failed 2: never the skipped or digested
        "delivered": "3",
        "failed": "2",
        "waiting": "2",
        "digested": "1",
        "skipped": "2",
        "opened": "2",
        "clicked": "1",
        "rated": "2",
    }
    assert figures.rating_mean == 3.0
    assert [(reason, count.text) for reason, count in figures.get("skipped").reasons] == [
        ("over the daily SMS cap", "1"),
        ("paused", "1"),
    ]


def test_before_sending_the_figures_are_the_counted_audience_by_channel(west):
    alert = alert_in(west, state=Alert.State.APPROVED, submitted_at=timezone.now(), audience_email=7, audience_sms=2)
    draft = alert_in(west, state=Alert.State.DRAFT)
    figures = alert_figures([alert, draft], n=10)
    assert _values(figures[alert.pk]) == {"email": "7", "sms": "2"}
    assert figures[draft.pk].figures == ()
    assert figures[draft.pk].withheld == "Counted when it is submitted."


def test_a_page_of_alerts_is_read_in_a_fixed_number_of_queries(west, django_assert_max_num_queries):
    alerts = [_sent(west) for _ in range(8)]
    for alert in alerts:
        delivery_for(west, alert=alert)
    DeliverySettings.load()  # the settings row exists in a real database: not its first creation here
    with django_assert_max_num_queries(3):
        figures = alert_figures(alerts, n=10)
    assert all(_values(figures[a.pk])["delivered"] == "1" for a in alerts)


def test_the_staff_home_results_panel_reads_all_its_alerts_at_once(owner, west, django_assert_max_num_queries):
    delivery_for(west, alert=_sent(west))
    DeliverySettings.load()
    with CaptureQueriesContext(connection) as one:
        results_rows(owner, timezone.now(), 10)
    for _ in range(5):
        delivery_for(west, alert=_sent(west))
    # Six alerts cost what one did: no query per alert (it was delivery_stats per alert, six queries each).
    with django_assert_max_num_queries(len(one)):
        rows = results_rows(owner, timezone.now(), 10)
    assert len(rows) == 6
    assert all("1 delivered" in row.detail for row in rows)


def _figures_in(html):
    """(label, value) pairs of the figures on a page (these pages show one alert's)."""
    return re.findall(
        r'<span class="ob-figures__label">([^<]+)</span> <strong class="ob-figures__value">([^<]+)</strong>', html
    )


def test_the_list_and_the_alert_page_show_the_same_figures_in_the_same_words(owner, every_state):
    client = client_for(owner)
    listed = client.get("/admin/alerts/").content.decode()
    page = client.get(f"/admin/alerts/{every_state.pk}/").content.decode()
    statistics = client.get(f"/admin/alerts/{every_state.pk}/delivery/").content.decode()
    on_list, on_page, on_statistics = _figures_in(listed), _figures_in(page), _figures_in(statistics)
    assert on_list == on_page == on_statistics
    assert ("Sent:", "6") in on_list
    assert ("Not sent:", "2") in on_list
    assert ("In the daily digest instead:", "1") in on_list


def test_the_statistics_by_channel_and_neighbourhood(every_state):
    table = delivery_table(every_state, n=10)
    columns = [key for key, _label in table.columns]
    channels = {name: dict(zip(columns, cells, strict=True)) for name, cells in table.channel_rows}
    places = {name: dict(zip(columns, cells, strict=True)) for name, cells in table.neighbourhood_rows}
    assert channels["SMS"]["delivered"] == "1"
    assert channels["SMS"]["awaiting"] == "1"  # sent, the provider's receipt not yet in
    assert channels["SMS"]["sent"] == "2"
    assert channels["SMS"]["skipped"] == "1"
    assert channels["Email"]["sent"] == "4"
    assert channels["Email"]["average"] == "3.0"
    assert (channels["Email"]["score_4"], channels["Email"]["score_2"], channels["Email"]["score_5"]) == ("1", "1", "0")
    assert places["Abbey"]["messages"] == "8"
    assert places["Brook"]["messages"] == "3"
    assert places["Abbey"]["rated"] == "2"


# ------------------------------------------------------------------------------------- a demographic group


def _demographic_alert(west, abbey, brook, *, in_abbey, in_brook):
    total = in_abbey + in_brook
    alert = _sent(
        west,
        targeting=DEMOGRAPHIC,
        audience_subscribers=total,
        audience_email=total,
        audience_sms=0,
        audience_base_subscribers=total + 40,
        audience_base_email=total + 40,
        audience_base_sms=0,
    )
    for neighbourhood, count in ((abbey, in_abbey), (brook, in_brook)):
        for subscriber in subscribers(neighbourhood, count):
            Delivery.objects.create(
                alert=alert,
                subscriber=subscriber,
                channel=Channel.EMAIL,
                state=State.DELIVERED,
                division=west,
                neighbourhood=neighbourhood,
            )
    return alert


def test_a_demographic_alerts_small_neighbourhood_is_not_shown_apart(west, abbey, brook, tracking):
    alert = _demographic_alert(west, abbey, brook, in_abbey=30, in_brook=3)
    Delivery.objects.filter(alert=alert, neighbourhood=brook).update(clicked_at=timezone.now())
    assert alert.targets_demographics
    table = delivery_table(alert, n=10)
    names = [name for name, _cells in table.neighbourhood_rows]
    assert "Brook" not in names
    # Brook's 3 alone would be the total less Abbey: the smallest row kept joins it (rows_kept).
    assert names == ["Other neighbourhoods"]
    columns = [key for key, _label in table.columns]
    other = dict(zip(columns, table.neighbourhood_rows[0][1], strict=True))
    assert other["delivered"] == "not shown"  # how messages went is never shown for a demographic group
    assert other["clicked"] == "fewer than 10"
    assert "fewer than 10" in table.note


def test_a_demographic_alerts_big_neighbourhoods_are_shown_with_engagement_only(west, abbey, brook, tracking):
    alert = _demographic_alert(west, abbey, brook, in_abbey=30, in_brook=12)
    table = delivery_table(alert, n=10)
    columns = [key for key, _label in table.columns]
    rows = {name: dict(zip(columns, cells, strict=True)) for name, cells in table.neighbourhood_rows}
    assert set(rows) == {"Abbey", "Brook"}
    assert rows["Abbey"]["messages"] == "not shown"
    assert rows["Abbey"]["opened"] == "fewer than 10"


# ------------------------------------------------------------------------------------------------ the CSV


def test_the_owner_downloads_the_table_as_csv_and_it_is_audited(owner, every_state):
    response = client_for(owner).get(f"/admin/alerts/{every_state.pk}/delivery/statistics.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["By", "Name", "Messages", "Sent"]
    assert ["Channel", "SMS"] in (rows[1][:2], rows[2][:2])
    assert any(row[:2] == ["Neighbourhood", "Abbey"] for row in rows)
    entry = AuditEntry.objects.get(action="delivery.alert_statistics.export")
    assert entry.target_id == str(every_state.pk)


def test_another_divisions_staff_cannot_download_the_csv(other_division, every_state):
    response = client_for(other_division).get(f"/admin/alerts/{every_state.pk}/delivery/statistics.csv")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="delivery.alert_statistics.export").exists()


@pytest.mark.parametrize("who", ["anonymous", "board viewer"])
def test_outsiders_cannot_download_the_csv(who, outsider, every_state, refused):
    client = client_for(None if who == "anonymous" else outsider)
    response = client.get(f"/admin/alerts/{every_state.pk}/delivery/statistics.csv")
    assert refused(response)
    assert not AuditEntry.objects.filter(action="delivery.alert_statistics.export").exists()


def test_the_home_panel_shows_no_message_states_of_a_demographic_alert(owner, west, abbey, brook, tracking):
    alert = _demographic_alert(west, abbey, brook, in_abbey=30, in_brook=12)
    Alert.objects.filter(pk=alert.pk).update(sent_at=timezone.now() - dt.timedelta(days=1))
    (row,) = results_rows(owner, timezone.now(), 10)
    assert "delivered" not in row.detail
    assert "fewer than 10 opened" in row.detail
