import pytest
from django.urls import reverse

from openbeat.insights.dashboard import dashboard_build
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe, observe_series
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(west, east):
    west_group = GroupFactory(name="West", slug="west", division=west)
    east_group = GroupFactory(name="East", slug="east", division=east)
    west_fb = AccountFactory(platform="facebook", name="West Police", group=west_group)
    east_fb = AccountFactory(platform="facebook", name="East Police", group=east_group)
    west_x = AccountFactory(platform="x", name="@WestPolice", group=west_group)
    # Jan-Mar against Oct-Dec: stocks are the value at each period's end.
    observe_series(west_fb, "followers", "2025-10", [900, 950, 1000, 1100, 1150, 1200])
    observe_series(east_fb, "followers", "2025-10", [500, 500, 500, 450, 460, 400])
    observe_series(west_x, "followers", "2025-10", [100, 100, 100, 100, 100, 120])
    for month, reach, engaged in (("2026-01", 1000, 50), ("2026-02", 1000, 70), ("2026-03", 1000, 30)):
        observe(west_fb, "reach", month, reach)
        observe(west_fb, "engagements", month, engaged)
    site = AccountFactory(platform="website", name="www", group=GroupFactory(name="Corporate", slug="corporate"))
    observe_series(site, "sessions", "2025-04", [1000 + 10 * k for k in range(12)])
    return {"west_fb": west_fb}


def test_growth_by_channel_and_group_from_hand_computed_figures(figures):
    board = dashboard_build(first="2026-01", last="2026-03")
    assert (board.compare_from, board.compare_to) == ("2025-10", "2025-12")
    by_channel = {row.label: row for row in board.followers_by_platform.rows}
    # Facebook: 1200 + 400 = 1600 now, 1000 + 500 = 1500 before: +100, 6.7%.
    assert by_channel["Facebook"].current == 1600
    assert by_channel["Facebook"].previous == 1500
    assert by_channel["Facebook"].growth == pytest.approx(6.7)
    assert board.followers_by_platform.total.current == 1720
    by_group = {row.label: row for row in board.followers_by_group.rows}
    assert by_group["East"].growth == pytest.approx(-20.0)
    tile = board.tiles[1]
    assert (tile.label, tile.value, tile.previous) == ("Social media followers", 1720, 1600)


def test_engagement_rate_is_engagements_over_reach_only_where_reach_adds_up(figures):
    single = dashboard_build(first="2026-02", last="2026-02")
    facebook = next(row for row in single.engagement_by_platform if row.label == "Facebook")
    assert facebook.rate == pytest.approx(7.0)
    # Over three months reach (unique people) cannot be added up, so no rate is given, and it says why.
    quarter = dashboard_build(first="2026-01", last="2026-03")
    facebook = next(row for row in quarter.engagement_by_platform if row.label == "Facebook")
    assert facebook.engagements == 150
    assert facebook.rate is None
    assert "cannot be added" in facebook.note


def test_a_division_sees_its_own_figures(figures, west):
    board = dashboard_build(first="2026-01", last="2026-03", division=west)
    assert board.followers_by_platform.total.current == 1320  # West's Facebook and X only


def test_the_charts_cover_twelve_months(figures):
    board = dashboard_build(first="2026-03", last="2026-03")
    assert len(board.followers_chart.x) == 12
    assert board.website_chart.series[0][1][-1] == 1110


def test_the_board_sees_the_force_and_charts_are_inline_svg(figures):
    board = client_for(staff_user(roles.BOARD_VIEWER, None))
    body = board.get(reverse("insights_staff:dashboard"), {"from": "2026-01", "to": "2026-03"}).content.decode()
    assert "1,720" in body
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    assert "<script" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_a_division_lead_cannot_widen_to_another_division(figures, west, east):
    lead = staff_user(roles.DIVISION_LEAD, west)
    response = client_for(lead).get(reverse("insights_staff:dashboard"),
                                    {"from": "2026-01", "to": "2026-03", "division": "east"})  # fmt: skip
    body = response.content.decode()
    assert "1,320" in body  # West's total, not East's 400 nor the force's 1,720
    assert "East Police" not in body
    other = staff_user(roles.DIVISION_LEAD, east)
    body = client_for(other).get(reverse("insights_staff:dashboard"), {"from": "2026-01", "to": "2026-03"}).content
    assert b"1,320" not in body


@pytest.mark.parametrize("kind", ["anonymous", "no role", "neighbourhood officer"])
def test_outsiders_are_refused(kind, refused, west):
    user = {
        "anonymous": None,
        "no role": UserFactory(username="public"),
        "neighbourhood officer": staff_user(roles.NEIGHBOURHOOD_OFFICER, west),
    }[kind]
    response = client_for(user).get(reverse("insights_staff:dashboard"))
    assert refused(response) or response.status_code == 302
