"""Do frequent words get longer vectors?

Each word's frequency rank against the length of its vector. A tlm model
knows its counts; GloVe and word2vec files list words most frequent first, so
their order is the rank.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from tlm import pretrained
from tlm.analyses._base import Analysis, Result, check_size, figure, mapping, sample, summary
from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.table import score
from tlm.vectors import Source, keyed_vectors


@dataclass(repr=False)
class Frequency(Result):
    """Word frequency rank against vector length."""

    words: list[str]
    ranks: np.ndarray  # (V,) 1 = most frequent
    norms: np.ndarray  # (V,)
    spearman: float  # rank correlation of rank and norm
    ranks_from: str  # "counts" (the model counted its words) or "order" (file order)


def frequency(source: Source) -> Frequency:
    """Each word's frequency rank against the length of its vector. A tlm model
    knows its counts; GloVe and word2vec files list words most frequent first,
    so their order is the rank."""

    kv = keyed_vectors(source)
    check_size(kv, 2, "frequency")
    order = pretrained.info(kv).order
    if not isinstance(source, Model) and order not in ("counts", "frequency"):
        raise TlmError(
            "frequency needs each word's frequency, and these vectors have no counts: their "
            f"keys are {pretrained.info(kv).order_text}")
    words = list(kv.index_to_key)
    if isinstance(source, Model):
        count_of = dict(zip(source.vocab, source.word_counts, strict=True))
        counts = np.array([count_of.get(w, 0) for w in words])
        how = "counts"
    elif "count" in kv.expandos and np.any(kv.expandos["count"]):  # a file that had counts
        counts = np.asarray(kv.expandos["count"])
        how = "counts"
    else:
        counts = None
        how = "order"
    if counts is not None and np.ptp(counts) > 0:
        ranks = np.empty(len(words), dtype=int)
        ranks[np.argsort(-counts, kind="stable")] = np.arange(1, len(words) + 1)
    else:
        ranks = np.arange(1, len(words) + 1)
        how = "order"
    n = np.sqrt(np.einsum("vd,vd->v", kv.vectors, kv.vectors, dtype=np.float64))  # (V,)
    rho = float(spearmanr(ranks, n).statistic) if np.ptp(n) > 0 else float("nan")
    return Frequency(words, ranks, n, rho, how)


def render(results: Mapping[str, Frequency]) -> str:
    bands = [(1, 100), (101, 1000), (1001, 10000), (10001, None)]

    def band(lo: int, hi: int | None) -> Callable:
        def cell(r: Frequency) -> str:
            mask = (r.ranks >= lo) & (r.ranks <= (hi or r.ranks.max()))
            return score(float(r.norms[mask].mean())) if mask.any() else "-"
        return cell

    rows = [("ranks from", lambda r: "the model's counts" if r.ranks_from == "counts"
             else "file order"),
            ("Spearman(rank, norm)", lambda r: score(r.spearman))]
    rows += [(f"mean norm, ranks {lo}-{hi or 'end'}", band(lo, hi)) for lo, hi in bands]
    return summary("frequency rank against vector length", results, rows)


def draw(results: Frequency | Mapping[str, Frequency]):
    """Frequency rank (log) against vector length, per source."""
    results = mapping(results)
    fig, axs = figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        idx = sample(len(r.ranks))
        ax.scatter(r.ranks[idx], r.norms[idx], s=2, alpha=0.3, rasterized=True)
        how = "counts" if r.ranks_from == "counts" else "file order"
        ax.set(title=f"{label}: Spearman {r.spearman:.2f}", xscale="log",
               xlabel=f"frequency rank (from {how})", ylabel="|E[i]|")
    return fig


ANALYSIS = Analysis(
    name="frequency",
    order=15,
    question=__doc__.splitlines()[0],
    title='Frequency against length',
    look_for=("Do frequent words get longer or shorter vectors? A strong correlation means "
              "length carries frequency, one more reason to compare by cosine."),
    compute=frequency,
    render=render,
    draw=draw,
    result=Frequency,
)
