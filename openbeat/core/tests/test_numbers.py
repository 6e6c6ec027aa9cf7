import pytest

from openbeat.core.numbers import whole_number


@pytest.mark.parametrize(("value", "expected"), [("42", 42), ("007", 7), ("0", 0)])
def test_ascii_digits_are_a_number(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize("value", ["", "-1", "1.5", " 1", "²", "١٢", "1e3", None, 12, "1" * 13])
def test_anything_else_is_none(value):
    assert whole_number(value) is None


def test_the_length_is_capped_by_the_caller():
    assert whole_number("12345", max_digits=4) is None
