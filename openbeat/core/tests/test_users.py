"""A staff login's name as other staff see it, and the signed-in staff login behind a request."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from openbeat.core.users import signed_in_staff, user_name


def test_a_login_is_named_by_its_full_name_or_else_its_username():
    assert user_name(User(username="pc1234", first_name="Alex", last_name="Khan")) == "Alex Khan"
    assert user_name(User(username="pc1234")) == "pc1234"


def test_the_signed_in_staff_login_is_the_requests_user():
    request = RequestFactory().get("/admin/")
    request.user = User(username="pc1234")
    assert signed_in_staff(request) is request.user


def test_nobody_signed_in_is_refused():
    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_staff(request)
