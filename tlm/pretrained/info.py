"""What a source is, beside its vectors: rows, words, counts and the order of its keys.

The analyses need a few facts that a bare KeyedVectors does not carry. A
token table has no counts and its file order is not a frequency order (BERT's
vocabulary begins with [PAD], 994 [unusedN] rows and single characters), so
"the most frequent words" must come from elsewhere, and the analysis that
plots frequency against length must refuse it. `SourceInfo` says, for any
source:

    rows        how many rows the file or table has (30,522 for MiniLM)
    words       how many keys tlm serves (the text tokens, or a word list)
    left_out    the rows that are not text, by kind ({"unused": 994, ...})
    order       what the key order means (ORDERS): "counts", "frequency",
                "glove", "merge-rank" or "file"; the keys are stored in that order
    ranked      how many of the first keys that order ranks (the rest follow
                in file order, unranked)
    text_rows   how many rows are text, when several share a key (hf:)
    has_counts  whether the source counted its words
    unit_norm   whether every vector has length 1 by construction

`info(kv)` gives the SourceInfo a source attached (hf:, encoder:), else one
read off the KeyedVectors: a word2vec or GloVe file lists its words most
frequent first, and a tlm model or a file with counts has counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tlm.pretrained.cache import counts_of

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

#: What each `order` means, in the words a page or a table can print.
ORDERS = {
    "counts": "by the counts of the text it was trained on",
    "frequency": "as the file lists them, most frequent first",
    "glove": "by GloVe 6B's frequency order (the rank of the word in GloVe's list)",
    "merge-rank": "by the tokenizer's merge rank (BPE merges the most frequent pairs "
                  "first)",
    "file": "in the table's file order, which is not a frequency order",
}

#: The attribute of a KeyedVectors that holds its SourceInfo.
ATTRIBUTE = "tlm_info"


@dataclass(frozen=True)
class SourceInfo:
    """Facts about a source that analyses need (see the module's docstring)."""

    rows: int
    words: int
    order: str
    ranked: int
    has_counts: bool = False
    unit_norm: bool = False
    left_out: dict[str, int] = field(default_factory=dict)
    text_rows: int | None = None  # rows that are text, when keys merge some (hf:)
    note: str = ""  # one more line worth saying (what the rows are, how a word was encoded)

    @property
    def order_text(self) -> str:
        """How the keys are ordered, as a phrase: 'ranked by ...'."""
        how = ORDERS[self.order]
        if self.ranked == 0 or self.order == "file":
            return ORDERS["file"]
        if self.ranked < self.words:
            return (f"the first {self.ranked:,} ranked {how}; the other "
                    f"{self.words - self.ranked:,} follow unranked, in file order")
        return f"ranked {how}"

    def summary(self) -> str:
        """One line: '30,522 rows, 29,523 text tokens (999 not text left out: 994 unused,
        5 special)'."""
        if self.rows == self.words and not self.left_out:
            return f"{self.words:,} words" + (", each of length 1 by construction"
                                              if self.unit_norm else "")
        text = self.words if self.text_rows is None else self.text_rows
        line = f"{self.rows:,} rows, {text:,} text tokens"
        if self.left_out:
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in self.left_out.items())
            line += f" ({sum(self.left_out.values()):,} not text left out: {kinds})"
        if text != self.words:
            line += f", as {self.words:,} keys"
        return line


def info(kv: KeyedVectors) -> SourceInfo:
    """The SourceInfo of `kv`: the one its source attached, else read off it."""
    attached = getattr(kv, ATTRIBUTE, None)
    if isinstance(attached, SourceInfo):
        return attached
    n = len(kv.index_to_key)
    counted = counts_of(kv) is not None
    return SourceInfo(rows=n, words=n, order="counts" if counted else "frequency", ranked=n,
                      has_counts=counted)


def attach(kv: KeyedVectors, source_info: SourceInfo) -> KeyedVectors:
    setattr(kv, ATTRIBUTE, source_info)
    return kv
