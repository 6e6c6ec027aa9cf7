from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django_otp import user_has_device

# Reachable before the second factor: signing in and out, and the second-factor pages themselves.
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
