"""load_demo on a copy of a force's own data: it refuses unless told; told, it changes and removes only rows it
made itself (issue 14, finding 2: `load_demo --reset` deleted a force's neighbourhoods, stations, officers and
reports, renumbered references from 000001, and set an existing admin's password to the demo's)."""

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.areas.models import Division, Neighbourhood, Postcode, Station
from openbeat.areas.services import boundary_fields
from openbeat.core.models import Force
from openbeat.demo.models import DemoRow
from openbeat.demo.registry import demo_tag, demo_tagged
from openbeat.demo.steps import demo_password, demo_reset
from openbeat.insights.catalogue import metrics_sync
from openbeat.insights.models import Account, Metric, Observation, ReportingGroup
from openbeat.reports.models import ReferenceCounter, Report, ReportType
from openbeat.reports.references import reference_next
from openbeat.reports.seed import report_types_seed
from openbeat.staff import roles
from openbeat.staff.models import Officer, StaffProfile, TeamMembership
from openbeat.subscriptions.models import Subscriber, WatchedArea

pytestmark = pytest.mark.django_db

YEAR = timezone.localtime().year
ADMIN_PASSWORD = "the force's own passphrase"


def square(lon: float, lat: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]],
    }


@pytest.fixture
def real():
    """A force's own data, as a copy of a live database holds it, named as the demo names things where it can."""
    # What migrate seeds (tests' databases skip those post_migrate steps).
    report_types_seed()
    metrics_sync()
    roles.roles_sync()
    now = timezone.now()
    force = Force.objects.create(code="lancashire", name="Lancashire Constabulary", short_code="LC")
    west = Division.objects.create(name="West", code="west")  # the demo has a West division too
    # The demo generates a neighbourhood AB06 called Bowerham.
    nbh = Neighbourhood.objects.create(
        code="AB06", name="Bowerham", division=west, population=8000, **boundary_fields(square(-2.79, 54.03))
    )
    postcode = Postcode.objects.create(postcode="LA1 4YW", lat=54.035, lon=-2.785, neighbourhood=nbh)
    station = Station.objects.create(name="Lancaster Police Station", address="Thurnham Street", division=west)
    officer = Officer.objects.create(name="Pat Real", rank="PC", division=west)
    team = TeamMembership.objects.create(neighbourhood=nbh, officer=officer)
    admin = get_user_model().objects.create_user(
        "admin", email="it@lancashire.example", password=ADMIN_PASSWORD, is_staff=True, is_superuser=True
    )
    admin.groups.add(Group.objects.get(name=roles.HQ_MEDIA))
    profile = StaffProfile.objects.create(user=admin, division=west)
    profile.neighbourhoods.add(nbh)
    report = Report.objects.create(
        reference=f"LC-{YEAR}-000007",
        report_type=ReportType.objects.get(slug="crime"),
        division=west,
        neighbourhood=nbh,
        named_officer=officer,
        assigned_to=admin,
        reporter_name="A Resident",
        reporter_email="resident@real.example",
        created_at=now,
        sla_amber_at=now + timedelta(hours=24),
        sla_red_at=now + timedelta(hours=72),
    )
    ReferenceCounter.objects.create(year=YEAR, last=7)
    subscriber = Subscriber.objects.create(
        email="resident@real.example", status=Subscriber.Status.ACTIVE, home_neighbourhood=nbh, interest_bits=1
    )
    WatchedArea.objects.create(subscriber=subscriber, neighbourhood=nbh, postcode="LA1 4YW", is_home=True)
    WatchedArea.objects.create(subscriber=subscriber, neighbourhood=nbh, label="Work")
    group = ReportingGroup.objects.create(name="Corporate", slug="corporate")  # the demo has a Corporate group
    account = Account.objects.create(platform="facebook", name="All Facebook accounts", is_channel_total=True)
    Observation.objects.create(
        account=account,
        metric=Metric.objects.get(slug="followers"),
        granularity="month",
        period_start=date(YEAR - 1, 1, 1),
        value=123_456,
    )
    return {
        "force": force,
        "division": west,
        "neighbourhood": nbh,
        "postcode": postcode,
        "station": station,
        "officer": officer,
        "team place": team,
        "admin": admin,
        "admin's profile": profile,
        "report": report,
        "subscriber": subscriber,
        "reporting group": group,
        "account": account,
    }


