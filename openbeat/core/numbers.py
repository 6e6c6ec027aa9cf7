"""Whole numbers typed into query strings and forms, read without a 500 on odd input."""

from __future__ import annotations


def whole_number(value: object, *, max_digits: int = 12) -> int | None:
    """`value` as an int when it is a string of ASCII digits (at most `max_digits`, so that the database never
    sees an integer it overflows on), else None.

    `str.isdigit()` alone is not enough: it is also true of "²" and other Unicode digits, which `int()` refuses.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= max_digits:
        return int(value)
    return None
