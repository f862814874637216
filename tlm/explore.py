"""`tlm.explore`: every analysis of tlm/analyses/ by name, for Python and notebooks.

    import tlm.explore as ex
    bg = ex.background(kv)                   # cosine of 5,000 random pairs
    ex.neighbors(kv, "king")                 # with bg.cos_mean and bg.cos_p99 beside
    ex.analogy(kv, "man", "king", "woman")   # expected queen: the notebook's answer
    ex.render({"glove": ex.directions(kv)})  # the table `tlm explore directions` prints
    ex.draw({"glove": ex.directions(kv)})    # its picture, a matplotlib Figure

Nothing is defined here: a name is looked up in the analyses' own files (each
one's computation, result class and word lists), so a new analysis file brings
its names with it. A tlm `Model` is accepted wherever vectors are (its E).
"""

from __future__ import annotations

import sys
from typing import Any

from tlm.analyses import draw, get, panels, registry, render
from tlm.vectors import parse_expression, random_pairs, unit_rows

__all__ = ["draw", "get", "panels", "parse_expression", "random_pairs", "registry", "render",
           "unit_rows"]


def _own(module: Any, name: str) -> bool:
    """A name the analysis file itself defines: a function or class made there, or a
    word list or other constant in capitals."""
    value = getattr(module, name)
    return getattr(value, "__module__", None) == module.__name__ or (
        name.isupper() and name != "ANALYSIS")


def __getattr__(name: str) -> Any:
    if not name.startswith("_"):
        for analysis in registry().values():
            module = sys.modules[analysis.compute.__module__]
            if name in vars(module) and _own(module, name):
                return getattr(module, name)
    raise AttributeError(f"module 'tlm.explore' has no attribute {name!r}")


def __dir__() -> list[str]:
    own = {n for a in registry().values() for m in [sys.modules[a.compute.__module__]]
           for n in vars(m) if not n.startswith("_") and _own(m, n)}
    return sorted(own | set(__all__))