def snapshot(real: dict) -> dict:
    """Every column of every real row, and the rows that hang from them."""
    rows = {name: type(obj).objects.filter(pk=obj.pk).values().first() for name, obj in real.items()}
    # Bumped by any boundary change so every process rebuilds its spatial index; demo neighbourhoods entering
    # and leaving the index are such changes. Nothing else about the force may move.
    rows["force"].pop("boundaries_version")
    rows["admin's groups"] = sorted(real["admin"].groups.values_list("name", flat=True))
    rows["admin's neighbourhoods"] = list(real["admin's profile"].neighbourhoods.values_list("pk", flat=True))
    rows["watched areas"] = list(WatchedArea.objects.filter(subscriber=real["subscriber"]).order_by("pk").values())
    rows["figures"] = list(Observation.objects.filter(account=real["account"]).values())
    rows["reference counters"] = list(ReferenceCounter.objects.values())
    return rows


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[str]:
    """The usernames in the printed table of staff logins: each comes just before the password."""
    table = output.split("Staff logins for the back office", 1)[1].split("\n\n", 1)[0]
    return [words[words.index(demo_password()) - 1] for words in map(str.split, table.splitlines())
            if demo_password() in words]  # fmt: skip


def test_it_refuses_a_force_s_own_data_and_says_what_it_found_and_how_to_override(real):
    before = snapshot(real)

    for args in ([], ["--reset"], ["--remove"]):
        with pytest.raises(CommandError) as refused:
            load(*args)
        message = str(refused.value)
        for found in ("neighbourhoods: 1", "stations: 1", "officers: 1", "user accounts: 1", "reports: 1",
                      "subscribers: 1", "engagement accounts: 1"):  # fmt: skip
            assert found in message, found
        assert "--allow-real-data" in message

    assert snapshot(real) == before
    assert get_user_model().objects.get(pk=real["admin"].pk).check_password(ADMIN_PASSWORD)
    assert Neighbourhood.objects.count() == Subscriber.objects.count() == Report.objects.count() == 1
    assert not DemoRow.objects.exists()


def test_make_run_s_load_says_why_it_loads_nothing_and_carries_on(real):
    before = snapshot(real)

    output = load("--skip-if-real-data")

    assert "The demo was not loaded" in output
    assert "reports: 1" in output
    assert snapshot(real) == before
    assert Neighbourhood.objects.count() == 1
    assert not DemoRow.objects.exists()


