"""How does a transformer know where each word is?

Attention alone reads a set of words: it would give `dog bites man` and `man
bites dog` the same mix. The theory notebook's answers, each shown on the
trained model's own settings (`--positions`):

- sinusoidal: a fixed table of sines and cosines is added to the input, fast
  waves in the first columns and ever slower ones further right; the dot
  product of two rows depends only on how far apart they are;
- rope: each head's query and key are turned, pair of dimensions by pair, by an
  angle that grows with the position; a real query of the model is turned here,
  and its length never changes (checked to 1e-6), so q_i . k_j depends on i - j;
- alibi: nothing is added to the words; each head subtracts m_h (i - j) from its
  scores, forgetting far words at its own rate;
- learned: a trained vector per position, compared by cosine: do neighbouring
  positions get similar vectors?
- none: the causal mask alone (a `--positions none` model has nothing to show).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Option,
    Result,
    columns,
    figure,
    join,
    mapping,
    model_of,
)
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
from tlm.vectors import Source
from tlm.vocab import UNK

#: Dimension pairs whose path RoPE draws (the first, fastest ones, and two slower).
ROPE_PAIRS = (0, 1, 3, 7)
#: Distances k at which P[t] . P[t + k] is shown (sinusoidal) and cosines averaged (learned).
SHIFTS = (1, 2, 4, 8, 16, 32)
#: At most this many ALiBi heads are drawn.
HEADS_DRAWN = 8


@dataclass(repr=False)
class Positions(Result):
    """What a transformer's `--positions` scheme does, on its own T, d and heads.
    Only the fields of its scheme are filled."""

    scheme: str
    T: int  # the context window
    d: int
    heads: int
    # sinusoidal
    table: np.ndarray | None = None  # (T, d)
    columns: tuple[int, ...] = ()  # the columns drawn as curves
    shift_dots: dict[int, tuple[float, float]] | None = None  # k: (P[0].P[k], P[t].P[t+k])
    # rope
    word: str | None = None
    query: np.ndarray | None = None  # (dh,) head 1's query in block 1, before it is turned
    turned: np.ndarray | None = None  # (T, dh) that query turned to every position
    norms: np.ndarray | None = None  # (T,) its length at every position
    largest_change: float | None = None  # max | |q turned| - |q| |
    pairs: tuple[int, ...] = ()  # the dimension pairs drawn
    # alibi
    slopes: np.ndarray | None = None  # (H,)
    bias: np.ndarray | None = None  # (H, T, T), 0 above the diagonal (the mask rules there)
    # learned
    cosines: np.ndarray | None = None  # (T, T)
    by_distance: np.ndarray | None = None  # (T,) mean cosine of positions k apart


def query_vector(model: TransformerModel, word: str) -> np.ndarray:
    """(dh,) head 1's query in block 1 for `word` alone, before RoPE turns it: the
    input row sqrt(d) E[word] (a rope model adds nothing to it), LayerNorm, Wq."""
    c = model.config
    x = np.sqrt(c.dim) * model.E[model._id(word)].astype(np.float64)  # (d,)
    layer = model.layer(0)
    a, _ = layer_norm(x, layer.ln1_g, layer.ln1_b)                    # (d,)
    return (a @ layer.Wq)[: c.dim // c.heads].astype(np.float64)      # (dh,) head 1's columns


def most_frequent(model: TransformerModel) -> str:
    """The model's most frequent word other than <unk>."""
    order = np.argsort(-np.asarray(model.word_counts), kind="stable")  # ties: the first
    return next((model.vocab[i] for i in order if model.vocab[i] != UNK), model.vocab[0])


