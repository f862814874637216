"""Word <-> index: the vocabulary every model shares, and a text's positions.

Words are sorted alphabetically, so `model.vocab` reads like a dictionary and
the same text always gives the same indices; `counts` keeps how often each was
seen. Words seen fewer than `min_count` times either map to `<unk>` (next-word
models need a token for "some rare word") or are dropped (skip-gram, as
word2vec does). A next-word model has `<unk>` only when its training text had
such words: the tongue twister's model has its 11 words and no more.

Encoding held-out text: a word outside the vocabulary is `<unk>` when the
vocabulary has it, and otherwise the id UNKNOWN (-1), which keeps its place in
the text (the words after it are not pulled next to the words before it); each
model says what an unknown context word does (tlm/models/base.py, count.py).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tlm.errors import TlmError

UNK = "<unk>"
#: The id of a word outside a vocabulary that has no `<unk>`.
UNKNOWN = -1


@dataclass
class Vocab:
    words: list[str]
    counts: list[int]
    word_to_idx: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.words) != len(self.counts):
            raise TlmError("vocabulary words and counts differ in length")
        self.word_to_idx = {w: i for i, w in enumerate(self.words)}
        if len(self.word_to_idx) != len(self.words):
            raise TlmError("vocabulary has repeated words")

    @classmethod
    def build(cls, tokens: Iterable[str], min_count: int = 1, unk: bool = False) -> Vocab:
        """Count `tokens`; keep words seen at least `min_count` times.

        With `unk=True` the dropped words, if any, are pooled into one `<unk>` entry.
        """
        counter = Counter(tokens)
        kept = {w: c for w, c in counter.items() if c >= min_count}
        dropped = sum(counter.values()) - sum(kept.values())
        if unk and dropped and UNK not in kept:
            kept[UNK] = dropped
        words = sorted(kept)
        return cls(words, [kept[w] for w in words])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_idx

    @property
    def has_unk(self) -> bool:
        return UNK in self.word_to_idx

    def encode(self, tokens: Sequence[str], drop_unknown: bool = False) -> np.ndarray:
        """Token list -> int32 ids. An unknown word becomes `<unk>` if the vocabulary
        has it, else UNKNOWN (-1), or with `drop_unknown` is left out (the skip-gram
        drops rare words, as word2vec does)."""
        unk = self.word_to_idx.get(UNK, UNKNOWN)
        ids = np.fromiter((self.word_to_idx.get(t, unk) for t in tokens), np.int64, len(tokens))
        if drop_unknown:
            ids = ids[ids >= 0]
        return ids.astype(np.int32)

    def lookup(self, word: str) -> int:
        """The index of `word`, or a TlmError that names it and suggests spellings."""
        try:
            return self.word_to_idx[word]
        except KeyError:
            raise TlmError(self.unknown_message(word)) from None

    def unknown_message(self, word: str) -> str:
        return f"the model has never seen the word {word!r}{spelling_hint(word, self.words)}"


def spelling_hint(word: str, words: Sequence[str], closest: str = "closest") -> str:
    """The hint "; closest: a, b, c" naming up to three of `words` spelt like
    `word` (difflib's ratio of at least 0.6), best first; "" when none is close."""
    close = difflib.get_close_matches(word, words, n=3)
    return f"; {closest}: {', '.join(close)}" if close else ""


def positions(documents: list[np.ndarray], C: int) -> tuple[np.ndarray, np.ndarray]:
    """Every word with C words before it in its document, as contexts (N, C) and
    targets (N,); a context never spans two documents. These are the next-word
    models' training examples, and the positions held-out perplexity scores."""
    windows = [
        np.lib.stride_tricks.sliding_window_view(np.asarray(ids), C + 1)
        for ids in documents
        if len(ids) > C
    ]
    if not windows:
        n = sum(len(ids) for ids in documents)
        raise TlmError(
            f"the text is too short: {n} words, but --context-window {C} needs at "
            f"least {C + 1} (a context and the word after it)"
        )
    w = np.concatenate(windows)  # (N, C + 1)
    return w[:, :C], w[:, C]
