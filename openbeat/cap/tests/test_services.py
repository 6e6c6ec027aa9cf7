"""Publishing, updating and cancelling urgent warnings: every message valid CAP 1.2, never edited once issued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from openbeat.alerts.models import Alert
from openbeat.audit.models import AuditEntry
from openbeat.cap import services
from openbeat.cap.models import CapMessage, CapMessageImmutableError, UrgentWarning
from openbeat.cap.tests.conftest import NS, make_alert, warning_values

pytestmark = pytest.mark.django_db


def _text(root, path):
    return root.findtext(path, namespaces=NS)


class CapRoot:
    @staticmethod
    def of(message):
        return etree.fromstring(message.xml.encode())


def test_a_sent_alert_is_published_as_a_valid_cap_alert(world, assert_valid_cap):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    root = assert_valid_cap(message.xml)
    assert _text(root, "cap:msgType") == "Alert"
    assert _text(root, "cap:status") == "Actual"
    assert _text(root, "cap:identifier") == message.identifier
    assert root.find("cap:references", NS) is None
    assert _text(root, "cap:info/cap:event") == "Missing person"
    assert _text(root, "cap:info/cap:area/cap:areaDesc") == "Abbey; Brook"


def test_every_info_has_expires_description_and_area(world, assert_valid_cap):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    infos = assert_valid_cap(message.xml).findall("cap:info", NS)
    assert len(infos) == 2
    assert all(info.find("cap:expires", NS) is not None for info in infos)
    assert all(info.findtext("cap:description", namespaces=NS) for info in infos)
    assert all(info.find("cap:area/cap:polygon", NS) is not None for info in infos)


def test_the_web_link_is_the_alerts_public_page(world, settings):
    settings.BASE_URL = "https://alerts.example.police.uk"
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    web = _text(CapRoot.of(message), "cap:info/cap:web")
    assert web == f"https://alerts.example.police.uk{world.alert.get_absolute_url()}"


def test_one_info_per_language_the_alert_was_written_in(world):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    infos = CapRoot.of(message).findall("cap:info", NS)
    assert [info.findtext("cap:language", namespaces=NS) for info in infos] == ["en-GB", "cy-GB"]
    welsh = infos[1]
    assert welsh.findtext("cap:headline", namespaces=NS) == "Dyn ar goll: welsoch chi Tom?"
    assert welsh.findtext("cap:description", namespaces=NS) == "Gwelwyd Tom ddiwethaf."
    assert welsh.findtext("cap:instruction", namespaces=NS) == "Os gwelwch chi ef, ffoniwch 999."


def test_a_language_without_its_own_instruction_gets_the_english_one(world):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values(instructions={}))
    welsh = CapRoot.of(message).findall("cap:info", NS)[1]
    assert welsh.findtext("cap:instruction", namespaces=NS) == "If you see him, call 999 and quote log 123."


def test_a_test_warning_goes_out_with_status_test(world, assert_valid_cap):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values(status="Test"))
    assert _text(assert_valid_cap(message.xml), "cap:status") == "Test"
    assert message.status == "Test"


def test_publishing_is_audited(world):
    message = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    entry = AuditEntry.objects.get(action="cap.warning.issue")
    assert entry.actor == world.lead
    assert entry.data["identifier"] == message.identifier
    assert entry.division == world.west


@pytest.mark.parametrize("state", [Alert.State.DRAFT, Alert.State.APPROVED, Alert.State.CANCELLED])
def test_only_a_sent_alert_can_be_published(world, state):
    alert = make_alert(world, state=state)
    with pytest.raises(services.WarningStateError, match="Only a sent alert"):
        services.warning_issue(alert=alert, actor=world.lead, **warning_values())
    assert not UrgentWarning.objects.exists()


def test_an_alert_is_published_once(world):
    services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    with pytest.raises(services.WarningStateError, match="already an urgent warning"):
        services.warning_issue(alert=world.alert, actor=world.hq, **warning_values())
    assert CapMessage.objects.count() == 1


@pytest.mark.parametrize("who", ["officer", "other", "public"])
def test_only_staff_with_the_permission_in_the_alerts_division_may_publish(world, who):
    with pytest.raises(services.WarningPermissionError):
        services.warning_issue(alert=world.alert, actor=getattr(world, who), **warning_values())
    assert not UrgentWarning.objects.exists()


def test_force_wide_staff_may_publish_any_divisions_alert(world):
    message = services.warning_issue(alert=world.alert, actor=world.hq, **warning_values())
    assert message.issued_by == world.hq


def test_a_force_wide_alert_is_only_for_force_wide_staff(world):
    alert = make_alert(world, division=None, force_wide=True, targeting={"areas": {"whole_force": True}})
    with pytest.raises(services.WarningPermissionError):
        services.warning_issue(alert=alert, actor=world.lead, **warning_values())
    assert services.warning_issue(alert=alert, actor=world.hq, **warning_values()).msg_type == "Alert"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("instruction", " "),
        ("description", ""),
        ("event", ""),
        ("urgency", "Soon"),
        ("status", "Exercise"),
        ("headline", "x" * 161),
        ("expires_at", None),
    ],
)
def test_the_cap_details_are_required_and_checked(world, field, value):
    with pytest.raises(ValidationError) as caught:
        services.warning_issue(alert=world.alert, actor=world.lead, **warning_values(**{field: value}))
    assert field in caught.value.message_dict


def test_the_expiry_must_be_ahead(world):
    past = timezone.now() - timedelta(minutes=1)
    with pytest.raises(ValidationError, match="future"):
        services.warning_issue(alert=world.alert, actor=world.lead, **warning_values(expires_at=past))


def test_an_update_is_a_new_message_naming_every_earlier_one(world, assert_valid_cap):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    warning = first.warning
    second = services.warning_update(warning=warning, actor=world.lead, severity="Severe")
    third = services.warning_update(warning=warning, actor=world.hq, headline="Tom: still missing")
    root = assert_valid_cap(third.xml)
    assert _text(root, "cap:msgType") == "Update"
    assert _text(root, "cap:references") == f"{first.reference} {second.reference}"
    assert _text(assert_valid_cap(second.xml), "cap:references") == first.reference
    assert _text(root, "cap:info/cap:severity") == "Severe"
    assert _text(root, "cap:info/cap:headline") == "Tom: still missing"


def test_a_reference_is_sender_identifier_and_sent(world):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    root = CapRoot.of(first)
    expected = f"{_text(root, 'cap:sender')},{_text(root, 'cap:identifier')},{_text(root, 'cap:sent')}"
    assert first.reference == expected


def test_an_issued_message_is_never_changed(world):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    xml = first.xml
    services.warning_update(warning=first.warning, actor=world.lead, headline="Changed headline")
    first.refresh_from_db()
    assert first.xml == xml
    assert first.headline == "Missing man: have you seen Tom?"
    first.headline = "Edited"
    with pytest.raises(CapMessageImmutableError):
        first.save()


def test_an_update_is_audited_with_what_changed(world):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    services.warning_update(warning=first.warning, actor=world.lead, severity="Severe")
    assert AuditEntry.objects.get(action="cap.warning.update").data["fields"] == ["severity"]


def test_a_cancellation_names_every_earlier_message(world, assert_valid_cap):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    second = services.warning_update(warning=first.warning, actor=world.lead, severity="Minor")
    cancel = services.warning_cancel(warning=first.warning, actor=world.lead, note="Tom has been found safe.")
    root = assert_valid_cap(cancel.xml)
    assert _text(root, "cap:msgType") == "Cancel"
    assert _text(root, "cap:references") == f"{first.reference} {second.reference}"
    assert _text(root, "cap:note") == "Tom has been found safe."
    assert _text(root, "cap:info/cap:responseType") == "AllClear"
    assert AuditEntry.objects.filter(action="cap.warning.cancel").count() == 1


def test_a_cancelled_warning_is_neither_updated_nor_cancelled_again(world):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    services.warning_cancel(warning=first.warning, actor=world.lead)
    with pytest.raises(services.WarningStateError):
        services.warning_update(warning=first.warning, actor=world.lead, severity="Minor")
    with pytest.raises(services.WarningStateError):
        services.warning_cancel(warning=first.warning, actor=world.lead)
    assert CapMessage.objects.count() == 2


@pytest.mark.parametrize("who", ["officer", "other"])
def test_only_those_who_may_publish_update_or_cancel(world, who):
    first = services.warning_issue(alert=world.alert, actor=world.lead, **warning_values())
    with pytest.raises(services.WarningPermissionError):
        services.warning_update(warning=first.warning, actor=getattr(world, who), severity="Minor")
    with pytest.raises(services.WarningPermissionError):
        services.warning_cancel(warning=first.warning, actor=getattr(world, who))
    assert CapMessage.objects.count() == 1


def test_the_sender_is_the_sites_host_unless_set(world, settings):
    settings.BASE_URL = "https://www.example.police.uk/"
    assert services.cap_sender() == "www.example.police.uk"
    settings.CAP_SENDER = "cap@example.police.uk"
    assert services.cap_sender() == "cap@example.police.uk"
