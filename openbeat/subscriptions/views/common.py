"""What the resident's pages share."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openbeat.subscriptions.tokens import TokenError, TokenExpired, TokenUsed


def link_error(request: HttpRequest, error: TokenError, *, template: str, **context: Any) -> HttpResponse:
    """A bad emailed link: 410 when it has expired or been used, 400 when it is not valid, each with its own
    words (`context` adds to the page's, e.g. a way to send a fresh link)."""
    expired = isinstance(error, TokenExpired)
    used = isinstance(error, TokenUsed)
    return render(
        request,
        template,
        {"message": error.message, "expired": expired, "used": used, **context},
        status=410 if expired or used else 400,
    )
