import datetime

import pytest
from django.db.models import Count

from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.crime.importers.street import import_crimes
from openbeat.crime.models import Crime, CrimeCount, CrimeImport
from openbeat.crime.selectors import neighbourhood_crime_summary
from openbeat.crime.services import crime_counts_refresh
from openbeat.crime.tests.factories import crime_csv

pytestmark = pytest.mark.django_db

SEP = datetime.date(2026, 9, 1)
ID_A = "a" * 64


@pytest.fixture
def mill():
    return NeighbourhoodFactory(code="T1", name="Millbrook", boundary=square(-2.0, 53.0, 0.1), population=5000)


def counted() -> dict[tuple, int]:
    return {
        (row.month, row.neighbourhood_id, row.category_id, row.outcome_category): row.count
        for row in CrimeCount.objects.all()
    }


def grouped() -> dict[tuple, int]:
    rows = Crime.objects.values_list("month", "neighbourhood_id", "category_id", "outcome_category")
    return {tuple(row[:4]): row[4] for row in rows.annotate(n=Count("pk")).order_by()}


def lines(outcome: str, asb: int = 2) -> str:
    return crime_csv(
        f"{ID_A},2026-09,Testshire Police,Testshire Police,-1.95,53.05,On or near Mill Lane,E01000001,Test 001A,"
        f"Burglary,{outcome},",
        *[
            ",2026-09,Testshire Police,Testshire Police,-1.95,53.04,On or near Mill Lane,E01000001,Test 001A,"
            "Anti-social behaviour,,"
        ]
        * asb,
    )


def test_an_import_counts_its_crimes_for_the_page(tmp_path, mill):
    path = tmp_path / "2026-09-street.csv"
    path.write_text(lines("Under investigation"), encoding="utf-8")

    import_crimes([path])

    assert counted() == grouped()
    assert counted()[(SEP, mill.pk, "anti-social-behaviour", "")] == 2
    assert neighbourhood_crime_summary(mill).total == 3


def test_a_later_release_moves_the_count_to_the_new_outcome(tmp_path, mill):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(lines("Under investigation"), encoding="utf-8")
    second.write_text(lines("Local resolution"), encoding="utf-8")
    import_crimes([first])

    import_crimes([second])

    assert counted() == grouped()
    assert neighbourhood_crime_summary(mill).outcomes == [("Local resolution", 1)]


def test_counting_a_month_again_changes_nothing(tmp_path, mill):
    path = tmp_path / "2026-09-street.csv"
    path.write_text(lines("Under investigation"), encoding="utf-8")
    import_crimes([path])
    before = counted()

    crime_counts_refresh(months=[SEP, SEP])

    assert counted() == before
    assert CrimeCount.objects.count() == len(before)


def test_deleting_an_import_deletes_its_counts(tmp_path, mill):
    path = tmp_path / "2026-09-street.csv"
    path.write_text(lines("Under investigation"), encoding="utf-8")
    import_crimes([path])

    CrimeImport.objects.all().delete()

    assert CrimeCount.objects.count() == 0
    assert neighbourhood_crime_summary(mill).latest_month is None


def test_a_month_left_out_is_not_counted_again(tmp_path, mill):
    path = tmp_path / "2026-09-street.csv"
    path.write_text(lines("Under investigation"), encoding="utf-8")
    import_crimes([path])
    Crime.objects.filter(category_id="burglary").delete()  # behind the counts' back

    crime_counts_refresh(months=[datetime.date(2026, 8, 1)])

    assert sum(counted().values()) == 3
    crime_counts_refresh(months=[SEP])
    assert sum(counted().values()) == 2
