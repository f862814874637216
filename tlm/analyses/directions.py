"""Is 'plural' one direction?

If cat -> cats, dog -> dogs, ... all point the same way, the cosines between
the offsets are high; offsets between random words set the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Argument,
    Option,
    Result,
    check_size,
    columns,
    figure,
    fill,
    heatmap,
    join,
    known_pairs,
    legend_below,
    mapping,
    missing_lines,
    summary,
)
from tlm.errors import TlmError
from tlm.table import score
from tlm.vectors import Source, keyed_vectors, random_pairs, unit

#: The notebook's plural pairs.
PLURAL_PAIRS = (
    ("cat", "cats"), ("dog", "dogs"), ("king", "kings"), ("queen", "queens"),
    ("word", "words"), ("token", "tokens"), ("city", "cities"), ("country", "countries"),
    ("man", "men"), ("woman", "women"),
)


@dataclass(repr=False)
class Directions(Result):
    """How consistent a set of offsets (cat -> cats, dog -> dogs, ...) is."""

    pairs: list[tuple[str, str]]
    matrix: np.ndarray  # (P, P) cosines between the unit offsets
    consistency: float  # mean off-diagonal: the "plural consistency score"
    to_mean: np.ndarray  # (P,) each offset's cosine with the mean direction
    random_consistency: float  # the same score for offsets between random pairs
    missing: list[tuple[str, str]]


def _consistency(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(the unit offsets (P, d), their cosine matrix (P, P), its mean off-diagonal)."""
    units = offsets / np.maximum(np.linalg.norm(offsets, axis=1, keepdims=True), 1e-12)
    M = units @ units.T  # (P, P)
    P = len(M)
    return units, M, float((M.sum() - np.trace(M)) / (P * (P - 1)))


def directions(
    vectors: Source,
    word_pairs: Sequence[tuple[str, str]] | Sequence[str] = PLURAL_PAIRS,
    seed: int = 0,
) -> Directions:
    """Is a relation one direction? The offsets b - a of the pairs, scaled to
    length 1: their cosine matrix, its mean off-diagonal (near 1: one shared
    direction; near 0: unrelated), each offset against their mean direction,
    and the same score for as many offsets between random words (the baseline)."""
    kv = keyed_vectors(vectors)
    kept, missing = known_pairs(kv, word_pairs)
    if len(kept) < 2:
        raise TlmError(
            f"directions needs at least 2 pairs with both words in the vectors; found {len(kept)}"
        )
    offsets = np.stack([kv[b] - kv[a] for a, b in kept]).astype(np.float64)  # (P, d)
    units, M, score = _consistency(offsets)
    to_mean = units @ unit(units.mean(axis=0))  # (P,)
    check_size(kv, 2, "directions")
    i, j = random_pairs(len(kv), len(kept), seed)
    _, _, random_score = _consistency((kv.vectors[j] - kv.vectors[i]).astype(np.float64))
    return Directions(kept, M, score, to_mean, random_score, missing)


def render(results: Mapping[str, Directions]) -> str:
    parts = [summary("consistency of the offsets (mean cosine between them)", results, [
        ("consistency", lambda r: score(r.consistency)),
        ("random offsets", lambda r: score(r.random_consistency)),
        ("pairs used", lambda r: str(len(r.pairs))),
    ])]
    order = list(dict.fromkeys(f"{a}:{b}".lower() for r in results.values() for a, b in r.pairs))
    cells: dict[str, dict[str, str]] = {p: {} for p in order}
    for label, r in results.items():
        for (a, b), m in zip(r.pairs, r.to_mean, strict=True):
            cells[f"{a}:{b}".lower()][label] = score(m)
    rows = [[p, *(cells[p].get(lb, "-") for lb in results)] for p in order]
    parts.append("each offset against the mean direction (cosine)\n"
                 + columns(["pair", *results], rows))
    return join(*parts, missing_lines(results))


def draw(results: Directions | Mapping[str, Directions]):
    """The cosine matrix of the unit offsets per source, then a bar per source:
    its consistency score beside the random-offset baseline."""
    results = mapping(results)
    fig, axs = figure(1, len(results) + 1, width=4.6, height=4.2)
    for col, (label, r) in enumerate(results.items()):
        names = [f"{a}->{b}" for a, b in r.pairs]
        heatmap(fig, axs[0, col], r.matrix, names,
                 f"{label}: consistency {r.consistency:.2f}")
    ax = axs[0, -1]
    y = np.arange(len(results))
    ax.barh(y - 0.2, [r.consistency for r in results.values()], 0.4, label="the offsets")
    ax.barh(y + 0.2, [r.random_consistency for r in results.values()], 0.4,
            label="random offsets", color="lightgray")
    ax.set_yticks(y, [fill(label, 18) for label in results], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="k", lw=0.5)
    ax.set(title="consistency score", xlabel="mean cosine between offsets")
    legend_below(fig, [ax])
    return fig


ANALYSIS = Analysis(
    name="directions",
    order=8,
    question=__doc__.splitlines()[0],
    title="Is 'plural' one direction?",
    look_for=("If cat-to-cats, dog-to-dogs, ... all point the same way the heatmap is red and "
              "the consistency score is well above that of random offsets."),
    compute=directions,
    render=render,
    draw=draw,
    result=Directions,
    arguments=(Argument("word_pairs", many=True, metavar="[A:B]...", pairs=True),),
    options=(Option("seed", "Seed of the random offsets."),),
)
