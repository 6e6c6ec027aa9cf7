"""Generic signed tokens: bound to their purpose, expiring, single-use on request."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from openbeat.core.tokens import (
    LinkExpired,
    LinkInvalid,
    signed_token_make,
    signed_token_read,
    signed_token_use_once,
    signed_token_used,
)

DAY = timedelta(days=1)


def test_a_token_gives_back_its_value_for_its_own_purpose_only():
    token = signed_token_make("concerns.confirm", "abc")
    assert signed_token_read("concerns.confirm", token, max_age=DAY) == "abc"
    with pytest.raises(LinkInvalid):
        signed_token_read("reports.other", token, max_age=DAY)
    with pytest.raises(LinkInvalid):
        signed_token_read("concerns.confirm", token + "x", max_age=DAY)
    with pytest.raises(LinkInvalid):
        signed_token_read("concerns.confirm", "", max_age=DAY)


def test_an_old_token_has_expired():
    with freeze_time("2026-01-01 12:00"):
        token = signed_token_make("concerns.confirm", "abc")
    with freeze_time("2026-01-03 12:00"), pytest.raises(LinkExpired):
        signed_token_read("concerns.confirm", token, max_age=DAY)


@pytest.mark.django_db
def test_a_token_is_used_once():
    token = signed_token_make("concerns.confirm", "abc")
    assert not signed_token_used(token)
    assert signed_token_use_once(token, max_age=DAY) is True
    assert signed_token_used(token)
    assert signed_token_use_once(token, max_age=DAY) is False
