"""An alert's image and PDF documents, served by OpenBeat (alerts.media says who may see them).

Once the alert is public (sending or sent) anyone may: the image with long cache headers (its address changes
with the image), a document as a download. Before that only staff who can see the alert, never cached; anyone
else (the public, another division's staff) gets a 404, as if there were nothing there.
"""

from __future__ import annotations

from uuid import UUID

from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from openbeat.alerts.media import IMAGE_TYPES, attachment_file, image_ext, image_file, is_public, may_see
from openbeat.alerts.models import Alert, AlertAttachment
from openbeat.core.uploads import download_response

PUBLIC_IMAGE_CACHE = "public, max-age=31536000, immutable"
PUBLIC_DOCUMENT_CACHE = "public, max-age=3600"
PRIVATE_CACHE = "private, no-store"


@require_GET
def alert_image(request: HttpRequest, public_id: UUID, digest: str, ext: str) -> HttpResponseBase:
    alert = Alert.objects.filter(public_id=public_id, image_digest=digest).exclude(image_path="").first()
    if alert is None or ext != image_ext(alert) or not may_see(request.user, alert):
        raise Http404("No such image")
    try:
        handle = open(image_file(alert), "rb")  # noqa: SIM115  (FileResponse closes it)
    except (OSError, ValueError) as error:
        raise Http404("The image is missing") from error
    response = FileResponse(handle, content_type=IMAGE_TYPES.get(ext, "application/octet-stream"))
    response["Cache-Control"] = PUBLIC_IMAGE_CACHE if is_public(alert) else PRIVATE_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
def alert_attachment(request: HttpRequest, public_id: UUID, pk: int) -> HttpResponseBase:
    attachment = get_object_or_404(AlertAttachment.objects.select_related("alert"), pk=pk, alert__public_id=public_id)
    alert = attachment.alert
    if not may_see(request.user, alert):
        raise Http404("No such document")
    try:
        path = attachment_file(attachment)
    except ValueError as error:
        raise Http404("The document is missing") from error
    filename = f"{slugify(attachment.title)[:80] or 'document'}.pdf"
    response = download_response(path, filename=filename, content_type="application/pdf")
    response["Cache-Control"] = PUBLIC_DOCUMENT_CACHE if is_public(alert) else PRIVATE_CACHE
    if is_public(alert):
        del response["Cross-Origin-Resource-Policy"]  # a link from any mail client may fetch it
    return response
