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

What a next-word model must provide (see `Model` in tlm/models/base.py):

    model.predicts_next_word          True
    model.vocabulary                  a Vocab
    model.config.context_window       C, the number of context words
    model.log_probs(contexts, targets)
        contexts (N, C) int ids, targets (N,) int ids
        -> (N,) float64 log p(target_i | contexts_i), without changing the model

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

__all__ = ["BATCH", "Perplexity", "perplexity", "positions", "scored_positions"]

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


def scored_positions(
    model: Model, documents: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, int]:
    """The positions `perplexity` scores, contexts (S, C) and targets (S,), and
    how many positions were left out because their target is unknown. Raises
    TlmError when no position can be scored."""
    if not model.predicts_next_word:
        raise TlmError(
            f"a {model.type} model gives no next-word probabilities, so it has no perplexity"
        )
    contexts, targets = positions(documents, model.config.context_window)
    known = (targets != model.word_to_idx.get(UNK, UNKNOWN)) & (targets >= 0)  # (N,)
    if not known.any():
        raise TlmError("no held-out word to score: every one is outside the vocabulary")
    return contexts[known], targets[known], int((~known).sum())


def perplexity(model: Model, documents: list[np.ndarray]) -> Perplexity:
    """The perplexity of a next-word model on held-out documents, encoded with the
    model's vocabulary (unknown words as `<unk>`). See the module docstring for
    which positions count. Raises TlmError when no position can be scored."""
    contexts, targets, unknown = scored_positions(model, documents)
    scored = len(targets)
    total, impossible = 0.0, 0
    with np.errstate(divide="ignore"):  # p = 0 gives an infinite loss: reported as such
        for start in range(0, scored, BATCH):
            end = start + BATCH
            log_p = model.log_probs(contexts[start:end], targets[start:end])
            total -= log_p.sum(dtype=np.float64)
            impossible += int(np.isneginf(log_p).sum())
    loss = total / scored
    return Perplexity(
        perplexity=math.exp(loss) if loss < 700 else math.inf,
        loss=float(loss),
        tokens=sum(len(ids) for ids in documents),
        positions=scored + unknown,
        scored=scored,
        unknown=unknown,
        impossible=impossible,
    )
