"""Which words are nearest to a word, and do they stand out from random pairs?

The nearest words by cosine (tlm/vectors.py's `neighbors`, the query's own
words left out), with the table's random-pair mean and 99th percentile beside
them: a neighbour at the random-pair level means little.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Argument,
    Missing,
    Option,
    Result,
    figure,
    fill,
    legend_below,
    mapping,
)
from tlm.analyses.background import Background, background
from tlm.table import score, scored, scored_cells, side_by_side
from tlm.vectors import Source, check_k, keyed_vectors
from tlm.vectors import neighbors as nearest

#: The notebook's four probe words (§4): the atlas's neighbours.
PROBE_WORDS = ("king", "dog", "paris", "happy")
#: Endings that make a word a surface variant of another (king -> kings, kingly).
VARIANT_ENDINGS = ("s", "es", "'s", "d", "ed", "ing", "ly", "er", "est")


@dataclass(repr=False)
class Neighbors(Result):
    """The k nearest words to a query, with the table's random-pair background."""

    query: str
    words: list[str]
    scores: np.ndarray  # (k,) cosine, nearest first
    background_mean: float
    background_p99: float
    left_out: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # the shell's form: one source, a word list
        return as_list(self)

    # a list of (word, cosine) pairs too: neighbors('king')[0] is ('queen', 0.78)
    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: int) -> tuple[str, float]:
        return self.words[i], float(self.scores[i])

    def __iter__(self) -> Iterator[tuple[str, float]]:
        return iter(zip(self.words, self.scores.tolist(), strict=True))


def variants(word: str, candidates: Sequence[str]) -> list[str]:
    """The candidates that are surface variants of `word`: the same word in
    another case, or it plus (or minus) a common ending (king, King, kings, kingly)."""
    w = word.lower()
    out = []
    for c in candidates:
        lc = c.lower()
        short, long_ = sorted((w, lc), key=len)
        if lc == w or (long_.startswith(short) and long_[len(short):] in VARIANT_ENDINGS):
            out.append(c)
    return out


def neighbors(
    vectors: Source,
    query: str | np.ndarray,
    k: int = 10,
    skip_variants: bool = False,
    background_: Background | None = None,
) -> Neighbors:
    """The k words of highest cosine with `query`: a word, an expression such as
    'king - man + woman', or a vector (tlm/vectors.py's `neighbors`: the query's
    own words left out). With skip_variants, the words' surface variants (King,
    kings) are left out too. Beside the scores: the mean and 99th percentile
    cosine of random pairs in the same table."""
    kv = keyed_vectors(vectors)
    near = nearest(vectors, query, k)
    check_k(k, kv)
    if skip_variants and near.left_out:
        candidates = [w for w, _ in nearest(kv, query, min(k + 50, len(kv) - 1))]
        extra = [c for w in near.left_out for c in variants(w, candidates)]
        near = nearest(vectors, query, k, exclude=extra)
    bg = background_ or background(kv)
    return Neighbors(near.query, near.words, near.scores, bg.cos_mean, bg.cos_p99,
                     near.left_out)


def as_list(r: Neighbors) -> str:
    """One source's neighbours as the shell shows them: word and cosine per line,
    what was left out, then where random pairs of the same table stand."""
    lines = [scored(zip(r.words, r.scores, strict=True))]
    if r.left_out:
        lines.append(f"(left out: {', '.join(r.left_out)})")
    lines.append(f"(random pairs here: mean {score(r.background_mean)}, "
                 f"99th percentile {score(r.background_p99)})")
    return "\n".join(lines)


def render(results: Mapping[str, Neighbors]) -> str:
    first = next(iter(results.values()))
    cells = {label: scored_cells(zip(r.words, r.scores, strict=True))
             for label, r in results.items()}
    notes = [f"{label}: random pairs average {score(r.background_mean)}, "
             f"99th percentile {score(r.background_p99)}" for label, r in results.items()]
    lists = {tuple(r.left_out) for r in results.values()}
    if len(lists) == 1:  # the same words in every source: said once
        left = [f"left out: {', '.join(first.left_out)}"] if first.left_out else []
    else:
        left = [f"{label} left out: {', '.join(r.left_out)}"
                for label, r in results.items() if r.left_out]
    return (f"nearest to {first.query!r}\n" + side_by_side(cells) + "\n"
            + "\n".join(notes + left))


def draw(results: Neighbors | Sequence[Neighbors | Missing]
         | Mapping[str, Neighbors | Sequence[Neighbors | Missing]]):
    """Bars of the nearest words' cosines: a row per query word, in the order asked,
    a column per source, in the order given, with the source's random-pair mean and
    99th percentile marked. A cell a source cannot fill (a `Missing`) says why."""
    results = {k: [v] if isinstance(v, Neighbors | Missing) else list(v)
               for k, v in mapping(results).items()}
    rows = max(len(v) for v in results.values())
    k = max((len(n.words) for v in results.values() for n in v if isinstance(n, Neighbors)),
            default=1)
    fig, axs = figure(rows, len(results), height=0.25 * k + 1.7)
    for col, (label, found) in enumerate(results.items()):
        for row in range(rows):
            ax = axs[row, col]
            n = found[row] if row < len(found) else None
            if not isinstance(n, Neighbors):
                ax.set_axis_off()
                if n is not None:
                    ax.set_title(f"{label}: nearest to {n.query!r}")
                    ax.text(0.5, 0.5, fill(n.why, 36), ha="center", va="center",
                            transform=ax.transAxes, color="0.35")
                continue
            ax.barh(n.words, n.scores, color="tab:blue")
            ax.invert_yaxis()
            ax.axvline(n.background_mean, color="k", ls="--", label="random pairs: mean")
            ax.axvline(n.background_p99, color="tab:red", ls=":", label="random pairs: 99th pct")
            ax.set(title=f"{label}: nearest to {n.query!r}", xlabel="cosine",
                   xlim=(min(0, n.background_mean - 0.05), 1))
    legend_below(fig, axs)
    return fig


ANALYSIS = Analysis(
    name="neighbors",
    order=4,
    question=__doc__.splitlines()[0],
    title='Nearest neighbours',
    look_for=("Are the neighbours related in meaning, or merely frequent? Compare each bar with "
              "the dashed line: a neighbour at the random-pair level means little."),
    compute=neighbors,
    render=render,
    draw=draw,
    result=Neighbors,
    arguments=(Argument("query", many=True, metavar="WORD...", required=True),),
    options=(Option("k", "How many words.", flag="-k"),
             Option("skip_variants", "Leave out the word's own surface variants (King, kings).",
                    type=bool)),
    each="query",
    atlas={"query": PROBE_WORDS},
)
