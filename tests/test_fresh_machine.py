"""On a machine without Debian's chromium the suite installs it or stops with the command: never a silent skip.

`make test` runs scripts/system-packages.sh before pytest (installing what is missing as root, or printing the
apt-get command otherwise), and pytest itself stops before any test when browser tests are selected and chromium
is absent. Both are driven for real here: pytest in a subprocess pointed at a chromium that does not exist, and
the script with a PATH whose `dpkg` reports every package missing and whose `id` says we are not root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _some_browser_test() -> str:
    found = subprocess.run(
        ["grep", "-rl", "--include=test_*.py", "pytest.mark.browser", "openbeat"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(found.stdout.split())[0]


def test_pytest_stops_with_the_install_command_when_chromium_is_missing():
    env = {**os.environ, "CHROMIUM_PATH": "/nonexistent/chromium"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", _some_browser_test(), "-q", "-m", "browser"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 3, output
    assert "sudo scripts/system-packages.sh" in output
    assert "apt-get install --no-install-recommends chromium" in output
    assert " passed" not in output
    assert " skipped" not in output


def test_pytest_runs_unit_tests_without_chromium():
    # Only a selection holding browser tests needs the browser: a unit test still runs alone.
    env = {**os.environ, "CHROMIUM_PATH": "/nonexistent/chromium"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_fresh_machine.py", "-q", "-k", "script_prints"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _fake_bin(tmp_path: Path, uid: str) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg").write_text("#!/bin/sh\nexit 1\n")  # every package reported as not installed
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def _run_without_packages(tmp_path: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    """`command` on a machine where no package is installed and we are not root."""
    bin_dir = _fake_bin(tmp_path, uid="1000")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_system_packages_script_prints_the_command_when_it_cannot_install(tmp_path):
    run = _run_without_packages(tmp_path, ["bash", "scripts/system-packages.sh"])
    assert run.returncode == 1
    assert "sudo apt-get install --no-install-recommends chromium" in run.stderr
    assert "nginx" in run.stderr or Path("/usr/sbin/nginx").exists()


def test_make_test_stops_before_pytest_when_packages_cannot_be_installed(tmp_path):
    run = _run_without_packages(tmp_path, ["bash", "scripts/test.sh", "tests/test_fresh_machine.py", "-k", "script"])
    assert run.returncode == 1
    assert "Install them with:" in run.stderr
    assert "passed" not in run.stdout  # pytest never started
