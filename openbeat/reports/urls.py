"""Public Do It Online pages, under /report/: the report journeys and the reporter's status pages."""

from django.urls import URLPattern, path

from openbeat.reports.views import journey, public, status

app_name = "reports"
# The status pages come first: a report type's slug is matched by everything after them.
urlpatterns: list[URLPattern] = [
    path("", public.index, name="index"),
    path("status/", status.start, name="status_start"),
    path("status/check-your-email/", status.sent, name="status_sent"),
    path("status/link/<str:token>/", status.link, name="status_link"),
    path("status/report/", status.report, name="status"),
    path("status/report/reply/", status.reply, name="status_reply"),
    path("status/report/add-file/", status.evidence, name="status_evidence"),
    path("status/sign-out/", status.sign_out, name="status_sign_out"),
    path("<slug:slug>/", public.start, name="start"),
    path("<slug:slug>/questions/<int:number>/", journey.question_page, name="question_page"),
    path("<slug:slug>/location/", journey.location, name="location"),
    path("<slug:slug>/officer/", journey.officer, name="officer"),
    path("<slug:slug>/evidence/", journey.evidence, name="evidence"),
    path("<slug:slug>/about-you/", journey.about_you, name="about_you"),
    path("<slug:slug>/check-your-answers/", journey.check, name="check"),
    path("<slug:slug>/sent/", public.sent, name="sent"),
]
