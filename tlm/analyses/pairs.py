"""Do related words score higher than random pairs?

king:queen at 0.78 is high only if random pairs score far less; the percentile
of each pair's cosine among random pairs says how far it stands out.
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
    join,
    known_pairs,
    legend_below,
    mapping,
    missing_lines,
)
from tlm.analyses.background import Background, background
from tlm.errors import TlmError
from tlm.vectors import Source, keyed_vectors

#: The notebook's eleven pairs: close in meaning, related, and unrelated.
DEFAULT_PAIRS = (
    ("king", "queen"), ("dog", "cat"), ("paris", "london"), ("happy", "joyful"),
    ("run", "sprint"), ("king", "castle"), ("dog", "park"), ("france", "paris"),
    ("king", "banana"), ("dog", "algebra"), ("happy", "concrete"),
)


@dataclass(repr=False)
class Pairs(Result):
    """Chosen word pairs, each against the random-pair background."""

    pairs: list[tuple[str, str]]
    cos: np.ndarray  # (P,)
    euclid: np.ndarray  # (P,)
    percentile: np.ndarray  # (P,) share of random pairs below each cosine, in %
    background: Background
    missing: list[tuple[str, str]]


def pairs(
    vectors: Source,
    word_pairs: Sequence[tuple[str, str]] | Sequence[str] = DEFAULT_PAIRS,
    background_: Background | None = None,
) -> Pairs:
    """Cosine and Euclidean distance of each pair ('king:queen' or ('king', 'queen')),
    and where its cosine stands among random pairs (its percentile)."""
    kv = keyed_vectors(vectors)
    bg = background_ or background(kv)
    kept, missing = known_pairs(kv, word_pairs)
    if not kept:
        raise TlmError("none of the word pairs has both words in these vectors")
    cos = np.array([float(kv.similarity(a, b)) for a, b in kept])
    euclid = np.array([float(np.linalg.norm(kv[a] - kv[b])) for a, b in kept])
    pct = np.array([bg.percentile(c) for c in cos])
    return Pairs(kept, cos, euclid, pct, bg, missing)


def render(results: Mapping[str, Pairs]) -> str:
    order: list[tuple[str, str]] = []
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for label, r in results.items():
        for (a, b), c, e, p in zip(r.pairs, r.cos, r.euclid, r.percentile, strict=True):
            key = (a.lower(), b.lower())
            if key not in cells:
                order.append(key)
                cells[key] = {}
            cells[key][label] = f"{c:6.3f} {e:6.2f} {p:5.1f}%"
    rows = [[f"{a}:{b}", *(cells[(a, b)].get(lb, "-") for lb in results)] for a, b in order]
    bg = [f"{label}: random pairs average {r.background.cos_mean:.3f} "
          f"(99th percentile {r.background.cos_p99:.3f})" for label, r in results.items()]
    return join(
        "cosine, distance, and the share of random pairs whose cosine is lower\n"
        + columns(["pair", *results], rows),
        "\n".join(bg), missing_lines(results))


def draw(results: Pairs | Mapping[str, Pairs]):
    """A bar per pair (its cosine) against the random-pair mean and 99th percentile."""
    results = mapping(results)
    fig, axs = figure(1, len(results), height=0.3 * max(len(r.pairs) for r in
                                                          results.values()) + 1.5)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        names = [f"{a}:{b}" for a, b in r.pairs]
        ax.barh(names, r.cos, color="tab:blue")
        ax.invert_yaxis()
        ax.axvline(r.background.cos_mean, color="k", ls="--", label="random pairs: mean")
        ax.axvline(r.background.cos_p99, color="tab:red", ls=":", label="random pairs: 99th pct")
        ax.set(title=label, xlabel="cosine", xlim=(min(-0.1, r.cos.min() - 0.05), 1))
    legend_below(fig, axs)
    return fig


ANALYSIS = Analysis(
    name="pairs",
    order=3,
    question=__doc__.splitlines()[0],
    title='Word pairs against the baseline',
    look_for=("Do related pairs (king-queen, dog-cat) beat unrelated ones (king-banana)? The "
              "percentile says how many random pairs score lower."),
    compute=pairs,
    render=render,
    draw=draw,
    result=Pairs,
    arguments=(Argument("word_pairs", many=True, metavar="[A:B]...", pairs=True),),
)
