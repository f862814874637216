"""Do cosine and Euclidean distance agree on what is near?

Cosine ignores length; distance does not. The words whose two ranks differ
most are often the frequent words with long vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    label_points,
    legend_below,
    mapping,
    sample,
)
from tlm.analyses.analogy import LANDMARKS as GROUPS
from tlm.vectors import Source, expression, find, keyed_vectors, unit, unit_rows

#: The notebook's landmark words (§8c: its analogy's, in the analogy's four groups).
LANDMARKS = tuple(w for words in GROUPS.values() for w in words)


@dataclass(repr=False)
class CosEuclid(Result):
    """Every word's cosine with and Euclidean distance from a query."""

    query: str
    words: list[str]  # the table's words, in its order
    cos: np.ndarray  # (V,)
    euclid: np.ndarray  # (V,)
    disagree: list[tuple[str, int, int]]  # (word, rank by cosine, rank by distance)
    landmarks: list[str] = field(default_factory=list)  # the query's words and LANDMARKS known


def cos_vs_euclid(vectors: Source, query: str, n: int = 10, top: int = 100) -> CosEuclid:
    """For a word or an expression ('king - man + woman'): each word's cosine
    and distance, and the n words (among the `top` nearest by either measure)
    whose two ranks differ most. Cosine ignores length; distance does not."""
    kv = keyed_vectors(vectors)
    check_size(kv, 2, "cos-vs-euclid")
    q, used = expression(vectors, query)
    cos = unit_rows(kv) @ unit(q)  # (V,)
    euclid = np.linalg.norm(kv.vectors - q, axis=1)  # (V,)
    skip = [kv.key_to_index[w] for w in used if kv.has_index_for(w)]
    c, e = cos.astype(np.float64), euclid.astype(np.float64)
    c[skip], e[skip] = -np.inf, np.inf  # the query's own words rank last
    rank_cos = np.empty(len(kv), dtype=int)
    rank_cos[np.argsort(-c, kind="stable")] = np.arange(1, len(kv) + 1)
    rank_euc = np.empty(len(kv), dtype=int)
    rank_euc[np.argsort(e, kind="stable")] = np.arange(1, len(kv) + 1)
    near = np.flatnonzero((rank_cos <= top) | (rank_euc <= top))
    near = near[~np.isin(near, skip)]
    order = near[np.argsort(-np.abs(rank_cos[near] - rank_euc[near]), kind="stable")][:n]
    disagree = [(kv.index_to_key[i], int(rank_cos[i]), int(rank_euc[i])) for i in order]
    marks = list(dict.fromkeys([*used, *(k for k in (find(kv, w) for w in LANDMARKS) if k)]))
    return CosEuclid(query, kv.index_to_key, cos.astype(np.float64), euclid.astype(np.float64),
                     disagree, [w for w in marks if kv.has_index_for(w)])


def render(results: Mapping[str, CosEuclid]) -> str:
    parts = []
    for label, r in results.items():
        rows = [[w, str(c), str(e)] for w, c, e in r.disagree]
        parts.append(f"{label}: where cosine and distance from {r.query!r} disagree most\n"
                     + columns(["word", "rank by cosine", "rank by distance"], rows))
    return join(*parts)


def draw(results: CosEuclid | Mapping[str, CosEuclid]):
    """Every word's cosine against its distance from the query; the words where the
    two rankings disagree most are labelled."""
    results = mapping(results)
    fig, axs = figure(1, len(results), width=5, height=4)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        idx = sample(len(r.cos))
        ax.scatter(r.cos[idx], r.euclid[idx], s=2, alpha=0.3, color="tab:blue", rasterized=True)
        where = {w: i for i, w in enumerate(r.words)} if r.disagree else {}
        at = {w: i for i, w in enumerate(r.words)}
        marks = [at[w] for w in r.landmarks]
        ax.scatter(r.cos[marks], r.euclid[marks], s=14, color="#e0a500", zorder=3,
                   label="landmarks (the notebook's)")
        label_points(ax, [f"{r.words[i]} {r.cos[i]:.2f}, {r.euclid[i]:.1f}" for i in marks],
                     np.column_stack([r.cos[marks], r.euclid[marks]]), keep=True,
                     color="#8a6000")
        marked = [where[w] for w, _, _ in r.disagree]
        ax.scatter(r.cos[marked], r.euclid[marked], s=10, color="tab:red",
                   label="where the two rankings disagree most")
        label_points(ax, [r.words[i] for i in marked],
                     np.column_stack([r.cos[marked], r.euclid[marked]]))
        ax.set(title=f"{label}: {r.query!r}", xlabel="cosine", ylabel="Euclidean distance")
    legend_below(fig, axs)
    return fig


ANALYSIS = Analysis(
    name="cos-vs-euclid",
    order=6,
    question=__doc__.splitlines()[0],
    title='Cosine against Euclidean distance',
    look_for=("Cosine ignores length, distance does not. Which words does one measure call near "
              "and the other far? Often the frequent words with long vectors."),
    compute=cos_vs_euclid,
    render=render,
    draw=draw,
    result=CosEuclid,
    arguments=(Argument("query"),),
    options=(Option("n", "Words where the rankings disagree most.", flag="-n"),),
    atlas={"query": "happy"},
)
