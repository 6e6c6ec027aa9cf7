from django.urls import path

from openbeat.schemes.views import public

app_name = "schemes"
urlpatterns = [
    path("", public.finder, name="finder"),
    path("register/", public.register, name="register"),
    path("sent/", public.sent, name="sent"),
    path("sign-in/", public.sign_in, name="sign_in"),
    path("sign-out/", public.sign_out, name="sign_out"),
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("manage/", public.manage, name="manage"),
    path("manage/coordinators/", public.add_coordinator, name="add_coordinator"),
    path("<slug:slug>/", public.detail, name="detail"),
    path("<slug:slug>/area.geojson", public.area_geojson, name="area"),
]
