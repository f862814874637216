"""Pictures of the geometry explorer's results (tlm/explore.py), with matplotlib.

Each function takes one result, or a mapping {source label: result} of the
same kind, and returns a matplotlib Figure with one panel (or one column of
panels) per source, titled and labelled, so several tables sit side by side.
Nothing is shown or saved here: in Jupyter the figure appears inline, in the
shell `plt.show()` opens it, and `tlm explore --png FILE` saves it (without a
display, through matplotlib's Agg backend).

    import tlm.explore as ex, tlm.plot as tp
    fig = tp.directions({"emma-sg": ex.directions(model), "glove": ex.directions(glove)})
    fig.savefig("plural.png")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tlm import explore as ex

#: At most this many points are drawn in a scatter of every word (a seeded sample).
SCATTER_POINTS = 20000


def _figure(rows: int, cols: int, width: float = 4.2, height: float = 3.4, **kw: Any):
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False,
                            layout="constrained", **kw)
    return fig, axs


def _mapping(results: Any) -> dict[str, Any]:
    if isinstance(results, ex.Result):
        return {"vectors": results}
    if isinstance(results, Sequence) and not isinstance(results, str):
        return {"vectors": list(results)}
    return dict(results)


def panels(fig) -> int:
    """How many panels a figure has (colour bars are not panels)."""
    return sum(1 for ax in fig.axes if ax.get_label() != "<colorbar>")


def _heatmap(fig, ax, M: np.ndarray, labels: Sequence[str], title: str,
             vmin: float = -1, vmax: float = 1, ylabels: Sequence[str] | None = None) -> None:
    image = ax.imshow(M, cmap="RdBu_r", vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ylabels = labels if ylabels is None else ylabels
    ax.set_yticks(range(len(ylabels)), ylabels, fontsize=7)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.8)


# 1
def norms(results: ex.Norms | Mapping[str, ex.Norms]):
    """Histograms of row norms (top) and of per-dimension means (bottom), per source."""
    results = _mapping(results)
    fig, axs = _figure(2, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.hist(r.norms, bins=60, color="tab:blue")
        ax.axvline(r.mean, color="k", ls="--", label=f"mean {r.mean:.2f}")
        ax.set(title=f"{label}: row norms", xlabel="|E[i]|", ylabel="words")
        ax.legend(fontsize=8)
        ax = axs[1, col]
        ax.hist(r.dim_means, bins=min(40, max(5, len(r.dim_means))), color="tab:orange")
        ax.axvline(0, color="k", lw=0.8)
        ax.set(title=f"{label}: per-dimension means", xlabel="mean of a dimension",
               ylabel="dimensions")
    return fig


# 2
def background(results: ex.Background | Mapping[str, ex.Background]):
    """Histograms of random pairs' cosine (top) and distance (bottom), per source."""
    results = _mapping(results)
    fig, axs = _figure(2, len(results))
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


# 3
def pairs(results: ex.Pairs | Mapping[str, ex.Pairs]):
    """A bar per pair (its cosine) against the random-pair mean and 99th percentile."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results), height=0.3 * max(len(r.pairs) for r in
                                                          results.values()) + 1.5)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        names = [f"{a}:{b}" for a, b in r.pairs]
        ax.barh(names, r.cos, color="tab:blue")
        ax.invert_yaxis()
        ax.axvline(r.background.cos_mean, color="k", ls="--", label="random pairs: mean")
        ax.axvline(r.background.cos_p99, color="tab:red", ls=":", label="random pairs: 99th pct")
        ax.set(title=label, xlabel="cosine", xlim=(min(-0.1, r.cos.min() - 0.05), 1))
        ax.legend(fontsize=7, loc="lower right")
    return fig


# 4
def neighbors(results: ex.Neighbors | Sequence[ex.Neighbors]
              | Mapping[str, ex.Neighbors | Sequence[ex.Neighbors]]):
    """Bars of the nearest words' cosines: a row per query word, a column per source,
    with the source's random-pair mean and 99th percentile marked."""
    results = {k: [v] if isinstance(v, ex.Neighbors) else list(v)
               for k, v in _mapping(results).items()}
    rows = max(len(v) for v in results.values())
    k = max((len(n.words) for v in results.values() for n in v), default=1)
    fig, axs = _figure(rows, len(results), height=0.25 * k + 1.5)
    for col, (label, found) in enumerate(results.items()):
        for row in range(rows):
            ax = axs[row, col]
            if row >= len(found):
                ax.set_axis_off()
                continue
            n = found[row]
            ax.barh(n.words, n.scores, color="tab:blue")
            ax.invert_yaxis()
            ax.axvline(n.background_mean, color="k", ls="--", label="random pairs: mean")
            ax.axvline(n.background_p99, color="tab:red", ls=":", label="random pairs: 99th pct")
            ax.set(title=f"{label}: nearest to {n.query!r}", xlabel="cosine",
                   xlim=(min(0, n.background_mean - 0.05), 1))
            ax.legend(fontsize=7, loc="lower right")
    return fig


