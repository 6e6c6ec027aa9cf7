"""The documented systemd units (docs/systemd/) start commands that exist, with settings OpenBeat reads."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

DOCS = Path(__file__).resolve().parents[3] / "docs" / "systemd"
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
        "openbeat-worker.service",
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
    example = (DOCS / "openbeat.env.example").read_text()
    names = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert names
    assert names <= read, names - read
