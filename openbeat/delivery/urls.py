from django.urls import URLPattern, URLResolver, path

from openbeat.delivery import urls_callbacks
from openbeat.delivery.views import public

app_name = "delivery"
# Mounted at /d/: tracking links in messages (click, open, rate, reply) and provider callbacks.
urlpatterns: list[URLPattern | URLResolver] = [
    path("c/<str:signed>/", public.click, name="click"),
    path("o/<str:signed>.gif", public.open_pixel, name="open"),
    path("r/<str:signed>/<int:score>/", public.rate, name="rate"),
    path("reply/<str:signed>/", public.reply, name="reply"),
    path("reply/<str:signed>/sent/", public.reply_sent, name="reply_sent"),
    *urls_callbacks.urlpatterns,
]
