"""The officer's offline app under /officer/surveys/: the app shell, its service worker and manifest, and the
device API the app talks to.

The API is JSON, authenticated by the device's bearer token (`Authorization: Bearer <token>`), so it is exempt
from CSRF (no cookie authenticates it) and answers every failure with a 4xx and a JSON body
`{"error": <code>, "message": <for the officer>}`, never a 500:
- POST setup/      {"code"}                      -> {"token", "device", "officer"} (once per code)
- GET  assigned/                                 -> {"device", "surveys": [{id, slug, title, version, definition,
                                                     privacy_notice}]}
- POST responses/  {"responses": [{client_id, survey, version, answers, submitted_at, location?}]}
                                                 -> {"results": [{client_id, status, errors?}]}
Unknown token: 401; revoked device: 403 with the message the app shows. Each device is rate limited
(`SURVEYS_DEVICE_LIMIT` requests a minute, default 60), and setup per client address.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.clientaddr import client_address
from openbeat.core.ratelimit import hit
from openbeat.core.users import user_name
from openbeat.surveys import devices
from openbeat.surveys.models import OfficerDevice

MAX_BODY = 1024 * 1024


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _ok(body: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


def _device(request: HttpRequest) -> OfficerDevice | JsonResponse:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    device = devices.device_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if device is None:
        return _error(
            401,
            "unknown_device",
            "This phone is not set up to send survey answers. Set it up again from the back office.",
        )
    if device.is_revoked:
        return _error(
            403,
            "revoked",
            devices.revoked_message(device),
            revoked_at=device.revoked_at.isoformat() if device.revoked_at else None,
        )
    if not device.officer.is_active:
        # An officer who has left (their staff account switched off) takes no phone with them.
        return _error(
            403,
            "account_inactive",
            "Your OpenBeat account is switched off, so this phone can no longer send survey answers. "
            "Speak to your supervisor before deleting anything from it.",
        )
    limit = int(getattr(settings, "SURVEYS_DEVICE_LIMIT", 60))
    if not hit(key=f"surveys-device:{device.pk}", limit=limit, period=60):
        response = _error(429, "rate_limited", "Too many requests from this phone. Wait a minute and try again.")
        response["Retry-After"] = "60"
        return response
    return device


def _json_body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise ValueError("too large")
    return json.loads(request.body.decode("utf-8"))


@csrf_exempt
@require_http_methods(["POST"])
def api_setup(request: HttpRequest) -> HttpResponse:
    address = hashlib.sha256((client_address(request) or "-").encode()).hexdigest()[:24]
    if not hit(
        key=f"surveys-device-setup:{address}", limit=int(getattr(settings, "SURVEYS_SETUP_LIMIT", 10)), period=600
    ):
        return _error(429, "rate_limited", "Too many tries. Wait ten minutes and try again.")
    try:
        body = _json_body(request)
    except ValueError:
        return _error(400, "bad_request", "The request was not valid JSON.")
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str):
        return _error(400, "bad_request", "Enter the code shown in the back office.")
    try:
        device, token = devices.device_activate(code=code)
    except devices.DeviceError as error:
        return _error(400, "invalid_code", error.message)
    return _ok({"token": token, "device": device.label, "officer": user_name(device.officer)})


@require_GET
def api_assigned(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    if isinstance(device, JsonResponse):
        return device
    devices.device_seen(device)
    return _ok(
        {
            "device": device.label,
            "officer": user_name(device.officer),
            "surveys": [
                {
                    "id": survey.pk,
                    "slug": survey.slug,
                    "title": survey.title,
                    "version": version.number,
                    "definition": version.definition,
                    "privacy_notice": survey.privacy_notice,
                }
                for survey, version in devices.assigned_surveys(device.officer)
            ],
        }
    )


@csrf_exempt
@require_http_methods(["POST"])
def api_responses(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    if isinstance(device, JsonResponse):
        return device
    try:
        body = _json_body(request)
    except ValueError:
        return _error(400, "bad_request", "The request was not valid JSON.")
    items = body.get("responses") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return _error(400, "bad_request", "Send a list of responses.")
    if len(items) > devices.BATCH_MAX:
        return _error(413, "too_many", f"Send at most {devices.BATCH_MAX} responses at a time.")
    results = devices.responses_receive(device=device, items=items)
    return _ok({"results": [result.as_json() for result in results]})


# The app


def _no_cache(response: HttpResponse) -> HttpResponse:
    # Always revalidated: a new service worker or shell reaches phones on their next visit with a signal.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def app(request: HttpRequest) -> HttpResponse:
    return _no_cache(render(request, "surveys/officer/app.html", {}))


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /officer/surveys/ (not /static/) so that its scope is the app. Its cache name carries a digest
    of the shell's files, so a changed file makes a new cache and the old one is dropped."""
    shell = [static(f"surveys/officer/{name}") for name in ("app.js", "app.css", "crypto.js", "store.js")]
    shell += [static("core/openbeat.css"), static("surveys/officer/icon-192.png")]
    digest = hashlib.sha256()
    for name in ("app.js", "app.css", "crypto.js", "store.js"):
        path = finders.find(f"surveys/officer/{name}")
        if path is None:
            raise Http404
        with open(path, "rb") as handle:
            digest.update(handle.read())
    source_path = finders.find("surveys/officer/sw.js")
    if source_path is None:
        raise Http404
    with open(source_path, encoding="utf-8") as handle:
        source = handle.read()
    digest.update(source.encode())
    config = json.dumps({"cache": f"openbeat-officer-{digest.hexdigest()[:12]}", "shell": ["./", *shell]})
    response = HttpResponse(f"const OB_CONFIG = {config};\n{source}", content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/officer/surveys/"
    return _no_cache(response)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    from openbeat.core.models import Force

    force = Force.current()
    body = {
        "name": f"{force.name} surveys",
        "short_name": "Surveys",
        "description": "Take survey answers on the doorstep, with or without a signal.",
        "start_url": "/officer/surveys/",
        "scope": "/officer/surveys/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": force.primary_colour or "#1d3f72",
        "icons": [
            {"src": static("surveys/officer/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("surveys/officer/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("surveys/officer/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return _no_cache(HttpResponse(json.dumps(body), content_type="application/manifest+json"))
