"""Why is every cosine computed with one matrix product, not a loop over the rows?

The same numbers two ways, timed on the learner's own table: a Python loop that
takes each row in turn (its dot product with the query over both lengths), and
one product U @ u of the unit-length table with the unit query. The two
results agree (their correlation is 1.000); only the time differs. This is the
reason the lab's code is written with matrices (the GPT-2 similarity post's
lesson on vectorisation).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Argument,
    Result,
    figure,
    legend_below,
    mapping,
    summary,
)
from tlm.table import score
from tlm.vectors import Source, expression, keyed_vectors, unit, unit_rows


@dataclass(repr=False)
class LoopVsMatrix(Result):
    """The time of a row-by-row loop and of one matrix product for the same cosines."""

    query: str
    rows: int
    loop_seconds: float
    matrix_seconds: float  # the fastest of `repeats` products
    correlation: float  # of the two results: 1.000
    largest_difference: float  # the largest |loop - matrix| over all rows


def cosines_by_loop(E: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The plain form: for each row e, cos(e, q) = e . q / (|e| |q|), one row at a time."""
    out = np.empty(len(E))
    q_norm = float(np.sqrt(q @ q))
    for i in range(len(E)):
        e = E[i]  # (d,)
        out[i] = float(e @ q) / max(float(np.sqrt(e @ e)) * q_norm, 1e-12)
    return out


def loop_vs_matrix(vectors: Source, query: str = "king", repeats: int = 5) -> LoopVsMatrix:
    """Every word's cosine with `query` (a word or 'king - man + woman'), once by
    a loop over the rows and once by one matrix product (`repeats` times, the
    fastest kept), each timed; and how well the two results agree."""
    kv = keyed_vectors(vectors)
    q, _ = expression(vectors, query)  # (d,)
    E = np.asarray(kv.vectors, dtype=np.float32)  # (V, d)
    start = time.perf_counter()
    by_loop = cosines_by_loop(E, q)  # (V,)
    loop_seconds = time.perf_counter() - start
    U = unit_rows(kv)  # (V, d), built once (as the explorer keeps it)
    u = unit(q).astype(np.float32)  # (d,)
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        by_matrix = U @ u  # (V,) every cosine at once
        best = min(best, time.perf_counter() - start)
    correlation = float(np.corrcoef(by_loop, by_matrix)[0, 1]) if len(E) > 1 else 1.0
    return LoopVsMatrix(query, len(E), loop_seconds, best, correlation,
                        float(np.max(np.abs(by_loop - by_matrix))))


def speedup(r: LoopVsMatrix) -> float:
    """How many times faster the product was than the loop."""
    return r.loop_seconds / max(r.matrix_seconds, 1e-9)


def render(results: Mapping[str, LoopVsMatrix]) -> str:
    first = next(iter(results.values()))
    return summary(f"every word's cosine with {first.query!r}: a loop against one product",
                   results, [
                       ("rows", lambda r: f"{r.rows:,}"),
                       ("loop over the rows (s)", lambda r: f"{r.loop_seconds:.4f}"),
                       ("one matrix product (s)", lambda r: f"{r.matrix_seconds:.6f}"),
                       ("times faster", lambda r: f"{speedup(r):,.0f}"),
                       ("correlation of the results", lambda r: score(r.correlation, ".3f")),
                       ("largest difference", lambda r: f"{r.largest_difference:.1e}"),
                   ])


def draw(results: LoopVsMatrix | Mapping[str, LoopVsMatrix]):
    """Seconds for the loop and for the product, per source (log scale)."""
    results = mapping(results)
    fig, axs = figure(1, 1, width=5.5, height=0.6 * len(results) + 2.4)
    ax = axs[0, 0]
    y = np.arange(len(results))
    ax.barh(y - 0.2, [r.loop_seconds for r in results.values()], 0.4, label="a loop over the rows",
            color="tab:red")
    ax.barh(y + 0.2, [r.matrix_seconds for r in results.values()], 0.4,
            label="one matrix product", color="tab:blue")
    ax.set_yticks(y, list(results), fontsize=7)
    ax.invert_yaxis()
    ax.set(xscale="log", xlabel="seconds (log scale)",
           title=f"every cosine with {next(iter(results.values())).query!r}")
    legend_below(fig, axs)
    return fig


ANALYSIS = Analysis(
    name="loop-vs-matrix",
    order=17,
    question=__doc__.splitlines()[0],
    title="A loop or one matrix product?",
    look_for=("The same cosines, the same answer (correlation 1.000): how many times faster "
              "is the one product than the loop?"),
    compute=loop_vs_matrix,
    render=render,
    draw=draw,
    result=LoopVsMatrix,
    arguments=(Argument("query"),),
    in_atlas=False,  # its times belong to the machine, not to the vectors
)
