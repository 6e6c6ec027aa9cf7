import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_otp import user_has_device

# Reachable before the second factor: signing in and out, and the second-factor pages themselves.
_LOGIN_PATH = "/admin/login/"
_EXEMPT = ("/admin/login/", "/admin/logout/", "/admin/2fa/", "/admin/password_reset/")


class StaffSecondFactorMiddleware:
    """After the password, a staff member with an authenticator app must enter its code before the back office.

    With STAFF_REQUIRE_2FA on, a staff member without one is sent to set it up first. Runs after
    django_otp's OTPMiddleware, which marks a request's user as verified.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        user = request.user
        protected = path.startswith("/admin/") and not path.startswith(_EXEMPT)
        if protected and user.is_authenticated and not user.is_verified():  # type: ignore[union-attr,attr-defined]
            query = urlencode({"next": request.get_full_path()})
            if user_has_device(user):
                return HttpResponseRedirect(f"/admin/2fa/verify/?{query}")
            if settings.STAFF_REQUIRE_2FA:
                return HttpResponseRedirect(f"/admin/2fa/setup/?{query}")
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """Signs a staff member out after STAFF_IDLE_TIMEOUT_SECONDS without activity (a shared or unlocked PC).

    Activity is what a person does: a page opened or a form sent. A page polling in the background (a GET
    whose Sec-Fetch-Mode says it is not a navigation, e.g. live progress) does not keep an abandoned session
    alive. The last activity is written at most once a minute, so most requests cost no session write.
    """

    SESSION_KEY = "staff_last_activity"
    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        timeout = settings.STAFF_IDLE_TIMEOUT_SECONDS
        if timeout <= 0 or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get(self.SESSION_KEY)
        if isinstance(last, int) and now - last > timeout:
            from openbeat.audit.services import log_action

            log_action("staff.session.expired", actor=user, data={"idle_seconds": now - last}, request=request)
            logout(request)
            messages.info(request, f"You were signed out after {timeout // 60} minutes without activity.")
            return HttpResponseRedirect(f"{_LOGIN_PATH}?{urlencode({'next': request.get_full_path()})}")
        background = request.method == "GET" and request.headers.get("Sec-Fetch-Mode", "navigate") != "navigate"
        if not background and (not isinstance(last, int) or now - last >= self.WRITE_EVERY_SECONDS):
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)
