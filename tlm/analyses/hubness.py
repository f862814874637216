"""Are a few words everyone's neighbour?

In many dimensions some words (hubs) turn up in most words' nearest lists;
the skewness of N_k, how often each word is among the others' k nearest,
measures it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import skew

from tlm import memory
from tlm.analyses._base import (
    Analysis,
    Option,
    Result,
    check_size,
    columns,
    figure,
    join,
    label_points,
    legend_below,
    mapping,
    summary,
)
from tlm.errors import TlmError
from tlm.seeds import check_seed
from tlm.table import score
from tlm.vectors import Source, keyed_vectors, unit_rows

#: The largest sample: its m x m cosines take minutes beyond this (50,000: 2.5e9).
MAX_SAMPLE = 50_000
#: Words sampled in the atlas (`tlm explore hubness` samples 20,000; the page keeps to 5,000).
ATLAS_SAMPLE = 5000


@dataclass(repr=False)
class Hubness(Result):
    """How often each word is among the others' k nearest neighbours."""

    k: int
    words: list[str]  # the sample
    counts: np.ndarray  # (m,) N_k: in how many k-nearest lists each word appears
    skewness: float  # of N_k: large and positive means a few hubs are everyone's neighbour
    hubs: list[tuple[str, int]]  # the words of highest N_k
    sampled: bool


def hubness(
    vectors: Source, k: int = 10, sample: int = 20000, seed: int = 0, top: int = 10,
    block: int = 1024,
) -> Hubness:
    """N_k for every word of a seeded sample (the whole table when it is
    smaller): each sampled word's k nearest among the sample, by cosine,
    counted. The skewness of N_k measures hubness (0 for a fair spread)."""

    kv = keyed_vectors(vectors)
    check_size(kv, 2, "hubness")
    m = min(sample, len(kv))
    if m < 2:
        raise TlmError(f"the sample must hold at least 2 words, not {sample}")
    check_seed(seed)
    if m > MAX_SAMPLE:
        raise TlmError(f"--sample {sample}: hubness compares every sampled word with every "
                       f"other ({m:,} x {m:,} cosines); at most {MAX_SAMPLE:,} words")
    if not isinstance(k, int | np.integer) or k < 1 or k >= m:
        raise TlmError(f"k must be from 1 to {m - 1} (the sample holds {m} words), not {k!r}")
    rows = np.arange(m)
    if m < len(kv):
        rows = np.sort(np.random.default_rng(seed).choice(len(kv), size=m, replace=False))
    S = unit_rows(kv)[rows]  # (m, d)
    counts = np.zeros(m, dtype=np.int64)
    block = min(block, memory.block_rows(m * 12))  # a block's cosines and argpartition's ids
    for start in range(0, m, block):
        sims = S[start:start + block] @ S.T  # (b, m)
        b = len(sims)
        sims[np.arange(b), start + np.arange(b)] = -np.inf  # a word is not its own neighbour
        np.negative(sims, out=sims)  # nearest first, in place
        nearest = np.argpartition(sims, k - 1, axis=1)[:, :k]  # (b, k)
        counts += np.bincount(nearest.ravel(), minlength=m)
    words = [kv.index_to_key[i] for i in rows]
    order = np.argsort(-counts, kind="stable")[:top]
    sk = float(skew(counts)) if counts.std() > 0 else 0.0
    return Hubness(k, words, counts, sk, [(words[i], int(counts[i])) for i in order], m < len(kv))


def render(results: Mapping[str, Hubness]) -> str:
    parts = [summary("hubness: N_k, how often a word is among the others' k nearest", results, [
        ("k", lambda r: str(r.k)),
        ("words", lambda r: f"{len(r.words)}{' (a sample)' if r.sampled else ''}"),
        ("skewness of N_k", lambda r: score(r.skewness, ".2f")),
        ("largest N_k", lambda r: str(int(r.counts.max()))),
        ("words never a neighbour", lambda r: str(int((r.counts == 0).sum()))),
    ])]
    n = max(len(r.hubs) for r in results.values())
    rows = [[str(i + 1), *(f"{r.hubs[i][0]}  {r.hubs[i][1]}" if i < len(r.hubs) else ""
                           for r in results.values())] for i in range(n)]
    parts.append("the biggest hubs\n" + columns(["", *results], rows))
    return join(*parts)


def draw(results: Hubness | Mapping[str, Hubness]):
    """Histogram of N_k (in how many k-nearest lists a word appears), per source."""
    results = mapping(results)
    fig, axs = figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.hist(r.counts, bins=min(60, int(r.counts.max()) + 1), color="tab:blue")
        ax.axvline(r.k, color="k", ls="--", label=f"k = {r.k}, the mean N_{r.k}")
        ax.set(title=f"{label}: skewness {r.skewness:.2f}", xlabel=f"N_{r.k}",
               ylabel="words", yscale="log")
        word, count = r.hubs[0]  # the biggest hub, named at its bar
        label_points(ax, [f"{word} ({count})"], np.array([[count, 1.0]]), keep=True)
    legend_below(fig, axs)
    return fig


ANALYSIS = Analysis(
    name="hubness",
    order=12,
    question=__doc__.splitlines()[0],
    title="Hubs: everyone's neighbour",
    look_for=(f"How often each word (of a sample of {ATLAS_SAMPLE:,}) is among the others' 10 "
              "nearest. A "
              "long right tail (large skewness) means a few hubs crowd every neighbour list."),
    compute=hubness,
    render=render,
    draw=draw,
    result=Hubness,
    options=(Option("k", "Nearest words per list.", flag="-k"),
             Option("sample", "Words sampled (seeded) when the vocabulary is larger."),
             Option("seed", "Seed of the sample.")),
    atlas={"sample": ATLAS_SAMPLE},
)
