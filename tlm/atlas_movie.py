"""The atlas's training movie: what the page needs to play one model's frames.

The page (tlm/static/atlas-movie.js) draws the aligned map of each frame
(tlm/analyses/movie.py), the loss curves with the frame marked, and the
nearest words of a word picked at that frame. It cannot compute neighbours
without every frame's vectors (2,000 words x 32 dimensions x 21 frames is
3.6 MB in base64), so they are computed here, for the words a learner can
pick (`PICK` most frequent and the group words), among all the frame's
words, and stored compactly:

- map places: uint16 per coordinate over the range of all frames (finer than
  a screen pixel), base64;
- neighbours: uint16 row numbers (F, P, k), base64;
- their cosines: uint8, cos = q / 127 - 1 (to within 0.004), base64.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np

from tlm.analyses.movie import Movie, labelled, nearest

#: Words a learner can pick in the page: the most frequent this many, and the group words.
PICK = 300
#: Nearest words listed for a picked word.
K = 8


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def _numbers(a: np.ndarray, digits: int = 4) -> list[float | None]:
    return [None if np.isnan(x) else round(float(x), digits) for x in a]


def page_data(m: Movie, colours: Sequence[str], other: str) -> dict[str, Any]:
    """One movie as JSON-ready data for the page."""
    F, N, _ = m.xy.shape
    lo = m.xy.reshape(-1, 2).min(axis=0).astype(np.float64)
    hi = m.xy.reshape(-1, 2).max(axis=0).astype(np.float64)
    span = np.maximum(hi - lo, 1e-9)
    q = np.round((m.xy - lo) / span * 65535).astype("<u2")  # (F, N, 2)
    pick = np.union1d(np.arange(min(PICK, N)), np.flatnonzero(m.group >= 0)).astype(np.int64)
    k = min(K, N - 1)
    near = np.zeros((F, len(pick), k), dtype="<u2")
    cos = np.zeros((F, len(pick), k), dtype=np.uint8)
    for f in range(F):
        top, c = nearest(m.unit[f], pick, k)
        near[f] = top
        cos[f] = np.round((np.clip(c, -1, 1) + 1) * 127)
    epochs, loss, val = m.history
    return {
        "label": m.label,
        "frames": F,
        "words": m.words,
        "group": m.group.tolist(),
        "groups": m.groups,
        "colours": list(colours),
        "other": other,
        "labelled": labelled(m).tolist(),
        "explained": [round(x, 4) for x in m.explained],
        "at": [round(float(a), 4) for a in m.at],
        "loss": _numbers(m.loss),
        "val_loss": _numbers(m.val_loss),
        "val_positions": m.val_positions,
        "background": _numbers(m.background),
        "history": {"epoch": epochs.tolist(), "loss": _numbers(loss), "val_loss": _numbers(val)},
        "xy": {"lo": lo.tolist(), "hi": hi.tolist(), "data": _b64(q)},
        "pick": pick.tolist(),
        "k": k,
        "near": _b64(near),
        "cos": _b64(cos),
    }
