"""The geometry explorer in the `--interact` shell, with the model filled in.

    explore.directions()                    # this model's plural consistency
    explore.directions(vectors=glove)       # the same question of GloVe
    plot(explore.directions())              # the picture (plt.show() opens it)
    vec('king - man + woman')               # the notebook's notation: a vector
    neighbors('king - man + woman')         # its nearest words, with the background

Every analysis of tlm/explore.py is a method of `explore` whose vectors are
the model's unless `vectors=` names another table (glove, word2vec(), any
KeyedVectors). A TlmError prints as one `Error: ...` line in the shell.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from tlm import explore as ex
from tlm import geometry

#: The analyses `explore` offers, by name (overlap and the shell's own helpers aside).
ANALYSES: dict[str, Callable] = {
    "norms": ex.norms, "background": ex.background, "pairs": ex.pairs,
    "neighbors": ex.neighbors, "analogy": ex.analogy, "cos_vs_euclid": ex.cos_vs_euclid,
    "axes": ex.axes, "directions": ex.directions, "numbers": ex.numbers,
    "categories": ex.categories, "matrix": ex.matrix, "hubness": ex.hubness, "pca": ex.pca,
    "frequency": ex.frequency, "loss": ex.loss,
}


def _resolve(vectors: Any) -> Any:
    """A LazyVectors (the shell's `glove`) stands for the table it loads."""
    load = getattr(type(vectors), "load", None)
    return vectors.load() if callable(load) and hasattr(vectors, "loaded") else vectors


class Explorer:
    """explore.<analysis>(..., vectors=None): each analysis of tlm/explore.py on
    this model (or on `vectors=`). explore.overlap(glove, ...) compares tables."""

    def __init__(self, source: Any) -> None:
        self.source = source
        for name, fn in ANALYSES.items():
            setattr(self, name, self._bind(fn))
        self.overlap = self._overlap

    def _bind(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def method(*args: Any, vectors: Any = None, **kwargs: Any) -> Any:
            return fn(self.source if vectors is None else _resolve(vectors), *args, **kwargs)

        method.__doc__ = f"{fn.__doc__}\n\n(vectors=None: this model; vectors=glove: GloVe)"
        return method

    def _overlap(self, *others: Any, **kwargs: Any) -> ex.Overlap:
        """overlap(glove, ..., words=None, k=10): how much this model and the others
        agree (nearest-word Jaccard overlap, Spearman correlation of pair cosines)."""
        sources = {"this model": self.source}
        for n, other in enumerate(others, start=1):
            sources[f"source {n}"] = _resolve(other)
        return ex.overlap(sources, **kwargs)

    def __repr__(self) -> str:
        return "explore." + "(), explore.".join([*ANALYSES, "overlap"]) + "()"


def show(results: Any) -> Any:
    """plot(result): the picture of any explore result (or {label: result}); in a
    window when there is a display, inline in Jupyter; returns the figure."""
    import matplotlib
    import matplotlib.pyplot as plt

    from tlm import plot

    fig = plot.plot(results)
    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo", "template"):
        plt.show(block=False)
    return fig


def shell_helpers(source: Any) -> dict[str, Any]:
    """explore, plot, vec and neighbors, for the shell's namespace."""

    def vec(expression: str) -> np.ndarray:
        """vec('king') or vec('king - man + woman'): the vector, rows added and subtracted."""
        if isinstance(expression, str) and len(ex.parse_expression(expression)) > 1:
            return ex.vector(source, expression)[0]
        return geometry.vec(source, expression)

    def neighbors(query: Any, k: int = 10, skip_variants: bool = False) -> ex.Neighbors:
        """neighbors(word | 'king - man + woman' | vector, k=10): the nearest words by cosine,
        with where random pairs of this model stand (their mean and 99th percentile)."""
        return ex.neighbors(source, query, k, skip_variants)

    return {
        "explore": Explorer(source),
        "plot": show,
        "vec": vec,
        "neighbors": neighbors,
    }
