"""Are a few words everyone's neighbour?

In many dimensions some words (hubs) turn up in most words' nearest lists;
the skewness of N_k, how often each word is among the others' k nearest,
measures it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

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
from tlm.models.threaded import cores
from tlm.seeds import check_seed
from tlm.table import score
from tlm.vectors import Source, keyed_vectors, unit_rows

#: The largest sample: its m x m cosines take minutes beyond this (50,000: 2.5e9).
MAX_SAMPLE = 50_000
#: What each thread keeps per neighbour of a word (its cosine, its row) and the merge's copy.
BEST_BYTES = 2 * (4 + 8)
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
    block: int = 2048,
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
    memory.check_fits(cores() * m * int(k) * BEST_BYTES, f"-k {k} nearest of {m:,} words",
                      "give a smaller -k or --sample")
    rows = np.arange(m)
    if m < len(kv):
        rows = np.sort(np.random.default_rng(seed).choice(len(kv), size=m, replace=False))
    S = unit_rows(kv, rows)  # (m, d)
    block = min(block, int(np.sqrt(memory.BLOCK_BYTES / 8)))  # a (b, b) block of cosines, masks
    nearest = k_nearest(S, int(k), max(1, block))  # (m, k)
    counts = np.bincount(nearest.ravel(), minlength=m)  # N_k of each word
    words = [kv.index_to_key[i] for i in rows]
    order = np.argsort(-counts, kind="stable")[:top]
    sk = skewness(counts)
    return Hubness(k, words, counts, sk, [(words[i], int(counts[i])) for i in order], m < len(kv))


def skewness(x: np.ndarray) -> float:
    """The (biased) sample skewness m3 / m2^1.5 of x, as scipy.stats.skew gives
    it; 0 when every value is the same."""
    x = np.asarray(x, dtype=np.float64)
    c = x - x.mean()
    m2, m3 = float(np.mean(c * c)), float(np.mean(c * c * c))
    return m3 / m2**1.5 if m2 > 0 else 0.0


def k_nearest_plain(S: np.ndarray, k: int) -> np.ndarray:
    """(m, k): the k rows of highest cosine with each row of the unit rows S
    (itself left out), highest first, ties to the lower index. The plain form
    of `k_nearest`: every cosine at once, every row sorted."""
    sims = S @ S.T  # (m, m)
    np.fill_diagonal(sims, -np.inf)  # a word is not its own neighbour
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def k_nearest(S: np.ndarray, k: int, block: int = 2048, threads: int | None = None) -> np.ndarray:
    """The same as `k_nearest_plain`, in (b, b) blocks of cosines on every core.

    The cosines are symmetric, so each block S_i @ S_j.T (j >= i) serves the
    rows of block i and, transposed, those of block j: half the products. Each
    row keeps its k best so far; only a block's cosines at or above a row's
    current k-th best (or, on a row's first block, above the k-th largest of
    the block's chunk maxima, which k cosines reach) are merged into it, so no
    row is ever sorted whole. The rows are taken in a shuffled order, so that
    every block is a fair sample (a table ranked by frequency would otherwise
    show rare words only frequent ones first, whose k-th best is a poor floor).
    The blocks are shared between threads (numpy and BLAS, held to one thread
    each, release the GIL), each keeping its own k best, merged at the end."""
    m = len(S)
    shuffle = np.random.default_rng(0).permutation(m)  # block row p is row shuffle[p]
    S = S[shuffle]
    starts = list(range(0, m, block))
    pairs = [(i, j) for i in starts for j in starts if j >= i]
    threads = max(1, min(threads or cores(), len(pairs)))
    bests = [Best(m, k, shuffle) for _ in range(threads)]

    def work(t: int) -> None:
        best = bests[t]
        for i, j in pairs[t::threads]:
            G = S[i:i + block] @ S[j:j + block].T  # (bi, bj) cosines
            if i == j:
                np.fill_diagonal(G, -np.inf)  # a word is not its own neighbour
            best.add(i, j, G, axis=1)  # the rows of block i, by the columns of block j
            if i != j:
                best.add(j, i, G, axis=0)  # the rows of block j, the same cosines

    if threads == 1:
        work(0)
    else:
        with ThreadPoolExecutor(threads) as pool, threadpool_limits(1, user_api="blas"):
            list(pool.map(work, range(threads)))
    best = bests[0]
    for other in bests[1:]:  # each row's k best of both threads' lists
        best.merge(0, np.repeat(np.arange(m), k), other.index.ravel(), other.value.ravel())
    nearest = np.empty_like(best.index)
    nearest[shuffle] = best.index  # back in the sample's order
    return nearest


class Best:
    """Each row's k highest cosines so far (value, column), highest first, for
    rows in a shuffled order (row p is the sample's row shuffle[p]) and columns
    by their place in the sample, so ties go to the lower place."""

    def __init__(self, m: int, k: int, shuffle: np.ndarray) -> None:
        self.k, self.shuffle = k, shuffle
        self.value = np.full((m, k), -np.inf, dtype=np.float32)  # (m, k)
        self.index = np.full((m, k), -1, dtype=np.int64)  # (m, k); -1: none yet

    def add(self, row0: int, col0: int, G: np.ndarray, axis: int) -> None:
        """Merge the cosines of block G: the rows row0... along `axis` of G (1: G's
        rows are the rows, 0: G's columns are), the columns col0... the other way."""
        rows = G.shape[1 - axis]
        floor = self.value[row0:row0 + rows, -1]  # (rows,) each row's k-th best so far
        if not np.isfinite(floor).all():
            floor = np.maximum(floor, chunk_floor(G, self.k, axis))
        at = np.flatnonzero(G >= (floor[:, None] if axis == 1 else floor[None, :]))
        vals = G.ravel()[at]  # the candidates' cosines
        first, second = np.divmod(at, G.shape[1])  # their places in G
        owner, col = (first, second) if axis == 1 else (second, first)
        self.merge(row0, owner, self.shuffle[col + col0], vals)

    def merge(self, row0: int, owner: np.ndarray, col: np.ndarray, vals: np.ndarray) -> None:
        """Merge candidates (row row0 + owner, column col, cosine vals) into the best."""
        if len(owner) == 0:
            return
        per_row = np.bincount(owner)  # candidates of each row
        touched = np.flatnonzero(per_row)  # the rows with candidates
        at = (np.cumsum(per_row > 0) - 1)[owner]  # each candidate's place in `touched`
        k, n = self.k, len(touched)
        who = np.concatenate([np.repeat(np.arange(n), k), at])
        v = np.concatenate([self.value[row0 + touched].ravel(), vals])
        c = np.concatenate([self.index[row0 + touched].ravel(), col])
        order = by_row_then_cosine(who, v, c)
        sizes = k + per_row[touched]  # each row's entries, old and new
        first = np.cumsum(sizes) - sizes  # where each row's entries start
        take = order[first[:, None] + np.arange(k)]  # (n, k): each row's k best
        self.value[row0 + touched] = v[take]
        self.index[row0 + touched] = c[take]


def by_row_then_cosine(who: np.ndarray, v: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The order that sorts entries by row `who`, then cosine `v` (float32) from the
    highest, then column `c`: `np.lexsort((c, -v, who))`. Faster: the row and the
    cosine as one 64-bit key (the float's bits mapped so that their order as
    integers is the floats' order, highest first), sorted once; the three keys
    only when two entries tie on both."""
    bits = (v + np.float32(0)).view(np.uint32)  # -0.0 made +0.0 first: they are equal
    rising = np.where(bits >> 31, ~bits, bits | np.uint32(0x80000000))  # order of the floats
    key = (who.astype(np.uint64) << np.uint64(32)) | (~rising).astype(np.uint64)
    order = np.argsort(key)
    ranked = key[order]
    if (ranked[1:] == ranked[:-1]).any():  # a tie: the lower column first
        order = np.lexsort((c, key))
    return order


def chunk_floor(G: np.ndarray, k: int, axis: int) -> np.ndarray:
    """For each row of G along `axis`, a value that at least k of its entries
    reach: the k-th largest of the maxima of disjoint chunks of it (-inf when
    it has too few entries for k chunks)."""
    n = G.shape[axis]
    size = 16 if n >= 16 * k else n // k
    if size < 1:
        return np.full(G.shape[1 - axis], -np.inf, dtype=G.dtype)
    chunks = n // size
    if axis == 1:
        maxima = G[:, :chunks * size].reshape(len(G), chunks, size).max(axis=2)  # (rows, chunks)
    else:
        maxima = G[:chunks * size].reshape(chunks, size, -1).max(axis=1).T  # (rows, chunks)
    return np.partition(maxima, chunks - k, axis=1)[:, chunks - k]


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
