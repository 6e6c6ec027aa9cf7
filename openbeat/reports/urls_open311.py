"""Open311 GeoReport v2 at /open311/v2/ (JSON, or XML with the .xml suffix), and its OpenAPI document."""

from django.urls import URLPattern, path, re_path

from openbeat.reports.views import open311 as views

app_name = "open311"
FMT = r"(?P<fmt>json|xml)"

urlpatterns: list[URLPattern] = [
    path("openapi.json", views.openapi_json, name="openapi"),
    re_path(rf"^discovery\.{FMT}\Z", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}\Z", views.services, name="services"),
    re_path(rf"^services/(?P<code>[-\w]+)\.{FMT}\Z", views.service_definition, name="service"),
    re_path(rf"^requests\.{FMT}\Z", views.requests_endpoint, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[-\w]+)\.{FMT}\Z", views.request_detail, name="request"),
    # Anything else under /open311/v2/ answers in Open311's error format too, not with the site's 404 page.
    re_path(r"^(?P<rest>[\s\S]*)\Z", views.not_found, name="not_found"),
]
