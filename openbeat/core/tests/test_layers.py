"""The import-linter contract that holds the apps' order (pyproject.toml, [tool.importlinter]): it names the
order, the project keeps it, and it fails a lower app importing a higher one, even inside a function, and an app
nobody has placed."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO_ROOT

LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
BOTTOM = ["staff", "areas", "audit", "core"]
CAPABILITIES = {
    "alerts",
    "campaigns",
    "cap",
    "concerns",
    "crime",
    "delivery",
    "demo",
    "events",
    "feeds",
    "insights",
    "meetings",
    "monitoring",
    "news",
    "opendata",
    "priorities",
    "reports",
    "scheduler",
    "schemes",
    "search",
    "social",
    "subscriptions",
    "surveys",
    "volunteers",
    "youth",
}


def _config() -> dict:
    with open(REPO_ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


def _contract() -> dict:
    (contract,) = [c for c in _config()["contracts"] if c.get("id") == "layers"]
    return contract


def _lint(cwd: Path, *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contract_puts_the_bottom_in_order_under_every_capability_app():
    contract = _contract()
    assert contract["type"] == "layers"
    assert contract["containers"] == ["openbeat"]
    top, *bottom = contract["layers"]
    assert bottom == BOTTOM
    assert {name.strip() for name in top.split(":")} == CAPABILITIES
    assert contract["exhaustive"] is True


def test_the_project_keeps_the_contract():
    result = _lint(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.fixture
def fake_project(tmp_path: Path):
    """A package called openbeat with one module per app, checked against the project's own contract."""
    (tmp_path / "pyproject.toml").write_text((REPO_ROOT / "pyproject.toml").read_text())
    package = tmp_path / "openbeat"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ["settings", "urls", "wsgi", "celery"]:
        (package / f"{name}.py").write_text("")
    for app in [*BOTTOM, *CAPABILITIES]:
        (package / app).mkdir()
        (package / app / "__init__.py").write_text("")
        (package / app / "models.py").write_text("")
    # Upward imports from tests are allowed; lower from higher is what layers are for.
    (package / "core" / "tests").mkdir()
    (package / "core" / "tests" / "__init__.py").write_text("from openbeat.staff import models\n")
    (package / "staff" / "models.py").write_text(
        "from openbeat.areas import models\nfrom openbeat.core import models\n"
    )
    (package / "alerts" / "models.py").write_text("from openbeat.staff import models\n")

    def lint() -> subprocess.CompletedProcess[str]:
        return _lint(tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)})

    return package, lint


def test_a_project_in_order_passes(fake_project):
    _package, lint = fake_project
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "message"),
    [
        (
            "core/links.py",
            "def f():\n    from openbeat.areas import models\n",
            "openbeat.core is not allowed to import openbeat.areas",
        ),
        (
            "audit/services.py",
            "from openbeat.staff import models\n",
            "openbeat.audit is not allowed to import openbeat.staff",
        ),
        (
            "areas/selectors.py",
            "import openbeat.reports.models\n",
            "openbeat.areas is not allowed to import openbeat.reports",
        ),
        (
            "staff/views.py",
            "from openbeat.demo import models\n",
            "openbeat.staff is not allowed to import openbeat.demo",
        ),
    ],
)
def test_a_lower_app_importing_a_higher_one_fails(fake_project, module, source, message):
    package, lint = fake_project
    (package / module).write_text(source)
    result = lint()
    assert result.returncode == 1
    assert message in " ".join(result.stdout.split())


def test_an_app_that_is_in_no_layer_fails(fake_project):
    package, lint = fake_project
    (package / "local").mkdir()
    (package / "local" / "__init__.py").write_text("")
    result = lint()
    assert result.returncode == 1
    assert "openbeat.local" in result.stdout
