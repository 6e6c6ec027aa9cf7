"""Native exports: each platform's per-post or per-day rows become monthly figures for one account."""

from __future__ import annotations

from pathlib import Path

import pytest

from openbeat.areas.importers.report import ImportFileError
from openbeat.insights.models import Observation
from openbeat.insights.services import import_file
from openbeat.insights.tests.factories import AccountFactory

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def monthly(account_name: str) -> dict[tuple[str, str], float]:
    """(metric, "YYYY-MM") -> value for the account's monthly observations."""
    found = Observation.objects.filter(account__name=account_name, granularity="month").select_related("metric")
    return {(o.metric.slug, f"{o.period_start:%Y-%m}"): o.value for o in found}


def test_meta_per_post_sums_each_month_and_leaves_reach_out() -> None:
    batch, parsed, _ = import_file(path=FILES / "meta_posts.csv")

    assert batch.format == "meta_posts"
    assert monthly("West Police") == {
        # Post 3's views are "-": missing, so January's impressions are posts 1 and 2 ("1,000" + 500).
        ("impressions", "2025-01"): 1500,
        ("engagements", "2025-01"): 80,
        ("comments", "2025-01"): 10,
        ("shares", "2025-01"): 7,
        ("posts", "2025-01"): 3,
        ("impressions", "2025-02"): 200,
        ("engagements", "2025-02"): 5,
        ("comments", "2025-02"): 0,
        ("shares", "2025-02"): 0,
        ("posts", "2025-02"): 1,
    }
    assert "line 6: date: '13/45/2025 00:05' is not a date" in batch.errors
    assert any(note.startswith("Not imported: Reach.") for note in parsed.notes)
    assert Observation.objects.get(metric__slug="posts", period_start__month=2).account.platform == "facebook"


def test_a_chosen_account_overrides_the_page_name() -> None:
    page = AccountFactory(platform="facebook", name="Force page")

    import_file(path=FILES / "meta_posts.csv", account=page)

    assert monthly("Force page")[("posts", "2025-01")] == 3
    assert monthly("West Police") == {}


def test_an_account_on_another_platform_is_refused() -> None:
    with pytest.raises(ImportFileError, match="is for a Facebook account"):
        import_file(path=FILES / "meta_posts.csv", account=AccountFactory(platform="x", name="@EastPolice"))


def test_instagram_engagements_are_likes_comments_shares_and_saves() -> None:
    import_file(path=FILES / "instagram_posts.csv")

    assert monthly("@westpolice") == {
        ("impressions", "2025-03"): 1000,
        ("engagements", "2025-03"): 100 + 3 + 10 + 15,
        ("comments", "2025-03"): 3,
        ("shares", "2025-03"): 10,
        ("posts", "2025-03"): 2,
        ("impressions", "2025-04"): 100,
        ("engagements", "2025-04"): 12,
        ("comments", "2025-04"): 1,
        ("shares", "2025-04"): 0,
        ("posts", "2025-04"): 1,
    }


def test_facebook_legacy_skips_the_description_row_and_takes_month_end_followers() -> None:
    page = AccountFactory(platform="facebook", name="West Police")

    batch, parsed, _ = import_file(path=FILES / "facebook_legacy.csv", account=page)

    assert batch.format == "facebook_legacy"
    assert monthly("West Police") == {
        ("followers", "2016-01"): 1031,
        ("impressions", "2016-01"): sum(100 + d for d in range(1, 32)),
        # 2 February's impressions are "abc" (the row is refused); 1 February's are "-" (missing, not zero).
        ("followers", "2016-02"): 1040,
    }
    assert batch.errors[-1] == "line 35: Daily Total Impressions: 'abc' is not a number"
    assert any("2016-02: the file has 1 of the month's 29 days" in note for note in parsed.notes)
    assert not any(note.startswith("2016-01") for note in parsed.notes)
    assert any("Daily Page Engaged Users, Daily Total Reach" in note for note in parsed.notes)


