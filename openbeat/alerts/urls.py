from django.urls import path

from openbeat.alerts.views import media, public

app_name = "alerts"
# Mounted at /alerts/: the public archive of sent alerts.
urlpatterns = [
    path("", public.archive, name="archive"),
    path("<uuid:public_id>/", public.archive_detail, name="archive_detail"),
    # An alert's image and documents (alerts.views.media): public once it is sent.
    path("image/<uuid:public_id>/<str:digest>.<str:ext>", media.alert_image, name="image"),
    path("attachment/<uuid:public_id>/<int:pk>/", media.alert_attachment, name="attachment"),
]
