"""Writes: a month of counts within the division scope, audited; a file import keeps good lines and names bad ones."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from openbeat.audit.models import AuditEntry
from openbeat.volunteers import services
from openbeat.volunteers.models import ImportBatch, Opportunity, Role, VolunteerCount
from openbeat.volunteers.tests.conftest import make_count

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
HEADER = "division,month,role,headcount,joiners,leavers\n"


def test_a_lead_saves_a_month_of_counts_for_their_division(world):
    make_count(world.west, "2026-03", Role.CADET, headcount=5)
    services.month_counts_save(
        division=world.west,
        month=date(2026, 3, 17),
        values={Role.CADET: {"headcount": 7, "joiners": 2, "leavers": 0}, Role.MINI_POLICE: {"headcount": 3}},
        user=world.lead,
    )
    counts = {c.role: c for c in VolunteerCount.objects.all()}
    assert counts[Role.CADET].headcount == 7
    assert counts[Role.CADET].month == date(2026, 3, 1)
    assert counts[Role.CADET].entered_by == world.lead
    assert counts[Role.MINI_POLICE].joiners == 0
    entry = AuditEntry.objects.get(action="volunteers.counts.save")
    assert entry.actor == world.lead
    assert entry.division == world.west


def test_a_lead_cannot_save_another_division_s_counts(world):
    with pytest.raises(PermissionDenied):
        services.month_counts_save(division=world.east, month=date(2026, 3, 1), values={}, user=world.lead)
    with pytest.raises(PermissionDenied):
        services.month_counts_save(division=world.west, month=date(2026, 3, 1), values={}, user=world.officer)
    assert services.counts_can_manage(world.hq, world.east)


def test_an_import_saves_good_lines_records_bad_ones_and_updates_existing_counts(world):
    make_count(world.west, "2026-01", Role.CADET, headcount=1)
    data = (HEADER + "west,2026-01,cadet,9,1,0\nwest,2026-01,wizard,3,0,0\neast,2026-02,cadet,4,0,0\n").encode()
    batch = services.counts_import(data=data, file_name="jan.csv", user=world.hq, today=TODAY)
    assert (batch.rows_ok, batch.rows_bad) == (2, 1)
    assert batch.errors == [{"line": 3, "message": batch.errors[0]["message"]}]
    assert "wizard" in batch.errors[0]["message"]
    cadets = VolunteerCount.objects.get(division=world.west, role=Role.CADET)
    assert (cadets.headcount, cadets.source, cadets.batch) == (9, VolunteerCount.Source.IMPORTED, batch)
    assert VolunteerCount.objects.count() == 2
    assert AuditEntry.objects.filter(action="volunteers.counts.import").count() == 1


def test_a_lead_s_import_refuses_other_divisions_lines_by_number(world):
    data = (HEADER + "east,2026-01,cadet,9,0,0\nwest,2026-01,cadet,4,0,0\n").encode()
    batch = services.counts_import(data=data, file_name="x.csv", user=world.lead, today=TODAY)
    assert batch.errors == [{"line": 2, "message": "you cannot enter counts for division 'east'"}]
    assert list(VolunteerCount.objects.values_list("division__code", flat=True)) == ["west"]


def test_someone_without_the_permission_cannot_import(world):
    with pytest.raises(PermissionDenied):
        services.counts_import(data=HEADER.encode(), file_name="x.csv", user=world.officer, today=TODAY)
    assert not ImportBatch.objects.exists()


def test_opportunities_follow_the_division_scope(world):
    opportunity = services.opportunity_create(user=world.lead, title="Cadet leader", role=Role.CADET, summary="s",
                                              body="b", division=world.west, closes_on=None, live=True)  # fmt: skip
    assert opportunity.slug == "cadet-leader"
    with pytest.raises(PermissionDenied):  # force-wide: HQ only
        services.opportunity_create(user=world.lead, title="Specials", role=Role.SPECIAL_CONSTABLE, summary="s",
                                    body="b", division=None, closes_on=None, live=True)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.opportunity_update(opportunity=opportunity, user=world.other, title="Mine now")
    services.opportunity_update(opportunity=opportunity, user=world.lead, live=False)
    assert not Opportunity.objects.get().live
    assert AuditEntry.objects.filter(action__startswith="volunteers.opportunity.").count() == 2
    second = services.opportunity_create(user=world.hq, title="Cadet leader", role=Role.CADET, summary="s",
                                         body="b", division=None, closes_on=None, live=True)  # fmt: skip
    assert second.slug == "cadet-leader-2"
