from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns: list[URLPattern | URLResolver] = [
    # Ahead of Wagtail's admin, which has a report at the same paths: site history within the user's division.
    path("admin/reports/site-history/", include("openbeat.staff.site_history")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Ahead of the neighbourhood pages, whose "<code>/" would not match these longer paths anyway.
    path("neighbourhoods/<str:code>/priorities/", include("openbeat.priorities.urls")),
    path("neighbourhoods/", include("openbeat.areas.urls")),
    path("concerns/", include("openbeat.concerns.urls")),
    path("in-the-know/", include("openbeat.subscriptions.urls")),
    path("alerts/", include("openbeat.alerts.urls")),
    path("events/", include("openbeat.events.urls")),
    path("meetings/", include("openbeat.meetings.urls")),
    path("d/", include("openbeat.delivery.urls")),
    path("report/", include("openbeat.reports.urls")),
    path("api/", include("openbeat.opendata.urls")),
    path("cap/", include("openbeat.cap.urls")),
    path("youth/", include("openbeat.youth.urls")),
    path("news/", include("openbeat.news.urls")),
    path("feeds/", include("openbeat.feeds.urls")),
    path("search/", include("openbeat.search.urls")),
    path("surveys/", include("openbeat.surveys.urls")),
    # A post's image for a network that fetches it (Instagram), behind a signed link that expires.
    path("social/", include("openbeat.social.urls")),
    # The officer's offline survey app and its device API: apart from the public /surveys/<slug>/ links.
    path("officer/surveys/", include("openbeat.surveys.urls_officer")),
    path("watch-schemes/", include("openbeat.schemes.urls")),
    path("volunteering/", include("openbeat.volunteers.urls")),
    path("open311/v2/", include("openbeat.reports.urls_open311")),
    # /health/ (detailed checks) and /metrics, for monitoring; /healthz (core) stays the load balancers' probe.
    path("", include("openbeat.monitoring.urls")),
    path("", include("openbeat.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree serves everything else (home page, accessibility statement, privacy, cookies).
urlpatterns.append(path("", include(wagtail_urls)))
