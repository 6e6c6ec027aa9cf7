"""The alert lifecycle: composing, editing, submitting, approving, rejecting, cancelling; who may; audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from shapely.geometry import shape

from openbeat.alerts.models import Alert, AlertTranslation
from openbeat.alerts.selectors import alert_can, alerts_for
from openbeat.alerts.services import (
    AlertPermissionError,
    AlertStateError,
    alert_approve,
    alert_cancel,
    alert_reject,
    alert_submit,
    alert_update,
    approval_needed,
    targeting_check_scope,
)
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.alerts.tests.lifecycle_world import areas, compose, make_world, set_threshold, subscribe
from openbeat.areas.tests.factories import square
from openbeat.audit.models import AuditEntry
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(west, east):
    return make_world(west, east)


def actions(alert):
    return list(AuditEntry.objects.filter(target_id=str(alert.pk)).order_by("pk").values_list("action", flat=True))


# ------------------------------------------------------------------------------------------------ composing


def test_an_officer_composes_a_draft_owned_by_their_division(world):
    alert = compose(world, world.officer_west)

    assert alert.state == Alert.State.DRAFT
    assert alert.division == world.west
    assert alert.created_by == world.officer_west
    assert alert.force_wide is False
    assert alert.targeting["areas"]["neighbourhoods"] == [world.west_a.pk]
    entry = AuditEntry.objects.get(action="alerts.alert.create")
    assert entry.actor == world.officer_west
    assert entry.division == world.west
    assert entry.target_id == str(alert.pk)
    assert "@" not in str(entry.data)


def test_someone_without_the_send_permission_cannot_compose(world):
    with pytest.raises(AlertPermissionError):
        compose(world, world.contact)
    board = staff_user(roles.BOARD_VIEWER)
    with pytest.raises(AlertPermissionError):
        compose(world, board)
    assert not Alert.objects.exists()


def test_the_fields_are_checked_together(world):
    with pytest.raises(ValidationError) as caught:
        compose(
            world,
            world.officer_west,
            title=" ",
            body="",
            priority=9,
            link_url="javascript:alert(1)",
            send_at=timezone.now() + timedelta(days=2),
            expires_at=timezone.now() + timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"title", "body", "priority", "link_url", "expires_at"}


def test_link_text_needs_a_link(world):
    with pytest.raises(ValidationError) as caught:
        compose(world, world.officer_west, link_text="More information")
    assert "link_url" in caught.value.message_dict


def test_an_alert_needs_some_area(world):
    with pytest.raises(TargetingError, match="at least one area"):
        compose(world, world.officer_west, targeting={"areas": {}})


def test_force_wide_staff_targeting_one_division_give_it_that_division(world):
    alert = compose(world, world.hq, areas(neighbourhoods=[world.east_a.pk]))
    assert alert.division == world.east
    several = compose(world, world.hq, areas(neighbourhoods=[world.east_a.pk, world.west_a.pk]))
    assert several.division is None
    whole = compose(world, world.hq, areas(whole_force=True))
    assert whole.division is None
    assert whole.force_wide is True


# ------------------------------------------------------------------------------------------------ scope


def test_a_neighbourhood_officer_cannot_target_a_neighbourhood_in_another_division(world):
    with pytest.raises(TargetingError, match="own division"):
        compose(world, world.officer_west, areas(neighbourhoods=[world.east_a.pk]))


def test_a_neighbourhood_officer_cannot_target_another_division(world):
    with pytest.raises(TargetingError, match="own division"):
        compose(world, world.officer_west, areas(divisions=[world.east.pk]))
    assert compose(world, world.officer_west, areas(divisions=[world.west.pk])).division == world.west


def test_a_shape_reaching_into_another_division_is_cut_to_the_officers_division(world):
    # Three eighths of this square lie over Castle, in the East division: that part is cut off.
    alert = compose(world, world.officer_west, areas(shapes=[square(-1.985, 54.002, 0.008)]))
    kept = shape(alert.targeting["areas"]["shapes"][0])
    assert kept.area == pytest.approx(0.005 * 0.008, rel=1e-3)
    assert kept.bounds[2] == pytest.approx(-1.98)


def test_a_shape_entirely_in_another_division_is_refused(world):
    # A circle in the middle of Castle.
    circle = {"type": "Circle", "center": [-1.975, 54.005], "radius_m": 200}
    with pytest.raises(TargetingError, match="entirely outside West"):
        compose(world, world.officer_west, areas(shapes=[circle]))
    assert not Alert.objects.exists()


def test_a_shape_inside_the_division_is_fine_even_across_its_own_neighbourhoods(world):
    alert = compose(world, world.officer_west, areas(shapes=[square(-1.995, 54.002, 0.007)]))
    assert alert.division == world.west


def test_a_sliver_over_the_boundary_is_kept_as_drawn_and_more_is_cut(world):
    # A 0.01-degree square whose left edge sticks 0.000005 degrees (0.05%) past Abbey's western edge: kept.
    sliver = square(-2.000005, 54.0, 0.01)
    assert compose(world, world.officer_west, areas(shapes=[sliver])).targeting["areas"]["shapes"] == [sliver]
    # 0.0002 degrees is 2% of it: cut to Abbey.
    cut = compose(world, world.officer_west, areas(shapes=[square(-2.0002, 54.0, 0.01)]))
    assert shape(cut.targeting["areas"]["shapes"][0]).bounds[0] == pytest.approx(-2.0)


def test_the_whole_force_needs_the_force_wide_permission_and_scope(world):
    with pytest.raises(TargetingError, match="whole force"):
        compose(world, world.lead_west, areas(whole_force=True))
    # Force-wide scope alone (contact centre) is not enough either.
    spec = spec_from_json(areas(whole_force=True))
    with pytest.raises(TargetingError):
        targeting_check_scope(user=world.contact, spec=spec)
    targeting_check_scope(user=world.hq, spec=spec)


def test_unknown_neighbourhoods_are_refused(world):
    with pytest.raises(TargetingError, match="no longer exist"):
        compose(world, world.hq, areas(neighbourhoods=[999_999]))


def test_the_scope_is_checked_again_when_editing(world):
    alert = compose(world, world.officer_west)
    with pytest.raises(TargetingError):
        alert_update(alert=alert, editor=world.officer_west, targeting=areas(neighbourhoods=[world.east_a.pk]))
    alert.refresh_from_db()
    assert alert.targeting["areas"]["neighbourhoods"] == [world.west_a.pk]


def test_the_scope_is_checked_again_at_submit_and_approval(world):
    """An officer moved to another division can no longer submit the draft they wrote for the old one."""
    from openbeat.staff.models import StaffProfile

    alert = compose(world, world.officer_west)
    StaffProfile.objects.filter(user=world.officer_west).update(division=world.east)
    moved = type(world.officer_west).objects.get(pk=world.officer_west.pk)
    with pytest.raises((AlertPermissionError, TargetingError)):
        alert_submit(alert=alert, actor=moved)


# ------------------------------------------------------------------------------------------------ editing


def test_the_author_edits_a_draft_and_the_change_is_logged_by_field_name(world):
    alert = compose(world, world.officer_west)
    alert = alert_update(alert=alert, editor=world.officer_west, title="Burglaries on Mill Lane: arrest made")
    assert alert.title == "Burglaries on Mill Lane: arrest made"
    change = AuditEntry.objects.get(action="alerts.alert.change")
    assert change.data == {"fields": ["title"]}


def test_only_a_draft_can_be_edited(world):
    alert = compose(world, world.officer_west)
    alert_submit(alert=alert, actor=world.officer_west)
    with pytest.raises(AlertStateError, match="Only a draft can be edited"):
        alert_update(alert=alert, editor=world.officer_west, title="Changed")


def test_someone_else_cannot_edit_a_draft(world):
    alert = compose(world, world.officer_west)
    with pytest.raises(AlertPermissionError):
        alert_update(alert=alert, editor=world.officer_east, title="Changed")
    with pytest.raises(AlertPermissionError):
        alert_update(alert=alert, editor=world.lead_west, title="Changed")


def test_update_refuses_fields_it_does_not_know(world):
    alert = compose(world, world.officer_west)
    with pytest.raises(TypeError):
        alert_update(alert=alert, editor=world.officer_west, state="sent")


# ------------------------------------------------------------------------------------------------ translations


def test_translations_are_created_and_replaced(world):
    alert = compose(world, world.officer_west, translations={"cy": ("Byrgleriaethau", "Clowch eich drysau.")})
    assert AlertTranslation.objects.get(alert=alert, language="cy").title == "Byrgleriaethau"

    alert_update(
        alert=alert,
        editor=world.officer_west,
        translations={"cy": ("Byrgleriaethau ar Lôn y Felin", "Clowch eich drysau."), "pl": ("Włamania", "Zamknij.")},
    )
    assert dict(alert.translations.values_list("language", "title")) == {
        "cy": "Byrgleriaethau ar Lôn y Felin",
        "pl": "Włamania",
    }
    alert_update(alert=alert, editor=world.officer_west, translations={"pl": ("Włamania", "Zamknij drzwi.")})
    assert list(alert.translations.values_list("language", flat=True)) == ["pl"]
    # Left out: unchanged.
    alert_update(alert=alert, editor=world.officer_west, title="New title")
    assert alert.translations.count() == 1


@pytest.mark.parametrize(
    "translations",
    [{"en": ("Title", "Body")}, {"xx": ("Title", "Body")}, {"cy": ("Teitl", "")}, {"cy": ("", "Corff")}],
)
def test_translations_are_validated(world, translations):
    with pytest.raises(ValidationError) as caught:
        compose(world, world.officer_west, translations=translations)
    assert "translations" in caught.value.message_dict


# ------------------------------------------------------------------------------------------------ approval


def test_an_alert_under_the_threshold_goes_straight_to_approved_with_counts(world, django_capture_on_commit_callbacks):
    set_threshold(10)
    subscribe(world.west_a, count=3)
    subscribe(world.west_a, count=2, email=False, sms=True)
    alert = compose(world, world.officer_west)
    with django_capture_on_commit_callbacks(execute=False):
        alert = alert_submit(alert=alert, actor=world.officer_west)

    assert alert.state == Alert.State.APPROVED
    assert alert.needs_approval is False
    assert (alert.audience_email, alert.audience_sms, alert.audience_subscribers) == (3, 2, 5)
    submit = AuditEntry.objects.get(action="alerts.alert.submit")
    assert submit.data["audience_subscribers"] == 5
    assert submit.data["state"] == "approved"


def test_an_alert_over_the_threshold_waits_for_approval(world):
    set_threshold(2)
    subscribe(world.west_a, count=3)
    alert = alert_submit(alert=compose(world, world.officer_west), actor=world.officer_west)

    assert alert.state == Alert.State.AWAITING_APPROVAL
    assert alert.needs_approval is True
    assert alert.audience_subscribers == 3
    assert alert.submitted_at is not None


def test_a_force_wide_alert_always_needs_approval(world):
    set_threshold(1000)
    alert = alert_submit(alert=compose(world, world.hq, areas(whole_force=True)), actor=world.hq)
    assert alert.state == Alert.State.AWAITING_APPROVAL
    assert approval_needed(alert=alert, audience_size=0) is True


def test_approval_needed_compares_with_the_threshold(world):
    set_threshold(5)
    alert = compose(world, world.officer_west)
    assert approval_needed(alert=alert, audience_size=5) is False
    assert approval_needed(alert=alert, audience_size=6) is True


@pytest.fixture
def waiting(world):
    set_threshold(0)
    subscribe(world.west_a, count=1)
    return alert_submit(alert=compose(world, world.officer_west), actor=world.officer_west)


def test_a_division_lead_approves_an_alert_in_their_division(world, waiting, django_capture_on_commit_callbacks):
    subscribe(world.west_a, count=1)  # one more since submitting: approval counts again
    with django_capture_on_commit_callbacks(execute=False):
        alert = alert_approve(alert=waiting, approver=world.lead_west)

    assert alert.state == Alert.State.APPROVED
    assert alert.approved_by == world.lead_west
    assert alert.approved_at is not None
    assert alert.audience_subscribers == 2
    approve = AuditEntry.objects.get(action="alerts.alert.approve")
    assert approve.actor == world.lead_west
    assert approve.division == world.west
    assert approve.data["audience_subscribers"] == 2


def test_nobody_approves_their_own_alert(world):
    set_threshold(0)
    subscribe(world.west_a)
    alert = alert_submit(alert=compose(world, world.lead_west), actor=world.lead_west)
    with pytest.raises(AlertPermissionError, match="your own"):
        alert_approve(alert=alert, approver=world.lead_west)
    assert alert_can(world.lead_west, alert, "approve") is False


def test_an_approver_in_another_division_cannot_approve(world, waiting):
    with pytest.raises(AlertPermissionError, match="outside your division"):
        alert_approve(alert=waiting, approver=world.lead_east)
    waiting.refresh_from_db()
    assert waiting.state == Alert.State.AWAITING_APPROVAL


def test_someone_without_the_approve_permission_cannot_approve(world, waiting):
    colleague = staff_user(roles.NEIGHBOURHOOD_OFFICER, world.west)
    with pytest.raises(AlertPermissionError, match="permission"):
        alert_approve(alert=waiting, approver=colleague)


def test_a_force_wide_alert_needs_a_force_wide_approver(world):
    # A division lead may approve in their division, not for the whole force.
    alert = alert_submit(alert=compose(world, world.hq, areas(whole_force=True)), actor=world.hq)
    with pytest.raises(AlertPermissionError, match="force-wide"):
        alert_approve(alert=alert, approver=world.lead_west)
    with pytest.raises(AlertPermissionError, match="your own"):
        alert_approve(alert=alert, approver=world.hq)
    assert alert_approve(alert=alert, approver=world.hq_other).state == Alert.State.APPROVED


def test_only_an_alert_awaiting_approval_can_be_approved(world):
    alert = compose(world, world.officer_west)
    with pytest.raises(AlertStateError):
        alert_approve(alert=alert, approver=world.lead_west)


def test_a_rejected_alert_goes_back_to_its_author_as_a_draft_with_the_reason(world, waiting):
    alert = alert_reject(alert=waiting, approver=world.lead_west, reason="Please add the crime reference number.")

    assert alert.state == Alert.State.DRAFT
    assert alert.rejection_reason == "Please add the crime reference number."
    assert alert_can(world.officer_west, alert, "edit")
    entry = AuditEntry.objects.get(action="alerts.alert.reject")
    assert "reference" not in str(entry.data)
    # Submitted again, the reason is cleared.
    alert = alert_submit(alert=alert, actor=world.officer_west)
    assert alert.rejection_reason == ""


def test_a_rejection_needs_a_reason(world, waiting):
    with pytest.raises(ValidationError):
        alert_reject(alert=waiting, approver=world.lead_west, reason="  ")


def test_only_a_draft_can_be_submitted(world, waiting):
    with pytest.raises(AlertStateError):
        alert_submit(alert=waiting, actor=world.officer_west)


def test_an_alert_past_its_expiry_cannot_be_submitted(world):
    alert = compose(world, world.officer_west, expires_at=timezone.now() + timedelta(hours=1))
    Alert.objects.filter(pk=alert.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(AlertStateError, match="expiry"):
        alert_submit(alert=alert, actor=world.officer_west)


# ------------------------------------------------------------------------------------------------ cancelling


def test_the_author_cancels_before_sending(world, waiting):
    alert = alert_cancel(alert=waiting, actor=world.officer_west)
    assert alert.state == Alert.State.CANCELLED
    assert alert.cancelled_by == world.officer_west
    entry = AuditEntry.objects.get(action="alerts.alert.cancel")
    assert entry.data == {"state": "cancelled", "from": "awaiting_approval"}


def test_an_approver_in_scope_may_cancel_and_others_may_not(world, waiting):
    with pytest.raises(AlertPermissionError):
        alert_cancel(alert=waiting, actor=world.officer_east)
    with pytest.raises(AlertPermissionError):
        alert_cancel(alert=waiting, actor=world.lead_east)
    assert alert_cancel(alert=waiting, actor=world.lead_west).state == Alert.State.CANCELLED


@pytest.mark.parametrize("state", [Alert.State.SENDING, Alert.State.SENT, Alert.State.CANCELLED])
def test_an_alert_sending_or_sent_cannot_be_cancelled(world, state):
    alert = compose(world, world.officer_west)
    Alert.objects.filter(pk=alert.pk).update(state=state)
    with pytest.raises(AlertStateError):
        alert_cancel(alert=alert, actor=world.officer_west)


def test_every_step_is_in_the_audit_log_in_order(world, django_capture_on_commit_callbacks):
    set_threshold(0)
    subscribe(world.west_a)
    alert = compose(world, world.officer_west)
    alert_update(alert=alert, editor=world.officer_west, body="Updated")
    alert_submit(alert=alert, actor=world.officer_west)
    alert_reject(alert=alert, approver=world.lead_west, reason="Too long")
    alert_submit(alert=alert, actor=world.officer_west)
    with django_capture_on_commit_callbacks(execute=True):
        alert_approve(alert=alert, approver=world.lead_west)
    assert actions(alert) == [
        "alerts.alert.create",
        "alerts.alert.change",
        "alerts.alert.submit",
        "alerts.alert.reject",
        "alerts.alert.submit",
        "alerts.alert.approve",
        "alerts.alert.dispatch",
        "alerts.alert.sent",
    ]


# ------------------------------------------------------------------------------------------------ selectors


def test_staff_see_their_division_s_alerts_and_force_wide_staff_see_all(world):
    west_alert = compose(world, world.officer_west)
    east_alert = compose(world, world.officer_east, areas(neighbourhoods=[world.east_a.pk]))
    force_alert = compose(world, world.hq, areas(whole_force=True))

    assert set(alerts_for(world.lead_west)) == {west_alert}
    assert set(alerts_for(world.officer_east)) == {east_alert}
    assert set(alerts_for(world.contact)) == {west_alert, east_alert, force_alert}
    assert set(alerts_for(staff_user(roles.BOARD_VIEWER))) == set()
    assert alert_can(world.lead_west, west_alert, "view")
    assert not alert_can(world.lead_west, east_alert, "view")
    assert not alert_can(world.lead_west, force_alert, "view")


def test_alert_can_answers_per_action(world, waiting):
    assert alert_can(world.lead_west, waiting, "approve")
    assert alert_can(world.lead_west, waiting, "reject")
    assert alert_can(world.lead_west, waiting, "cancel")
    assert not alert_can(world.lead_west, waiting, "edit")
    assert not alert_can(world.officer_west, waiting, "edit")
    assert alert_can(world.officer_west, waiting, "cancel")
    assert not alert_can(world.officer_west, waiting, "approve")
    assert not alert_can(world.contact, waiting, "cancel")
    with pytest.raises(ValueError, match="Unknown"):
        alert_can(world.lead_west, waiting, "explode")
