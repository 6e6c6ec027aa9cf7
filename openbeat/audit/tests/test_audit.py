import pytest

from openbeat.audit.models import AuditEntry
from openbeat.audit.selectors import audit_entries
from openbeat.audit.services import log_action
from openbeat.audit.tests.factories import logged_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(west, east):
    return logged_changes(west, east)


def test_log_action_records_who_did_what_to_which_thing_and_its_division(entries, west):
    entry = AuditEntry.objects.get(target_label="West Station")
    assert entry.action == "areas.station.change"
    assert entry.actor_label == "hq"
    assert entry.target_type == "areas.station"
    assert entry.target_id == str(entries[0].pk)
    assert entry.division == west
    assert entry.data == {"fields": ["phone"]}


def test_action_names_must_be_dotted():
    with pytest.raises(ValueError, match=r"<app>\.<thing>\.<verb>"):
        log_action("station-changed", actor=None)


def test_the_unscoped_selector_filters_by_action_target_and_division(entries, west):
    assert [e.target_label for e in audit_entries(filters={"action": "areas.", "division": west})] == ["West Station"]
    assert audit_entries(filters={"target_type": "areas.station"}).count() == 2
    assert audit_entries(filters={}).count() == 3
