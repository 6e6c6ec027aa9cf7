from typing import Any

from django import forms
from wagtail.admin.forms.auth import LoginForm

from openbeat.audit.services import log_action
from openbeat.staff.auth import client_ip, login_locked


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form, saying plainly when sign-in is locked rather than "wrong password"."""

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if username and login_locked(username=username, ip=client_ip(self.request)):
            log_action("staff.login.locked", actor=None, data={"username": username[:150]}, request=self.request)
            raise forms.ValidationError(
                "Too many failed sign-in attempts. Wait 15 minutes and try again, or ask an administrator.",
                code="locked",
            )
        return super().clean()
