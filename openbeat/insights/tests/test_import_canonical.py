"""The canonical CSV, and what every import shares: upsert, re-imports, decoding, detection."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from openbeat.areas.importers.report import ImportFileError
from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.audit.models import AuditEntry
from openbeat.insights.importers.base import FORMATS, ObservationRow, decode, detect_format
from openbeat.insights.models import Account, ImportBatch, Observation, ReportingGroup
from openbeat.insights.services import account_get_or_create, import_file, observations_upsert
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def figures() -> dict[tuple[str, str, str, str, str], float]:
    """(platform, account, metric, period_start, dimension) -> value, for every observation."""
    return {
        (o.account.platform, o.account.name, o.metric.slug, o.period_start.isoformat(), o.dimension): o.value
        for o in Observation.objects.select_related("account", "metric")
    }


def test_canonical_file_imports_good_rows_and_reports_bad_ones() -> None:
    batch, _, _ = import_file(path=FILES / "canonical.csv")

    assert batch.format == "canonical"
    assert figures() == {
        ("facebook", "@WestPolice", "followers", "2025-01-01", ""): 1200,
        ("facebook", "@WestPolice", "followers", "2025-02-01", ""): 1250,
        ("facebook", "All Facebook accounts", "followers", "2025-01-01", ""): 5000,
        ("website", "www.example.police.uk", "sessions", "2025-01-01", "device:mobile"): 900,
        ("x", "@EastPolice", "impressions", "2025-01-15", ""): 300,
    }
    day = Observation.objects.get(metric__slug="impressions")
    assert day.granularity == "day"
    assert day.batch == batch
    errors = batch.errors
    assert errors == [
        "line 7: no value (a missing figure is left out, not taken as zero)",
        "line 8: period: '2025-13' is not a month (YYYY-MM) or a day (YYYY-MM-DD)",
        "line 9: channel: 'myspace' is not one of facebook, x, instagram, youtube, website, itk, other",
        "line 10: metric: 'nonsense' is not a metric (add it in the back office first)",
        "line 11: value: 'abc' is not a number",
        "line 12: the same figure as line 2 (only the first is kept)",
    ]
    assert (batch.rows_ok, batch.status) == (5, ImportBatch.Status.DONE)
    assert AuditEntry.objects.filter(action="insights.import.finish", target_id=str(batch.pk)).exists()


def test_canonical_creates_unseen_accounts_and_groups_and_marks_channel_totals() -> None:
    import_file(path=FILES / "canonical.csv")

    west = Account.objects.get(platform="facebook", name="@WestPolice")
    total = Account.objects.get(platform="facebook", is_channel_total=True)
    assert west.group is not None
    assert west.group.name == "West"
    assert not west.is_channel_total
    assert total.name == "All Facebook accounts"
    assert total.group is None
    assert set(ReportingGroup.objects.values_list("name", flat=True)) == {"West", "Corporate", "East"}


def test_reimporting_the_same_file_does_not_double_count() -> None:
    _, _, first = import_file(path=FILES / "canonical.csv")
    before = figures()
    _, _, again = import_file(path=FILES / "canonical.csv")

    assert figures() == before
    assert Observation.objects.count() == 5
    assert (first.created, again.created, again.updated, again.unchanged) == (5, 0, 0, 5)


def test_a_later_file_replaces_a_figure_rather_than_adding_to_it(tmp_path: Path) -> None:
    account = AccountFactory(platform="facebook", name="@WestPolice")
    observe(account, "followers", "2025-01", 1000)
    path = tmp_path / "corrected.csv"
    path.write_text("period,channel,account,group,metric,value\n2025-01,Facebook,@westpolice,,followers,1100\n")

    _, _, result = import_file(path=path)

    assert (result.created, result.updated) == (0, 1)
    assert figures() == {("facebook", "@WestPolice", "followers", "2025-01-01", ""): 1100}


def test_an_existing_account_keeps_its_group() -> None:
    mine = GroupFactory(name="Corporate comms")
    AccountFactory(platform="facebook", name="@WestPolice", group=mine)

    import_file(path=FILES / "canonical.csv")

    assert Account.objects.get(name="@WestPolice").group == mine


def test_dry_run_checks_everything_and_writes_nothing() -> None:
    batch, _, result = import_file(path=FILES / "canonical.csv", dry_run=True)

    assert result.created == 5
    assert len(batch.errors) == 6
    assert not Observation.objects.exists()
    assert not Account.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_a_file_in_any_usual_encoding_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "figures.csv"
    text = 'period,channel,account,group,metric,value\r\n2025-03,website,Caf\u00e9 site,,pageviews,"1,234"\r\n'
    path.write_bytes(text.encode(encoding))

    batch, _, _ = import_file(path=path)

    assert batch.format == "canonical"
    assert figures() == {("website", "Caf\u00e9 site", "pageviews", "2025-03-01", ""): 1234}


def test_a_file_with_a_missing_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("period,channel,account,metric\n2025-01,facebook,@A,followers\n")

    with pytest.raises(ImportFileError, match="not a format this importer knows"):
        import_file(path=path)
    with pytest.raises(ImportFileError, match="no column value"):
        import_file(path=path, format="canonical")


def test_upsert_rows_directly_reports_the_line_of_each_bad_row() -> None:
    rows = [
        ObservationRow("2025-01", "followers", 10, "youtube", "Force channel", "Corporate", line=3),
        ObservationRow("2025-01", "followers", 11, "youtube", "force  channel", "", line=4),
        ObservationRow("2025-01", "followers", 1, "youtube", "Other", "", "x" * 81, line=5),
    ]
    result = observations_upsert(rows=rows)

    assert result.created == 1
    assert result.errors == [
        (4, "the same figure as line 3 (only the first is kept)"),
        (5, "dimension: longer than 80 characters"),
    ]


def test_account_get_or_create_total_and_case() -> None:
    group = GroupFactory()
    total = account_get_or_create(platform="instagram", name="total")
    again = account_get_or_create(platform="instagram", name="")
    named = account_get_or_create(platform="instagram", name="@Force", group=group)

    assert total == again
    assert total.is_channel_total
    assert total.name == "All Instagram accounts"
    assert account_get_or_create(platform="instagram", name="@FORCE") == named


def test_observe_helper_upserts() -> None:
    account = AccountFactory()
    observe(account, "followers", "2025-03", 5)
    observe(account, "followers", "2025-03", 6)
    day = observe(account, "reach", "2025-03-02", 9, "device:mobile")

    assert Observation.objects.get(metric__slug="followers").value == 6
    assert (day.granularity, day.period_start) == ("day", date(2025, 3, 2))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("canonical.csv", "canonical"),
        ("meta_posts.csv", "meta_posts"),
        ("instagram_posts.csv", "instagram_posts"),
        ("facebook_legacy.csv", "facebook_legacy"),
        ("x_tweets_utf16.csv", "x_tweets"),
        ("x_daily.csv", "x_daily"),
        ("x_content_2024.csv", "x_content_2024"),
        ("ga4.csv", "ga4"),
    ],
)
def test_detect_format(name: str, expected: str) -> None:
    assert detect_format(decode((FILES / name).read_bytes())[:4000]) == expected
    assert expected in FORMATS


def test_decode_refuses_binary() -> None:
    with pytest.raises(ImportFileError, match="not a text file"):
        decode(b"PK\x03\x04\x00\x00\x01\x02" + b"abcdefgh" * 10)


def test_an_optional_neighbourhood_column_places_figures(tmp_path: Path) -> None:
    place = NeighbourhoodFactory(code="W01")
    path = tmp_path / "events.csv"
    path.write_text(
        "period,channel,account,group,metric,value,dimension,neighbourhood\n"
        "2025-01,other,West,West,events_held,2,,w01\n"
        "2025-01,other,East,East,events_held,1,,NOPE\n"
    )

    batch, _, _ = import_file(path=path)
    Path(path).write_text("period,channel,account,group,metric,value\n2025-01,other,West,West,events_held,3\n")
    import_file(path=path)

    observation = Observation.objects.get()
    assert (observation.neighbourhood, observation.value) == (place, 3)
    assert batch.errors == ["line 3: neighbourhood: no neighbourhood has the code 'NOPE'"]
