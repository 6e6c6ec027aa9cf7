"""What the resident's pages share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openbeat.subscriptions.tokens import TokenError, TokenExpired


def link_error(request: HttpRequest, error: TokenError, *, template: str) -> HttpResponse:
    """A bad emailed link: 410 when it has expired, 400 when it is not valid, each with its own words."""
    expired = isinstance(error, TokenExpired)
    return render(request, template, {"message": error.message, "expired": expired}, status=410 if expired else 400)
