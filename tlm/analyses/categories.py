"""Do words of one group sit together?

The mean cosine within each group against between groups, and the groups'
words on a 2-D map: UMAP when umap-learn is installed (the notebook's §7b), else PCA.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tlm import paths
from tlm.analyses._base import (
    Analysis,
    Option,
    Result,
    figure,
    heatmap,
    join,
    label_points,
    legend_below,
    mapping,
    missing_lines,
    summary,
)
from tlm.errors import TlmError
from tlm.table import score
from tlm.vectors import Source, keyed_vectors, lookup, pca, row, unit_rows

#: The notebook's eight word groups of eight words (§7; they also colour the atlas's maps).
GROUPS = {
    "royalty": ("king", "queen", "prince", "princess", "throne", "crown", "noble", "lord"),
    "animals": ("dog", "cat", "horse", "lion", "tiger", "wolf", "bear", "fox"),
    "cities": ("paris", "london", "tokyo", "berlin", "rome", "madrid", "seoul", "cairo"),
    "emotions": ("happy", "sad", "angry", "fear", "joy", "love", "hate", "calm"),
    "tech": ("computer", "software", "internet", "data", "algorithm", "neural", "code",
             "model"),
    "food": ("apple", "bread", "soup", "pizza", "coffee", "sugar", "salt", "rice"),
    "sports": ("football", "tennis", "swim", "run", "race", "goal", "team", "ball"),
    "science": ("physics", "biology", "chemistry", "atom", "gene", "planet", "force",
                "energy"),
}


@dataclass(repr=False)
class Categories(Result):
    """Mean cosine within and between groups of words, and a 2-D map of them."""

    groups: dict[str, list[str]]  # the known words of each group kept
    matrix: np.ndarray  # (G, G) mean cosine between groups; the diagonal is within
    within: float  # mean of the diagonal
    between: float  # mean of the off-diagonal
    words: list[str]
    group_of: np.ndarray  # (n,) index of each word's group
    coords: np.ndarray  # (n, 2) the words on a 2-D map (UMAP if installed, else PCA)
    projection: str  # "UMAP" or "PCA"
    missing: list[str]
    empty_groups: list[str]  # groups none of whose words the vectors have


def read_groups(path: str) -> dict[str, list[str]]:
    """Groups from a small text file, one per line: `name: word word word`
    (blank lines and lines starting with # are skipped)."""

    text = paths.read_text(path, "groups file")
    groups: dict[str, list[str]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, words = line.partition(":")
        if not sep or not name.strip():
            raise TlmError(f"{path} line {n}: write a group as 'name: word word word'")
        if not words.split():
            raise TlmError(f"{path} line {n}: the group {name.strip()!r} has no words")
        groups[name.strip()] = words.split()
    if not groups:
        raise TlmError(f"{path} has no groups ('name: word word word' per line)")
    return groups


def categories(vectors: Source, groups: Mapping[str, Sequence[str]] = GROUPS) -> Categories:
    """Mean cosine within each group and between every two groups (the notebook's
    eight groups by default), and the groups' words on a 2-D map (UMAP if installed, else PCA)."""
    kv = keyed_vectors(vectors)
    kept: dict[str, list[str]] = {}
    missing, empty = [], []
    for name, words in groups.items():
        if not words:
            raise TlmError(f"the group {name!r} has no words")
        found, lacks = lookup(kv, words)
        missing += lacks
        found = list(dict.fromkeys(found))
        if found:
            kept[name] = found
        else:
            empty.append(name)
    all_words = [w for ws in kept.values() for w in ws]
    if len(all_words) < 3:
        raise TlmError(
            f"categories needs at least 3 known words across the groups; found {len(all_words)}"
        )
    U = unit_rows(kv)[[row(kv, w) for w in all_words]].astype(np.float64)  # (n, d)
    group_of = np.concatenate([np.full(len(ws), g) for g, ws in enumerate(kept.values())])
    S = U @ U.T  # (n, n)
    G = len(kept)
    M = np.full((G, G), np.nan)
    for g in range(G):
        for h in range(G):
            block = S[np.ix_(group_of == g, group_of == h)]
            if g == h:
                m = len(block)
                if m > 1:
                    M[g, g] = (block.sum() - np.trace(block)) / (m * (m - 1))
            else:
                M[g, h] = block.mean()
    off = M[~np.eye(G, dtype=bool)]
    return Categories(
        kept, M, float(np.nanmean(np.diag(M))) if np.isfinite(np.diag(M)).any() else float("nan"),
        float(off.mean()) if off.size else float("nan"), all_words, group_of,
        *project(U), missing, empty,
    )


def project(U: np.ndarray, seed: int = 0) -> tuple[np.ndarray, str]:
    """(n, 2) places of the unit rows U for the picture, and how they were made:
    UMAP (cosine) when umap-learn is installed, as the notebook's §7b does, else
    the first two principal components (tlm/vectors.py's `pca`)."""
    if importlib.util.find_spec("umap") is not None and len(U) >= 4:
        umap = importlib.import_module("umap")  # optional, and slow to import
        reducer = umap.UMAP(n_components=2, metric="cosine", random_state=seed,
                            n_neighbors=min(15, len(U) - 1))
        return np.asarray(reducer.fit_transform(U), dtype=np.float64), "UMAP"
    return pca(U, 2)[0], "PCA"


def render(results: Mapping[str, Categories]) -> str:
    names = list(dict.fromkeys(g for r in results.values() for g in r.groups))

    def within(group: str) -> Callable:
        def cell(r: Categories) -> str:
            if group not in r.groups:
                return "-"
            return score(r.matrix[list(r.groups).index(group)] [list(r.groups).index(group)])
        return cell

    rows = [(f"within {g}", within(g)) for g in names]
    rows += [("mean within", lambda r: score(r.within)),
             ("mean between", lambda r: score(r.between))]
    empty = [f"{label}: no known words in {', '.join(r.empty_groups)}"
             for label, r in results.items() if r.empty_groups]
    return join(summary("mean cosine within and between groups", results, rows),
                 "\n".join(empty), missing_lines(results))


def draw(results: Categories | Mapping[str, Categories]):
    """Mean cosine within/between groups (top) and the words on a 2-D map (bottom):
    UMAP when umap-learn is installed, else PCA, named in the title."""
    results = mapping(results)
    fig, axs = figure(2, len(results), width=5, height=4.5)
    for col, (label, r) in enumerate(results.items()):
        names = list(r.groups)
        heatmap(fig, axs[0, col], r.matrix, names, f"{label}: mean cosine")
        ax = axs[1, col]
        for g, name in enumerate(names):
            pts = r.coords[r.group_of == g]
            ax.scatter(pts[:, 0], pts[:, 1], label=name, s=18)
        label_points(ax, r.words, r.coords, fontsize=6)
        if r.projection == "UMAP":
            ax.set(title=f"{label}: UMAP of the groups' words", xlabel="UMAP 1",
                   ylabel="UMAP 2")
        else:
            ax.set(title=f"{label}: PCA of the groups' words (umap-learn not installed)",
                   xlabel="PC 1", ylabel="PC 2")
    legend_below(fig, axs[1])
    return fig


ANALYSIS = Analysis(
    name="categories",
    order=10,
    question=__doc__.splitlines()[0],
    title='Word groups',
    look_for=("Is the diagonal (within a group) warmer than the rest (between groups)? Do the "
              "groups' words form clusters on the 2-D PCA?"),
    compute=categories,
    render=render,
    draw=draw,
    result=Categories,
    options=(Option("groups", "Groups from a text file, one per line: 'name: word word "
                    "word' (default: royalty, animals, cities, emotions, tech, food, sports, "
                    "science).", type=str, metavar="FILE", convert=read_groups),),
)
