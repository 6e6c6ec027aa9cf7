"""The prepared signers give what Django's give, and follow SECRET_KEY and its fallbacks."""

import pytest
from django.core import signing

from openbeat.core.signing import signer, timestamp_signer


def test_signatures_are_djangos():
    for value in ("abc", "a:b:c", "ünïcode ✓", ""):
        assert signer("openbeat.test").sign(value) == signing.Signer(salt="openbeat.test").sign(value)
    # Per salt: the same value signed for two purposes differs.
    assert signer("openbeat.a").sign("x") != signer("openbeat.b").sign("x")


def test_a_timestamped_value_unsigns_with_djangos_signer_and_back():
    token = timestamp_signer("openbeat.test").sign("subscriber-1")
    assert signing.TimestampSigner(salt="openbeat.test").unsign(token, max_age=60) == "subscriber-1"
    theirs = signing.TimestampSigner(salt="openbeat.test").sign("subscriber-2")
    assert timestamp_signer("openbeat.test").unsign(theirs, max_age=60) == "subscriber-2"
    with pytest.raises(signing.BadSignature):
        timestamp_signer("openbeat.other").unsign(token)


def test_a_new_secret_key_signs_anew_and_old_links_still_work_through_the_fallbacks(settings):
    original = settings.SECRET_KEY
    old = signer("openbeat.test").sign("value")
    settings.SECRET_KEY = "a-rotated-secret-key-" + "x" * 40
    new = signer("openbeat.test").sign("value")
    assert new != old
    assert new == signing.Signer(salt="openbeat.test").sign("value")
    with pytest.raises(signing.BadSignature):
        signer("openbeat.test").unsign(old)
    settings.SECRET_KEY_FALLBACKS = [original]
    assert signer("openbeat.test").unsign(old) == "value"
