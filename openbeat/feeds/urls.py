from django.urls import URLPattern, path, re_path

from openbeat.feeds.views import public

app_name = "feeds"
KIND_FMT = r"(?P<kind>news|appeals|alerts|everything)\.(?P<fmt>rss|atom)"
# Mounted at /feeds/: the page listing the feeds, then each feed for the force, a division (by its code, as the
# news and alerts filters name it) and a neighbourhood (by its code, as its page /neighbourhoods/<code>/ is).
urlpatterns: list[URLPattern] = [
    path("", public.index, name="index"),
    re_path(rf"^{KIND_FMT}$", public.force_feed, name="force"),
    re_path(rf"^divisions/(?P<code>[^/]+)/{KIND_FMT}$", public.division_feed, name="division"),
    re_path(rf"^neighbourhoods/(?P<code>[^/]+)/{KIND_FMT}$", public.neighbourhood_feed, name="neighbourhood"),
    path("neighbourhoods/<str:code>/", public.neighbourhood_feeds, name="neighbourhood_feeds"),
]
