"""Signed CAP messages (enveloped XML signature), and failing closed: a message that cannot be signed is not
published at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from signxml import XMLVerifier

from openbeat.audit.models import AuditEntry
from openbeat.cap import services
from openbeat.cap.models import CapMessage, UrgentWarning
from openbeat.cap.signing import CapSigningError
from openbeat.cap.tests.conftest import warning_values
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def keypair(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cap.example.police.uk")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


@pytest.fixture
def signing(settings, keypair):
    settings.CAP_SIGNING_KEY_FILE, settings.CAP_SIGNING_CERT_FILE = (str(path) for path in keypair)
    return keypair


def test_a_configured_key_signs_every_message_verifiably(world, signing, assert_valid_cap):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    cancel = services.warning_cancel(warning=first.warning, actor=world.lead)
    cert = signing[1].read_text()
    for message in (first, cancel):
        assert message.signed
        assert_valid_cap(message.xml)
        verified = XMLVerifier().verify(message.xml.encode(), x509_cert=cert)
        assert verified.signed_xml.findtext("{urn:oasis:names:tc:emergency:cap:1.2}identifier") == message.identifier


def test_a_changed_signed_message_fails_verification(world, signing):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    forged = message.xml.replace("Missing person", "Nothing to see")
    with pytest.raises(Exception, match=r"(?i)digest|signature"):
        XMLVerifier().verify(forged.encode(), x509_cert=signing[1].read_text())


def test_without_configuration_messages_are_unsigned(world):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    assert not message.signed
    assert "Signature" not in message.xml


def test_a_key_that_cannot_be_used_publishes_nothing_and_is_recorded(world, settings, signing, tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    settings.CAP_SIGNING_KEY_FILE = str(bad)
    with pytest.raises(CapSigningError):
        services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    assert not UrgentWarning.objects.exists()
    assert not CapMessage.objects.exists()
    entry = AuditEntry.objects.get(action="cap.warning.signing_failed")
    assert entry.data["action"] == "issue"


def test_half_a_configuration_fails_closed(world, settings, signing):
    settings.CAP_SIGNING_CERT_FILE = ""
    with pytest.raises(CapSigningError, match="CAP_SIGNING_CERT_FILE"):
        services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    assert not CapMessage.objects.exists()


def test_an_update_that_cannot_be_signed_leaves_the_warning_as_it_was(world, settings, signing):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    settings.CAP_SIGNING_KEY_FILE = "/nonexistent/key.pem"
    with pytest.raises(CapSigningError):
        services.warning_update(warning=first.warning, actor=world.lead, severity="Severe")
    first.warning.refresh_from_db()
    assert first.warning.severity == "Moderate"
    assert CapMessage.objects.count() == 1


def test_staff_are_told_when_signing_fails(world, settings, signing):
    settings.CAP_SIGNING_KEY_FILE = "/nonexistent/key.pem"
    data = {
        "status": "Actual",
        "category": "Rescue",
        "event": "Missing person",
        "urgency": "Immediate",
        "severity": "Moderate",
        "certainty": "Observed",
        "headline": "Missing man",
        "description": "Last seen at 9pm.",
        "instruction": "Call 999.",
        "expires_at": (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client_for(world.lead).post(f"/admin/cap/alert/{world.alert.pk}/new/", data)
    assert response.status_code == 200
    assert "Nothing was published: the warning could not be signed" in response.content.decode()
    assert not CapMessage.objects.exists()
