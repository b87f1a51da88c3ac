"""``pinned`` (bit-set reachability) finds exactly the cells the plain search over the moves
graph finds: the reference below is the breadth-first search it replaced."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import _bounds, pinned


def reference_pinned(grid, primary, secondary, threshold):
    last_row, last_col = len(grid) - 1, len(grid[0]) - 1
    arcs: dict = {}
    for i, j in primary | secondary:
        low, high = _bounds(grid[i][j], (i, j) in primary, threshold)
        up = high is None or grid[i][j] + 1 <= high
        down = grid[i][j] - 1 >= low
        if (i == last_row) != (j == last_col):
            up, down = down, up
        if up:
            arcs.setdefault(("r", i), []).append((("c", j), (i, j)))
        if down:
            arcs.setdefault(("c", j), []).append((("r", i), (i, j)))

    def reaches(start, goal, skip):
        seen, queue = {start}, deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                return True
            for target, cell in arcs.get(node, ()):
                if cell != skip and target not in seen:
                    seen.add(target)
                    queue.append(target)
        return False

    found = []
    for i, j in sorted(primary | secondary):
        up = any(cell == (i, j) for _, cell in arcs.get(("r", i), ()))
        down = any(cell == (i, j) for _, cell in arcs.get(("c", j), ()))
        if not (
            (up and reaches(("c", j), ("r", i), (i, j)))
            or (down and reaches(("r", i), ("c", j), (i, j)))
        ):
            found.append((i, j))
    return found


@st.composite
def tables(draw):
    rows, cols = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    inner = [[draw(st.integers(0, 12)) for _ in range(cols)] for _ in range(rows)]
    grid = [[*row, sum(row)] for row in inner]
    grid.append([sum(col) for col in zip(*grid, strict=True)])
    cells = [(i, j) for i in range(rows + 1) for j in range(cols + 1) if grid[i][j] > 0]
    primary = {p for p in cells if grid[p[0]][p[1]] < 5}
    rest = [p for p in cells if p not in primary]
    secondary = set(draw(st.lists(st.sampled_from(rest), unique=True))) if rest else set()
    return grid, primary, secondary


@settings(max_examples=400, deadline=None)
@given(tables())
def test_pinned_agrees_with_the_plain_search(table):
    grid, primary, secondary = table
    assert pinned(grid, primary, secondary, 5) == reference_pinned(grid, primary, secondary, 5)
