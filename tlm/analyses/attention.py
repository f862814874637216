"""Which earlier words does each word of a sentence read, in each head?

A transformer's block lets every word read the words before it (and itself):
row i of a head's attention is how much word i takes from each word j <= i,
a softmax, so the row sums to 1. Heads of one block read differently: one the
word just before, one the first word, one a word far back that fits. The
table names, for every word, the word each head reads most; the picture is
every head's whole matrix, the words on both axes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tlm.analyses import _base
from tlm.analyses._base import (
    Analysis,
    Argument,
    Result,
    columns,
    figure,
    join,
    mapping,
    model_of,
    wrap,
)
from tlm.errors import TlmError
from tlm.generate import prompt_words
from tlm.vectors import Source
from tlm.vocab import UNK

#: The sentence read when none is given (and in the atlas).
SENTENCE = "she was not sorry to go"


@dataclass(repr=False)
class Attention(Result):
    """Every block's and head's attention for one sentence."""

    words: list[str]  # (T,) the words as the model reads them (<unk> for an unknown one)
    weights: np.ndarray  # (L, H, T, T): row i, word i reading word j (0 for j > i)
    positions: str  # the model's --positions

    @property
    def distance(self) -> np.ndarray:
        """(L, H) how far back a head reads, on average over the words:
        mean over i of sum_j A_ij (i - j)."""
        T = len(self.words)
        back = np.maximum(np.arange(T)[:, None] - np.arange(T)[None, :], 0)  # (T, T) i - j
        return (self.weights * back).sum(axis=-1).mean(axis=-1)            # (L, H)


def attention(model: Source, sentence: Sequence[str] | str = SENTENCE) -> Attention:
    """Each head's attention over the words of `sentence` (read with the model's
    transforms, as `tlm generate` reads a prompt); at most the model's window."""
    model = model_of(model, "transformer", "attention")
    text = sentence if isinstance(sentence, str) else " ".join(sentence)
    words = prompt_words(model, text)
    if not words:
        raise TlmError("attention needs a sentence: give some words")
    T = model.config.context_window
    if len(words) > T:
        raise TlmError(f"the sentence has {len(words)} words; this model reads at most {T} "
                       "(its --context-window)")
    unknown = [w for w in words if w not in model.word_to_idx]
    if unknown and UNK not in model.word_to_idx:
        raise TlmError(f"the model has never seen {', '.join(map(repr, unknown))} and has no "
                       "<unk> (train with --min-count 2 for one)")
    read = [w if w in model.word_to_idx else UNK for w in words]
    weights = model.attention_weights(read).astype(np.float64)          # (L, H, T, T)
    return Attention(read, weights, model.config.positions)


# -- text ---------------------------------------------------------------------------------
#: Heads (columns) in one table: each is some 12 characters wide, and more than 8 would
#: not fit a terminal (the default transformer has 4 blocks of 4 heads: two tables).
HEADS_PER_TABLE = 8


def _text(label: str, r: Attention) -> str:
    L, H = r.weights.shape[:2]
    heads = [(b, h) for b in range(L) for h in range(H)]
    tables = []
    for k in range(0, len(heads), HEADS_PER_TABLE):
        part = heads[k:k + HEADS_PER_TABLE]
        rows = []
        for i, w in enumerate(r.words):
            cells = []
            for b, h in part:
                j = int(np.argmax(r.weights[b, h, i, : i + 1]))
                cells.append(f"{r.words[j]} {r.weights[b, h, i, j]:.2f}")
            rows.append([w, *cells])
        rows.append(["(mean words back)", *(f"{r.distance[b, h]:.1f}" for b, h in part)])
        tables.append(columns(["word", *(f"{b + 1}.{h + 1}" for b, h in part)], rows))
    return (f"{label} (--positions {r.positions}): the word each head reads most, and its "
            f"weight\n" + "\n\n".join(tables))


def render(results: Mapping[str, Attention]) -> str:
    return join("block.head columns; each row is one word reading the words up to itself",
                *(_text(label, r) for label, r in results.items()))


# -- picture ------------------------------------------------------------------------------
def draw(results: Attention | Mapping[str, Attention]):
    """For each model, a row of heads per block: the attention matrix, the words
    reading down the side and the words read along the bottom."""
    results = mapping(results)
    rows = sum(r.weights.shape[0] for r in results.values())
    cols = max(r.weights.shape[1] for r in results.values())
    T = max(len(r.words) for r in results.values())
    side = max(2.8, 0.085 * T + 1.8)  # inches a panel: room for T word labels
    size = 7 if T <= 24 else 5  # the labels' font size
    fig, axs = figure(rows, cols, width=side, height=side)
    row = 0
    for label, r in results.items():
        L, H = r.weights.shape[:2]
        n = len(r.words)
        for b in range(L):
            for h in range(cols):
                ax = axs[row, h]
                if h >= H:
                    ax.remove()  # a model of fewer heads
                    continue
                shown = np.where(np.tri(n, dtype=bool), r.weights[b, h], np.nan)  # future blank
                image = ax.imshow(shown, cmap="Greys", vmin=0, vmax=1)
                ax.set_title(f"block {b + 1}, head {h + 1}", fontsize=9)
                ax.set_xticks(range(n), r.words, rotation=90, fontsize=size)
                ax.set_yticks(range(n), r.words if h == 0 else [], fontsize=size)
                if h == 0:  # the model's name down the side, on lines that fit the panel
                    ax.set_ylabel(wrap(label, int(side * 9 * _base.SCALE)))
            row += 1
    bar = fig.colorbar(image, ax=axs, shrink=0.5, aspect=30)
    bar.set_label("attention weight (each row sums to 1)", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    return fig


ANALYSIS = Analysis(
    name="attention",
    order=20,
    question=__doc__.splitlines()[0],
    title="Attention: who reads whom",
    look_for=("Row i is word i reading the words up to itself (dark: read much). Does a head "
              "read the word just before (a dark line beside the diagonal), the first word, "
              "or the word itself? Do the heads of a block differ, and the blocks?"),
    compute=attention,
    render=render,
    draw=draw,
    result=Attention,
    arguments=(Argument("sentence", many=True, metavar="[WORDS]..."),),
    atlas={"sentence": tuple(SENTENCE.split())},
    model_type="transformer",
)
