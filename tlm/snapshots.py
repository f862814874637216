"""Snapshots of E while a model trains: the frames of the training movie.

A finished model shows where the words ended up, not how they got there.
`tlm train --snapshots N` keeps a copy of E at the start and at N points
spread over the run, with the loss at each, so that `tlm explore movie` and
the atlas can show the space forming. Most of the learning happens early (the
tongue twister's loss falls from 2.4 to 0.9 in the first 50 of 1,000 epochs),
so the points are closer together at the start: snapshot k of N is taken
when (k/N)**2 of the run is done (1/400, 4/400, 9/400, ... of it for N = 20),
and the last one at the end. The training loop (tlm/train.py) calls a `Recorder`
after every batch; any model with word vectors E (V, d) gets snapshots the
same way, whatever its maths.

Compact: the rows are float16 (a map and nearest neighbours need no more),
and when the vocabulary is large only the rows a picture needs are kept (the
`KEEP` most frequent words and the words asked for, e.g. the word groups the
maps colour). Each frame also keeps

- the training loss over the examples since the frame before (the mean of
  the batches' losses, which training computes anyway), and
- for a next-word model with a held-out part (--val-fraction), the held-out
  loss on a fixed sample of at most `VAL_SAMPLE` held-out positions, evenly
  spaced through it: the same positions at every frame, so frames compare
  with each other. On Emma's 15,822 held-out positions a frame costs a
  thirtieth of an epoch's full held-out loss: 20 frames over 5 epochs spend
  1% of the training's CPU time in this module (benchmarks/snapshots.py;
  with 1,000 positions it was about 5%).

In the model file the snapshots are one JSON object beside the arrays (see
`to_dict`), with a checksum of their own; a file without them loads as before.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm.errors import TlmError
from tlm.perplexity import scored_positions

if TYPE_CHECKING:
    from tlm.models.base import Model

#: Above this many words, only the KEEP most frequent (and the words asked for) are kept.
KEEP = 2000
#: Held-out positions scored at each frame (a fixed, evenly spaced sample).
VAL_SAMPLE = 500
#: At most this many frames (--snapshots N gives N + 1 with the start).
MAX_SNAPSHOTS = 1000


@dataclass
class Snapshots:
    """The frames of one training run: E's kept rows at each, and the losses."""

    rows: np.ndarray  # (K,) int: the vocabulary rows kept, most frequent word first
    E: np.ndarray  # (F, K, d) float16: those rows of E at each frame
    at: list[float]  # (F,) epochs done at each frame (2.5: half way through epoch 3)
    loss: list[float | None]  # (F,) training loss since the frame before (None at the start)
    val_loss: list[float | None]  # (F,) held-out loss on the sample (None: no held-out part)
    val_positions: int = 0  # held-out positions in that sample (0: none)

    @property
    def frames(self) -> int:
        return len(self.at)

    @property
    def nbytes(self) -> int:
        """Bytes of the rows as stored (float16, before base64)."""
        return int(self.E.size * 2)

    def words(self, vocab: Sequence[str]) -> list[str]:
        return [vocab[i] for i in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """The model file's "snapshots": {"rows": [...], "at": [...], "loss": [...],
        "val_loss": [...], "val_positions": n, "E": {"dtype": "float16", "shape":
        [F, K, d], "encoding": "base64", "data": ...}, "checksum": "sha256:..."}."""
        data = np.ascontiguousarray(self.E, dtype="<f2")
        return {
            "rows": [int(i) for i in self.rows],
            "at": [round(float(a), 6) for a in self.at],
            "loss": self.loss,
            "val_loss": self.val_loss,
            "val_positions": self.val_positions,
            "E": {"dtype": "float16", "shape": list(data.shape), "encoding": "base64",
                  "data": base64.b64encode(data.tobytes()).decode("ascii")},
            "checksum": _checksum(self.rows, data),
        }

    @classmethod
    def from_dict(cls, value: Any, V: int, d: int) -> Snapshots:
        """The model file's "snapshots", every field checked (for a model of V words
        and d dimensions); a wrong one is a TlmError that names it."""
        if not isinstance(value, dict):
            raise TlmError("snapshots must be a JSON object")
        rows = value.get("rows")
        if not (isinstance(rows, list) and rows and all(
                isinstance(i, int) and not isinstance(i, bool) and 0 <= i < V for i in rows)):
            raise TlmError(f"snapshots.rows must be a list of row numbers below {V}")
        if len(set(rows)) != len(rows):
            raise TlmError("snapshots.rows has a row twice")
        at = value.get("at")
        if not (isinstance(at, list) and at and all(_number(a) and a >= 0 for a in at)):
            raise TlmError("snapshots.at must be a list of numbers 0 or more")
        F, K = len(at), len(rows)
        losses = {}
        for key in ("loss", "val_loss"):
            v = value.get(key)
            if not (isinstance(v, list) and len(v) == F and all(x is None or _number(x)
                                                                for x in v)):
                raise TlmError(f"snapshots.{key} must be {F} numbers (or null), one per frame")
            losses[key] = v
        n_val = value.get("val_positions", 0)
        if not (isinstance(n_val, int) and not isinstance(n_val, bool) and n_val >= 0):
            raise TlmError("snapshots.val_positions must be a whole number 0 or more")
        E = value.get("E")
        if not (isinstance(E, dict) and E.get("dtype") == "float16"
                and E.get("encoding") == "base64" and E.get("shape") == [F, K, d]
                and isinstance(E.get("data"), str)):
            raise TlmError(f"snapshots.E must be base64 float16 of shape [{F}, {K}, {d}]")
        try:
            raw = base64.b64decode(E["data"], validate=True)
        except ValueError:
            raise TlmError("snapshots.E.data is not valid base64") from None
        if len(raw) != F * K * d * 2:
            raise TlmError(f"snapshots.E.data has {len(raw)} bytes; [{F}, {K}, {d}] needs "
                           f"{F * K * d * 2}")
        data = np.frombuffer(raw, dtype="<f2").reshape(F, K, d)
        rows_array = np.array(rows, dtype=np.int64)
        if value.get("checksum") != _checksum(rows_array, data):
            raise TlmError("snapshots do not match the checksum saved with them")
        if not np.isfinite(data).all():
            raise TlmError("snapshots.E holds NaN or infinite numbers")
        return cls(rows_array, data.astype(np.float16), [float(a) for a in at],
                   losses["loss"], losses["val_loss"], n_val)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _checksum(rows: np.ndarray, E: np.ndarray) -> str:
    h = hashlib.sha256(json.dumps([int(i) for i in rows]).encode("ascii"))
    h.update(np.ascontiguousarray(E, dtype="<f2").tobytes())
    return "sha256:" + h.hexdigest()


def when(k: int, n: int) -> float:
    """The share of the run done at snapshot k of n: (k/n)**2, closer together early."""
    return (k / n) ** 2


def kept_rows(model: Model, extra: Sequence[str] = ()) -> np.ndarray:
    """The rows of E a snapshot keeps: every word but `<unk>` when there are at most
    KEEP, else the KEEP most frequent and the `extra` words the model has; most
    frequent first (the order of `model.vectors`)."""
    order = model._vector_order(unk=False)  # (V,) most frequent first, no <unk>
    if len(order) <= KEEP:
        return order
    kept = list(order[:KEEP])
    chosen = set(kept)
    for word in extra:
        i = model.word_to_idx.get(word)
        if i is not None and i not in chosen and model.vocab[i] != "<unk>":
            kept.append(i)
            chosen.add(i)
    return np.array(kept, dtype=np.int64)


@dataclass
class Recorder:
    """Takes the snapshots while `train` runs: the start when made, then
    `after_batch` after every batch, and `finish` when training stops."""

    model: Model
    n: int  # snapshots after the start: at when(1, n), ..., when(n, n) = 1 of the run
    val_docs: list[np.ndarray] = field(default_factory=list)
    extra_words: Sequence[str] = ()

    def __post_init__(self) -> None:
        if not self.model.has_vectors:
            raise TlmError(f"--snapshots keeps copies of E, and a {self.model.type} model has "
                           "no word vectors")
        if not 1 <= self.n <= MAX_SNAPSHOTS:
            raise TlmError(f"--snapshots must be from 1 to {MAX_SNAPSHOTS}, not {self.n}")
        self.rows = kept_rows(self.model, self.extra_words)
        self.frames: list[np.ndarray] = []
        self.at: list[float] = []
        self.loss: list[float | None] = []
        self.val_loss: list[float | None] = []
        self.sample: tuple[np.ndarray, np.ndarray] | None = None
        if self.val_docs and self.model.predicts_next_word:
            contexts, targets, _ = scored_positions(self.model, self.val_docs)
            pick = np.unique(np.linspace(0, len(targets) - 1, min(VAL_SAMPLE, len(targets)))
                             .round().astype(np.int64))  # evenly spaced through the text
            self.sample = (contexts[pick], targets[pick])
        self.taken = 0  # snapshots after the start taken so far
        self._loss_sum, self._seen = 0.0, 0
        self._take(0.0)

    def _held_out(self) -> float | None:
        if self.sample is None:
            return None
        with np.errstate(all="ignore"):
            log_p = self.model.log_probs(*self.sample)  # (S,)
        return float(-log_p.mean(dtype=np.float64))

    def _take(self, at: float) -> None:
        self.frames.append(self.model.E[self.rows].astype(np.float16))  # (K, d)
        self.at.append(at)
        self.loss.append(self._loss_sum / self._seen if self._seen else None)
        self.val_loss.append(self._held_out())
        self._loss_sum, self._seen = 0.0, 0

    def due(self, fraction: float) -> bool:
        """Whether the next snapshot is due when `fraction` of the run is done."""
        return self.taken < self.n and fraction >= when(self.taken + 1, self.n) - 1e-9

    def after_batch(self, loss: float, examples: int, fraction: float, epochs: int) -> None:
        """A batch of `examples` with mean `loss` ended `fraction` of the way through
        a run of `epochs` epochs: take the snapshot if one is due."""
        self._loss_sum += loss * examples
        self._seen += examples
        while self.due(fraction):
            self.taken += 1
            self._take(fraction * epochs)

    def finish(self, fraction: float, epochs: int) -> Snapshots:
        """The snapshots, with a last frame where training stopped if it stopped
        (Ctrl-C) after the last one taken."""
        if self._seen:
            self._take(fraction * epochs)
        return Snapshots(self.rows, np.stack(self.frames), self.at, self.loss,
                         self.val_loss, 0 if self.sample is None else len(self.sample[1]))
