"""Month arithmetic on "YYYY-MM" strings."""

import datetime
import zoneinfo

from django.utils import timezone

from openbeat.core import months


def test_shift_crosses_years_both_ways():
    assert months.month_shift("2026-01", -13) == "2024-12"
    assert months.month_shift("2025-12", 1) == "2026-01"
    assert months.month_shift("2026-03", 0) == "2026-03"
    assert months.month_shift("2026-03", 22) == "2028-01"


def test_months_between_is_inclusive_and_empty_when_reversed():
    assert months.months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months.months_between("2026-02", "2026-02") == ["2026-02"]
    assert months.months_between("2026-03", "2026-02") == []


def test_month_of_a_date_and_its_first_day():
    assert months.month_of(datetime.date(2026, 3, 31)) == "2026-03"
    assert months.month_of(datetime.datetime(2026, 12, 1, 23, 59)) == "2026-12"
    assert months.month_start("2026-03") == datetime.date(2026, 3, 1)


def test_days_in_month_knows_leap_years():
    assert months.days_in_month("2024-02") == 29
    assert months.days_in_month("2026-02") == 28
    assert months.days_in_month("2026-12") == 31


def test_a_month_starts_and_ends_at_local_midnight(settings):
    settings.TIME_ZONE = "Europe/London"
    london = zoneinfo.ZoneInfo("Europe/London")
    with timezone.override(london):
        start, end = months.month_starts_at("2026-07"), months.month_ends_at("2026-12")
    assert start == datetime.datetime(2026, 7, 1, tzinfo=london)
    assert start.utcoffset() == datetime.timedelta(hours=1)
    assert end == datetime.datetime(2027, 1, 1, tzinfo=london)


def test_last_complete_month_is_the_one_before_today():
    assert months.last_complete_month(datetime.date(2026, 1, 1)) == "2025-12"
    assert months.last_complete_month(datetime.date(2026, 3, 31)) == "2026-02"


def test_is_month_wants_year_and_month():
    assert months.is_month("2026-03")
    for value in ("2026-13", "2026-3", "26-03", "2026-03-01", "2026-03\n", "", None):
        assert not months.is_month(value)
