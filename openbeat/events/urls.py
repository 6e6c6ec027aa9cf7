from django.urls import path

from openbeat.events.views import public

app_name = "events"
# Mounted at /events/: the list, each event's page and .ics, and the iCalendar feeds to subscribe to.
urlpatterns = [
    path("", public.event_list, name="list"),
    path("calendar.ics", public.force_feed, name="force_feed"),
    path("division/<str:code>/calendar.ics", public.division_feed, name="division_feed"),
    path("neighbourhood/<str:code>/calendar.ics", public.neighbourhood_feed, name="neighbourhood_feed"),
    path("<uuid:public_id>/", public.event_detail, name="detail"),
    path("<uuid:public_id>/event.ics", public.event_ics, name="event_ics"),
]
