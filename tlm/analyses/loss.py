"""Did the model learn: does the loss fall, and the held-out loss with it?

A tlm model's training curve from its history; pretrained vectors have none.
The atlas draws it on each model's card rather than as a section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import Analysis, Result, columns, figure, mapping
from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.vectors import Source


@dataclass(repr=False)
class Loss(Result):
    """A model's training curve."""

    epochs: np.ndarray  # (n,)
    loss: np.ndarray  # (n,)
    val_loss: np.ndarray  # (n,) NaN where there was no held-out part


def loss(model: Source) -> Loss:
    """The loss, and held-out loss when there was any, per epoch of a model."""
    if not isinstance(model, Model):
        raise TlmError("a training curve needs a tlm model file (--model), not pretrained vectors")
    if not model.history:
        raise TlmError("the model has no training history (it was never trained)")
    h = model.history
    return Loss(
        np.array([e.get("epoch", i + 1) for i, e in enumerate(h)]),
        np.array([e["loss"] for e in h], dtype=np.float64),
        np.array([e.get("val_loss", np.nan) for e in h], dtype=np.float64),
    )


def render(results: Mapping[str, Loss]) -> str:
    n = max(len(r.epochs) for r in results.values())
    rows = []
    for i in range(n):
        cells = []
        for r in results.values():
            if i >= len(r.loss):
                cells.append("")
                continue
            val = "" if np.isnan(r.val_loss[i]) else f" val {r.val_loss[i]:.4f}"
            cells.append(f"{r.loss[i]:.4f}{val}")
        rows.append([str(i + 1), *cells])
    return "loss per epoch\n" + columns(["epoch", *results], rows)


def draw(results: Loss | Mapping[str, Loss]):
    """Training and held-out loss per epoch, per model."""
    results = mapping(results)
    fig, axs = figure(1, len(results))
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        ax.plot(r.epochs, r.loss, marker=".", label="training loss")
        if not np.isnan(r.val_loss).all():
            ax.plot(r.epochs, r.val_loss, marker=".", label="held-out loss")
        ax.set(title=label, xlabel="epoch", ylabel="loss")
        ax.legend(fontsize=8)
    return fig


ANALYSIS = Analysis(
    name="loss",
    order=16,
    question=__doc__.splitlines()[0],
    title='Training curves',
    look_for=("Does the held-out loss fall with the training loss, or turn back up "
              "(overfitting)?"),
    compute=loss,
    render=render,
    draw=draw,
    result=Loss,
    in_atlas=False,
)
