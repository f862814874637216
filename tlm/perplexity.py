"""Held-out perplexity: the one definition every next-word model is scored by.

Training's `val_loss`/`val_ppl`, `tlm evaluate` and every next-word model
(embedding, count, ...) call `perplexity(model, documents)` below, so the same
held-out text always gives the same number. The definition:

- The vocabulary comes from the training text alone. Held-out words outside it
  are encoded as `<unk>` when the model has it (its training text folded rare
  words into it, --min-count above 1), else as UNKNOWN (-1): both are "a word
  the model does not know" here.
- A *position* is a held-out word with C words before it in its document, C
  being the model's `config.context_window`: the model predicts it from them.
- A position whose target is unknown is not scored: predicting "some word I do
  not know" is not predicting the word. Such positions are counted and reported
  (`unknown`). This is the closed-vocabulary convention of SRILM's `ngram -ppl`,
  which reports the OOV words it leaves out. An unknown word may appear in a
  context: `<unk>` is a word like any other there; what UNKNOWN does is each
  model's to say (the course's model and the MLP read it as a zero vector, the
  centre their rows start around; the count model reads only the words after
  it, as at the start of a text).
- perplexity = exp(mean over the scored positions of -log p(target | context)).
  A model that spreads its probability evenly over V words scores V.
- A model that reads a whole window of words at once and predicts every word
  of it (the transformer: `model.reads_windows`) scores the same positions, but
  not each from its own window of exactly C words, which would cost one forward
  pass of C words per position. It reads each document in windows of C words
  that advance S = C // 2 words at a time, and each window scores its last S
  words: every position is predicted from the words before it in its window,
  between C - S + 1 and C of them (C/2 + 1 to C, for C even), and scored once.
  That is the strided "sliding window" evaluation of the language-modelling
  literature; it costs one pass per S positions, about C/2 times less. (On
  the first 6,000 held-out words of the scoreboard's transformer, windows of
  exactly C words per position gave 147.9, these 147.7: benchmarks/README.md.)

What a next-word model must provide (see `Model` in tlm/models/base.py):

    model.predicts_next_word          True
    model.vocabulary                  a Vocab
    model.config.context_window       C, the number of context words
    model.log_probs(contexts, targets)
        contexts (N, C) int ids, targets (N,) int ids
        -> (N,) float64 log p(target_i | contexts_i), without changing the model
    and, when model.reads_windows:
    model.window_log_probs(windows, n)
        windows (W, C + 1) int ids -> (W, n) float64 log p of each window's last n
        words, each given the words before it in its window

    from tlm.perplexity import perplexity
    documents = [model.vocabulary.encode(tokens) for tokens in held_out]
    p = perplexity(model, documents)
    p.perplexity, p.loss, p.scored, p.unknown
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tlm.errors import TlmError
from tlm.vocab import UNK, UNKNOWN, positions

__all__ = ["BATCH", "Perplexity", "perplexity", "positions", "scored_log_probs",
           "scored_positions", "stride"]

if TYPE_CHECKING:
    from tlm.models.base import Model

#: Positions scored at a time (a (512, V) probability array, not an (N, V) one).
BATCH = 512


@dataclass
class Perplexity:
    """A next-word model's perplexity on held-out text, and what it was taken over."""

    perplexity: float  # exp(loss); inf if some scored target had probability 0
    loss: float        # mean -log p(target | context) over the scored positions, in nats
    tokens: int        # held-out words
    positions: int     # words with C words of context before them in their document
    scored: int        # positions whose target is in the vocabulary: the mean is over these
    unknown: int       # positions whose target is unknown (<unk>): counted, not scored
    impossible: int = 0  # scored positions given p = 0 (an unsmoothed count model): inf


def stride(C: int) -> int:
    """S: how many words a window advances, for a model that reads whole windows."""
    return max(C // 2, 1)


def _positions(model: Model, documents: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Every position's context (N, C) and target (N,), and which are scored (N,)."""
    if not model.predicts_next_word:
        raise TlmError(
            f"a {model.type} model gives no next-word probabilities, so it has no perplexity"
        )
    contexts, targets = positions(documents, model.config.context_window)
    known = (targets != model.word_to_idx.get(UNK, UNKNOWN)) & (targets >= 0)  # (N,)
    if not known.any():
        raise TlmError("no held-out word to score: every one is outside the vocabulary")
    return contexts, targets, known


def scored_positions(
    model: Model, documents: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, int]:
    """The positions `perplexity` scores, contexts (S, C) and targets (S,), and
    how many positions were left out because their target is unknown. Raises
    TlmError when no position can be scored."""
    contexts, targets, known = _positions(model, documents)
    return contexts[known], targets[known], int((~known).sum())


def _window_log_probs(model: Model, documents: list[np.ndarray]) -> np.ndarray:
    """(N,) log p of every position, in the order of `positions`, for a model that
    reads whole windows: windows of C words S apart, each scoring its last S words
    (the module docstring). The plain form: for position j of a document, the
    window ends at the end of j's block of S positions, so
        log_probs(ids[e - C:j], ids[j]),  e = the last position of j's block
    (a context of C - S + 1 to C words)."""
    C = model.config.context_window
    S = stride(C)
    parts = []
    for ids in documents:
        if len(ids) <= C:
            continue
        windows = np.lib.stride_tricks.sliding_window_view(ids, C + 1)  # (n - C, C + 1)
        full = windows[S - 1::S]           # (n - C) // S windows: ends at C + S - 1, C + 2S - 1..
        per_batch = max(BATCH // S, 1)     # windows at a time: about BATCH positions
        for start in range(0, len(full), per_batch):
            parts.append(model.window_log_probs(full[start:start + per_batch], S).ravel())
        rest = (len(ids) - C) % S          # the last positions: from the document's last window
        if rest:
            parts.append(model.window_log_probs(windows[-1:], rest).ravel())
    return np.concatenate(parts)


def scored_log_probs(
    model: Model, documents: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """log p (S,) of every scored position, as `perplexity` takes them, with the
    positions' contexts (S, C) and targets (S,) (as `scored_positions`, in the
    same order), and how many positions were not scored (unknown targets)."""
    contexts, targets, known = _positions(model, documents)
    with np.errstate(divide="ignore"):  # p = 0 gives an infinite loss: reported as such
        if getattr(model, "reads_windows", False):
            log_p = _window_log_probs(model, documents)[known]                  # (S,)
        else:
            contexts_k, targets_k = contexts[known], targets[known]
            log_p = np.concatenate([model.log_probs(contexts_k[i:i + BATCH],
                                                    targets_k[i:i + BATCH])
                                    for i in range(0, len(targets_k), BATCH)])   # (S,)
    return log_p, contexts[known], targets[known], int((~known).sum())


def perplexity(model: Model, documents: list[np.ndarray]) -> Perplexity:
    """The perplexity of a next-word model on held-out documents, encoded with the
    model's vocabulary (unknown words as `<unk>`). See the module docstring for
    which positions count. Raises TlmError when no position can be scored."""
    log_p, _, targets, unknown = scored_log_probs(model, documents)
    scored = len(targets)
    loss = -log_p.sum(dtype=np.float64) / scored
    return Perplexity(
        perplexity=math.exp(loss) if loss < 700 else math.inf,
        loss=float(loss),
        tokens=sum(len(ids) for ids in documents),
        positions=scored + unknown,
        scored=scored,
        unknown=unknown,
        impossible=int(np.isneginf(log_p).sum()),
    )
