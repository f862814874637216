"""What does the embedding matrix itself look like?

A slice of E: some words by the first dimensions. No single dimension means
'royalty' or 'plural'; meaning is spread over all of them.
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
    join,
    mapping,
)
from tlm.errors import TlmError
from tlm.seeds import check_seed
from tlm.vectors import Source, keyed_vectors, lookup


@dataclass(repr=False)
class Matrix(Result):
    """A slice of the embedding matrix: some words x the first dimensions."""

    words: list[str]
    values: np.ndarray  # (n, D)


def matrix(
    vectors: Source, n: int = 20, dims: int = 50, seed: int = 0,
    words: Sequence[str] | None = None, among: int = 10000,
) -> Matrix:
    """n random words (seeded; or the words given) x the first `dims` dimensions.
    The random words come from the `among` most frequent (GloVe's 400,000 are
    mostly names, numbers and typos a learner would not know)."""
    kv = keyed_vectors(vectors)
    check_size(kv, 1, "matrix")
    if n < 1 or dims < 1 or among < 1:
        raise TlmError(f"matrix needs at least 1 word (of at least 1) and 1 dimension, not "
                       f"{n} (of {among}) x {dims}")
    check_seed(seed)
    if words:
        found, _ = lookup(kv, words)
        if not found:
            raise TlmError("none of the words is in these vectors")
    else:
        rng = np.random.default_rng(seed)
        pool = min(among, len(kv))
        rows = np.sort(rng.choice(pool, size=min(n, pool), replace=False))
        found = [kv.index_to_key[i] for i in rows]
    X = np.stack([kv[w] for w in found])[:, :dims]
    return Matrix(found, X.astype(np.float64))


def render(results: Mapping[str, Matrix], shown: int = 8) -> str:
    parts = []
    for label, r in results.items():
        D = r.values.shape[1]
        rows = [[w, *(f"{x:6.2f}" for x in row[:shown])] for w, row in zip(r.words, r.values,
                                                                              strict=True)]
        parts.append(f"{label}: {len(r.words)} words x {D} dimensions "
                     f"(the first {min(shown, D)} shown)\n"
                     + columns(["", *(str(i) for i in range(min(shown, D)))], rows))
    return join(*parts)


#: The colour scale of the matrix covers this share of its cells' sizes.
COVERED = 0.98


def colour_limit(values: np.ndarray) -> tuple[float, int]:
    """(the scale's half-width, how many cells lie beyond it): the 98th percentile
    of |value|, so one long vector (a frequent word's) does not turn every other
    cell white; the few cells beyond are drawn in the scale's end colours."""
    size = np.abs(values[np.isfinite(values)])
    if size.size == 0 or size.max() == 0:
        return 1.0, 0
    lim = float(np.quantile(size, COVERED)) or float(size.max())
    return lim, int((size > lim).sum())


def draw(results: Matrix | Mapping[str, Matrix]):
    """A heatmap of a slice of the embedding matrix, per source."""
    results = mapping(results)
    fig, axs = figure(1, len(results), width=6, height=0.22 * max(
        len(r.words) for r in results.values()) + 1.5)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        lim, beyond = colour_limit(r.values)
        image = ax.imshow(r.values, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_yticks(range(len(r.words)), r.words, fontsize=7)
        ax.set(title=f"{label}: {len(r.words)} words x {r.values.shape[1]} dimensions",
               xlabel="dimension")
        bar = fig.colorbar(image, ax=ax, shrink=0.8, extend="both" if beyond else "neither")
        bar.set_label(f"value, scale -{lim:.2f} to {lim:.2f}"
                      + (f"\n({beyond} cells beyond it, at its ends)" if beyond else ""),
                      fontsize=7)
    return fig


ANALYSIS = Analysis(
    name="matrix",
    order=11,
    question=__doc__.splitlines()[0],
    title='A slice of the matrix',
    look_for=("Twenty random words (of the 10,000 most frequent) by the first dimensions: no "
              "single dimension means 'royalty' or 'plural'; meaning is spread over all of "
              "them."),
    compute=matrix,
    render=render,
    draw=draw,
    result=Matrix,
    arguments=(Argument("words", many=True),),
    options=(Option("n", "Random words (when no WORDS are given).", flag="-n"),
             Option("dims", "The first this many dimensions."),
             Option("seed", "Seed of the random words."),
             Option("among", "The random words come from this many most frequent words.")),
)
