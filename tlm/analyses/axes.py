"""Are royalty and gender two directions of the space?

Projected on man -> king and man -> woman, the royal words should sit to the
right and the female words up; raw and unit-length projections differ when
lengths differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Argument,
    Option,
    Result,
    columns,
    figure,
    join,
    label_points,
    legend_below,
    mapping,
    missing_lines,
    pairs_of,
)
from tlm.errors import TlmError
from tlm.vectors import Source, key, keyed_vectors, lookup, unit

#: The words placed on the two directions (the notebook's §8d focus words), and the
#: directions (from:to).
AXIS_WORDS = ("man", "woman", "king", "queen", "prince", "princess", "emperor", "empress")
#: The notebook's grey control words: unrelated to both directions.
CONTROLS = ("dog", "paris", "computer", "banana", "happy", "physics")
ROYALTY = "man:king"
GENDER = "man:woman"


@dataclass(repr=False)
class Axes(Result):
    """Words projected on two named directions, raw and unit-normalised."""

    words: list[str]
    x_axis: tuple[str, str]  # from -> to: the direction to - from
    y_axis: tuple[str, str]
    raw: np.ndarray  # (n, 2) projections of the raw vectors on the unit axes
    unit: np.ndarray  # (n, 2) projections of the unit-length vectors
    missing: list[str]
    controls: list[str] = field(default_factory=list)  # the control words known
    controls_raw: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # (m, 2)
    controls_unit: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # (m, 2)
    star: str = ""  # the analogy x_to - x_from + y_to, e.g. king - man + woman
    star_raw: np.ndarray = field(default_factory=lambda: np.zeros(2))  # (2,)
    star_unit: np.ndarray = field(default_factory=lambda: np.zeros(2))  # (2,)


def axes(
    vectors: Source,
    words: Sequence[str] = AXIS_WORDS,
    x: tuple[str, str] | str = ROYALTY,
    y: tuple[str, str] | str = GENDER,
    controls: Sequence[str] = CONTROLS,
) -> Axes:
    """Projection of each word on the directions x = to - from and y (by default
    royalty, man -> king, and gender, man -> woman), raw and with every word
    first scaled to length 1 (so only direction counts)."""

    kv = keyed_vectors(vectors)
    (xa, xb), (ya, yb) = pairs_of([x, y])
    x_axis = (key(vectors, xa), key(vectors, xb))
    y_axis = (key(vectors, ya), key(vectors, yb))
    found, missing = lookup(kv, words)
    if not found:
        raise TlmError("none of the words is in these vectors")
    xhat = unit(kv[x_axis[1]] - kv[x_axis[0]])  # (d,)
    yhat = unit(kv[y_axis[1]] - kv[y_axis[0]])  # (d,)
    A = np.stack([xhat, yhat], axis=1)  # (d, 2)
    X = np.stack([kv[w] for w in found])  # (n, d)
    U = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    known, _ = lookup(kv, [w for w in controls if w not in found])
    Xc = np.stack([kv[w] for w in known]) if known else np.zeros((0, kv.vector_size))  # (m, d)
    Uc = Xc / np.maximum(np.linalg.norm(Xc, axis=1, keepdims=True), 1e-12)
    s = kv[x_axis[1]] - kv[x_axis[0]] + kv[y_axis[1]]  # (d,) king - man + woman
    return Axes(found, x_axis, y_axis, (X @ A).astype(np.float64), (U @ A).astype(np.float64),
                missing, known, (Xc @ A).astype(np.float64), (Uc @ A).astype(np.float64),
                f"{x_axis[1]} - {x_axis[0]} + {y_axis[1]}", (s @ A).astype(np.float64),
                (unit(s) @ A).astype(np.float64))


def render(results: Mapping[str, Axes]) -> str:
    first = next(iter(results.values()))
    (xa, xb), (ya, yb) = first.x_axis, first.y_axis
    order = list(dict.fromkeys(w.lower() for r in results.values() for w in r.words))
    cells: dict[str, dict[str, str]] = {w: {} for w in order}
    for label, r in results.items():
        for w, (x, y), (ux, uy) in zip(r.words, r.raw, r.unit, strict=True):
            cells[w.lower()][label] = f"{x:6.2f} {y:6.2f} | {ux:5.2f} {uy:5.2f}"
    rows = [[w, *(cells[w].get(lb, "-") for lb in results)] for w in order]
    return join(
        f"x = {xa} -> {xb}, y = {ya} -> {yb}: raw x y | unit-length x y\n"
        + columns(["word", *results], rows), missing_lines(results))


def draw(results: Axes | Mapping[str, Axes]):
    """Words on the two directions, raw vectors (left) beside unit-length ones
    (right), a row per source: the control words grey, the analogy's result a star."""
    results = mapping(results)
    fig, axs = figure(len(results), 2, width=4.6, height=4)
    for row, (label, r) in enumerate(results.items()):
        views = ((r.raw, r.controls_raw, r.star_raw, "raw"),
                 (r.unit, r.controls_unit, r.star_unit, "unit length"))
        for col, (points, controls, star, kind) in enumerate(views):
            ax = axs[row, col]
            ax.scatter(points[:, 0], points[:, 1], color="tab:blue", label="the words")
            ax.scatter(controls[:, 0], controls[:, 1], color="0.7", label="control words")
            ax.scatter([star[0]], [star[1]], marker="*", s=160, color="#e0a500", zorder=3,
                       label=r.star)
            label_points(ax, [r.star], star[None, :], fontsize=7, color="#9a7000", keep=True)
            label_points(ax, r.words, points, fontsize=8)
            label_points(ax, r.controls, controls, fontsize=7, color="0.45")
            ax.axhline(0, color="gray", lw=0.5)
            ax.axvline(0, color="gray", lw=0.5)
            ax.set(title=f"{label}: {kind}",
                   xlabel=f"{r.x_axis[0]} -> {r.x_axis[1]}",
                   ylabel=f"{r.y_axis[0]} -> {r.y_axis[1]}")
    legend_below(fig, axs)
    return fig


ANALYSIS = Analysis(
    name="axes",
    order=7,
    question=__doc__.splitlines()[0],
    title='Royalty and gender as two directions',
    look_for=("On the man-to-king axis do the royal words sit to the right, and on the "
              "man-to-woman axis the female words up? Raw and unit-length views differ."),
    compute=axes,
    render=render,
    draw=draw,
    result=Axes,
    arguments=(Argument("words", many=True),),
    options=(Option("x", "The first direction (royalty).", type=str, metavar="FROM:TO"),
             Option("y", "The second direction (gender).", type=str, metavar="FROM:TO")),
)
