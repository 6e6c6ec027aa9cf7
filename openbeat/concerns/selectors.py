"""The month's results of residents' concerns for a neighbourhood: counts per concern, as a table and an accessible
chart from the same figures. Staff see every count (and the comments); the public see counts of at least
CONCERNS_PUBLIC_MIN (default 3), smaller ones as "fewer than 3", so no small group's choice can be read off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from openbeat.areas.models import Neighbourhood
from openbeat.concerns.models import Concern, ConcernResponse
from openbeat.core.months import is_month, month_of, month_start
from openbeat.core.users import RequestUser
from openbeat.insights.render.charts import chart_svg
from openbeat.insights.structure import Chart
from openbeat.staff.scope import scope_for

SERIES = "Residents who chose it"


def public_threshold() -> int:
    return int(getattr(settings, "CONCERNS_PUBLIC_MIN", 3))


@dataclass(frozen=True)
class Row:
    concern: str
    count: int | None  # None: withheld (fewer than the threshold)


@dataclass(frozen=True)
class Results:
    neighbourhood: Neighbourhood
    month: str
    responses: int | None  # None: withheld
    rows: list[Row]
    threshold: int | None  # None: every figure shown (staff)

    @property
    def month_label(self) -> str:
        return f"{month_start(self.month):%B %Y}"

    @property
    def title(self) -> str:
        return f"Residents' concerns in {self.neighbourhood.name}, {self.month_label}"

    def chart(self) -> Chart:
        return Chart(
            kind="bar",
            title=self.title,
            x=[row.concern for row in self.rows],
            series=[(SERIES, [row.count for row in self.rows])],
            y_label="Residents",
        )

    def chart_svg(self) -> str:
        return chart_svg(
            self.chart(), width=640, height=340, id_prefix=f"concerns-{self.neighbourhood.pk}-{self.month}"
        )


def month_or_current(value: Any) -> str:
    from django.utils import timezone

    return value if isinstance(value, str) and is_month(value) else month_of(timezone.localdate())


def concern_results(neighbourhood: Neighbourhood, month: str) -> Results:
    """Every count, for staff: active concerns, and inactive ones anyone chose this month."""
    responses = ConcernResponse.objects.filter(neighbourhood=neighbourhood, month=month)
    picked = Q(responses__neighbourhood=neighbourhood, responses__month=month)
    concerns = Concern.objects.annotate(picks=Count("responses", filter=picked)).filter(Q(active=True) | Q(picks__gt=0))
    rows = [Row(concern=c.name, count=c.picks) for c in concerns.order_by("order", "name")]
    return Results(neighbourhood=neighbourhood, month=month, responses=responses.count(), rows=rows, threshold=None)


def public_results(neighbourhood: Neighbourhood, month: str, *, threshold: int | None = None) -> Results:
    """The counts residents see: any below the threshold (zero too) withheld, the number of responses as well."""
    n = public_threshold() if threshold is None else threshold
    full = concern_results(neighbourhood, month)

    def shown(count: int | None) -> int | None:
        return count if count is not None and count >= n else None

    return Results(
        neighbourhood=neighbourhood,
        month=month,
        responses=shown(full.responses),
        rows=[Row(concern=row.concern, count=shown(row.count)) for row in full.rows],
        threshold=n,
    )


def comments(neighbourhood: Neighbourhood, month: str) -> QuerySet[ConcernResponse]:
    """The month's comments, for staff only (moderated: never published)."""
    return (
        ConcernResponse.objects.filter(neighbourhood=neighbourhood, month=month)
        .exclude(comment="")
        .prefetch_related("concerns")
        .order_by("confirmed_at")
    )


def months_with_responses(neighbourhood: Neighbourhood) -> list[str]:
    return list(
        ConcernResponse.objects.filter(neighbourhood=neighbourhood)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:36]
    )


def neighbourhoods_for_staff(user: RequestUser) -> QuerySet[Neighbourhood]:
    return scope_for(user).filter(Neighbourhood.objects.select_related("division"), "division").order_by("name")


def active_concerns() -> QuerySet[Concern]:
    return Concern.objects.filter(active=True)


def neighbourhood_concerns_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page's "Voice your concerns": links only, no query."""
    return {"neighbourhood": neighbourhood}
