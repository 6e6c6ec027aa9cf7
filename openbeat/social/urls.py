from django.urls import path

from openbeat.social.views import public

app_name = "social"

urlpatterns = [
    path("images/<str:token>/", public.post_image, name="image"),
]
