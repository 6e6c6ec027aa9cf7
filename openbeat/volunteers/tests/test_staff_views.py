"""The back office's Citizens in Policing pages with the owner (same division), another division, HQ and an
outsider without the permission, for every view; uploads show their bad lines by number."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openbeat.staff.tests.factories import client_for
from openbeat.volunteers.models import ImportBatch, Opportunity, Role, VolunteerCount
from openbeat.volunteers.tests.conftest import make_count, make_opportunity

pytestmark = pytest.mark.django_db

HEADER = "division,month,role,headcount,joiners,leavers\n"


def month_data(**changes):
    data = {f"{role}-{f}": "" for role in Role.values for f in ("headcount", "joiners", "leavers")}
    data.update({"special_constable-headcount": "41", "special_constable-joiners": "2", "cadet-headcount": "9"})
    data.update(changes)
    return data


def test_the_owner_sees_the_growth_the_grid_and_the_month_form(world):
    make_count(world.west, "2026-01", Role.SPECIAL_CONSTABLE, headcount=33)
    client = client_for(world.lead)
    overview = client.get("/admin/volunteers/?from=2026-01&to=2026-03")
    assert overview.status_code == 200
    assert "33" in overview.text
    assert "<svg" in overview.text
    grid = client.get("/admin/volunteers/counts/west/?year=2026")
    assert grid.status_code == 200
    assert "/admin/volunteers/counts/west/2026-01/" in grid.text
    assert client.get("/admin/volunteers/counts/west/2026-01/").status_code == 200


def test_the_owner_enters_a_month_of_counts(world):
    response = client_for(world.lead).post("/admin/volunteers/counts/west/2026-02/", month_data())
    assert response.status_code == 302
    assert response["Location"] == "/admin/volunteers/counts/west/?year=2026"
    counts = {c.role: c for c in VolunteerCount.objects.filter(division=world.west, month=date(2026, 2, 1))}
    assert set(counts) == {Role.SPECIAL_CONSTABLE, Role.CADET}
    assert (counts[Role.SPECIAL_CONSTABLE].headcount, counts[Role.SPECIAL_CONSTABLE].joiners) == (41, 2)


def test_a_bad_month_form_says_what_is_wrong_and_keeps_what_was_typed(world):
    data = month_data(**{"cadet-headcount": "-3", "mini_police-joiners": "2", "special_constable-leavers": "lots"})
    response = client_for(world.lead).post("/admin/volunteers/counts/west/2026-02/", data)
    assert response.status_code == 200
    assert 'href="#id_cadet-headcount"' in response.text
    assert 'href="#id_mini_police-headcount"' in response.text  # joiners without a headcount
    assert 'href="#id_special_constable-leavers"' in response.text
    assert 'value="41"' in response.text
    assert not VolunteerCount.objects.exists()


def test_another_division_s_lead_gets_nothing_of_west(world):
    make_count(world.west, "2026-01")
    client = client_for(world.other)
    assert client.get("/admin/volunteers/counts/west/").status_code == 404
    assert client.get("/admin/volunteers/counts/west/2026-01/").status_code == 404
    assert client.post("/admin/volunteers/counts/west/2026-01/", month_data()).status_code == 404
    assert client.get("/admin/volunteers/?division=west").status_code == 404
    assert VolunteerCount.objects.get().headcount == 40


def test_an_outsider_is_refused_everywhere(world, refused):
    make_count(world.west, "2026-01")
    opportunity = make_opportunity(world.west)
    for user in (world.officer, world.public, None):
        client = client_for(user)
        for url in (
            "/admin/volunteers/",
            "/admin/volunteers/counts/west/",
            "/admin/volunteers/counts/west/2026-01/",
            "/admin/volunteers/import/",
            "/admin/volunteers/import/template.csv",
            "/admin/volunteers/opportunities/",
            f"/admin/volunteers/opportunities/{opportunity.pk}/",
        ):
            assert refused(client.get(url)), (user, url)  # fmt: skip
        assert refused(client.post("/admin/volunteers/counts/west/2026-01/", month_data()))
    assert VolunteerCount.objects.get().headcount == 40


def test_a_board_viewer_sees_counts_but_cannot_enter_them(world, refused):
    client = client_for(world.board)
    assert client.get("/admin/volunteers/").status_code == 200
    assert client.get("/admin/volunteers/counts/east/").status_code == 200
    assert refused(client.get("/admin/volunteers/counts/east/2026-01/"))


def test_hq_sees_the_force_and_every_division(world):
    make_count(world.west, "2026-01", headcount=10)
    make_count(world.east, "2026-01", headcount=20)
    client = client_for(world.hq)
    text = client.get("/admin/volunteers/?from=2026-01&to=2026-01").text
    assert ">30<" in text
    assert client.post("/admin/volunteers/counts/east/2026-01/", month_data()).status_code == 302


def upload(client, text, name="counts.csv"):
    return client.post("/admin/volunteers/import/", {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def test_an_upload_saves_good_lines_and_shows_the_bad_ones_by_line(world):
    client = client_for(world.lead)
    lines = "west,2026-01,cadet,9,1,0\nwest,2026-01,wizard,3,0,0\neast,2026-01,cadet,1,0,0\n"
    response = upload(client, HEADER + lines)
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/admin/volunteers/import/{batch.pk}/"
    page = client.get(response["Location"]).text
    assert "<td>3</td>" in page
    assert "wizard" in page
    assert "<td>4</td>" in page
    assert "you cannot enter counts for division &#x27;east&#x27;" in page
    assert VolunteerCount.objects.get().headcount == 9
    assert client_for(world.other).get(response["Location"]).status_code == 404  # someone else's file


def test_an_unreadable_upload_says_why_on_the_form(world):
    response = upload(client_for(world.lead), "name,age\nx,1\n")
    assert response.status_code == 200
    assert 'href="#id_file"' in response.text
    assert "lacks" in response.text
    assert not ImportBatch.objects.exists()


def test_the_template_downloads_as_csv(world):
    response = client_for(world.lead).get("/admin/volunteers/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("division,month,role,headcount,joiners,leavers")


def opportunity_data(world, **changes):
    data = {"title": "Cadet leader", "role": "cadet", "summary": "Run a unit.", "body": "Weekly.",
            "owner": str(world.west.pk), "closes_on": "", "live": "on"}  # fmt: skip
    data.update(changes)
    return data


def test_the_owner_adds_and_edits_an_opportunity(world):
    client = client_for(world.lead)
    assert client.post("/admin/volunteers/opportunities/new/", opportunity_data(world)).status_code == 302
    opportunity = Opportunity.objects.get()
    assert (opportunity.division, opportunity.live) == (world.west, True)
    assert opportunity.title in client.get("/admin/volunteers/opportunities/").text
    edit = f"/admin/volunteers/opportunities/{opportunity.pk}/"
    assert client.post(edit, opportunity_data(world, title="Cadet unit leader")).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "Cadet unit leader"


def test_a_bad_opportunity_form_keeps_what_was_typed(world):
    response = client_for(world.lead).post("/admin/volunteers/opportunities/new/", opportunity_data(world, body=""))
    assert response.status_code == 200
    assert 'href="#id_body"' in response.text
    assert 'value="Cadet leader"' in response.text


def test_another_division_cannot_see_or_change_the_opportunity(world):
    opportunity = make_opportunity(world.west)
    client = client_for(world.other)
    assert opportunity.title not in client.get("/admin/volunteers/opportunities/").text
    assert client.get(f"/admin/volunteers/opportunities/{opportunity.pk}/").status_code == 404
    response = client.post("/admin/volunteers/opportunities/new/", opportunity_data(world))
    assert response.status_code == 200  # West is not a choice for East's lead
    assert not Opportunity.objects.exclude(pk=opportunity.pk).exists()


def test_a_lead_sees_but_cannot_change_a_force_wide_opportunity(world, refused):
    opportunity = make_opportunity(None)
    client = client_for(world.lead)
    assert opportunity.title in client.get("/admin/volunteers/opportunities/").text
    assert refused(client.get(f"/admin/volunteers/opportunities/{opportunity.pk}/"))
    assert client_for(world.hq).get(f"/admin/volunteers/opportunities/{opportunity.pk}/").status_code == 200
