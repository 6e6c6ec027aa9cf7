"""Audit entries for tests: one station changed in each division, and a sign-in, by one HQ user."""

from __future__ import annotations

from openbeat.areas.models import Division, Station
from openbeat.areas.tests.factories import StationFactory
from openbeat.audit.services import log_action
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user


def logged_changes(west: Division, east: Division) -> tuple[Station, Station]:
    actor = staff_user(roles.HQ_MEDIA, None, username="hq")
    west_station = StationFactory(name="West Station", neighbourhood__division=west)
    east_station = StationFactory(name="East Station", neighbourhood__division=east)
    log_action("areas.station.change", actor=actor, target=west_station, data={"fields": ["phone"]})
    log_action("areas.station.change", actor=actor, target=east_station)
    log_action("staff.login.success", actor=actor)
    return west_station, east_station