def test_x_per_tweet_export_in_utf16_takes_the_account_from_the_permalinks() -> None:
    batch, _, _ = import_file(path=FILES / "x_tweets_utf16.csv")

    assert batch.format == "x_tweets"
    assert not [e for e in batch.errors if e.startswith("line")]
    assert monthly("@EastPolice") == {
        ("impressions", "2021-04"): 1400,
        ("engagements", "2021-04"): 70,
        ("shares", "2021-04"): 6,
        ("comments", "2021-04"): 3,
        ("link_clicks", "2021-04"): 7,
        ("posts", "2021-04"): 2,
        ("impressions", "2021-05"): 100,
        ("engagements", "2021-05"): 5,
        ("shares", "2021-05"): 0,
        ("comments", "2021-05"): 0,
        ("link_clicks", "2021-05"): 1,
        ("posts", "2021-05"): 1,
    }


def test_x_daily_export_needs_an_account_and_sums_a_whole_month() -> None:
    with pytest.raises(ImportFileError, match="choose the account"):
        import_file(path=FILES / "x_daily.csv")

    _, parsed, _ = import_file(path=FILES / "x_daily.csv", account=AccountFactory(platform="x", name="@EastPolice"))

    assert monthly("@EastPolice") == {
        ("posts", "2021-04"): 60,
        ("impressions", "2021-04"): 3000,
        ("engagements", "2021-04"): 300,
        ("shares", "2021-04"): 30,
        ("comments", "2021-04"): 30,
        ("link_clicks", "2021-04"): 60,
    }
    assert parsed.notes == []


def test_x_2024_content_export_reads_its_dates() -> None:
    import_file(path=FILES / "x_content_2024.csv", account=AccountFactory(platform="x", name="@EastPolice"))

    assert monthly("@EastPolice") == {
        ("impressions", "2026-07"): 2000,
        ("engagements", "2026-07"): 120,
        ("shares", "2026-07"): 8,
        ("comments", "2026-07"): 5,
        ("link_clicks", "2026-07"): 5,
        ("posts", "2026-07"): 2,
        ("impressions", "2026-08"): 200,
        ("engagements", "2026-08"): 10,
        ("shares", "2026-08"): 1,
        ("comments", "2026-08"): 0,
        ("link_clicks", "2026-08"): 1,
        ("posts", "2026-08"): 1,
    }


def test_ga4_reads_the_period_from_the_header_block_and_users_from_the_totals_row() -> None:
    batch, _, _ = import_file(path=FILES / "ga4.csv")

    assert batch.format == "ga4"
    assert monthly("www.example.police.uk") == {("pageviews", "2025-01"): 12000, ("users", "2025-01"): 4000}


def test_ga4_without_totals_sums_page_views_and_leaves_users_out(tmp_path: Path) -> None:
    path = tmp_path / "ga4.csv"
    path.write_text(
        "# Property: site\n# Start date: 20250201\n# End date: 20250214\n"
        'Page path and screen class,Views,Active users\n/,100,50\n/a,"1,000",-\n/b,-,3\n'
    )

    _, parsed, _ = import_file(path=path)

    assert monthly("site") == {("pageviews", "2025-02"): 1100}
    assert any("not the whole month" in note for note in parsed.notes)
    assert any(note.startswith("Users not imported") for note in parsed.notes)


def test_ga4_spanning_months_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ga4.csv"
    path.write_text("# Start date: 20250101\n# End date: 20250211\nPage path and screen class,Views\n/,1\n")

    with pytest.raises(ImportFileError, match="export one calendar month at a time"):
        import_file(path=path, account=AccountFactory(platform="website", name="site"))


@pytest.mark.parametrize(
    "name", ["meta_posts.csv", "instagram_posts.csv", "x_tweets_utf16.csv", "x_content_2024.csv", "ga4.csv"]
)
def test_reimporting_a_native_export_does_not_double_count(name: str) -> None:
    account = AccountFactory(platform="x", name="@EastPolice") if name == "x_content_2024.csv" else None
    import_file(path=FILES / name, account=account)
    before = {(o.pk, o.value) for o in Observation.objects.all()}

    _, _, again = import_file(path=FILES / name, account=account)

    assert {(o.pk, o.value) for o in Observation.objects.all()} == before
    assert again.created == 0
    assert again.unchanged == len(before)
