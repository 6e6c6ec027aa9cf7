from pathlib import PurePosixPath

from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make run`'s wait loop: answers once the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponseRedirect(static("core/favicon.svg"))


@require_GET
def force_logo(request: HttpRequest, name: str) -> FileResponse:
    """The force's uploaded logo. Served here, not from /media/ (which only DEBUG serves), so that it shows
    wherever OpenBeat runs; the address names the file, so a new upload is a new address."""
    from openbeat.core.models import Force

    force = Force.current()
    if not force.logo or PurePosixPath(force.logo.name or "").name != name:
        raise Http404("No such logo")
    response = FileResponse(force.logo.open("rb"), content_type=_IMAGE_TYPES.get(PurePosixPath(name).suffix.lower()))
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
