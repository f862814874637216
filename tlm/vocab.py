"""Word <-> index: the vocabulary every model shares.

Words are sorted alphabetically, so `model.vocab` reads like a dictionary and
the same text always gives the same indices; `counts` keeps how often each was
seen. Words seen fewer than
`min_count` times either map to `<unk>` (next-word models need a token for
"some rare word") or are dropped (skip-gram, as word2vec does). A next-word
model always has `<unk>`, even when no training word was rare: held-out text
has words the training part never had, and they are `<unk>` too.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from tlm.errors import TlmError

UNK = "<unk>"


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

        With `unk=True` the dropped words are pooled into one `<unk>` entry,
        which is there even when nothing was dropped (its count is then 0).
        """
        counter = Counter(tokens)
        kept = {w: c for w, c in counter.items() if c >= min_count}
        dropped = sum(counter.values()) - sum(kept.values())
        if unk and UNK not in kept:
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

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """Token list -> int32 ids. Unknown words become `<unk>` if the vocabulary
        has it and are dropped otherwise."""
        unk = self.word_to_idx.get(UNK, -1)
        ids = np.fromiter((self.word_to_idx.get(t, unk) for t in tokens), np.int64, len(tokens))
        return ids[ids >= 0].astype(np.int32)

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
