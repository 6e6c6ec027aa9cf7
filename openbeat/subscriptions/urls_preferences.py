from django.urls import URLPattern, path

from openbeat.subscriptions.views import preferences as views

# Under /in-the-know/. "manage/sent/" comes before "manage/<token>/", which would otherwise match it.
# manage/<token>/ is the emailed sign-in link; manage/options/<token>/ the link in every message (no session).
urlpatterns: list[URLPattern] = [
    path("manage/", views.manage, name="manage"),
    path("manage/sent/", views.manage_sent, name="manage_sent"),
    path("manage/options/<str:token>/", views.message_options, name="message_options"),
    path("manage/<str:token>/", views.manage_link, name="manage_link"),
    path("manage/<str:token>/new/", views.manage_link_renew, name="manage_link_renew"),
    path("preferences/", views.preferences_page, name="preferences"),
    path("preferences/pause/", views.pause, name="pause"),
    path("preferences/resume/", views.resume, name="resume"),
    path("preferences/stop/", views.stop, name="stop"),
    path("preferences/stopped/", views.stopped, name="stopped"),
    path("preferences/subscribe-again/", views.resubscribe, name="resubscribe"),
    path("preferences/my-data.json", views.export_json, name="export_json"),
    path("preferences/my-data.csv", views.export_csv, name="export_csv"),
    path("preferences/delete/", views.delete, name="delete"),
    path("preferences/sign-out/", views.sign_out, name="sign_out"),
    path("deleted/", views.deleted, name="deleted"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
