"""The standard metrics, created after every migrate (idempotent). Forces add their own in the back office."""

from __future__ import annotations

from openbeat.insights.models import Metric

A = Metric.Aggregation

STANDARD_METRICS: list[tuple[str, str, str]] = [
    ("followers", "Followers", A.STOCK),
    ("reach", "Reach", A.UNIQUE),
    ("impressions", "Impressions", A.FLOW),
    ("engagements", "Engagements", A.FLOW),
    ("reactions", "Reactions", A.FLOW),  # likes, favourites (social.results fetches them from the networks)
    ("video_views", "Video views", A.FLOW),
    ("link_clicks", "Link clicks", A.FLOW),
    ("shares", "Shares", A.FLOW),
    ("comments", "Comments", A.FLOW),
    ("mentions", "Mentions", A.FLOW),
    ("posts", "Posts published", A.FLOW),
    ("sessions", "Sessions", A.FLOW),
    ("users", "Users", A.UNIQUE),
    ("pageviews", "Page views", A.FLOW),
    ("registered_users", "Registered users", A.STOCK),
    # Figures entered by hand (no export exists for them).
    ("events_held", "Events held", A.FLOW),
    ("event_attendance", "Event attendance", A.FLOW),
    ("pact_meetings", "PACT meetings held", A.FLOW),
    ("pact_attendance", "PACT attendance", A.FLOW),
    ("surveys_run", "Surveys run", A.FLOW),
    ("survey_responses", "Survey responses", A.FLOW),
    ("special_constables", "Special constables", A.STOCK),
    ("cadets", "Police cadets", A.STOCK),
    ("volunteers", "Police support volunteers", A.STOCK),
    ("nhw_schemes", "Neighbourhood Watch schemes", A.STOCK),
]


def metrics_sync() -> int:
    """Create missing standard metrics; leave existing ones (a force may have renamed them). Returns created."""
    existing = set(Metric.objects.filter(slug__in=[s for s, _, _ in STANDARD_METRICS]).values_list("slug", flat=True))
    new = [Metric(slug=s, name=n, aggregation=a, standard=True) for s, n, a in STANDARD_METRICS if s not in existing]
    Metric.objects.bulk_create(new)
    return len(new)
