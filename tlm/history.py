"""A model's training history: one `Epoch` per epoch trained.

Training appends one after every epoch, the model file keeps them (as JSON
objects with the fields below, those not None), `tlm info` prints them and a
notebook reads them: `model.history[-1].val_ppl`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class Epoch:
    """What one epoch of training did."""

    epoch: int                      # 1 .. epochs
    loss: float | None              # mean training loss over the epoch (None: skipped)
    val_loss: float | None = None   # held-out loss after the epoch (--val-fraction)
    val_ppl: float | None = None    # exp(val_loss); inf: some held-out word had p = 0
    val_scored: int | None = None   # held-out positions in the mean
    val_unknown: int | None = None  # held-out positions whose next word is unknown: not scored
    val_impossible: int | None = None  # scored positions given p = 0 (an unsmoothed count model)
    seconds: float | None = None    # the epoch's wall time, with the held-out loss
    examples_per_second: int | None = None  # training only
    interrupted_after: int | None = None  # Ctrl-C: examples of this epoch trained ...
    of: int | None = None                 # ... of all its examples
    skipped: str | None = None      # why the epoch had nothing to train on

    @classmethod
    def from_dict(cls, entry: dict[str, Any]) -> Epoch:
        """An entry of a model file (checked by tlm/schema.py); keys this tlm does not
        know (a newer tlm's) are left out."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in entry.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        """The entry as the model file stores it: epoch, loss (null for a skipped
        epoch) and the other fields that have a value."""
        return {k: v for k, v in dataclasses.asdict(self).items()
                if v is not None or k in ("epoch", "loss")}

    # Read access by key, for code written when entries were dicts: entry["loss"].
    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key, None) if key in _NAMES else None
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


_NAMES = frozenset(f.name for f in dataclasses.fields(Epoch))
