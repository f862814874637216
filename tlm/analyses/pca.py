"""How many directions does the space really use?

The variance spectrum (tlm/vectors.py's `pca_spectrum`) and the random-pair
cosine before and after centring: a table whose random pairs score far above
0 is anisotropic (all vectors share one direction), and centring removes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import Analysis, Result, check_size, figure, mapping, summary
from tlm.errors import TlmError
from tlm.table import score
from tlm.vectors import Source, keyed_vectors, pca_spectrum, random_pairs


@dataclass(repr=False)
class PCA(Result):
    """The variance spectrum of a table and its anisotropy."""

    explained: np.ndarray  # (d,) share of variance per principal component, largest first
    n90: int  # components holding 90% of the variance
    cos_raw: float  # mean random-pair cosine of the vectors as they are
    cos_centred: float  # ... after subtracting the mean vector


def pca(vectors: Source, n_pairs: int = 5000, seed: int = 0) -> PCA:
    """Explained variance per principal component (an SVD of the centred
    matrix), how many components hold 90%, and the random-pair cosine before
    and after centring: a table whose random pairs score far above 0 is
    anisotropic (all vectors share one direction), and centring removes it."""
    kv = keyed_vectors(vectors)
    check_size(kv, 3, "pca")
    explained = pca_spectrum(kv.vectors)  # (d,) largest first, the SVD of Xc^T Xc
    if not explained.any():
        raise TlmError("pca: every vector is the same, there is no variance to explain")
    n90 = int(np.searchsorted(np.cumsum(explained), 0.9 - 1e-12) + 1)
    i, j = random_pairs(len(kv), n_pairs, seed)
    mean = kv.vectors.mean(axis=0, dtype=np.float64)  # (d,) what centring subtracts

    def mean_cos(shift: np.ndarray) -> float:
        a = np.asarray(kv.vectors[i], dtype=np.float64) - shift  # (n, d) the pairs' rows only
        b = np.asarray(kv.vectors[j], dtype=np.float64) - shift
        den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        return float(np.mean(np.einsum("nd,nd->n", a, b) / np.maximum(den, 1e-12)))

    return PCA(explained, n90, mean_cos(np.zeros_like(mean)), mean_cos(mean))


def render(results: Mapping[str, PCA], shown: int = 10) -> str:
    rows = [
        ("components for 90% of the variance", lambda r: f"{r.n90} of {len(r.explained)}"),
        ("random-pair cosine", lambda r: score(r.cos_raw)),
        ("... after centring", lambda r: score(r.cos_centred)),
    ]
    for i in range(min(shown, max(len(r.explained) for r in results.values()))):
        rows.append((f"component {i + 1}", lambda r, i=i: (
            f"{100 * r.explained[i]:.1f}%" if i < len(r.explained) else "-")))
    return summary("principal components (share of variance)", results, rows)


def draw(results: PCA | Mapping[str, PCA]):
    """Scree: explained variance per component and its running total, per source."""
    results = mapping(results)
    fig, axs = figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        x = np.arange(1, len(r.explained) + 1)
        ax.plot(x, r.explained, marker=".", label="per component")
        ax.plot(x, np.cumsum(r.explained), label="running total")
        ax.axhline(0.9, color="gray", ls=":")
        ax.axvline(r.n90, color="tab:red", ls=":", label=f"90% at {r.n90}")
        ax.set(title=f"{label}: cos {r.cos_raw:.2f} -> {r.cos_centred:.2f} centred",
               xlabel="component", ylabel="share of variance", ylim=(0, 1.02))
        ax.legend(fontsize=8)
    return fig


ANALYSIS = Analysis(
    name="pca",
    order=13,
    question=__doc__.splitlines()[0],
    title='How many directions matter',
    look_for=("Does the variance fall off quickly (a few strong directions) or slowly? Does "
              "centring drop the random-pair cosine (anisotropy: one common direction)?"),
    compute=pca,
    render=render,
    draw=draw,
    result=PCA,
)
