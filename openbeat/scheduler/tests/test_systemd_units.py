"""The recipe's systemd units (deploy/systemd/) start commands that exist, with settings OpenBeat reads, and stop
gracefully."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
DOCS = DEPLOY / "systemd"
SETTINGS = Path(__file__).resolve().parents[2] / "settings.py"
UNITS = sorted(DOCS.glob("*.service"))


def unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def test_there_is_a_unit_for_the_web_server_the_worker_and_the_scheduler():
    assert [path.name for path in UNITS] == [
        "openbeat-scheduler.service",
        "openbeat-web.service",
        "openbeat-worker@.service",
    ]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_restarts_its_process_reads_the_environment_file_and_runs_a_real_command(path):
    service = unit(path)["Service"]
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/openbeat/openbeat.env"
    assert service["User"] == "openbeat"
    for line in (service["ExecStart"], service.get("ExecStartPre", "")):
        words = shlex.split(line)
        if "manage.py" in words:
            assert words[words.index("manage.py") + 1] in get_commands(), line
    assert "WantedBy" in unit(path)["Install"]


def test_the_scheduler_unit_runs_run_scheduler():
    assert shlex.split(unit(DOCS / "openbeat-scheduler.service")["Service"]["ExecStart"])[-1] == "run_scheduler"


def test_every_setting_in_the_environment_example_is_one_openbeat_reads():
    text = SETTINGS.read_text()
    # os.environ.get("X"), os.environ["X"] and the env_bool / env_list / env_int helpers.
    read = set(re.findall(r'(?:os\.environ(?:\.get)?\(|os\.environ\[|env_\w+\()\s*"([A-Z_]+)"', text))
    example = (DEPLOY / "openbeat.env.example").read_text()
    names = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert names
    assert names <= read, names - read


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_is_hardened_and_writes_only_to_the_var_directory(path):
    service = unit(path)["Service"]
    assert service["NoNewPrivileges"] == "true"
    assert service["PrivateTmp"] == "true"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/openbeat"
    assert "OPENBEAT_VAR_DIR=/var/lib/openbeat" in (DEPLOY / "openbeat.env.example").read_text()


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_stops_its_main_process_with_sigterm_only(path):
    # db_worker and gunicorn finish the work in hand on one SIGTERM; a second one (which KillMode=control-group
    # would send to every process of the unit) makes db_worker abandon its task.
    service = unit(path)["Service"]
    assert service["KillSignal"] == "SIGTERM"
    assert service["KillMode"] == "mixed"


def test_a_worker_is_given_longer_to_finish_its_task_than_a_lease_and_a_sweep_take():
    from django.conf import settings

    stop = int(unit(DOCS / "openbeat-worker@.service")["Service"]["TimeoutStopSec"])
    assert stop >= settings.DELIVERY_LEASE_SECONDS + settings.DELIVERY_SWEEP_SECONDS


def test_the_worker_is_a_template_naming_each_worker_by_host_and_instance():
    words = shlex.split(unit(DOCS / "openbeat-worker@.service")["Service"]["ExecStart"])
    assert words[words.index("manage.py") + 1] == "db_worker"
    assert words[words.index("--worker-id") + 1] == "%H-%i"
    assert "--no-reload" in words
