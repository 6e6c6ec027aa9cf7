"""The back office's Surveys section."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.surveys.views import indices as index_views
from openbeat.surveys.views import staff, staff_offline


@hooks.register("register_admin_urls")
def register_survey_urls() -> list:
    patterns = [
        path("", staff.survey_list, name="list"),
        path("new/", staff.survey_new, name="new"),
        path("<int:pk>/", staff.survey_detail, name="detail"),
        path("<int:pk>/edit/", staff.survey_edit, name="edit"),
        path("<int:pk>/preview/", staff.survey_preview, name="preview"),
        path("<int:pk>/publish/", staff.survey_publish, name="publish"),
        path("<int:pk>/close/", staff.survey_close, name="close"),
        path("<int:pk>/sections/add/", staff.section_add, name="section_add"),
        path("<int:pk>/sections/<int:section_pk>/", staff.section_edit, name="section_edit"),
        path("<int:pk>/sections/<int:section_pk>/questions/add/", staff.question_edit, name="question_add"),
        path(
            "<int:pk>/sections/<int:section_pk>/questions/<int:question_pk>/",
            staff.question_edit,
            name="question_edit",
        ),
        path("<int:pk>/qr.<str:fmt>", staff.qr_code, name="qr"),
        path("<int:pk>/results/", staff.survey_results, name="results"),
        path("<int:pk>/results.<str:fmt>", staff.survey_export, name="export"),
        path("<int:pk>/answers/<int:answer_pk>/moderate/", staff.answer_moderate, name="moderate"),
        # The officer's offline app: officers given a survey, and their phones.
        path("<int:pk>/officers/", staff_offline.survey_officers, name="officers"),
        path("<int:pk>/officers/<int:officer_pk>/remove/", staff_offline.survey_officer_remove, name="officer_remove"),
        path("devices/", staff_offline.device_list, name="devices"),
        path("devices/<int:pk>/switch-off/", staff_offline.device_revoke, name="device_revoke"),
        path("<int:pk>/responses.<str:fmt>", staff.responses_export, name="responses_export"),
        path("<int:pk>/conflicts/", staff.conflict_list, name="conflicts"),
        path("<int:pk>/conflicts/<int:conflict_pk>/resolve/", staff.conflict_resolve, name="conflict_resolve"),
        path("<int:pk>/exports/<int:export_pk>/", staff.export_detail, name="export_detail"),
        path("<int:pk>/exports/<int:export_pk>/status/", staff.export_status, name="export_status"),
        path("<int:pk>/exports/<int:export_pk>/download/", staff.export_download, name="export_download"),
        # Indices: scores the force defines from chosen questions.
        path("indices/", index_views.index_list, name="index_list"),
        path("indices/new/", index_views.index_new, name="index_new"),
        path("indices/<int:pk>/", index_views.index_detail, name="index_detail"),
        path("indices/<int:pk>/edit/", index_views.index_edit, name="index_edit"),
        path("indices/<int:pk>/scores.csv", index_views.index_export, name="index_export"),
        path("indices/<int:pk>/questions/add/", index_views.component_edit, name="index_question_add"),
        path("indices/<int:pk>/questions/<int:component_pk>/", index_views.component_edit, name="index_question_edit"),
        path(
            "indices/<int:pk>/questions/<int:component_pk>/remove/",
            index_views.component_remove,
            name="index_question_remove",
        ),
        # Last: its pattern would take the paths above.
        path("<int:pk>/<str:kind>/<int:item_pk>/<str:action>/", staff.item_action, name="item_action"),
    ]
    return [path("surveys/", include((patterns, "surveys_staff")))]


class SurveysMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("surveys.manage_survey") or request.user.has_perm("surveys.view_survey_results")


@hooks.register("register_admin_menu_item")
def register_surveys_menu_item() -> MenuItem:
    return SurveysMenuItem("Surveys", reverse("surveys_staff:list"), icon_name="form", order=268)


@hooks.register("register_admin_menu_item")
def register_survey_devices_menu_item() -> MenuItem:
    return SurveysMenuItem("Survey app phones", reverse("surveys_staff:devices"), icon_name="mobile-alt", order=269)
