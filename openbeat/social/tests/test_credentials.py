import pytest
from cryptography.fernet import Fernet

from openbeat.social.credentials import (
    CredentialsError,
    decrypt_credentials,
    encrypt_credentials,
    merge_credentials,
    rotate_credentials,
)


def test_credentials_round_trip_and_are_not_stored_in_clear(settings):
    settings.SOCIAL_CREDENTIALS_KEY = ""
    token = encrypt_credentials({"access_token": "very-secret-token"})

    assert "very-secret-token" not in token
    assert decrypt_credentials(token) == {"access_token": "very-secret-token"}


def test_without_a_key_one_is_derived_from_the_secret_key(settings):
    settings.SOCIAL_CREDENTIALS_KEY = ""
    settings.SECRET_KEY = "first-secret-key-for-tests-0123456789"
    token = encrypt_credentials({"a": "b"})
    settings.SECRET_KEY = "another-secret-key-for-tests-987654321"

    with pytest.raises(CredentialsError) as caught:
        decrypt_credentials(token)
    assert "reconnect" in caught.value.args[0]


def test_a_configured_key_is_used(settings):
    key = Fernet.generate_key().decode()
    settings.SOCIAL_CREDENTIALS_KEY = key
    token = encrypt_credentials({"a": "b"})

    assert Fernet(key.encode()).decrypt(token.encode()) == b'{"a": "b"}'


def test_keys_rotate_with_a_comma_separated_list(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SOCIAL_CREDENTIALS_KEY = old
    token = encrypt_credentials({"a": "b"})
    settings.SOCIAL_CREDENTIALS_KEY = f"{new},{old}"

    assert decrypt_credentials(token) == {"a": "b"}
    rotated = rotate_credentials(token)
    settings.SOCIAL_CREDENTIALS_KEY = new
    assert decrypt_credentials(rotated) == {"a": "b"}
    with pytest.raises(CredentialsError):
        decrypt_credentials(token)


def test_an_empty_token_is_no_credentials():
    assert decrypt_credentials("") == {}


def test_merging_never_replaces_a_stored_value_with_an_empty_one():
    stored = {"access_token": "a", "refresh_token": "r", "session": "s"}

    merged = merge_credentials(stored, {"access_token": "b", "refresh_token": "", "session": ""})

    assert merged == {"access_token": "b", "refresh_token": "r", "session": "s"}
    assert stored["access_token"] == "a"  # the stored dict is left as it was


def test_merging_adds_new_values():
    assert merge_credentials({}, {"session": "s", "empty": ""}) == {"session": "s"}
