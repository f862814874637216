"""How tlm lays out text: one table formatter and one way to print scored words.

Library functions return data; the commands, the shell and the atlas page turn
it into text here, so every table has the same look (left-aligned columns two
spaces apart) and every score the same precision (`SCORE`, three decimals:
enough to tell 0.861 from 0.852, few enough to read a column at a glance).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

#: The precision of every cosine, similarity and score tlm prints.
SCORE = ".3f"


def score(x: float | None, fmt: str = SCORE) -> str:
    """A number as tlm prints it; '-' for none or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return format(x, fmt)


def grid(header: Sequence[str] | None, rows: Iterable[Sequence[str]], indent: str = "",
         gap: str = "  ", right: Iterable[int] = ()) -> str:
    """Columns `gap` apart, left-aligned (numbers: the columns in `right` are
    right-aligned), trailing spaces trimmed; no header row when `header` is None."""
    right = set(right)
    table = ([list(header)] if header is not None else []) + [list(r) for r in rows]
    if not table:
        return ""
    n = max(len(r) for r in table)
    table = [r + [""] * (n - len(r)) for r in table]
    widths = [max(len(r[i]) for r in table) for i in range(n)]
    return "\n".join(
        (indent + gap.join(c.rjust(w) if i in right else c.ljust(w)
                           for i, (c, w) in enumerate(zip(r, widths, strict=True)))).rstrip()
        for r in table)


def scored_cells(pairs: Iterable[tuple[str, float]]) -> list[str]:
    """'queen  0.861' for each (word, score), the words padded to one width, so
    a list reads as a column (the cells of a side-by-side table)."""
    pairs = list(pairs)
    width = max((len(w) for w, _ in pairs), default=0)
    return [f"{w:<{width}}  {score(s)}" for w, s in pairs]


def scored(pairs: Iterable[tuple[str, float]]) -> str:
    """A scored word list, one 'word  score' per line: the one way tlm prints
    neighbours, analogy answers and similarities."""
    return "\n".join(scored_cells(pairs))


def side_by_side(columns: dict[str, Sequence[str]], numbered: bool = True) -> str:
    """Columns of cells under their labels, a row number in front."""
    n = max((len(c) for c in columns.values()), default=0)
    rows = [[str(i + 1)] * numbered + [c[i] if i < len(c) else "" for c in columns.values()]
            for i in range(n)]
    return grid([""] * numbered + list(columns), rows, indent="  ")
