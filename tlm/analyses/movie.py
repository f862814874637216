"""How did the space form while the model trained?

The frames `tlm train --snapshots N` kept (tlm/snapshots.py), on one map: the
two principal axes of the final vectors (unit length, as the atlas's map),
and every earlier frame turned onto the frame after it by the rotation that
moves its words least (orthogonal Procrustes), so the picture does not spin
or flip between frames: a rotation of the whole space changes no cosine, so
it is not learning and should not be seen as movement. Beside the map, per
frame: the training loss since the frame before, the held-out loss, and the
mean cosine of random pairs (does the whole cloud drift into one direction?).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from scipy.linalg import orthogonal_procrustes

from tlm.analyses import _base
from tlm.analyses._base import Analysis, Result, columns, figure, label_points, mapping
from tlm.analyses.categories import GROUPS
from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.vectors import Source, random_pairs

#: Words labelled on a picture of a large vocabulary: the group words and this many
#: of the most frequent (a small vocabulary, such as the twister's, is labelled whole).
LABELLED = 12
#: Colours of the word groups (matplotlib's tab10, as the atlas's maps).
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")


@dataclass(repr=False)
class Movie(Result):
    """A model's training frames on one aligned map, and the losses at each."""

    label: str
    words: list[str]  # (K,) the words kept, most frequent first
    group: np.ndarray  # (K,) index into `groups`, -1 for none
    groups: list[str]
    unit: np.ndarray  # (F, K, d) each frame's rows at unit length
    xy: np.ndarray  # (F, K, 2) each frame on the final frame's two principal axes, aligned
    explained: tuple[float, float]  # share of the final frame's variance on each axis
    at: np.ndarray  # (F,) epochs done at each frame
    loss: np.ndarray  # (F,) training loss since the frame before (NaN: none)
    val_loss: np.ndarray  # (F,) held-out loss on a fixed sample (NaN: none)
    val_positions: int  # positions in that sample
    background: np.ndarray  # (F,) mean cosine of 5,000 random pairs of the kept words
    moved: np.ndarray  # (F,) mean distance a word moved on the map since the frame before
    epochs: int  # epochs the run was asked for
    history: tuple[np.ndarray, np.ndarray, np.ndarray]  # per epoch: epoch, loss, val_loss


def _unit(X: np.ndarray) -> np.ndarray:
    """Each row (last axis) scaled to length 1."""
    return X / np.maximum(np.linalg.norm(X, axis=-1, keepdims=True), 1e-12)


