import csv
import io

import pytest
from django.urls import reverse

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.core import metric_sources
from openbeat.core.metric_sources import Figure
from openbeat.insights.gapmap import gap_map
from openbeat.insights.models import Observation
from openbeat.insights.tests.factories import AccountFactory, metric
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(west, east):
    return {
        "busy": NeighbourhoodFactory(code="W1", name="Ashby", division=west, population=2000),
        "quiet": NeighbourhoodFactory(code="W2", name="Brindle", division=west, population=1000),
        "unknown": NeighbourhoodFactory(code="W3", name="Calder", division=west, population=None),
        "far": NeighbourhoodFactory(code="E1", name="Dunmore", division=east, population=3000),
    }


@pytest.fixture
def subscribers(places, monkeypatch):
    """An In the Know source with subscribers by home neighbourhood (a stock: the latest month counts)."""
    counts = {"W1": 20, "W2": 2, "W3": 50, "E1": 30}

    def source(*, first_month, last_month):
        for code, value in counts.items():
            yield Figure(metric="itk_subscribers", month="2026-09", value=value / 2, aggregation="stock",
                         neighbourhood=code, label="In the Know subscribers")  # fmt: skip
            yield Figure(metric="itk_subscribers", month="2026-10", value=value, aggregation="stock",
                         neighbourhood=code, label="In the Know subscribers")  # fmt: skip
        yield Figure(metric="itk_subscribers", month="2026-10", value=999, aggregation="stock", division="west")

    monkeypatch.setitem(metric_sources._SOURCES, "test-itk", source)
    return counts


def rows_by_code(result):
    return {row.code: row for row in result.rows}


def test_rates_per_thousand_against_the_force_rate(subscribers):
    result = gap_map(first_month="2026-09", last_month="2026-10")
    rows = rows_by_code(result)
    # The latest month of a stock counts; the division-level figure (no neighbourhood) is not mapped.
    assert rows["W1"].value == 20
    assert rows["W1"].rate == pytest.approx(10.0)
    assert rows["W2"].rate == pytest.approx(2.0)
    assert rows["E1"].rate == pytest.approx(10.0)
    # (20 + 2 + 30) per 6,000 residents; the neighbourhood without population data is left out.
    assert result.force_rate == pytest.approx(52 * 1000 / 6000)
    assert [row.code for row in result.flagged] == ["W2"]  # 2.0 is below half of 8.67


def test_no_population_is_shown_as_such_not_as_zero(subscribers):
    rows = rows_by_code(gap_map(first_month="2026-10", last_month="2026-10"))
    assert rows["W3"].population is None
    assert rows["W3"].rate is None
    assert not rows["W3"].flagged


def test_observations_with_a_neighbourhood_are_mapped_and_flows_add_up(places):
    account = AccountFactory(platform="other", name="Events")
    for month, value in (("2026-08-01", 3), ("2026-09-01", 4)):
        Observation.objects.create(account=account, metric=metric("events_held"), granularity="month",
                                   period_start=month, value=value, neighbourhood=places["busy"])  # fmt: skip
    rows = rows_by_code(gap_map(metric="events_held", first_month="2026-08", last_month="2026-09"))
    assert rows["W1"].value == 7
    assert rows["W1"].rate == pytest.approx(3.5)
    assert rows["W2"].value == 0


def test_the_board_sees_every_neighbourhood(subscribers):
    board = staff_user(roles.BOARD_VIEWER, None)
    response = client_for(board).get(reverse("insights_staff:gapmap"), {"from": "2026-10", "to": "2026-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ashby" in body
    assert "Dunmore" in body
    assert "No population data" in body


def test_a_division_lead_sees_their_division_only(subscribers, west, east):
    lead = staff_user(roles.DIVISION_LEAD, west)
    body = client_for(lead).get(reverse("insights_staff:gapmap"), {"to": "2026-10"}).content.decode()
    assert "Ashby" in body
    assert "Dunmore" not in body
    # Asking for another division does not widen the scope.
    body = client_for(lead).get(reverse("insights_staff:gapmap"), {"to": "2026-10", "division": "east"}).content
    assert b"Dunmore" not in body
    other = staff_user(roles.DIVISION_LEAD, east)
    body = client_for(other).get(reverse("insights_staff:gapmap"), {"to": "2026-10"}).content.decode()
    assert "Dunmore" in body
    assert "Ashby" not in body


@pytest.mark.parametrize("kind", ["anonymous", "no role", "neighbourhood officer"])
@pytest.mark.parametrize(
    "name", ["insights_staff:gapmap", "insights_staff:gapmap_csv", "insights_staff:gapmap_geojson"]
)
def test_outsiders_are_refused(kind, name, refused, subscribers, west):
    user = {
        "anonymous": None,
        "no role": UserFactory(username="public"),
        "neighbourhood officer": staff_user(roles.NEIGHBOURHOOD_OFFICER, west),
    }[kind]
    response = client_for(user).get(reverse(name))
    assert refused(response) or response.status_code == 302


def test_csv_export_has_every_row_and_is_audited(subscribers):
    board = staff_user(roles.BOARD_VIEWER, None)
    response = client_for(board).get(reverse("insights_staff:gapmap_csv"), {"to": "2026-10"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_code = {row["neighbourhood_code"]: row for row in rows}
    assert by_code["W1"]["per_1000"] == "10.00"
    assert by_code["W2"]["flagged"] == "yes"
    assert by_code["W3"]["flagged"] == "no population data"
    assert by_code["W3"]["per_1000"] == ""
    assert AuditEntry.objects.filter(action="insights.gapmap.export").count() == 1


def test_geojson_carries_boundaries_and_rates(subscribers):
    board = staff_user(roles.BOARD_VIEWER, None)
    data = client_for(board).get(reverse("insights_staff:gapmap_geojson"), {"to": "2026-10"}).json()
    assert data["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in data["features"]}
    assert by_code["W1"]["geometry"]["type"] == "Polygon"
    assert by_code["W1"]["properties"]["per_1000"] == 10.0
    assert by_code["W3"]["properties"]["no_population_data"] is True
    assert by_code["W3"]["properties"]["per_1000"] is None


def test_bad_parameters_fall_back_rather_than_fail(subscribers):
    board = staff_user(roles.BOARD_VIEWER, None)
    response = client_for(board).get(
        reverse("insights_staff:gapmap"), {"from": "2026-13", "to": "junk", "metric": "x" * 500}
    )
    assert response.status_code == 200
