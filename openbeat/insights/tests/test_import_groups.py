"""Issue 16, the import side: one account counting for several groups, reported totals, bad files, group order."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from openbeat.insights.models import Account, Observation, ReportingGroup
from openbeat.insights.selectors import groups_in_order, observations_with_group
from openbeat.insights.services import import_file, observation_enter
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, metric, observe
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db

HEADER = "period,channel,account,group,metric,value\n"


def csv_file(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "figures.csv"
    path.write_text(header + body)
    return path


def by_group() -> dict[tuple[str, str | None, str], float]:
    """(account, the group each figure counts for, period start) -> value."""
    names = dict(ReportingGroup.objects.values_list("pk", "name"))
    return {
        (o.account.name, names.get(o.effective_group_id), o.period_start.isoformat()): o.value
        for o in observations_with_group().select_related("account")
    }


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_observations", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# One account, figures per division


def test_one_account_counting_for_three_divisions_keeps_every_figure(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "2025-09,itk,In the Know,West,registered_users,110\n"
        "2025-09,itk,In the Know,South,registered_users,220\n"
        "2025-09,itk,In the Know,East,registered_users,330\n",
    )

    _, _, result = import_file(path=path)

    assert (result.created, result.errors) == (3, [])
    account = Account.objects.get()
    assert account.group is not None
    assert account.group.name == "West"  # the first group named; its figure counts for it through the account
    assert by_group() == {
        ("In the Know", "West", "2025-09-01"): 110,
        ("In the Know", "South", "2025-09-01"): 220,
        ("In the Know", "East", "2025-09-01"): 330,
    }
    _, _, again = import_file(path=path)
    assert (again.created, again.unchanged, Observation.objects.count()) == (0, 3, 3)


def test_the_same_account_group_and_month_twice_is_still_refused_by_line(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "2025-09,itk,In the Know,West,registered_users,110\n"
        "2025-09,itk,In the Know,South,registered_users,220\n"
        "2025-09,itk,In the Know,South,registered_users,221\n"
        "2025-09,itk,In the Know,,registered_users,111\n",
    )

    _, _, result = import_file(path=path)

    assert result.errors == [
        (4, "the same figure as line 3 (only the first is kept)"),
        (5, "the same figure as line 2 (only the first is kept)"),  # no group: the account's own, West
    ]
    assert by_group() == {
        ("In the Know", "West", "2025-09-01"): 110,
        ("In the Know", "South", "2025-09-01"): 220,
    }


def test_the_database_refuses_a_second_copy_of_a_figure_with_or_without_a_group() -> None:
    south = GroupFactory(name="South")
    account = AccountFactory(name="In the Know")
    observe(account, "registered_users", "2025-09", 1)
    observe(account, "registered_users", "2025-09", 2, group=south)
    fields = {"account": account, "metric": metric("registered_users"), "granularity": "month", "value": 3}

    for group in (None, south):
        with pytest.raises(IntegrityError), transaction.atomic():
            Observation.objects.create(**fields, period_start=date(2025, 9, 1), group=group)
    assert Observation.objects.count() == 2


def test_a_correction_by_hand_changes_the_figure_of_its_own_group() -> None:
    south = GroupFactory(name="South")
    account = AccountFactory(name="In the Know")
    observe(account, "registered_users", "2025-09", 100)
    attributed = observe(account, "registered_users", "2025-09", 200, group=south)

    observation_enter(
        account=account,
        metric=metric("registered_users"),
        period="2025-09",
        value=250,
        group=south,
        actor=UserFactory(),
    )

    attributed.refresh_from_db()
    assert attributed.value == 250
    assert sorted(Observation.objects.values_list("value", flat=True)) == [100, 250]


# Reported totals


@pytest.mark.parametrize(
    ("account", "group"),
    [("TOTAL", ""), ("Total", ""), ("ALL", ""), ("All accounts", ""), ("all", "TOTAL"), ("", "ALL"), ("", "Total")],
)
def test_the_usual_spellings_of_a_total_are_the_channels_reported_total(
    tmp_path: Path, account: str, group: str
) -> None:
    path = csv_file(
        tmp_path,
        "2025-09,facebook,@WestPolice,West,followers,400\n"
        f"2025-09,facebook,{account},{group},followers,1000\n"
        "2025-10,facebook,All Facebook accounts,,followers,1010\n",
    )

    _, _, result = import_file(path=path)

    assert result.errors == []
    assert list(ReportingGroup.objects.values_list("name", flat=True)) == ["West"]
    total = Account.objects.get(is_channel_total=True)
    assert (total.platform, total.name, total.group) == ("facebook", "All Facebook accounts", None)
    assert by_group() == {
        ("@WestPolice", "West", "2025-09-01"): 400,
        ("All Facebook accounts", None, "2025-09-01"): 1000,
        ("All Facebook accounts", None, "2025-10-01"): 1010,
    }


def test_a_total_named_for_a_group_counts_for_that_group_and_a_named_account_cannot_be_a_total(
    tmp_path: Path,
) -> None:
    path = csv_file(
        tmp_path,
        "2025-09,facebook,TOTAL,West,followers,700\n"
        "2025-09,facebook,TOTAL,East,followers,300\n"
        "2025-09,facebook,@WestPolice,TOTAL,followers,5\n",
    )

    _, _, result = import_file(path=path)

    assert result.errors == [
        (
            4,
            "group: 'TOTAL' marks the channel's total, but the account is '@WestPolice' (leave the account "
            "empty or write TOTAL for the total; name the account's group otherwise)",
        )
    ]
    assert Account.objects.get().group is None
    assert by_group() == {
        ("All Facebook accounts", "West", "2025-09-01"): 700,
        ("All Facebook accounts", "East", "2025-09-01"): 300,
    }


# Bad files


MALFORMED = (
    "2025-09,itk,In the Know,West,registered_users,37,500\n"  # line 2: an unquoted thousands separator
    '2025-09,itk,In the Know,South,registered_users,"37,500"\n'
    "2025-09,itk,In the Know,East,registered_users,12 345\n"
    "2025-09,itk,In the Know,North,registered_users,-\n"  # no figure: listed, not a fault
)


def test_a_row_with_more_cells_than_the_header_is_rejected_with_its_line(tmp_path: Path) -> None:
    _, _, result = import_file(path=csv_file(tmp_path, MALFORMED))

    assert result.errors == [
        (
            2,
            '7 cells but the header has 6 (a number with a thousands separator must be quoted, as "37,500", or '
            "written without one)",
        ),
        (5, "no value (a missing figure is left out, not taken as zero)"),
    ]
    assert by_group() == {
        ("In the Know", "South", "2025-09-01"): 37500,
        ("In the Know", "East", "2025-09-01"): 12345,
    }


def test_an_unquoted_thousands_separator_before_an_empty_dimension_is_rejected(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "2025-09,itk,In the Know,West,registered_users,37,500\n2025-09,website,Site,,sessions,90,device:mobile\n",
        header="period,channel,account,group,metric,value,dimension\n",
    )

    _, _, result = import_file(path=path)

    assert [line for line, _ in result.errors] == [2]
    assert "unquoted thousands separator" in result.errors[0][1]
    assert Observation.objects.get().value == 90


def test_the_command_fails_when_lines_are_rejected_unless_allowed(tmp_path: Path) -> None:
    path = str(csv_file(tmp_path, MALFORMED))

    with pytest.raises(CommandError, match=r"^1 line rejected \(line 2: 7 cells but the header has 6") as caught:
        run(path)
    assert caught.value.returncode == 3
    assert Observation.objects.count() == 2  # the good lines are kept

    out, err = run(path, "--allow-errors")
    assert "4 lines read: 2 figures imported, 1 line rejected, 1 with no figure" in out
    assert err.splitlines()[0].startswith("line 2: 7 cells but the header has 6")


def test_the_command_exits_0_when_only_figures_are_missing(tmp_path: Path) -> None:
    out, _ = run(
        str(
            csv_file(
                tmp_path,
                "2025-09,itk,In the Know,West,registered_users,10\n"
                "2025-10,itk,In the Know,West,registered_users,\u2013\n",  # an en dash, as reports print it
            )
        )
    )

    assert "2 lines read: 1 figures imported, 0 lines rejected, 1 with no figure" in out


# Group order


def test_groups_an_import_creates_keep_the_files_order_after_existing_ones(tmp_path: Path) -> None:
    GroupFactory(name="Corporate", sort_order=4)
    GroupFactory(name="Cadets", sort_order=0)
    path = csv_file(
        tmp_path,
        "2025-09,facebook,@South,South,followers,1\n"
        "2025-09,facebook,@West,West,followers,1\n"
        "2025-09,facebook,@Corp,Corporate,followers,1\n"
        "2025-09,facebook,@East,East,followers,1\n"
        "2025-10,facebook,@West,West,followers,2\n",
    )

    import_file(path=path)

    assert [g.name for g in groups_in_order()] == ["Cadets", "Corporate", "South", "West", "East"]
    assert [g.name for g in ReportingGroup.objects.all()] == ["Cadets", "Corporate", "South", "West", "East"]


def test_the_back_office_reorders_groups_and_keeps_a_group_that_figures_count_for(refused) -> None:
    west, south, empty = GroupFactory(name="West"), GroupFactory(name="South"), GroupFactory(name="Empty")
    observe(AccountFactory(group=west), "registered_users", "2025-09", 5, group=south)
    client = client_for(staff_user(roles.ADMINISTRATOR, None, username="admin"))

    response = client.post(
        reverse("insights_groups:edit", args=[south.pk]), {"name": "South", "slug": south.slug, "sort_order": 0}
    )
    client.post(reverse("insights_groups:edit", args=[west.pk]), {"name": "West", "slug": west.slug, "sort_order": 1})
    client.post(
        reverse("insights_groups:edit", args=[empty.pk]), {"name": "Empty", "slug": empty.slug, "sort_order": 2}
    )

    assert response.status_code == 302
    assert [g.name for g in groups_in_order()] == ["South", "West", "Empty"]
    listing = client.get(reverse("insights_groups:index")).content.decode()
    assert listing.index("South") < listing.index("West") < listing.index("Empty")
    assert refused(client.post(reverse("insights_groups:delete", args=[south.pk])))
    assert client.post(reverse("insights_groups:delete", args=[empty.pk])).status_code == 302
    assert [g.name for g in groups_in_order()] == ["South", "West"]


# The migration


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_existing_figure_in_its_accounts_group() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("insights", "0001_initial")])
    apps = executor.loader.project_state([("insights", "0001_initial")]).apps
    group = apps.get_model("insights", "ReportingGroup").objects.create(name="West", slug="west")
    account = apps.get_model("insights", "Account").objects.create(platform="itk", name="In the Know", group=group)
    users = apps.get_model("insights", "Metric").objects.create(slug="itk-users", name="Users")
    apps.get_model("insights", "Observation").objects.create(
        account=account, metric=users, granularity="month", period_start="2025-09-01", value=7
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = observations_with_group().get()
    assert (migrated.group_id, migrated.effective_group_id, migrated.value) == (None, group.pk, 7)
