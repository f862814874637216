"""Which words one next-word model predicts better than another: `tlm compare-lm
--per-token`.

A perplexity is one number; it hides where a model wins. Here two models are
scored on the same held-out positions (each word with enough words before it
for both models, its target in the shared vocabulary), and the difference
of their log-probabilities, log p_A(word) - log p_B(word), is summed per word
type: the words where A gains the most nats in total, and where it loses the
most, with how often each occurs, the mean gain per occurrence, and one
example: the occurrence where A gains (or loses) the most, with its context.
Each model's log-probabilities are those its perplexity is made of
(tlm/perplexity.py): a transformer whose window sets the positions reads
them in its windows, C/2 apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.perplexity import positions, scored_log_probs
from tlm.vocab import UNK, UNKNOWN

BATCH = 512


@dataclass
class WordGain:
    word: str
    count: int         # occurrences scored
    total: float       # sum of log p_A - log p_B over them, in nats
    mean: float        # total / count
    example: str       # the context of its most extreme occurrence, and the word in [ ]
    example_gain: float


def _log_probs(model: Model, contexts: np.ndarray, targets: np.ndarray,
               documents: list[np.ndarray]) -> np.ndarray:
    C = model.config.context_window
    if model.reads_windows and C == contexts.shape[1]:  # the positions are the model's own:
        return scored_log_probs(model, documents)[0]    # read as its perplexity reads them
    tail = contexts[:, contexts.shape[1] - C:]                    # the last C words
    with np.errstate(divide="ignore"):
        return np.concatenate([model.log_probs(tail[i:i + BATCH], targets[i:i + BATCH])
                               for i in range(0, len(targets), BATCH)])


def per_token(a: Model, b: Model, documents: list[np.ndarray], top: int = 10,
              min_count: int = 5, shown_context: int = 8) -> tuple[list[WordGain], list[WordGain]]:
    """The `top` words A predicts better than B (largest total gain) and worse
    (largest total loss), among words scored at least `min_count` times."""
    if a.vocab != b.vocab:
        raise TlmError("the per-token view needs two models with the same vocabulary "
                       "(trained on the same text, with the same --min-count and transforms)")
    C = max(a.config.context_window, b.config.context_window)
    contexts, targets = positions(documents, C)                   # (N, C), (N,)
    keep = targets != a.word_to_idx.get(UNK, -1)
    contexts, targets = contexts[keep], targets[keep]
    gain = (_log_probs(a, contexts, targets, documents)
            - _log_probs(b, contexts, targets, documents))                          # (N,)
    gain = np.where(np.isfinite(gain), gain, np.sign(gain) * 50.0)  # p = 0: a cap of 50 nats
    V = len(a.vocab)
    counts = np.bincount(targets, minlength=V)                    # (V,)
    totals = np.bincount(targets, weights=gain, minlength=V)      # (V,)
    eligible = np.flatnonzero(counts >= min_count)
    order = eligible[np.argsort(-totals[eligible], kind="stable")]

    def entry(word: int, best: bool) -> WordGain:
        where = np.flatnonzero(targets == word)
        i = where[np.argmax(gain[where])] if best else where[np.argmin(gain[where])]
        # a word the vocabulary lacks is UNKNOWN (-1), not the last word of the vocabulary
        shown = contexts[i, -shown_context:]
        context = " ".join(a.vocab[j] if j != UNKNOWN else UNK for j in shown)
        return WordGain(a.vocab[word], int(counts[word]), float(totals[word]),
                        float(totals[word] / counts[word]), f"... {context} [{a.vocab[word]}]",
                        float(gain[i]))

    better = [entry(w, True) for w in order[:top] if totals[w] > 0]
    worse = [entry(w, False) for w in order[::-1][:top] if totals[w] < 0]
    return better, worse


def format_per_token(label_a: str, label_b: str, better: list[WordGain],
                     worse: list[WordGain]) -> str:
    lines = []
    for title, rows in ((f"{label_a} predicts better than {label_b}", better),
                        (f"{label_a} predicts worse than {label_b}", worse)):
        lines.append(f"{title} (nats summed over the word's occurrences; mean per occurrence):")
        for r in rows:
            lines.append(f"  {r.word:<14} {r.total:+9.1f} over {r.count:>5} ({r.mean:+.2f})  "
                         f"e.g. {r.example} {r.example_gain:+.1f}")
        if not rows:
            lines.append("  (none)")
    return "\n".join(lines)