def test_told_to_it_loads_beside_real_data_and_reset_and_remove_take_out_only_its_own_rows(real):
    """One test for the three, as each loads the demo (the slowest step of the suite's setup)."""
    before = snapshot(real)

    output = load("--allow-real-data")

    assert snapshot(real) == before
    admin = get_user_model().objects.get(pk=real["admin"].pk)
    assert admin.check_password(ADMIN_PASSWORD)
    assert "Not demo logins: admin" in output
    logins = printed_logins(output)
    assert "admin" not in logins
    assert {"hq", "lead.west", "officer.west", "standards"} <= set(logins)

    # The demo is all there, under names of its own where the force's are taken.
    assert set(demo_tagged(Division.objects.all()).values_list("name", flat=True)) == {"West (demo)", "Central", "East"}
    assert demo_tagged(Neighbourhood.objects.filter(code="AB06-DEMO", name="Bowerham")).exists()
    assert demo_tagged(ReportingGroup.objects.filter(name="Corporate (demo)")).exists()
    assert demo_tagged(Account.objects.filter(name="All Facebook accounts (demo)")).exists()
    assert demo_tagged(Subscriber.objects.all()).count() > 1000

    # And none of it reaches into the force's own rows.
    nbh = real["neighbourhood"]
    assert (
        list(WatchedArea.objects.filter(neighbourhood=nbh).values_list("subscriber", flat=True))
        == [real["subscriber"].pk] * 2
    )
    assert list(TeamMembership.objects.filter(neighbourhood=nbh)) == [real["team place"]]
    assert not demo_tagged(Report.objects.filter(neighbourhood=nbh) | Report.objects.filter(division=nbh.division))
    assert not demo_tagged(Report.objects.filter(assigned_to=real["admin"]))
    assert all(nbh.pk not in a.targeting["areas"]["neighbourhoods"] for a in demo_tagged(Alert.objects.all()))
    assert not demo_tagged(Alert.objects.filter(created_by=real["admin"]) | Alert.objects.filter(approved_by=admin))
    # The demo's reports are numbered apart from the force's, whose counter it leaves alone.
    assert all(ref.startswith(f"DEMO-{YEAR - 1}-") or ref.startswith(f"DEMO-{YEAR}-")
               for ref in demo_tagged(Report.objects.all()).values_list("reference", flat=True))  # fmt: skip

    # Told to reset, then to remove: the demo's rows go, and nothing else.
    output = load("--allow-real-data", "--reset")

    assert "removed:" in output
    assert snapshot(real) == before
    assert get_user_model().objects.get(pk=real["admin"].pk).check_password(ADMIN_PASSWORD)
    assert demo_tagged(Neighbourhood.objects.all()).count() > 60  # loaded again

    output = load("--allow-real-data", "--remove")

    assert "removed:" in output
    assert "Demo force loaded" not in output
    assert snapshot(real) == before
    for name, obj in real.items():
        assert list(type(obj).objects.all()) == [obj], name
    assert not DemoRow.objects.exists()
    assert WatchedArea.objects.filter(subscriber=real["subscriber"]).count() == 2
    # Deleting the demo's reports moved no counter back: the next real report takes the next real number.
    assert reference_next() == f"LC-{YEAR}-000008"


def test_reset_keeps_a_demo_row_that_real_rows_still_use(real):
    """A real subscriber watching a demo neighbourhood, a real report assigned to a demo login: those demo rows
    stay (with what they point at), so nothing real is deleted or changed; the rest of the demo goes."""
    demo_division = Division.objects.create(name="East", code="east")
    used = Neighbourhood.objects.create(code="KB01", name="Kestrel Bridge Central", division=demo_division)
    unused = Neighbourhood.objects.create(code="KB02", name="Mill Hill", division=demo_division)
    demo_user = get_user_model().objects.create_user("contact")
    demo_subscriber = Subscriber.objects.create(email="resident1@demoshire.example", home_neighbourhood=used)
    WatchedArea.objects.create(subscriber=demo_subscriber, neighbourhood=used, is_home=True)
    demo_tag(objs=[demo_division, used, unused, demo_user, demo_subscriber])
    watched = WatchedArea.objects.create(subscriber=real["subscriber"], neighbourhood=used, label="Parents")
    Report.objects.filter(pk=real["report"].pk).update(assigned_to=demo_user)
    before = snapshot(real)

    result = demo_reset()

    assert snapshot(real) == before
    assert WatchedArea.objects.filter(pk=watched.pk, neighbourhood=used).exists()
    assert Report.objects.get(pk=real["report"].pk).assigned_to == demo_user
    assert not Neighbourhood.objects.filter(pk=unused.pk).exists()
    assert not Subscriber.objects.filter(pk=demo_subscriber.pk).exists()
    assert result["removed"] == {"subscribers": 1, "neighbourhoods": 1}
    assert result["kept"] == {"divisions": 1, "neighbourhoods": 1, "user accounts": 1}
    # What stays is still the demo's, for the next reset to take once nothing real needs it.
    assert set(demo_tagged(Neighbourhood.objects.all())) == {used}
