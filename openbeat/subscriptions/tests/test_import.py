"""Importing existing subscribers from a CSV: the importer and the import_subscribers command."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from openbeat.alerts.audience import AreaSet, SetRule, TargetingSpec, audience_resolve
from openbeat.areas.importers.report import ImportFileError
from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.core import sms
from openbeat.subscriptions import services
from openbeat.subscriptions.importers import Columns, import_subscribers
from openbeat.subscriptions.models import Consent, Interest, Subscriber, WatchedArea

pytestmark = pytest.mark.django_db

HEADER = "email,phone,postcode,interests,consent_date,consent_source"


@pytest.fixture
def places(west):
    home = NeighbourhoodFactory(name="Ashbridge Town Centre", division=west)
    other = NeighbourhoodFactory(name="Saltcote Promenade", division=west)
    PostcodeFactory(postcode="DM1 1AB", neighbourhood=home, lat=54.001, lon=-2.999)
    PostcodeFactory(postcode="DM2 2AB", neighbourhood=other)
    PostcodeFactory(postcode="DM99 1AA", neighbourhood=None)
    return {"home": home, "other": other}


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, *, name: str = "export.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def bits(*slugs: str) -> int:
    return services.interest_bits_for(slugs)


def test_good_rows_become_active_subscribers_and_nobody_is_sent_anything(
    places, csv_file, django_capture_on_commit_callbacks
):
    path = csv_file(
        f"{HEADER},phone_verified,language\n"
        "Ann@Example.com,07700 900123,dm1 1ab,crime-alerts;Roads and travel,2023-04-01,Neighbourhood Alert,yes,cy\n"
        ",07700900124,DM2 2AB,,31/12/2022,Neighbourhood Alert,no,\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = import_subscribers(path)

    assert (report.created, report.skipped, report.errors) == (2, 0, [])
    # As sign-up keeps it: the domain in lower case, the rest as typed.
    ann = Subscriber.objects.get(email="Ann@example.com")
    consent_at = timezone.make_aware(datetime(2023, 4, 1))
    assert ann.status == Subscriber.Status.ACTIVE
    assert ann.source == "import"
    assert ann.email_confirmed_at == consent_at
    assert ann.phone == "+447700900123"
    assert ann.phone_verified_at == consent_at
    assert ann.sms_day
    assert not ann.sms_night
    assert ann.language == "cy"
    assert ann.interest_bits == bits("crime-alerts", "roads-travel")
    assert ann.home_neighbourhood == places["home"]
    [area] = WatchedArea.objects.filter(subscriber=ann)
    assert (area.is_home, area.postcode, area.lat, area.lon) == (True, "DM1 1AB", 54.001, -2.999)
    [consent] = Consent.objects.filter(subscriber=ann)
    assert consent.purpose == Consent.Purpose.CONTACT
    assert consent.source == "import: Neighbourhood Alert"
    assert consent.given_at == consent_at
    assert consent.withdrawn_at is None
    assert consent.wording == (
        "Consent given to Neighbourhood Alert on 1 April 2023 to receive community messages from Demoshire "
        "Police, carried over when Demoshire Police moved to In the Know."
    )

    text_only = Subscriber.objects.get(phone="+447700900124")
    assert text_only.email is None
    assert text_only.email_confirmed_at is None
    assert text_only.phone_verified_at is None
    assert not text_only.sms_day
    assert text_only.home_neighbourhood == places["other"]
    assert text_only.language == "en"

    assert mail.outbox == []
    assert sms.outbox == []


def test_bad_rows_are_reported_by_line_and_the_good_ones_imported(places, csv_file):
    path = csv_file(
        f"{HEADER},phone_verified,language\n"
        "ok@example.com,,DM1 1AB,,2023-01-01,NA,,\n"  # 2
        "not-an-email,,DM1 1AB,,2023-01-01,NA,,\n"  # 3
        ",,DM1 1AB,,2023-01-01,NA,,\n"  # 4
        "b@example.com,,DM3 3XX,,2023-01-01,NA,,\n"  # 5
        "c@example.com,,DM99 1AA,,2023-01-01,NA,,\n"  # 6
        "d@example.com,,not a postcode,,2023-01-01,NA,,\n"  # 7
        "e@example.com,,DM1 1AB,Knitting|crime-alerts,2023-01-01,NA,,\n"  # 8
        "f@example.com,,DM1 1AB,,,NA,,\n"  # 9
        "g@example.com,,DM1 1AB,,31/02/2023,NA,,\n"  # 10
        "h@example.com,,DM1 1AB,,2999-01-01,NA,,\n"  # 11
        "i@example.com,01772 123456,DM1 1AB,,2023-01-01,NA,,\n"  # 12: a landline
        "j@example.com,07700900125,DM1 1AB,,2023-01-01,NA,maybe,\n"  # 13
        "k@example.com,,DM1 1AB,,2023-01-01,NA,,Klingon\n"  # 14
        "l@example.com,,DM1 1AB,,2023-01-01,,,\n"  # 15
        "m@example.com,,DM2 2AB,,2023-01-01,NA,,\n"  # 16
    )

    report = import_subscribers(path)

    assert report.errors == [
        "line 3: email: not a valid email address",
        "line 4: no email address or phone number",
        "line 5: postcode: We could not find that postcode. Check it and try again, or enter a nearby postcode",
        "line 6: postcode: That postcode is outside the area Demoshire Police covers",
        "line 7: postcode: Enter a full UK postcode",
        "line 8: interests: unknown 'Knitting'",
        "line 9: no consent date (without consent nobody is imported)",
        "line 10: consent_date: not a date (use 2024-03-31 or 31/03/2024)",
        "line 11: consent_date: in the future",
        "line 12: phone: not a UK mobile number",
        "line 13: phone_verified: use yes or no",
        "line 14: language: 'Klingon' is not one of en, cy, ur, pa, gu, pl, ro, ar",
        "line 15: no consent source (where the person gave their consent)",
    ]
    assert (report.created, report.unchanged, report.skipped, report.error_count) == (2, 0, 13, 13)
    assert set(Subscriber.objects.values_list("email", flat=True)) == {"ok@example.com", "m@example.com"}
    # No personal data in the reasons: the staff member has the file and the line numbers.
    assert not any("example.com" in error or "DM3" in error for error in report.errors)


def test_line_numbers_count_the_header_blank_lines_and_quoted_values_over_several_lines(places, csv_file):
    path = csv_file(
        f"{HEADER}\n"
        "\n"
        '"a@example.com",,DM1 1AB,"crime-alerts; roads-travel",2023-01-01,"Alert, the old one"\n'  # 3
        '"b@example.com",,DM1 1AB,"Wildlife\ncrime",2023-01-01,NA\n'  # 4-5
        "c@example.com,,DM3 3XX,,2023-01-01,NA\n"  # 6
    )

    report = import_subscribers(path)

    assert report.errors == [
        "line 4: interests: unknown 'Wildlife\\ncrime'",
        "line 6: postcode: We could not find that postcode. Check it and try again, or enter a nearby postcode",
    ]
    a = Subscriber.objects.get(email="a@example.com")
    assert a.consents.get().source == "import: Alert, the old one"
    assert a.interest_bits == bits("crime-alerts", "roads-travel")


def test_a_bom_any_header_case_and_renamed_columns_are_understood(places, csv_file):
    path = csv_file(
        "\ufeffE-mail,Mobile,POSTCODE,Topics,Consented,Consent_Source\nann@example.com,,DM1 1AB,,2023-01-01,NA\n"
    )
    columns = Columns(email="e-mail", phone="mobile", interests="topics", consent_date="consented")

    report = import_subscribers(path, columns=columns)

    assert report.created == 1, report.errors
    assert Subscriber.objects.get().email == "ann@example.com"


def test_interests_match_slugs_or_names_in_any_case_and_default_to_emergencies_and_crime(places, csv_file):
    path = csv_file(
        f"{HEADER}\n"
        "a@example.com,,DM1 1AB,CRIME-ALERTS | emergency and urgent warnings;cctv owner,2023-01-01,NA\n"
        "b@example.com,,DM1 1AB,,2023-01-01,NA\n"
        "c@example.com,,DM1 1AB, ; ,2023-01-01,NA\n"
    )

    import_subscribers(path)

    by_email = dict(Subscriber.objects.values_list("email", "interest_bits"))
    assert by_email["a@example.com"] == bits("crime-alerts", "emergency-warnings", "cctv-owner")
    assert by_email["b@example.com"] == bits("emergency-warnings", "crime-alerts")
    assert by_email["c@example.com"] == bits("emergency-warnings", "crime-alerts")


def test_an_inactive_interest_is_unknown(places, csv_file):
    Interest.objects.filter(slug="allotment-watch").update(active=False)
    path = csv_file(f"{HEADER}\na@example.com,,DM1 1AB,allotment-watch,2023-01-01,NA\n")

    report = import_subscribers(path)

    assert report.errors == ["line 2: interests: unknown 'allotment-watch'"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-04-01", datetime(2023, 3, 31, 23, 0, tzinfo=UTC)),  # midnight in London, summer time
        ("01/04/2023", datetime(2023, 3, 31, 23, 0, tzinfo=UTC)),
        ("1/2/2023", datetime(2023, 2, 1, 0, 0, tzinfo=UTC)),
        ("2023-04-01T10:15:00Z", datetime(2023, 4, 1, 10, 15, tzinfo=UTC)),
        ("2023-04-01 10:15", datetime(2023, 4, 1, 9, 15, tzinfo=UTC)),
    ],
)
def test_consent_dates_are_iso_or_day_first(places, csv_file, text, expected):
    path = csv_file(f"{HEADER}\na@example.com,,DM1 1AB,,{text},NA\n")

    import_subscribers(path)

    assert Consent.objects.get().given_at == expected
    assert Subscriber.objects.get().email_confirmed_at == expected


def test_importing_the_same_file_again_changes_nothing(places, csv_file):
    path = csv_file(
        f"{HEADER}\n"
        "a@example.com,,DM1 1AB,crime-alerts,2023-01-01,NA\n"
        ",07700900200,DM2 2AB,,2023-01-01,NA\n"
        "bad,,DM1 1AB,,2023-01-01,NA\n"
    )
    import_subscribers(path)
    before = list(Subscriber.objects.order_by("pk").values())

    again = import_subscribers(path)

    assert (again.created, again.unchanged, again.skipped) == (0, 2, 1)
    assert "2 already subscribed: left as they are (counted as unchanged)" in again.notes
    assert list(Subscriber.objects.order_by("pk").values()) == before
    assert WatchedArea.objects.count() == 2
    assert Consent.objects.count() == 2


def test_a_residents_own_later_choices_are_never_overwritten(places, csv_file):
    path = csv_file(f"{HEADER}\nA@example.com,,DM1 1AB,crime-alerts,2023-01-01,NA\n")
    resident = Subscriber.objects.create(email="a@EXAMPLE.com", status=Subscriber.Status.PAUSED)
    services.subscriber_set_interests(subscriber=resident, slugs=["roads-travel"])
    services.subscriber_set_areas(subscriber=resident, home=services.AreaChoice(neighbourhood_id=places["other"].pk))

    report = import_subscribers(path)

    assert (report.created, report.unchanged) == (0, 1)
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.PAUSED
    assert resident.interest_bits == bits("roads-travel")
    assert resident.home_neighbourhood == places["other"]
    assert not resident.consents.exists()


def test_a_row_without_email_is_already_subscribed_when_its_phone_is(places, csv_file):
    Subscriber.objects.create(email="someone@example.com", phone="+447700900300")
    path = csv_file(f"{HEADER}\n,07700 900300,DM1 1AB,,2023-01-01,NA\n")

    report = import_subscribers(path)

    assert (report.created, report.unchanged) == (0, 1)
    assert Subscriber.objects.count() == 1


def test_a_person_twice_in_the_file_is_imported_once_and_the_repeat_reported(places, csv_file):
    path = csv_file(
        f"{HEADER}\n"
        "a@example.com,,DM3 3XX,,2023-01-01,NA\n"  # 2: bad postcode, so line 3 is the first good one
        "a@example.com,,DM1 1AB,,2023-01-01,NA\n"
        "A@example.com,,DM2 2AB,,2023-01-01,NA\n"
        ",07700900400,DM1 1AB,,2023-01-01,NA\n"
        ",07700 900 400,DM2 2AB,,2023-01-01,NA\n"
    )

    report = import_subscribers(path)

    assert report.created == 2
    assert report.errors[1:] == [
        "line 4: the same email address as line 3 (only the first is imported)",
        "line 6: the same phone number as line 5 (only the first is imported)",
    ]
    assert Subscriber.objects.get(email="a@example.com").home_neighbourhood == places["home"]


def test_a_dry_run_checks_and_counts_but_writes_nothing(places, csv_file):
    path = csv_file(f"{HEADER}\na@example.com,,DM1 1AB,,2023-01-01,NA\nbad,,DM1 1AB,,2023-01-01,NA\n")

    report = import_subscribers(path, dry_run=True)

    assert (report.created, report.skipped) == (1, 1)
    assert "Dry run: nothing was written" in report.notes
    assert not Subscriber.objects.exists()


def test_the_derived_columns_are_what_the_services_would_set(places, csv_file):
    path = csv_file(f"{HEADER}\na@example.com,,DM1 1AB,crime-alerts;business-owner,2023-01-01,NA\n")
    import_subscribers(path)
    imported = Subscriber.objects.get()
    by_services = Subscriber.objects.create(email="b@example.com")
    services.subscriber_set_interests(subscriber=by_services, slugs=["crime-alerts", "business-owner"])
    services.subscriber_set_areas(
        subscriber=by_services, home=services.AreaChoice(neighbourhood_id=places["home"].pk, postcode="DM1 1AB")
    )
    by_services.refresh_from_db()

    assert imported.interest_bits == by_services.interest_bits
    assert imported.home_neighbourhood_id == by_services.home_neighbourhood_id
    home = WatchedArea.objects.get(subscriber=imported, is_home=True)
    assert home.neighbourhood_id == imported.home_neighbourhood_id


def test_audience_resolution_finds_imported_subscribers(places, csv_file):
    path = csv_file(
        f"{HEADER},phone_verified\n"
        "a@example.com,,DM1 1AB,crime-alerts,2023-01-01,NA,\n"
        "b@example.com,07700900500,DM1 1AB,roads-travel,2023-01-01,NA,yes\n"
        ",07700900501,DM1 1AB,crime-alerts,2023-01-01,NA,yes\n"
        "d@example.com,,DM2 2AB,crime-alerts,2023-01-01,NA,\n"
    )
    import_subscribers(path)
    ids = dict(Subscriber.objects.values_list("phone", "pk")) | dict(Subscriber.objects.values_list("email", "pk"))

    audience = audience_resolve(
        TargetingSpec(
            areas=AreaSet(neighbourhoods=frozenset({places["home"].pk})),
            topics=SetRule(include=frozenset({"crime-alerts"})),
        )
    )

    assert audience.email.tolist() == [ids["a@example.com"]]
    assert audience.sms.tolist() == [ids["+447700900501"]]
    everyone = audience_resolve(TargetingSpec(areas=AreaSet(whole_force=True)))
    assert everyone.subscriber_count == 4


def test_an_unusable_file_is_refused_whole(places, csv_file, tmp_path):
    with pytest.raises(ImportFileError, match="no column 'consent_date', 'email or phone'"):
        import_subscribers(csv_file("postcode,name\nDM1 1AB,Ann\n"))
    with pytest.raises(ImportFileError, match="not a UTF-8 text file"):
        import_subscribers(csv_file(f"{HEADER}\né@example.com,,DM1 1AB,,2023-01-01,NA\n", encoding="latin-1"))
    with pytest.raises(ImportFileError, match="empty"):
        import_subscribers(csv_file(""))
    with pytest.raises(ImportFileError, match="cannot read"):
        import_subscribers(tmp_path / "missing.csv")


def test_the_import_is_audit_logged_with_counts_only(places, csv_file):
    import_subscribers(csv_file(f"{HEADER}\na@example.com,,DM1 1AB,,2023-01-01,NA\nbad,,DM1 1AB,,2023-01-01,NA\n"))

    entry = AuditEntry.objects.get(action="subscriptions.import.run")
    assert entry.data == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "errors": 1,
        "rows": 2,
        "dry_run": False,
    }


def test_the_command_prints_the_errors_and_the_summary(places, csv_file):
    path = csv_file(f"{HEADER}\na@example.com,,DM1 1AB,,2023-01-01,NA\nbad,,DM1 1AB,,2023-01-01,NA\n")
    out, err = StringIO(), StringIO()

    call_command("import_subscribers", str(path), stdout=out, stderr=err)

    assert err.getvalue() == "line 3: email: not a valid email address\n"
    assert out.getvalue().splitlines()[-1] == "1 created, 0 updated, 0 unchanged, 1 skipped (1 with errors)"
    call_command("import_subscribers", str(path), stdout=(again := StringIO()), stderr=StringIO())
    assert "1 already subscribed: left as they are" in again.getvalue()
    assert Subscriber.objects.count() == 1


def test_the_command_takes_column_names_a_default_consent_source_and_a_dry_run(places, csv_file):
    path = csv_file("Mail,Postcode,Date\na@example.com,DM1 1AB,2023-01-01\n")
    out = StringIO()

    call_command(
        "import_subscribers",
        str(path),
        "--email-column=mail",
        "--consent-date-column=DATE",
        "--consent-source=Ringmaster",
        "--dry-run",
        stdout=out,
    )
    assert "1 created" in out.getvalue()
    assert "Dry run: nothing was written" in out.getvalue()
    assert not Subscriber.objects.exists()

    call_command(
        "import_subscribers",
        str(path),
        "--email-column=mail",
        "--consent-date-column=DATE",
        "--consent-source=Ringmaster",
        stdout=StringIO(),
    )
    assert Consent.objects.get().source == "import: Ringmaster"


def test_the_command_fails_on_an_unusable_file_and_when_nothing_could_be_imported(places, csv_file):
    with pytest.raises(CommandError, match="no column") as unusable:
        call_command("import_subscribers", str(csv_file("a,b\n1,2\n")), stdout=StringIO(), stderr=StringIO())
    assert unusable.value.returncode == 2
    nothing = csv_file(f"{HEADER}\nbad,,DM1 1AB,,2023-01-01,NA\n", name="nothing.csv")
    with pytest.raises(CommandError, match="Nothing could be imported") as failed:
        call_command("import_subscribers", str(nothing), stdout=StringIO(), stderr=StringIO())
    assert failed.value.returncode == 1


def test_thousands_of_rows_import_across_batches(places, csv_file):
    # Speed is measured in benchmarks/subscriber_import.py; this proves batch boundaries lose nobody.
    postcodes = ["DM1 1AB", "DM2 2AB"]
    lines = [HEADER] + [
        f"resident{n}@example.com,{f'07700900{n % 1000:03d}' if n % 3 == 0 and n < 3000 else ''},{postcodes[n % 2]},"
        f"{'crime-alerts;roads-travel' if n % 2 else ''},2023-01-01,Neighbourhood Alert"
        for n in range(5_000)
    ]
    path = csv_file("\n".join(lines) + "\n")

    report = import_subscribers(path)

    assert report.created == 5_000, report.errors[:5]
    assert Subscriber.objects.filter(home_neighbourhood=places["home"]).count() == 2_500
    assert WatchedArea.objects.count() == Consent.objects.count() == 5_000


def test_an_unclosed_quote_refuses_the_file_rather_than_swallowing_the_rows_after_it(places, csv_file):
    path = csv_file(f'{HEADER}\n"a@example.com,,DM1 1AB,,2023-01-01,NA\nb@example.com,,DM1 1AB,,2023-01-01,NA\n')

    with pytest.raises(ImportFileError, match=r"export.csv: line \d+: not valid CSV"):
        import_subscribers(path)
    assert not Subscriber.objects.exists()
