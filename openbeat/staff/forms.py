from typing import Any

from django import forms
from wagtail.admin.forms.auth import LoginForm

from openbeat.audit.services import log_action
from openbeat.staff.auth import locked_message, login_blocked


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form, saying plainly when sign-in is locked rather than "wrong password"."""

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if username and login_blocked(request=self.request, username=username):
            log_action("staff.login.locked", actor=None, data={"username": username[:150]}, request=self.request)
            raise forms.ValidationError(locked_message(), code="locked")
        return super().clean()
