"""Do two tables agree on what is near what?

Over the words they share: the Jaccard overlap of each word's k nearest, and
the rank correlation of random pairs' cosines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from tlm.analyses._base import Analysis, Argument, Option, Result, columns, figure, heatmap, join
from tlm.errors import TlmError
from tlm.vectors import Source, check_k, keyed_vectors, random_pairs, row, unit_rows


@dataclass(repr=False)
class Overlap(Result):
    """How much two or more tables agree, over the words they share."""

    labels: list[str]
    shared: int  # words every table has
    words: list[str]  # the words whose neighbours are compared
    k: int
    jaccard: np.ndarray  # (S, S) mean Jaccard overlap of the k-nearest sets
    per_word: np.ndarray  # (S, S, n) the overlap for each word
    spearman: np.ndarray  # (S, S) rank correlation of random pairs' cosines


def overlap(
    sources: Mapping[str, Source], words: Sequence[str] | None = None, k: int = 10,
    n_words: int = 200, n_pairs: int = 5000, seed: int = 0, frequent: int = 10000,
) -> Overlap:
    """For the same words in each table: the Jaccard overlap |A & B| / |A | B|
    of their k nearest words (searched among the shared vocabulary only), and
    the Spearman correlation of the cosines of n_pairs random shared pairs.
    Without `words`, n_words seeded words from the `frequent` first shared ones."""

    if len(sources) < 2:
        raise TlmError("overlap compares two or more sources; give at least two")
    labels = list(sources)
    kvs = [keyed_vectors(v) for v in sources.values()]
    shared = [w for w in kvs[0].index_to_key if all(w in kv.key_to_index for kv in kvs[1:])]
    if len(shared) < 3:
        raise TlmError(f"the sources share only {len(shared)} words; overlap needs at least 3")
    check_k(k, kvs[0])
    if k >= len(shared):
        raise TlmError(f"k={k} is too large: the sources share only {len(shared)} words")
    position = {w: i for i, w in enumerate(shared)}
    if words:
        chosen = [w for w in words if w in position]
        if not chosen:
            raise TlmError("none of the words is in every source")
    else:
        rng = np.random.default_rng(seed)
        pool = min(frequent, len(shared))
        chosen = [shared[i] for i in np.sort(rng.choice(pool, min(n_words, pool), replace=False))]
    rows = np.array([position[w] for w in chosen])
    Us = [unit_rows(kv)[[row(kv, w) for w in shared]] for kv in kvs]  # (n_shared, d)
    near = []
    for U in Us:
        sims = U[rows] @ U.T  # (n, n_shared)
        sims[np.arange(len(rows)), rows] = -np.inf
        near.append([set(r) for r in np.argpartition(-sims, k - 1, axis=1)[:, :k]])
    S = len(kvs)
    per_word = np.ones((S, S, len(rows)))
    i, j = random_pairs(len(shared), n_pairs, seed)
    cos = [np.einsum("nd,nd->n", U[i], U[j]) for U in Us]
    rho = np.ones((S, S))
    for s in range(S):
        for t in range(s + 1, S):
            per_word[s, t] = per_word[t, s] = [
                len(a & b) / len(a | b) for a, b in zip(near[s], near[t], strict=True)
            ]
            r = spearmanr(cos[s], cos[t]).statistic
            rho[s, t] = rho[t, s] = float(r)
    return Overlap(labels, len(shared), chosen, k, per_word.mean(axis=2), per_word, rho)


def render(results: Mapping[str, Overlap]) -> str:
    parts = []
    for r in results.values():
        header = ["", *r.labels]
        jac = [[a, *(f"{x:.3f}" for x in row)] for a, row in zip(r.labels, r.jaccard,
                                                                  strict=True)]
        rho = [[a, *(f"{x:.3f}" for x in row)] for a, row in zip(r.labels, r.spearman,
                                                                 strict=True)]
        parts.append(
            f"{r.shared} words shared; {len(r.words)} of them compared, k={r.k}\n"
            f"mean Jaccard overlap of the k nearest words\n{columns(header, jac)}\n"
            f"Spearman correlation of random pairs' cosines\n{columns(header, rho)}")
        parts.append(per_word(r))
    return join(*parts)


#: Up to this many words, every word's Jaccard is printed; beyond, the most and least.
PER_WORD = 30


def per_word(r: Overlap) -> str:
    """Each word's Jaccard overlap for every two sources (the notebook's extension:
    which words do the sources agree on?); with many words, the PER_WORD // 2 of
    highest and of lowest mean overlap."""
    S = len(r.labels)
    pairs = [(s, t) for s in range(S) for t in range(s + 1, S)]
    names = [f"{s + 1}~{t + 1}" for s, t in pairs]
    mean = np.mean([r.per_word[s, t] for s, t in pairs], axis=0)  # (n,)
    order = np.argsort(-mean, kind="stable")
    title = "each word's Jaccard overlap"
    if len(order) > PER_WORD:
        half = PER_WORD // 2
        order = np.concatenate([order[:half], order[-half:]])
        title += f" (the {half} highest and the {half} lowest of {len(r.words)})"
    rows = [[r.words[i], *(f"{r.per_word[s, t, i]:.2f}" for s, t in pairs), f"{mean[i]:.2f}"]
            for i in order]
    key = "; ".join(f"{i + 1} = {label}" for i, label in enumerate(r.labels))
    return f"{title}\n{columns(['word', *names, 'mean'], rows)}\n  ({key})"


def draw(result: Overlap):
    """Two heatmaps across the sources: Jaccard overlap and Spearman correlation."""
    fig, axs = figure(1, 2, width=4.6, height=4)
    heatmap(fig, axs[0, 0], result.jaccard, result.labels,
             f"k={result.k} nearest: mean Jaccard", what="Jaccard")
    heatmap(fig, axs[0, 1], result.spearman, result.labels,
             "random pairs' cosines: Spearman", what="Spearman")
    return fig


ANALYSIS = Analysis(
    name="overlap",
    order=14,
    question=__doc__.splitlines()[0],
    title='Do the sources agree?',
    look_for=("How many of a word's 10 nearest neighbours do two sources share (Jaccard), and "
              "do they rank random pairs alike (Spearman)?"),
    compute=overlap,
    render=render,
    draw=draw,
    result=Overlap,
    arguments=(Argument("words", many=True),),
    options=(Option("k", "Nearest words compared.", flag="-k"),),
    across=True,
)
