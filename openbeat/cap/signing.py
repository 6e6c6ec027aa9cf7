"""Optional XML signatures (enveloped, RSA-SHA256) on CAP messages, as the CAP 1.2 schema allows after `info`.

Signing is on when CAP_SIGNING_KEY_FILE and CAP_SIGNING_CERT_FILE are set (PEM files, from the environment).
It fails closed: once configured, any failure (a file missing, a key that does not match, a half configuration)
raises `CapSigningError`, and the caller publishes nothing: an aggregator that checks signatures would take an
unsigned message from us as forged.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from lxml import etree
from signxml import XMLSigner, methods


class CapSigningError(RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def signing_configured() -> bool:
    """Whether either file is set: half a configuration counts as configured, and then fails."""
    return bool(getattr(settings, "CAP_SIGNING_KEY_FILE", "") or getattr(settings, "CAP_SIGNING_CERT_FILE", ""))


def _read(setting: str) -> bytes:
    name = getattr(settings, setting, "")
    if not name:
        raise CapSigningError(f"{setting} is not set, but the other signing file is")
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise CapSigningError(f"{setting} cannot be read ({error.strerror or error})") from error


def sign(root: etree._Element) -> etree._Element:
    """`root` with an enveloped signature appended; CapSigningError when it cannot be signed."""
    key, cert = _read("CAP_SIGNING_KEY_FILE"), _read("CAP_SIGNING_CERT_FILE").decode("ascii", "replace")
    signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256")
    # The schema allows the signature as the last child of `alert`, unprefixed-namespace elements included.
    signer.namespaces = {"ds": "http://www.w3.org/2000/09/xmldsig#"}
    try:
        return signer.sign(root, key=key, cert=cert)
    except Exception as error:  # signxml and cryptography raise many kinds: any of them means "not signed"
        raise CapSigningError(f"The message could not be signed ({type(error).__name__}: {error})") from error
