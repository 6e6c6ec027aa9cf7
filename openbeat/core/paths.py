"""Paths and full addresses of this site's pages.

path_for: reverse() for links built by the thousand (every alert message carries about ten): each route is
reversed once per process, with placeholders, and later paths are that template with the values put in.
reverse() per link was a large share of building each message (benchmarks/fanout.py).

absolute_url: a path as the full address people are sent (emails, texts, shared links), on settings.BASE_URL.
"""

from __future__ import annotations

import functools

from django.conf import settings


def _placeholder(i: int, is_number: bool) -> str | int:
    # Nothing a real path contains: text for <str:...> segments, a number for <int:...> ones.
    return 987654320 + i if is_number else f"ob-path-placeholder-{i}-"


@functools.cache
def _template(name: str, segments: tuple[tuple[str, bool], ...]) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={key: _placeholder(i, is_number) for i, (key, is_number) in enumerate(segments)})


def path_for(name: str, **kwargs: str | int) -> str:
    """What reverse(name, kwargs=kwargs) gives, for routes whose arguments are plain str or int segments and
    values that are URL-safe already (signed values and tokens are)."""
    segments = tuple((key, isinstance(value, int)) for key, value in kwargs.items())
    path = _template(name, segments)
    for i, value in enumerate(kwargs.values()):
        path = path.replace(str(_placeholder(i, isinstance(value, int))), str(value))
    return path


def absolute_url(path: str) -> str:
    """`path` ("/a/b/") on the site's configured address, settings.BASE_URL (a trailing slash there is dropped)."""
    return settings.BASE_URL.rstrip("/") + path
