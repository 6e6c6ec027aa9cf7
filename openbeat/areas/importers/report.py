"""What an import did: counts, and the rows it could not use ("line N: reason")."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

MAX_ERRORS_KEPT = 1_000


class ImportFileError(Exception):
    """The whole file cannot be used (unreadable, not the expected format)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    notes: list[str] = field(default_factory=list)

    def error(self, line: int | str, reason: str, *, source: str = "", skipped: bool = True) -> None:
        """Record a row left out because it is wrong. `line` is a number or a place such as "feature 3"."""
        self.skipped += int(skipped)
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            prefix = f"{source}: " if source else ""
            where = f"line {line}" if isinstance(line, int) else line
            self.errors.append(f"{prefix}{where}: {reason}")

    @property
    def imported(self) -> int:
        """Rows now in the database as the file says (including those that already were)."""
        return self.created + self.updated + self.unchanged

    @property
    def ok(self) -> bool:
        return self.imported > 0

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped" + (
            f" ({self.error_count} with errors)" if self.error_count else ""
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": self.error_count,
        }


def progress_bar(*, enabled: bool, total: float | None = None, desc: str = "", unit: str = "it") -> tqdm:
    """A tqdm bar on stderr; disabled (a no-op) unless asked for and stderr is a terminal."""
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit == "B",
        file=sys.stderr,
        disable=not (enabled and sys.stderr.isatty()),
        leave=False,
    )
