"""Small-number suppression of a table of counts, so that no one is identifiable from a survey's results.

The table is cells (rows x columns, e.g. answers x neighbourhoods) with its row totals, column totals and grand
total, all published. Primary suppression hides every figure from 1 to `minimum` - 1 (the force's N, default 10);
a zero is shown, as it is nobody (hiding zeros would only force more complements and hide large figures). Secondary
(complementary) suppression then makes sure no hidden figure can be worked out from the ones shown:

1. in every line (a row with its total, a column with its total, the row totals with the grand total, the column
   totals with the grand total) no figure may be the only hidden one, or subtraction gives it back: the next
   smallest shown figure of that line is hidden too, until every line has none or at least two hidden;
2. that is not always enough (two hidden figures in a row, each alone in its column but linked through other
   lines): any hidden figure that the published ones still pin down exactly, found by linear algebra over all the
   lines at once, has the smallest shown figure in one of its lines hidden too, until none is pinned down.

Pure: numbers in, a mask out. Tables are small (answers x areas), so the exact check is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_MINIMUM = 10


@dataclass(frozen=True)
class Suppressed:
    """The table's figures with hidden ones as None; `cells[r][c]`, `row_totals[r]`, `column_totals[c]`, `total`."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


def _lines(rows: int, columns: int) -> list[list[tuple[int, int]]]:
    """Each published sum as the positions of its figures in the (rows+1) x (columns+1) table whose last row and
    column are the totals: a line's figures add up to its last one."""
    lines = [[(r, c) for c in range(columns + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(columns + 1)]
    return lines


def _pinned(hidden: list[tuple[int, int]], lines: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Hidden positions whose value the published sums determine exactly (a unit vector in the row space)."""
    if not hidden:
        return []
    index = {position: i for i, position in enumerate(hidden)}
    matrix = np.zeros((len(lines), len(hidden)))
    for row, line in enumerate(lines):
        *parts, total = line
        for position in parts:
            if position in index:
                matrix[row, index[position]] += 1
        if total in index:
            matrix[row, index[total]] -= 1
    rank = np.linalg.matrix_rank(matrix)
    pinned = []
    for position, i in index.items():
        unit = np.zeros((1, len(hidden)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            pinned.append(position)
    return pinned


def suppress(cells: list[list[int]], *, minimum: int = DEFAULT_MINIMUM) -> Suppressed:
    """The table of `cells` (rows of equal length) with its totals, small and derivable figures hidden."""
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    grid = [[*list(row), sum(row)] for row in cells]
    grid.append([sum(cells[r][c] for r in range(rows)) for c in range(columns)] + [sum(map(sum, cells))])
    hidden = {(r, c) for r in range(rows + 1) for c in range(columns + 1) if 0 < grid[r][c] < minimum}
    lines = _lines(rows, columns)

    def hide_next(line: list[tuple[int, int]]) -> bool:
        shown = [position for position in line if position not in hidden]
        if not shown:
            return False
        hidden.add(min(shown, key=lambda p: (grid[p[0]][p[1]], p)))
        return True

    while True:
        changed = False
        for line in lines:
            if sum(position in hidden for position in line) == 1 and hide_next(line):
                changed = True
        if changed:
            continue
        pinned = _pinned(sorted(hidden), lines)
        if not pinned:
            break
        position = pinned[0]
        # Hide the smallest shown figure among the lines through the pinned one: it joins its equations.
        through = [line for line in lines if position in line]
        candidates = [p for line in through for p in line if p not in hidden]
        if not candidates:  # every figure in its lines hidden, yet pinned: only the whole table stays safe
            hidden.update((r, c) for r in range(rows + 1) for c in range(columns + 1))
            break
        hidden.add(min(candidates, key=lambda p: (grid[p[0]][p[1]], p)))

    def shown(r: int, c: int) -> int | None:
        return None if (r, c) in hidden else grid[r][c]

    return Suppressed(
        cells=[[shown(r, c) for c in range(columns)] for r in range(rows)],
        row_totals=[shown(r, columns) for r in range(rows)],
        column_totals=[shown(rows, c) for c in range(columns)],
        total=shown(rows, columns),
    )