# 5
def analogy(results: ex.Analogy | Mapping[str, ex.Analogy]):
    """The result vector's cosine with every word, landmark words marked."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results), width=5)
    colours = ["tab:red", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink"]
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.hist(r.all_cos, bins=80, color="lightgray")
        for (word, c), colour in zip(r.landmarks.items(), colours, strict=False):
            ax.axvline(c, color=colour, label=f"{word} {c:.2f}")
        ax.set(title=f"{label}: {r.b} - {r.a} + {r.c}", xlabel="cosine with the result",
               ylabel="words", yscale="log")
        ax.legend(fontsize=7)
    return fig


# 6
def cos_vs_euclid(results: ex.CosEuclid | Mapping[str, ex.CosEuclid]):
    """Every word's cosine against its distance from the query; the words where the
    two rankings disagree most are labelled."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results), width=5, height=4)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        idx = np.arange(len(r.cos))
        if len(idx) > SCATTER_POINTS:
            idx = np.random.default_rng(0).choice(len(idx), SCATTER_POINTS, replace=False)
        ax.scatter(r.cos[idx], r.euclid[idx], s=2, alpha=0.3, color="tab:blue", rasterized=True)
        where = {w: i for i, w in enumerate(r.words)} if r.disagree else {}
        for w, _, _ in r.disagree:
            i = where[w]
            ax.scatter(r.cos[i], r.euclid[i], s=10, color="tab:red")
            ax.annotate(w, (r.cos[i], r.euclid[i]), fontsize=7)
        ax.set(title=f"{label}: {r.query!r}", xlabel="cosine", ylabel="Euclidean distance")
    return fig


# 7
def axes(results: ex.Axes | Mapping[str, ex.Axes]):
    """Words on the two directions: raw vectors (top) and unit-length ones (bottom)."""
    results = _mapping(results)
    fig, axs = _figure(2, len(results), width=4.5, height=4)
    for col, (label, r) in enumerate(results.items()):
        for row, (points, kind) in enumerate(((r.raw, "raw"), (r.unit, "unit length"))):
            ax = axs[row, col]
            ax.scatter(points[:, 0], points[:, 1], color="tab:blue")
            for w, (x, y) in zip(r.words, points, strict=True):
                ax.annotate(w, (x, y), fontsize=8)
            ax.axhline(0, color="gray", lw=0.5)
            ax.axvline(0, color="gray", lw=0.5)
            ax.set(title=f"{label}: {kind}",
                   xlabel=f"{r.x_axis[0]} -> {r.x_axis[1]}",
                   ylabel=f"{r.y_axis[0]} -> {r.y_axis[1]}")
    return fig


# 8
def directions(results: ex.Directions | Mapping[str, ex.Directions]):
    """The cosine matrix of the unit offsets per source, then a bar per source:
    its consistency score beside the random-offset baseline."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results) + 1, width=4.6, height=4.2)
    for col, (label, r) in enumerate(results.items()):
        names = [f"{a}->{b}" for a, b in r.pairs]
        _heatmap(fig, axs[0, col], r.matrix, names,
                 f"{label}: consistency {r.consistency:.2f}")
    ax = axs[0, -1]
    x = np.arange(len(results))
    ax.bar(x - 0.2, [r.consistency for r in results.values()], 0.4, label="the offsets")
    ax.bar(x + 0.2, [r.random_consistency for r in results.values()], 0.4,
           label="random offsets", color="lightgray")
    ax.set_xticks(x, list(results), rotation=20, fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.set(title="consistency score", ylabel="mean cosine between offsets")
    ax.legend(fontsize=8)
    return fig


# 9
def numbers(results: ex.Numbers | Mapping[str, ex.Numbers]):
    """The cosine matrix of the number words, per source."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results), width=4.6, height=4)
    for col, (label, r) in enumerate(results.items()):
        _heatmap(fig, axs[0, col], r.matrix, r.words,
                 f"{label}: adjacent {r.adjacent:.2f}, distant {r.distant:.2f}")
    return fig