def positions(model: Source, word: str | None = None) -> Positions:
    """The numbers behind a transformer's positions: its sinusoidal table, RoPE
    turning a real query (`word`: default the most frequent), ALiBi's biases, or
    the cosines of its learned position vectors."""
    model = model_of(model, "transformer", "positions")
    c = model.config
    T, d, H = c.context_window, c.dim, c.heads
    out = Positions(c.positions, T, d, H)
    if c.positions == "sinusoidal":
        table = sinusoidal_table(T, d)                                    # (T, d)
        t = T // 2
        out.table = table
        out.columns = tuple(sorted({2 * int(d * f / 2) for f in (0, 1 / 16, 1 / 8, 1 / 4, 1 / 2)}))
        out.shift_dots = {k: (float(table[0] @ table[k]), float(table[t] @ table[t + k]))
                          for k in SHIFTS if t + k < T}
    elif c.positions == "rope":
        word = word or most_frequent(model)
        if word not in model.word_to_idx:
            raise TlmError(model.vocabulary.unknown_message(word))
        q = query_vector(model, word)                                     # (dh,)
        dh = len(q)
        cos, sin = rope_angles(T, dh)                                     # (T, dh/2) each
        turned = rope(np.tile(q, (T, 1)), cos, sin)                       # (T, dh): q at each t
        norms = np.linalg.norm(turned, axis=1)                            # (T,)
        out.word, out.query, out.turned, out.norms = word, q, turned, norms
        out.largest_change = float(np.abs(norms - np.linalg.norm(q)).max())
        out.pairs = tuple(i for i in ROPE_PAIRS if i < dh // 2)
    elif c.positions == "alibi":
        out.slopes = alibi_slopes(H)                                      # (H,)
        out.bias = alibi_bias(T, H)                                       # (H, T, T)
    elif c.positions == "learned":
        P = model.P.astype(np.float64)                                    # (T, d)
        unit = P / np.maximum(np.linalg.norm(P, axis=1, keepdims=True), 1e-12)
        cosines = unit @ unit.T                                           # (T, T)
        out.cosines = cosines
        out.by_distance = np.array([np.diagonal(cosines, k).mean() for k in range(T)])  # (T,)
    else:
        raise TlmError("this transformer has no positions to show (--positions none): the "
                       "causal mask alone tells a word how many words came before it")
    return out


def angle(i: int, dh: int) -> float:
    """Radians RoPE turns dimension pair i per position: 1 / 10000^(2i/dh)."""
    return 1 / 10000 ** (2 * i / dh)


# -- text ---------------------------------------------------------------------------------
def _text(label: str, r: Positions) -> str:
    head = f"{label}: --positions {r.scheme} (window {r.T}, d {r.d}, {r.heads} heads)"
    if r.scheme == "sinusoidal":
        rows = [[str(k), f"{a:.4f}", f"{b:.4f}"] for k, (a, b) in r.shift_dots.items()]
        return (f"{head}\nthe sinusoidal table ({r.T} x {r.d}), added to sqrt(d) E[word]; "
                f"P[t] . P[t + k] depends on k only:\n"
                + columns(["k", "P[0] . P[k]", f"P[{r.T // 2}] . P[{r.T // 2} + k]"], rows))
    if r.scheme == "rope":
        dh = len(r.query)
        rows = [[f"{2 * i},{2 * i + 1}", f"{angle(i, dh):.4g}",
                 f"{angle(i, dh) * (r.T - 1) / (2 * np.pi):.3g}"] for i in r.pairs]
        check = "kept" if r.largest_change < 1e-6 else "NOT kept"
        return (f"{head}\nthe query of {r.word!r} (block 1, head 1, {dh} dimensions), turned "
                f"to each of the {r.T} positions: length {np.linalg.norm(r.query):.4f}, largest "
                f"change {r.largest_change:.1e} ({check} to 1e-6)\n"
                + columns(["pair", "radians a position", f"turns over {r.T - 1} positions"],
                          rows))
    if r.scheme == "alibi":
        far = [k for k in (1, 4, 16, r.T - 1) if k < r.T]
        rows = [[str(h + 1), f"{m:.4g}", *(f"{-m * k:.3f}" for k in far)]
                for h, m in enumerate(r.slopes)]
        return (f"{head}\nALiBi adds -m_h (i - j) to head h's score of word j read by word i:\n"
                + columns(["head", "m_h", *(f"{k} back" for k in far)], rows))
    far = [k for k in SHIFTS if k < r.T]
    rows = [[str(k), f"{r.by_distance[k]:.3f}"] for k in far]
    return (f"{head}\nthe learned position vectors P ({r.T} x {r.d}): mean cosine of two "
            f"positions k apart\n" + columns(["k", "mean cosine"], rows))


def render(results: Mapping[str, Positions]) -> str:
    return join(*(_text(label, r) for label, r in results.items()))


# -- picture ------------------------------------------------------------------------------
def _panels(r: Positions) -> int:
    return min(r.heads, HEADS_DRAWN) if r.scheme == "alibi" else 2


def _sinusoidal(fig, axs: Sequence, label: str, r: Positions) -> None:
    heat, curves = axs
    im = heat.imshow(r.table, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
    heat.set(title=f"{label}: the sinusoidal table", xlabel="dimension", ylabel="position")
    fig.colorbar(im, ax=heat, shrink=0.8)
    for c in r.columns:
        curves.plot(r.table[:, c], label=f"dim {c}")
    curves.set(title="a few columns: slower further right", xlabel="position", ylabel="value")
    curves.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)


def _rope(fig, axs: Sequence, label: str, r: Positions) -> None:
    paths, lengths = axs
    for i in r.pairs:
        paths.plot(r.turned[:, 2 * i], r.turned[:, 2 * i + 1], ".-", markersize=3, lw=0.5,
                   label=f"dims {2 * i},{2 * i + 1}")
    paths.set_aspect("equal", adjustable="datalim")
    paths.set(title=f"{label}: RoPE turns the query of {r.word!r}",
              xlabel="first of a pair", ylabel="second of a pair")
    paths.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    lengths.plot(r.norms, marker=".", markersize=3)
    lengths.set_ylim(0, r.norms.max() * 1.2)
    lengths.set(title=f"its length: largest change {r.largest_change:.1e}",
                xlabel="position", ylabel="|q|")


def _alibi(fig, axs: Sequence, label: str, r: Positions) -> None:
    shown = np.where(np.tri(r.T, dtype=bool), r.bias, np.nan)            # the future blank
    for h, ax in enumerate(axs):  # one colour scale for every head: how fast each forgets
        im = ax.imshow(shown[h], cmap="viridis", vmin=float(r.bias.min()), vmax=0)
        ax.set(title=f"{label}: head {h + 1}, m = {r.slopes[h]:.3g}" if h == 0
               else f"head {h + 1}, m = {r.slopes[h]:.3g}",
               xlabel="key position j", ylabel="query position i" if h == 0 else None)
    bar = fig.colorbar(im, ax=axs[-1], shrink=0.8)  # the scale of them all
    bar.set_label("bias added to the score", fontsize=8)


def _learned(fig, axs: Sequence, label: str, r: Positions) -> None:
    heat, line = axs
    im = heat.imshow(r.cosines, cmap="RdBu_r", vmin=-1, vmax=1)
    heat.set(title=f"{label}: cosine of learned positions", xlabel="position",
             ylabel="position")
    fig.colorbar(im, ax=heat, shrink=0.8)
    line.plot(range(1, r.T), r.by_distance[1:], marker=".", markersize=3)  # k = 0: always 1
    line.axhline(0, color="k", lw=0.6)
    line.set(title="mean cosine of positions k apart", xlabel="k", ylabel="cosine")


DRAW = {"sinusoidal": _sinusoidal, "rope": _rope, "alibi": _alibi, "learned": _learned}


def draw(results: Positions | Mapping[str, Positions]):
    """One row per model: the picture of its scheme (two panels, or one per ALiBi head)."""
    results = mapping(results)
    cols = max(_panels(r) for r in results.values())
    fig, axs = figure(len(results), cols, width=4.6, height=3.8)
    for row, (label, r) in enumerate(results.items()):
        n = _panels(r)
        DRAW[r.scheme](fig, axs[row, :n], label, r)
        for ax in axs[row, n:]:
            ax.remove()  # a panel this scheme does not need
    return fig


ANALYSIS = Analysis(
    name="positions",
    order=19,
    question=__doc__.splitlines()[0],
    title="Where is each word? The transformer's positions",
    look_for=("Sinusoidal: fast waves at the left of the table, slow ones at the right. RoPE: "
              "each pair of dimensions of a real query goes round a circle at its own speed, "
              "and the length of the query never changes. ALiBi: each head fades far words at "
              "its own rate. Learned: are neighbouring positions alike (cosine near 1 for "
              "small k)?"),
    compute=positions,
    render=render,
    draw=draw,
    result=Positions,
    options=(Option("word", "RoPE: the word whose query is turned (default: the most "
                    "frequent).", type=str, metavar="WORD"),),
    model_type="transformer",
)
