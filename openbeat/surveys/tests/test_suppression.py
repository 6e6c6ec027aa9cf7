"""Small-number suppression: every small figure hidden, and no hidden figure derivable from those shown."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from openbeat.surveys.suppression import suppress

MINIMUM = 10

tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 40), min_size=columns, max_size=columns), min_size=rows, max_size=rows
        )
    )
)


def full(cells, result):
    """Original and shown tables with the totals as last row and column."""
    rows, columns = len(cells), len(cells[0])
    original = [[*row, sum(row)] for row in cells]
    original.append([sum(cells[r][c] for r in range(rows)) for c in range(columns)] + [sum(map(sum, cells))])
    shown = [[*result.cells[r], result.row_totals[r]] for r in range(rows)]
    shown.append([*result.column_totals, result.total])
    return original, shown


def lines(rows, columns):
    return [[(r, c) for c in range(columns + 1)] for r in range(rows + 1)] + [
        [(r, c) for r in range(rows + 1)] for c in range(columns + 1)
    ]


@given(tables)
@settings(max_examples=300, deadline=None)
def test_every_figure_from_one_to_below_the_minimum_is_hidden_and_the_rest_are_true(cells):
    original, shown = full(cells, suppress(cells, minimum=MINIMUM))
    for original_row, shown_row in zip(original, shown, strict=True):
        for value, seen in zip(original_row, shown_row, strict=True):
            assert seen is None or seen == value
            if 0 < value < MINIMUM:
                assert seen is None


@given(tables)
@settings(max_examples=300, deadline=None)
def test_no_line_has_exactly_one_hidden_figure(cells):
    _, shown = full(cells, suppress(cells, minimum=MINIMUM))
    for line in lines(len(cells), len(cells[0])):
        assert sum(shown[r][c] is None for r, c in line) != 1


@given(tables)
@settings(max_examples=200, deadline=None)
def test_no_hidden_figure_can_be_worked_out_from_all_the_sums_together(cells):
    _, shown = full(cells, suppress(cells, minimum=MINIMUM))
    hidden = [(r, c) for r, row in enumerate(shown) for c, value in enumerate(row) if value is None]
    if not hidden:
        return
    index = {p: i for i, p in enumerate(hidden)}
    matrix = []
    for line in lines(len(cells), len(cells[0])):
        *parts, total = line
        equation = [0.0] * len(hidden)
        for p in parts:
            if p in index:
                equation[index[p]] += 1
        if total in index:
            equation[index[total]] -= 1
        matrix.append(equation)
    a = np.array(matrix)
    rank = np.linalg.matrix_rank(a)
    for i in range(len(hidden)):
        unit = np.zeros((1, len(hidden)))
        unit[0, i] = 1
        assert np.linalg.matrix_rank(np.vstack([a, unit])) > rank, f"{hidden[i]} can be worked out"


def test_a_lone_small_cell_takes_the_next_smallest_of_its_row_with_it():
    result = suppress([[3, 50, 40]], minimum=MINIMUM)
    assert result.cells == [[None, 50, None]] or result.cells[0][0] is None
    assert result.cells[0].count(None) >= 2


def test_large_figures_are_all_shown():
    result = suppress([[20, 30], [40, 50]], minimum=MINIMUM)
    assert result.cells == [[20, 30], [40, 50]]
    assert result.row_totals == [50, 90]
    assert result.column_totals == [60, 80]
    assert result.total == 140


def test_the_minimum_is_the_forces_choice():
    assert suppress([[5, 5]], minimum=3).cells == [[5, 5]]
    assert suppress([[5, 5]], minimum=10).cells == [[None, None]]


def test_zero_is_shown():
    assert suppress([[0, 20], [15, 30]], minimum=MINIMUM).cells == [[0, 20], [15, 30]]