# 10
def categories(results: ex.Categories | Mapping[str, ex.Categories]):
    """Mean cosine within/between groups (top) and the words on 2-D PCA (bottom)."""
    results = _mapping(results)
    fig, axs = _figure(2, len(results), width=5, height=4.5)
    for col, (label, r) in enumerate(results.items()):
        names = list(r.groups)
        _heatmap(fig, axs[0, col], r.matrix, names, f"{label}: mean cosine")
        ax = axs[1, col]
        for g, name in enumerate(names):
            pts = r.coords[r.group_of == g]
            ax.scatter(pts[:, 0], pts[:, 1], label=name, s=18)
        for w, (x, y) in zip(r.words, r.coords, strict=True):
            ax.annotate(w, (x, y), fontsize=6)
        ax.set(title=f"{label}: PCA of the groups' words", xlabel="PC 1", ylabel="PC 2")
        ax.legend(fontsize=6)
    return fig


# 11
def matrix(results: ex.Matrix | Mapping[str, ex.Matrix]):
    """A heatmap of a slice of the embedding matrix, per source."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results), width=6, height=0.22 * max(
        len(r.words) for r in results.values()) + 1.5)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        lim = float(np.abs(r.values).max()) or 1.0
        image = ax.imshow(r.values, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
        ax.set_yticks(range(len(r.words)), r.words, fontsize=7)
        ax.set(title=f"{label}: {len(r.words)} words x {r.values.shape[1]} dimensions",
               xlabel="dimension")
        fig.colorbar(image, ax=ax, shrink=0.8)
    return fig


# 12
def hubness(results: ex.Hubness | Mapping[str, ex.Hubness]):
    """Histogram of N_k (in how many k-nearest lists a word appears), per source."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.hist(r.counts, bins=min(60, int(r.counts.max()) + 1), color="tab:blue")
        ax.axvline(r.k, color="k", ls="--", label=f"k = {r.k} (the mean)")
        ax.set(title=f"{label}: skewness {r.skewness:.2f}", xlabel=f"N_{r.k}",
               ylabel="words", yscale="log")
        ax.legend(fontsize=8)
    return fig


# 13
def pca(results: ex.PCA | Mapping[str, ex.PCA]):
    """Scree: explained variance per component and its running total, per source."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results))
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


# 14
def overlap(result: ex.Overlap):
    """Two heatmaps across the sources: Jaccard overlap and Spearman correlation."""
    fig, axs = _figure(1, 2, width=4.6, height=4)
    _heatmap(fig, axs[0, 0], result.jaccard, result.labels,
             f"k={result.k} nearest: mean Jaccard", vmin=0, vmax=1)
    _heatmap(fig, axs[0, 1], result.spearman, result.labels,
             "random pairs' cosines: Spearman")
    return fig


# 15
def frequency(results: ex.Frequency | Mapping[str, ex.Frequency]):
    """Frequency rank (log) against vector length, per source."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        idx = np.arange(len(r.ranks))
        if len(idx) > SCATTER_POINTS:
            idx = np.random.default_rng(0).choice(len(idx), SCATTER_POINTS, replace=False)
        ax.scatter(r.ranks[idx], r.norms[idx], s=2, alpha=0.3, rasterized=True)
        how = "counts" if r.ranks_from == "counts" else "file order"
        ax.set(title=f"{label}: Spearman {r.spearman:.2f}", xscale="log",
               xlabel=f"frequency rank (from {how})", ylabel="|E[i]|")
    return fig


# 16
def loss(results: ex.Loss | Mapping[str, ex.Loss]):
    """Training and held-out loss per epoch, per model."""
    results = _mapping(results)
    fig, axs = _figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.plot(r.epochs, r.loss, marker=".", label="training loss")
        if not np.isnan(r.val_loss).all():
            ax.plot(r.epochs, r.val_loss, marker=".", label="held-out loss")
        ax.set(title=label, xlabel="epoch", ylabel="loss")
        ax.legend(fontsize=8)
    return fig


PLOTS = {
    ex.Norms: norms, ex.Background: background, ex.Pairs: pairs, ex.Neighbors: neighbors,
    ex.Analogy: analogy, ex.CosEuclid: cos_vs_euclid, ex.Axes: axes,
    ex.Directions: directions, ex.Numbers: numbers, ex.Categories: categories,
    ex.Matrix: matrix, ex.Hubness: hubness, ex.PCA: pca, ex.Overlap: overlap,
    ex.Frequency: frequency, ex.Loss: loss,
}


def plot(results: Any):
    """The picture of any explore result (or {label: result}), by its kind."""
    first = results
    if isinstance(results, Mapping):
        first = next(iter(results.values()))
    if isinstance(first, Sequence) and first and not isinstance(first, str):
        first = first[0]
    for kind, fn in PLOTS.items():
        if isinstance(first, kind):
            return fn(results)
    raise TypeError(f"no picture for {type(first).__name__}")
