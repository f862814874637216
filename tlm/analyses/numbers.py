"""Are numbers close in value close in space?

one..ten: if the vectors know order, pairs one apart in value are nearer
than pairs far apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Argument,
    Result,
    columns,
    figure,
    heatmap,
    join,
    mapping,
    missing_lines,
    summary,
)
from tlm.errors import TlmError
from tlm.table import score
from tlm.vectors import Source, find, keyed_vectors, row, unit_rows

#: The notebook's ten number words (§9).
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass(repr=False)
class Numbers(Result):
    """Are neighbours in value neighbours in space?"""

    words: list[str]
    values: np.ndarray  # (n,) the position of each word in the list (1 for one, ...)
    matrix: np.ndarray  # (n, n) cosines
    adjacent: float  # mean cosine of pairs one apart in value (one-two, two-three)
    distant: float  # mean cosine of pairs at least `far` apart (one-six, ...)
    far: int
    missing: list[str]


def numbers(vectors: Source, words: Sequence[str] = NUMBER_WORDS, far: int = 5) -> Numbers:
    """The cosine matrix of number words (one..ten) and the mean cosine of
    pairs adjacent in value against pairs at least `far` apart."""
    kv = keyed_vectors(vectors)
    found, values, missing = [], [], []
    for v, w in enumerate(words, start=1):
        k = find(kv, w)
        if k is None:
            missing.append(w)
        else:
            found.append(k)
            values.append(v)
    if len(found) < 2:
        raise TlmError(f"numbers needs at least 2 of the words in the vectors; found {len(found)}")
    U = unit_rows(kv)[[row(kv, w) for w in found]]  # (n, d)
    M = (U @ U.T).astype(np.float64)  # (n, n)
    vals = np.array(values)
    gap = np.abs(vals[:, None] - vals[None, :])  # (n, n)
    adjacent = float(M[gap == 1].mean()) if (gap == 1).any() else float("nan")
    distant = float(M[gap >= far].mean()) if (gap >= far).any() else float("nan")
    return Numbers(found, vals, M, adjacent, distant, far, missing)


def _square(words: Sequence[str], M: np.ndarray) -> str:
    rows = [[w, *(f"{x:5.2f}" for x in row)] for w, row in zip(words, M, strict=True)]
    return columns(["", *(w[:5] for w in words)], rows)


def render(results: Mapping[str, Numbers]) -> str:
    first = next(iter(results.values()))
    parts = [summary("are neighbours in value neighbours in space?", results, [
        ("adjacent (one apart)", lambda r: score(r.adjacent)),
        (f"distant ({first.far} or more apart)", lambda r: score(r.distant)),
    ])]
    parts += [f"{label}: cosine matrix\n{_square(r.words, r.matrix)}"
              for label, r in results.items()]
    return join(*parts, missing_lines(results))


def draw(results: Numbers | Mapping[str, Numbers]):
    """The cosine matrix of the number words, per source."""
    results = mapping(results)
    fig, axs = figure(1, len(results), width=4.6, height=4.8)
    for col, (label, r) in enumerate(results.items()):
        heatmap(fig, axs[0, col], r.matrix, r.words,
                f"{label}\nadjacent {r.adjacent:.2f}, distant {r.distant:.2f}")
    return fig


ANALYSIS = Analysis(
    name="numbers",
    order=9,
    question=__doc__.splitlines()[0],
    title='one, two, ..., ten',
    look_for=("Are numbers close in value close in space (a warm band along the diagonal)? "
              "Compare the adjacent and the distant mean."),
    compute=numbers,
    render=render,
    draw=draw,
    result=Numbers,
    arguments=(Argument("words", many=True),),
)
