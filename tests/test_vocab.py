"""The vocabulary: alphabetical words with counts, min-count, <unk>, unknown words."""

from __future__ import annotations

import numpy as np
import pytest

from tlm.errors import TlmError
from tlm.vocab import UNK, Vocab


def test_build_is_alphabetical_with_counts(chuck_text, chuck_words):
    vocab = Vocab.build(chuck_text.split())
    assert vocab.words == chuck_words
    counts = dict(zip(vocab.words, vocab.counts, strict=True))
    assert counts["wood"] == 8 and counts["chuck"] == 8 and counts["how"] == 1
    assert sum(vocab.counts) == 32
    assert vocab.word_to_idx == {w: i for i, w in enumerate(chuck_words)}
    assert len(vocab) == 11 and "wood" in vocab and "Wood" not in vocab
    assert not vocab.has_unk


def test_min_count_pools_rare_words_into_unk_or_drops_them():
    tokens = "a a a b b c".split()
    pooled = Vocab.build(tokens, min_count=2, unk=True)
    assert pooled.words == [UNK, "a", "b"] and pooled.counts == [1, 3, 2]
    assert pooled.has_unk
    dropped = Vocab.build(tokens, min_count=2, unk=False)
    assert dropped.words == ["a", "b"] and dropped.counts == [3, 2]
    # nothing rare: no <unk> (issue 19: the tongue twister's model has its 11 words)
    every = Vocab.build(tokens, min_count=1, unk=True)
    assert every.words == ["a", "b", "c"] and every.counts == [3, 2, 1]
    assert not every.has_unk


def test_encode():
    tokens = "b a c a".split()
    vocab = Vocab.build(tokens)
    ids = vocab.encode(["a", "b", "z", "c"])
    assert ids.dtype == np.int32 and ids.tolist() == [0, 1, -1, 2]  # unknown: UNKNOWN, in place
    assert vocab.encode(["a", "b", "z", "c"], drop_unknown=True).tolist() == [0, 1, 2]
    with_unk = Vocab.build("a a b".split(), min_count=2, unk=True)
    assert with_unk.encode(["a", "b", "zzz"]).tolist() == [1, 0, 0]  # rare and unseen -> <unk>
    assert vocab.encode([]).tolist() == []


def test_lookup_names_the_unknown_word_and_close_spellings(chuck_words):
    vocab = Vocab(chuck_words, [1] * 11)
    assert vocab.lookup("wood") == 9
    with pytest.raises(TlmError) as e:
        vocab.lookup("woood")
    assert "'woood'" in str(e.value) and "wood" in str(e.value).split("closest")[1]
    with pytest.raises(TlmError) as e:
        vocab.lookup("xylophone")
    assert "'xylophone'" in str(e.value) and "closest" not in str(e.value)


def test_inconsistent_vocabularies_are_errors():
    with pytest.raises(TlmError, match="repeated"):
        Vocab(["a", "a"], [1, 1])
    with pytest.raises(TlmError, match="length"):
        Vocab(["a", "b"], [1])