def aligned_frames(frames: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """(F, K, 2) map places of the rows of every frame (F, K, d), and the share of
    the last frame's variance on each of the two axes.

    Each frame is centred. The last frame's first two principal directions P
    (d, 2) are the map's axes. Going back from the last frame, frame f is
    turned by the orthogonal R (d, d) that brings its rows closest to those of
    frame f + 1 as already turned (min ||X_f R - X_{f+1} R_{f+1}||, orthogonal
    Procrustes), and put on the axes: xy_f = X_f R_f P. A frame that is a
    rotation of the next (no learning between them) lands exactly on it."""
    X = np.asarray(frames, dtype=np.float64)
    X = X - X.mean(axis=1, keepdims=True)  # (F, K, d) each frame centred
    _, S, Vt = np.linalg.svd(X[-1], full_matrices=False)
    P = Vt[:2].T  # (d, 2) the final frame's principal directions
    if P.shape[1] < 2:
        P = np.pad(P, ((0, 0), (0, 2 - P.shape[1])))
    variance = S**2
    shares = variance / variance.sum() if variance.sum() > 0 else np.zeros_like(variance)
    shares = [*shares[:2].tolist(), 0.0, 0.0][:2]
    turned = np.empty_like(X)
    turned[-1] = X[-1]
    for f in range(len(X) - 2, -1, -1):
        R, _ = orthogonal_procrustes(X[f], turned[f + 1])  # (d, d)
        turned[f] = X[f] @ R
    return (turned @ P).astype(np.float32), (shares[0], shares[1])


def movie(model: Source, pairs: int = 5000, seed: int = 0, label: str = "model") -> Movie:
    """The aligned frames of a model trained with `tlm train --snapshots N`."""
    if not isinstance(model, Model):
        raise TlmError("a training movie needs a tlm model file (--model), not pretrained vectors")
    snap = model.snapshots
    if snap is None:
        raise TlmError("the model has no snapshots: train it with `tlm train --snapshots 20` "
                       "to keep its frames")
    words = snap.words(model.vocab)
    unit = _unit(snap.E.astype(np.float32))  # (F, K, d)
    xy, explained = aligned_frames(unit)
    group_of = {w: g for g, members in enumerate(GROUPS.values()) for w in members}
    group = np.array([group_of.get(w, -1) for w in words], dtype=np.int32)
    K = len(words)
    if K >= 2:
        i, j = random_pairs(K, pairs, seed)
        background = np.einsum("fnd,fnd->fn", unit[:, i], unit[:, j]).mean(axis=1)  # (F,)
    else:
        background = np.full(len(unit), np.nan)
    moved = np.r_[np.nan, np.linalg.norm(np.diff(xy, axis=0), axis=-1).mean(axis=1)]
    h = model.history
    history = (np.array([e.epoch for e in h], dtype=np.float64),
               np.array([np.nan if e.loss is None else e.loss for e in h], dtype=np.float64),
               np.array([np.nan if e.val_loss is None else e.val_loss for e in h]))
    nan = np.nan
    return Movie(
        label, words, group, list(GROUPS), unit, xy, explained, np.array(snap.at),
        np.array([nan if v is None else v for v in snap.loss], dtype=np.float64),
        np.array([nan if v is None else v for v in snap.val_loss], dtype=np.float64),
        snap.val_positions, background, moved, model.config.epochs, history)


def nearest(unit: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest kept words (by cosine, itself left out) of each of `rows` in one
    frame's unit rows (K, d): indices (R, k) and cosines (R, k), nearest first."""
    k = min(k, len(unit) - 1)
    cos = unit[rows] @ unit.T  # (R, K)
    cos[np.arange(len(rows)), rows] = -np.inf
    top = np.argpartition(-cos, k - 1, axis=1)[:, :k] if k > 0 else np.zeros((len(rows), 0), int)
    order = np.take_along_axis(cos, top, 1).argsort(axis=1)[:, ::-1]
    top = np.take_along_axis(top, order, 1)
    return top, np.take_along_axis(cos, top, 1)


def _cell(x: float, fmt: str = ".4f") -> str:
    return "-" if np.isnan(x) else format(x, fmt)


def render(results: Mapping[str, Movie]) -> str:
    parts = []
    for label, m in results.items():
        rows = [[str(f), f"{m.at[f]:.2f}", _cell(m.loss[f]), _cell(m.val_loss[f]),
                 _cell(m.background[f], ".3f"), _cell(m.moved[f], ".3f")]
                for f in range(len(m.at))]
        held = (f"held-out loss on {m.val_positions} positions" if m.val_positions
                else "held-out")
        parts.append(
            f"{label}: {len(m.at)} frames of {len(m.words):,} words; the map's axes hold "
            f"{100 * m.explained[0]:.0f}% and {100 * m.explained[1]:.0f}% of the last frame's "
            "variance\n" + columns(["frame", "epoch", "loss since", held, "random-pair cos",
                                    "moved"], rows))
    return "\n\n".join(parts)


def labelled(m: Movie) -> np.ndarray:
    """The rows a picture labels: all of a small vocabulary, else the group words and
    the most frequent few."""
    if len(m.words) <= 30:
        return np.arange(len(m.words))
    return np.union1d(np.arange(LABELLED), np.flatnonzero(m.group >= 0))


def limits(m: Movie) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis limits that hold every frame (the picture's frame does not move)."""
    lo, hi = m.xy.reshape(-1, 2).min(axis=0), m.xy.reshape(-1, 2).max(axis=0)
    pad = 0.08 * (hi - lo + 1e-9)
    return (lo[0] - pad[0], hi[0] + 2.5 * pad[0]), (lo[1] - pad[1], hi[1] + pad[1])  # labels


def draw_frame(ax: Any, m: Movie, xy: np.ndarray, title: str) -> None:
    """One frame's map: every word a grey dot, group words in their colour, labels."""
    other = m.group < 0
    ax.scatter(xy[other, 0], xy[other, 1], s=6 if len(m.words) > 30 else 30, c="#b0b0b0",
               linewidths=0)
    for g in np.unique(m.group[m.group >= 0]):
        sel = m.group == g
        ax.scatter(xy[sel, 0], xy[sel, 1], s=28, c=COLOURS[g % len(COLOURS)],
                   label=m.groups[g], linewidths=0)
    rows = list(labelled(m))
    label_points(ax, [m.words[r] for r in rows], xy[rows])  # an overlapping label is hidden
    xlim, ylim = limits(m)
    ax.set(xlim=xlim, ylim=ylim, xticks=[], yticks=[])
    ax.set_title(title, fontsize=9)


def draw_curves(ax: Any, m: Movie, frame: int | None = None) -> None:
    """The loss per epoch, the frames' losses, and the current frame marked."""
    epochs, loss, val = m.history
    ax.plot(epochs, loss, color="tab:blue", label="training loss (per epoch)")
    if not np.isnan(val).all():
        ax.plot(epochs, val, color="tab:orange", label="held-out loss (per epoch)")
    if not np.isnan(m.val_loss).all():
        ax.plot(m.at, m.val_loss, "o", ms=3, color="tab:orange",
                label=f"held-out, {m.val_positions} positions (frames)")
    ax.plot(m.at, m.loss, "o", ms=3, color="tab:blue", label="training loss since (frames)")
    if frame is not None:
        ax.axvline(m.at[frame], color="tab:red", lw=1.5)
    ax.set(xlabel="epoch", ylabel="loss")
    if m.epochs >= 50:
        ax.set_xscale("symlog", linthresh=1)
    right = ax.twinx()
    right.plot(m.at, m.background, color="tab:green", lw=1, ls="--",
               label="random-pair cosine (right)")
    right.set_ylabel("mean cosine of random pairs", color="tab:green")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    # under the panel, never on the curves it explains
    ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize=7, loc="upper center",
              bbox_to_anchor=(0.5, -0.22), frameon=False)


def picks(m: Movie, n: int = 4) -> list[int]:
    """n frames for a still picture: the first, the last, and between them the frames
    where the words have made 1/(n-1), 2/(n-1), ... of all their movement on the map
    (most of it is early: evenly spaced frames would show little change)."""
    F = len(m.at)
    if F <= n:
        return list(range(F))
    done = np.r_[0.0, np.cumsum(np.nan_to_num(m.moved[1:]))]  # (F,) movement so far
    chosen = {0, F - 1}
    for t in np.linspace(0, done[-1], n)[1:-1]:
        chosen.add(int(np.searchsorted(done, t)))
    return sorted(chosen)


def draw(results: Movie | Mapping[str, Movie]):
    """A strip of frames (the first, the last, two between: `picks`) and the curves,
    per model."""
    results = mapping(results)
    fig, axs = figure(len(results), 5, width=3.2, height=3.2)
    for row, (label, m) in enumerate(results.items()):
        for col, f in enumerate(picks(m)):
            draw_frame(axs[row, col], m, m.xy[f], f"frame {f + 1}/{len(m.at)}: epoch "
                       f"{m.at[f]:.4g}")
        axs[row, 0].set_ylabel(label)
        for col in range(len(picks(m)), 4):
            axs[row, col].set_axis_off()
        draw_curves(axs[row, 4], m)
    return fig


def animate(m: Movie, steps: int = 3) -> Any:
    """A matplotlib animation of the frames (with `steps` - 1 frames drawn between two
    snapshots, moving the words in a straight line, so the motion can be followed)
    beside the curves, the current frame marked."""
    fig = Figure(figsize=(10 * _base.SCALE, 4.6 * _base.SCALE), layout="constrained")
    ax_map, ax_loss = fig.subplots(1, 2, width_ratios=[1.2, 1])
    F = len(m.at)
    shown = [(f, t / steps) for f in range(F - 1) for t in range(steps)] + [(F - 1, 0.0)]
    shown += [(F - 1, 0.0)] * 2 * steps  # hold the last frame

    def update(i: int) -> None:
        f, t = shown[i]
        xy = m.xy[f] if t == 0 else (1 - t) * m.xy[f] + t * m.xy[f + 1]
        at = m.at[f] if t == 0 else (1 - t) * m.at[f] + t * m.at[f + 1]
        ax_map.clear()
        ax_loss.clear()
        for extra in fig.axes[2:]:
            extra.remove()
        draw_frame(ax_map, m, xy, f"{m.label}: frame {f + 1}/{F}, epoch {at:.4g}")
        draw_curves(ax_loss, m)
        ax_loss.axvline(at, color="tab:red", lw=1.5)

    return FuncAnimation(fig, update, frames=len(shown), interval=120)


ANALYSIS = Analysis(
    name="movie",
    order=17,
    question=__doc__.splitlines()[0],
    title="The training movie",
    look_for=("Do words of a group come together, and when: early, while the loss falls "
              "fast, or late? Which words settle first? Does the random-pair cosine rise "
              "(every vector drifting one way) as the model learns?"),
    compute=movie,
    render=render,
    draw=draw,
    result=Movie,
    animate=lambda m: animate(m),
    in_atlas=False,  # the atlas plays it in a section of its own (tlm/atlas.py)
)
