import pytest

from openbeat.core.months import last_complete_month
from openbeat.demo.insights import MONTHS, step_insights
from openbeat.demo.registry import demo_tag
from openbeat.insights.models import Account, Observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def divisions(west, east):
    # The demo's own divisions (step_insights reads no others), as step_geography records them.
    for division in (west, east):
        demo_tag(objs=[division], key=division.name)
    return [west, east]


def test_two_years_of_monthly_figures_for_every_account(divisions):
    step_insights()
    months = {d.strftime("%Y-%m") for d in Observation.objects.values_list("period_start", flat=True)}
    assert len(months) == MONTHS
    assert max(months) == last_complete_month()
    for account in Account.objects.all():
        account_months = {d.strftime("%Y-%m") for d in account.observations.values_list("period_start", flat=True)}
        assert len(account_months) == MONTHS, account


def test_it_is_idempotent_and_deterministic(divisions):
    step_insights()
    first = sorted(
        Observation.objects.values_list("account__name", "metric__slug", "period_start", "dimension", "value")
    )
    step_insights()
    assert (
        sorted(Observation.objects.values_list("account__name", "metric__slug", "period_start", "dimension", "value"))
        == first
    )


def test_division_accounts_report_under_their_division(divisions, west):
    step_insights()
    assert Account.objects.filter(group__division=west, platform="facebook").exists()
    # One account without a group and a channel total, so the data-quality checks have something to show.
    assert Account.objects.filter(group__isnull=True, is_channel_total=False).count() == 1
    assert Account.objects.filter(is_channel_total=True).count() == 1
