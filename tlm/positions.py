"""What the theory notebook shows about word order, on a trained transformer.

Each function returns the numbers and a matplotlib Figure of them (made
without pyplot, so nothing opens a window and nothing is shared between calls):

- `sinusoidal_picture`: the fixed sin/cos table as a heatmap, and as curves for
  a few of its columns (fast ones at the left, slow ones at the right);
- `rope_picture`: a real query vector of the model (block 1, head 1, for a word)
  turned by RoPE at every position of the window: each pair of dimensions moves
  on a circle, at its own speed, and the vector's length never changes (the
  largest change of length is returned, to be checked against 1e-6);
- `alibi_picture`: ALiBi's bias, -m_h (i - j), one matrix per head;
- `learned_cosines`: the cosine between every two learned position vectors;
- `attention_picture`: each block's and head's attention for a sentence, the
  words on both axes (row: the word reading; column: the word read).

    from tlm import modelfile, positions
    model = modelfile.load("austen.json")
    pic = positions.attention_picture(model, "she was not sorry to be gone".split())
    pic.figure.savefig("attention.png")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from tlm.errors import TlmError
from tlm.models.transformer import (
    TransformerModel,
    alibi_bias,
    alibi_slopes,
    layer_norm,
    rope,
    rope_angles,
    sinusoidal_table,
)


@dataclass
class Picture:
    data: dict[str, Any]  # the numbers drawn
    figure: Figure


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _transformer(model: Any) -> TransformerModel:
    if getattr(model, "type", None) != "transformer":
        raise TlmError(f"this picture needs a transformer model, not a "
                       f"{getattr(model, 'type', type(model).__name__)} model")
    return model


def sinusoidal_picture(T: int = 64, d: int = 128, columns: tuple[int, ...] = (0, 8, 20, 40, 80)
                       ) -> Picture:
    """The table of `--positions sinusoidal` (T, d), as a heatmap and as curves."""
    table = sinusoidal_table(T, d)                                  # (T, d)
    fig = _figure(11, 4)
    heat, curves = fig.subplots(1, 2)
    im = heat.imshow(table, aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
    heat.set(title=f"sinusoidal positions ({T} x {d})", xlabel="dimension", ylabel="position")
    fig.colorbar(im, ax=heat)
    for c in columns:
        if c < d:
            curves.plot(table[:, c], label=f"dim {c} ({'sin' if c % 2 == 0 else 'cos'})")
    curves.set(title="a few columns: slower waves further right",
               xlabel="position", ylabel="value")
    curves.legend(fontsize=8)
    return Picture({"table": table}, fig)


def query_vector(model: TransformerModel, word: str) -> np.ndarray:
    """(dh,) the query of head 1 of block 1 for `word` alone, before RoPE turns it."""
    c = model.config
    x = np.sqrt(c.dim) * model.E[model._id(word)]                   # (d,)
    layer = model.layer(0)
    a, _ = layer_norm(x, layer.ln1_g, layer.ln1_b)                  # (d,)
    return (a @ layer.Wq)[: c.dim // c.heads].astype(np.float64)    # (dh,) head 1's columns


def rope_picture(model: Any, word: str, pairs: tuple[int, ...] = (0, 1, 3, 7)) -> Picture:
    """A real query vector turned by RoPE at positions 0..T-1: the path of a few of
    its dimension pairs, and its length at every position."""
    model = _transformer(model)
    if model.config.positions != "rope":
        raise TlmError(f"this model places words by {model.config.positions}, not rope")
    q = query_vector(model, word)                                   # (dh,)
    T, dh = model.config.context_window, len(q)
    cos, sin = rope_angles(T, dh)
    turned = rope(np.tile(q, (T, 1)), cos, sin)                     # (T, dh): q at every position
    norms = np.linalg.norm(turned, axis=1)                          # (T,)
    change = float(np.abs(norms - np.linalg.norm(q)).max())
    fig = _figure(11, 4.5)
    paths, lengths = fig.subplots(1, 2)
    for i in pairs:
        if 2 * i + 1 < dh:
            paths.plot(turned[:, 2 * i], turned[:, 2 * i + 1], ".", markersize=4,
                       label=f"dims {2 * i},{2 * i + 1}: "
                             f"{1 / 10000 ** (2 * i / dh):.3g} rad a position")
    paths.set_aspect("equal")
    paths.set(title=f"RoPE turns the query of {word!r} (block 1, head 1)",
              xlabel="first of the pair", ylabel="second of the pair")
    paths.legend(fontsize=8)
    lengths.plot(norms)
    lengths.set_ylim(0, norms.max() * 1.2)
    lengths.set(title=f"its length at each position (largest change {change:.1e})",
                xlabel="position", ylabel="|q|")
    return Picture({"query": q, "turned": turned, "norms": norms, "largest_change": change}, fig)


def alibi_picture(T: int = 16, H: int = 4) -> Picture:
    """ALiBi's bias (H, T, T) for queries i and keys j <= i (the future is masked)."""
    bias = alibi_bias(T, H)
    shown = np.where(np.tri(T, dtype=bool), bias, np.nan)           # the masked future blank
    fig = _figure(3 * H, 3.2)
    axes = np.atleast_1d(fig.subplots(1, H))
    for h, ax in enumerate(axes):
        im = ax.imshow(shown[h], cmap="viridis")
        ax.set(title=f"head {h + 1}: m = {alibi_slopes(H)[h]:.3g}", xlabel="key position",
               ylabel="query position" if h == 0 else None)
        fig.colorbar(im, ax=ax, shrink=0.8)
    return Picture({"bias": bias, "slopes": alibi_slopes(H)}, fig)


def learned_cosines(model: Any) -> Picture:
    """(T, T) cosine similarity between the learned position vectors (rows of P)."""
    model = _transformer(model)
    if model.config.positions != "learned":
        raise TlmError(f"this model places words by {model.config.positions}; only a "
                       "--positions learned model has position vectors to compare")
    P = model.P.astype(np.float64)
    unit = P / np.maximum(np.linalg.norm(P, axis=1, keepdims=True), 1e-12)
    cosines = unit @ unit.T                                         # (T, T)
    fig = _figure(5.5, 4.5)
    ax = fig.subplots()
    im = ax.imshow(cosines, cmap="RdBu", vmin=-1, vmax=1)
    ax.set(title="cosine between learned position vectors", xlabel="position",
           ylabel="position")
    fig.colorbar(im, ax=ax)
    return Picture({"cosines": cosines}, fig)


def attention_picture(model: Any, words: list[str]) -> Picture:
    """Every block's and head's attention for `words`, as heatmaps labelled by word."""
    model = _transformer(model)
    maps = model.attention_weights(words)                           # (L, H, T, T)
    L, H, T, _ = maps.shape
    fig = _figure(2.6 * H + 1, 2.6 * L + 0.6)
    axes = np.asarray(fig.subplots(L, H, squeeze=False))
    for layer in range(L):
        for h in range(H):
            ax = axes[layer, h]
            ax.imshow(maps[layer, h], cmap="Greys", vmin=0, vmax=1)
            ax.set_title(f"block {layer + 1}, head {h + 1}", fontsize=9)
            ax.set_xticks(range(T), words, rotation=90, fontsize=7)
            ax.set_yticks(range(T), words if h == 0 else [], fontsize=7)
    fig.suptitle("attention: row = the word reading, column = the word read")
    return Picture({"words": list(words), "attention": maps}, fig)
