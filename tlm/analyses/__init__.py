"""The geometry explorer's analyses: one file per question asked of word vectors.

Each file (norms.py, background.py, ..., loss.py) holds one analysis whole:
the notebook's question it answers (its first docstring line), its result
dataclass, its computation, its text, its picture, its title and "what to look
for", and its options, named by the file's `ANALYSIS`. The `tlm explore`
subcommands (tlm/cli/explore.py), the shell's `explore.<name>()`
(tlm/interact.py) and the atlas's sections (tlm/atlas.py) are all made from
`registry()`, so adding an analysis is adding one file here.

    from tlm.analyses import registry, render, draw
    a = registry()["directions"]
    result = a.compute(kv)            # a Directions result
    print(render({"glove": result}))  # the table `tlm explore directions` prints
    draw({"glove": result}).savefig("plural.png")
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from tlm.analyses._base import Analysis, Result, panels

__all__ = ["Analysis", "Result", "draw", "get", "load", "names", "panels", "registry", "render"]


def names() -> list[str]:
    """The analyses' command names, from the files alone (nothing is imported)."""
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(__path__)
                  if not m.name.startswith("_"))


def load(name: str) -> Analysis:
    """One analysis by its command name, importing its file alone."""
    if name not in names():
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}").ANALYSIS


@functools.cache
def registry() -> dict[str, Analysis]:
    """{command name: Analysis} of every file of this package, in the atlas's order."""
    found = [load(name) for name in names()]
    return {a.name: a for a in sorted(found, key=lambda a: a.order)}


def get(name: str) -> Analysis:
    """One analysis by its command name ('cos-vs-euclid') or Python name ('cos_vs_euclid')."""
    return registry()[name.replace("_", "-")]


def _of(results: Any) -> Analysis:
    first = results
    if isinstance(results, Mapping):
        first = next(iter(results.values()), None)
    if isinstance(first, Sequence) and first and not isinstance(first, str):
        first = first[0]
    for a in registry().values():
        if isinstance(first, a.result):
            return a
    raise TypeError(f"no analysis makes a {type(first).__name__}")


def render(results: Result | Mapping[str, Result]) -> str:
    """The text of one result, or of {label: result} side by side."""
    if isinstance(results, Result):
        return repr(results)
    return _of(results).render(results)


def draw(results: Any) -> Figure:
    """The picture of any result (or {label: result}), by its kind."""
    return _of(results).draw(results)
