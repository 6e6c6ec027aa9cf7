"""The client's address: the socket's, unless a trusted proxy forwarded the request."""

import pytest
from django.test import RequestFactory

from openbeat.core.clientaddr import client_address


def request(remote: str | None = "203.0.113.9", **headers: str):
    meta = {"REMOTE_ADDR": remote or ""}
    return RequestFactory().get("/", **meta, **headers)


@pytest.fixture
def proxied(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    settings.PROXY_CLIENT_HEADER = "X-Forwarded-For"
    return settings


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "127.0.0.1"


def test_a_client_reaching_the_app_directly_cannot_choose_its_address(proxied):
    assert client_address(request("203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_address_it_added(proxied):
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "198.51.100.1"


def test_what_the_client_wrote_left_of_the_proxys_entry_is_never_used(proxied):
    forged = request("127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.1")
    assert client_address(forged) == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(proxied):
    chain = request("127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.1, 10.1.2.3")
    assert client_address(chain) == "198.51.100.1"


def test_garbage_in_the_header_stops_at_the_last_trustworthy_hop(proxied):
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip, 10.1.2.3")) == "10.1.2.3"
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="")) == "127.0.0.1"


def test_ports_brackets_and_ipv6(proxied):
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1:4711")) == "198.51.100.1"
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"
    assert client_address(request("::ffff:127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "198.51.100.1"


def test_the_rfc_7239_forwarded_header(proxied):
    proxied.PROXY_CLIENT_HEADER = "Forwarded"
    forwarded = 'for=192.0.2.66, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.5'
    assert client_address(request("127.0.0.1", HTTP_FORWARDED=forwarded)) == "2001:db8:cafe::17"
    # The other header is not read when Forwarded is the one configured.
    assert client_address(request("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")) == "127.0.0.1"


def test_no_address_at_all():
    assert client_address(None) is None
    assert client_address(request(None)) is None
