"""Are the vectors unit length, and centred on the origin?

A similarity of two rows depends on their lengths unless they are scaled to 1;
GloVe's rows are not, nor are a trained model's. The histogram of |E[i]| and of
each dimension's mean shows both at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from matplotlib.ticker import MaxNLocator

from tlm import pretrained
from tlm.analyses._base import Analysis, Result, check_size, figure, mapping, summary
from tlm.table import score
from tlm.vectors import Source, keyed_vectors


@dataclass(repr=False)
class Norms(Result):
    """Row lengths |E[i]| and per-dimension means of a table."""

    norms: np.ndarray  # (V,)
    dim_means: np.ndarray  # (d,)
    mean: float
    std: float
    min: float
    max: float
    unit_length: bool  # every row has length 1 (to 1e-3)
    by_construction: bool  # the source makes every vector length 1 (a sentence encoder)
    centre_ratio: float  # |mean vector| / mean row length: near 0 is centred

    @property
    def centred(self) -> bool:
        return self.centre_ratio < 0.1


def norms(vectors: Source) -> Norms:
    """The distribution of row L2 norms (is it unit length?) and of the
    per-dimension means (is it centred on the origin?)."""
    kv = keyed_vectors(vectors)
    check_size(kv, 1, "norms")
    X = kv.vectors  # (V, d)
    n = np.sqrt(np.einsum("vd,vd->v", X, X, dtype=np.float64))  # (V,) |E[i]|
    dim_means = X.mean(axis=0, dtype=np.float64)  # (d,)
    return Norms(
        norms=n, dim_means=dim_means, mean=float(n.mean()), std=float(n.std()),
        min=float(n.min()), max=float(n.max()),
        unit_length=bool(np.allclose(n, 1, atol=1e-3)),
        by_construction=pretrained.info(kv).unit_norm,
        centre_ratio=float(np.linalg.norm(dim_means) / max(n.mean(), 1e-12)),
    )


def render(results: Mapping[str, Norms]) -> str:
    return summary("row norms |E[i]| and per-dimension means", results, [
        ("mean norm", lambda r: score(r.mean)),
        ("std", lambda r: score(r.std)),
        ("min", lambda r: score(r.min)),
        ("max", lambda r: score(r.max)),
        ("unit length?", lambda r: ("yes, by construction" if r.by_construction else "yes")
         if r.unit_length else "no"),
        ("|mean vector| / mean norm", lambda r: score(r.centre_ratio)),
        ("centred?", lambda r: "yes" if r.centred else "no"),
        ("dimensions", lambda r: str(len(r.dim_means))),
        ("words", lambda r: str(len(r.norms))),
    ])


def draw(results: Norms | Mapping[str, Norms]):
    """Histograms of row norms (top) and of per-dimension means (bottom), per source."""
    results = mapping(results)
    fig, axs = figure(2, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.hist(r.norms, bins=60, color="tab:blue")
        ax.axvline(r.mean, color="k", ls="--", label=f"mean {r.mean:.2f}")
        ax.set(title=f"{label}: row norms", xlabel="|E[i]|", ylabel="words")
        ax.legend(fontsize=8)
        ax = axs[1, col]
        ax.hist(r.dim_means, bins=min(40, max(5, len(r.dim_means))), color="tab:orange")
        ax.axvline(0, color="k", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set(title=f"{label}: per-dimension means", xlabel="mean of a dimension",
               ylabel="dimensions")
    return fig


ANALYSIS = Analysis(
    name="norms",
    order=1,
    question=__doc__.splitlines()[0],
    title='Vector lengths',
    look_for=("Are the vectors unit length (GloVe's are not, nor are a trained model's)? Is the "
              "cloud centred on the origin, or shifted along some dimensions?"),
    compute=norms,
    render=render,
    draw=draw,
    result=Norms,
)
