"""What `tlm info` shows about a model, as data: a notebook gets the same
facts as the command line, and the command only lays them out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tlm.history import Epoch
from tlm.models.base import Model


@dataclass
class Summary:
    type: str
    words: int  # vocabulary size
    dimensions: int | None  # columns of E (None: a count model has no vectors)
    arrays: dict[str, tuple[int, ...]]  # name -> shape
    settings: dict[str, Any]  # the training config
    info: dict[str, Any]  # sources, transforms, tokens: where the text came from
    history: list[Epoch]  # one entry per epoch trained
    epochs: int  # the epochs training was asked for (a count model counts in one)
    contexts: int | None = None  # a count model: the columns of its counts
    snapshots: Any = None  # tlm train --snapshots N: the frames (tlm/snapshots.py)


def summarize(model: Model) -> Summary:
    """The facts `tlm info` prints about `model`."""
    return Summary(
        type=model.type,
        words=len(model.vocab),
        dimensions=model.E.shape[1] if model.has_vectors else None,
        contexts=None if model.has_vectors else model.counts.shape[1],
        arrays={name: tuple(model.arrays[name].shape) for name in model.array_names},
        settings=dataclasses.asdict(model.config),
        info=dict(model.info),
        history=list(model.history),
        epochs=model.config.epochs,
        snapshots=model.snapshots,
    )
