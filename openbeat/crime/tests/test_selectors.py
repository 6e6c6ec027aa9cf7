import datetime

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.crime.selectors import neighbourhood_crime_section, neighbourhood_crime_summary
from openbeat.crime.tests.factories import CrimeFactory

pytestmark = pytest.mark.django_db

SEP, AUG, MAY = datetime.date(2026, 9, 1), datetime.date(2026, 8, 1), datetime.date(2026, 5, 1)


@pytest.fixture
def places():
    here = NeighbourhoodFactory(code="H1", name="Hereford", population=2000)
    there = NeighbourhoodFactory(code="T1", name="Thereby", population=8000)
    unknown = NeighbourhoodFactory(code="U1", name="Unknown", population=None)
    for _ in range(3):
        CrimeFactory(neighbourhood=here, month=SEP, category_id="burglary", outcome_category="Under investigation")
    CrimeFactory(neighbourhood=here, month=SEP, category_id="anti-social-behaviour")
    CrimeFactory(neighbourhood=here, month=SEP, category_id="violent-crime", outcome_category="Local resolution")
    CrimeFactory(neighbourhood=here, month=AUG, category_id="drugs")
    CrimeFactory(neighbourhood=here, month=MAY, category_id="drugs")
    CrimeFactory(neighbourhood=here, month=datetime.date(2025, 9, 1), category_id="drugs")  # 13 months back
    for _ in range(5):
        CrimeFactory(neighbourhood=there, month=SEP, category_id="robbery")
    CrimeFactory(neighbourhood=unknown, month=SEP)  # no population: not in the force's rate
    CrimeFactory(neighbourhood=None, month=SEP, outside_force=True, lat_e6=52_000_000, lon_e6=500_000)
    return here, there, unknown


def test_categories_for_the_forces_latest_month(places):
    summary = neighbourhood_crime_summary(places[0])

    assert summary.latest_month == SEP
    assert summary.total == 5
    assert [(c.slug, c.count) for c in summary.by_category] == [
        ("burglary", 3), ("anti-social-behaviour", 1), ("violent-crime", 1),
    ]  # fmt: skip
    assert summary.by_category[0].name == "Burglary"
    assert summary.anti_social_behaviour == 1


def test_the_trend_has_twelve_months_with_missing_months_as_zero(places):
    trend = neighbourhood_crime_summary(places[0]).trend

    assert len(trend) == 12
    assert trend[0].month == datetime.date(2025, 10, 1)
    assert trend[-1].month == SEP
    assert {m.month: m.count for m in trend if m.count} == {MAY: 1, AUG: 1, SEP: 5}
    assert sum(1 for m in trend if m.count == 0) == 9


def test_outcomes_where_given(places):
    summary = neighbourhood_crime_summary(places[0])

    assert summary.outcomes == [("Under investigation", 3), ("Local resolution", 1)]
    assert summary.without_outcome == 1


def test_the_rate_per_thousand_beside_the_forces(places):
    summary = neighbourhood_crime_summary(places[0])

    assert summary.rate == pytest.approx(5 * 1000 / 2000)
    # Crimes in neighbourhoods with a population (5 + 5) over their residents (2,000 + 8,000).
    assert summary.force_rate == pytest.approx(10 * 1000 / 10_000)
    assert summary.force_population == 10_000


def test_no_population_gives_no_rate_rather_than_zero(places):
    summary = neighbourhood_crime_summary(places[2])

    assert summary.total == 1
    assert summary.rate is None
    assert summary.force_rate is not None


def test_a_quiet_neighbourhood_has_the_forces_month_and_zeros(places):
    quiet = NeighbourhoodFactory(code="Q1", population=1000)

    summary = neighbourhood_crime_summary(quiet)

    assert summary.latest_month == SEP
    assert summary.total == 0
    assert summary.by_category == []
    assert [m.count for m in summary.trend] == [0] * 12
    assert summary.rate == 0


def test_no_data_at_all():
    summary = neighbourhood_crime_summary(NeighbourhoodFactory())

    assert summary.latest_month is None
    assert summary.trend == []


def test_the_section_answers_in_five_queries_and_two_for_the_next_neighbourhood(places, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        context = neighbourhood_crime_section(places[0])
    # The force's figures (the costly count with a million crimes) are kept until public content changes.
    with django_assert_max_num_queries(2):
        neighbourhood_crime_section(places[1])

    chart = str(context["chart"])
    assert chart.startswith("<svg")
    assert 'role="img"' in chart
    assert "<title" in chart
    assert "Hereford" in chart
    assert "Sep 2026 5" in chart  # the description carries the figures
