"""What cosine do two random words get?

A similarity of 0.93 means nothing until it is set against what two random
words score in the same table: the mean and 99th percentile of random pairs are
the baseline every other analysis draws beside its numbers.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tlm import memory
from tlm.analyses._base import Analysis, Option, Result, check_size, figure, mapping, summary
from tlm.errors import TlmError
from tlm.seeds import check_seed
from tlm.table import score
from tlm.vectors import Source, keyed_vectors, random_pairs, unit_rows


@dataclass(repr=False)
class Background(Result):
    """Cosine similarity and Euclidean distance of random pairs of distinct words:
    the baseline any similarity must stand out from."""

    cos: np.ndarray  # (n,)
    euclid: np.ndarray  # (n,)
    seed: int

    @property
    def cos_mean(self) -> float:
        return float(self.cos.mean())

    @property
    def cos_std(self) -> float:
        return float(self.cos.std())

    @property
    def cos_p99(self) -> float:
        return float(np.percentile(self.cos, 99))

    @property
    def euclid_mean(self) -> float:
        return float(self.euclid.mean())

    @property
    def euclid_std(self) -> float:
        return float(self.euclid.std())

    def percentile(self, cos: float) -> float:
        """The share of random pairs (in %) whose cosine is below `cos`."""
        return float(100 * np.mean(self.cos < cos))


#: What one pair holds: its two row ids, its cosine and distance (the result).
PAIR_BYTES = 4 * 8

_background_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def background(vectors: Source, n: int = 5000, seed: int = 0) -> Background:
    """cos and Euclidean distance over n random pairs of distinct words (seeded)."""
    kv = keyed_vectors(vectors)
    check_size(kv, 2, "a random-pair background")
    if not isinstance(n, int | np.integer) or n < 1:
        raise TlmError(f"the number of pairs must be at least 1, not {n!r}")
    check_seed(seed)
    memory.check_fits(int(n) * PAIR_BYTES, f"-n {n} random pairs", "give a smaller -n")
    cached = _background_cache.get(kv)
    if cached is not None and cached[0] == (kv.vectors.shape, n, seed) and cached[1] is kv.vectors:
        return cached[2]
    i, j = random_pairs(len(kv), n, seed)
    cos, euclid = np.empty(n), np.empty(n)  # (n,) each
    step = memory.block_rows(3 * kv.vector_size * 4)  # the pairs' rows, a block at a time
    for s in range(0, n, step):
        a, b = i[s:s + step], j[s:s + step]
        cos[s:s + step] = np.einsum("nd,nd->n", unit_rows(kv, a), unit_rows(kv, b))  # dots
        euclid[s:s + step] = np.linalg.norm(kv.vectors[a] - kv.vectors[b], axis=1)
    result = Background(cos=cos, euclid=euclid, seed=seed)
    _background_cache[kv] = ((kv.vectors.shape, n, seed), kv.vectors, result)
    return result


def render(results: Mapping[str, Background]) -> str:
    return summary("random pairs of distinct words", results, [
        ("pairs", lambda r: str(len(r.cos))),
        ("cosine mean", lambda r: score(r.cos_mean)),
        ("cosine std", lambda r: score(r.cos_std)),
        ("cosine 99th percentile", lambda r: score(r.cos_p99)),
        ("distance mean", lambda r: score(r.euclid_mean)),
        ("distance std", lambda r: score(r.euclid_std)),
    ])


def draw(results: Background | Mapping[str, Background]):
    """Histograms of random pairs' cosine (top) and distance (bottom), per source."""
    results = mapping(results)
    fig, axs = figure(2, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.hist(r.cos, bins=60, range=(-1, 1), color="tab:blue")
        ax.axvline(r.cos_mean, color="k", ls="--", label=f"mean {r.cos_mean:.2f}")
        ax.axvline(r.cos_p99, color="tab:red", ls=":", label=f"99th pct {r.cos_p99:.2f}")
        ax.set(title=f"{label}: {len(r.cos)} random pairs", xlabel="cosine", ylabel="pairs")
        ax.legend(fontsize=8)
        ax = axs[1, col]
        ax.hist(r.euclid, bins=60, color="tab:green")
        ax.axvline(r.euclid_mean, color="k", ls="--", label=f"mean {r.euclid_mean:.2f}")
        ax.set(title=f"{label}: distances", xlabel="Euclidean distance", ylabel="pairs")
        ax.legend(fontsize=8)
    return fig


ANALYSIS = Analysis(
    name="background",
    order=2,
    question=__doc__.splitlines()[0],
    title='Random pairs: the baseline',
    look_for=("What cosine do two random words get? Every similarity below must stand out from "
              "this: a small model's random pairs can average 0.8, GloVe's about 0.1."),
    compute=background,
    render=render,
    draw=draw,
    result=Background,
    options=(Option("n", "Random pairs of distinct words.", flag="--pairs", flags=("-n",)),
             Option("seed", "Seed of the random pairs.")),
)
