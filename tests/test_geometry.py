"""Cosine similarity, neighbours and analogies on hand-made vectors whose answers are
known, for gensim KeyedVectors and for models alike; unknown words; the shell's
bound helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gensim.models import KeyedVectors

from tlm import geometry, interact
from tlm.errors import TlmError
from tlm.models.skipgram import SkipGramConfig, SkipGramModel
from tlm.vocab import Vocab

VECTORS = {
    "apple": [0.0, 0.0, -1.0],
    "king": [1.0, 0.0, 2.0],
    "man": [1.0, 0.0, 0.0],
    "prince": [0.0, 0.0, 1.0],
    "queen": [1.0, 1.0, 2.0],
    "woman": [1.0, 1.0, 0.0],
}


@pytest.fixture
def kv() -> KeyedVectors:
    kv = KeyedVectors(3)
    kv.add_vectors(list(VECTORS), np.array(list(VECTORS.values()), dtype=np.float32))
    return kv


@pytest.fixture
def model() -> SkipGramModel:
    V = len(VECTORS)
    E = np.array(list(VECTORS.values()), dtype=np.float32)
    arrays = {"E": E, "E_out": np.zeros_like(E)}
    return SkipGramModel(Vocab(list(VECTORS), [5] * V), SkipGramConfig(dim=3), arrays)


@pytest.fixture(params=["kv", "model"])
def vectors(request, kv, model):
    """Every helper works the same on KeyedVectors and on a model (its E)."""
    return kv if request.param == "kv" else model


def test_sim_is_the_cosine(vectors):
    assert geometry.sim(vectors, "man", "woman") == pytest.approx(1 / math.sqrt(2), rel=1e-6)
    assert geometry.sim(vectors, "man", "prince") == pytest.approx(0.0, abs=1e-7)
    assert geometry.sim(vectors, "prince", "apple") == pytest.approx(-1.0, rel=1e-6)
    assert isinstance(geometry.sim(vectors, "man", "king"), float)


def test_neighbors_nearest_first(vectors):
    near = geometry.neighbors(vectors, "man", k=3)
    assert [w for w, _ in near] == ["woman", "king", "queen"]
    assert [s for _, s in near] == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(5),
                                                  1 / math.sqrt(6)], rel=1e-6)
    assert len(geometry.neighbors(vectors, "man")) == 5  # k=10, but only 5 other words


def test_analogy_man_king_woman_is_queen(vectors):
    answers = geometry.analogy(vectors, "man", "king", "woman", k=2)
    assert answers[0][0] == "queen"
    assert {"man", "king", "woman"}.isdisjoint(w for w, _ in answers)


def test_results_print_as_a_table(vectors):
    assert repr(geometry.neighbors(vectors, "man", k=2)) == "woman  0.707\nking   0.447"
    assert repr(geometry.Scored()) == "[]"
    assert geometry.neighbors(vectors, "man", k=1)[0] == ("woman", pytest.approx(0.7071, 1e-4))


def test_words_are_found_whatever_their_case(vectors):
    assert geometry.sim(vectors, "King", "QUEEN") == geometry.sim(vectors, "king", "queen")


def test_unknown_word_is_named_with_close_spellings(kv, model):
    with pytest.raises(TlmError, match=r"the model has never seen the word 'quen'; closest: queen"):
        geometry.neighbors(model, "quen")
    with pytest.raises(TlmError, match=r"the vectors have no word 'Quen'; closest: queen"):
        geometry.sim(kv, "man", "Quen")
    with pytest.raises(TlmError) as e:
        geometry.analogy(model, "man", "king", "zzzzzz")
    assert str(e.value) == "the model has never seen the word 'zzzzzz'"


def test_a_word_must_be_a_string(vectors):
    with pytest.raises(TlmError, match="a word is a string"):
        geometry.neighbors(vectors, 3)


@pytest.mark.parametrize("k", [0, -1, 2.5])
def test_bad_k(vectors, k):
    with pytest.raises(TlmError, match="k must be"):
        geometry.neighbors(vectors, "man", k=k)
    with pytest.raises(TlmError, match="k must be"):
        geometry.analogy(vectors, "man", "king", "woman", k=k)


def test_shell_helpers_are_bound_and_print_one_line_errors(model, capsys):
    helpers = geometry.shell_helpers(model)
    assert sorted(helpers) == ["analogy", "neighbors", "sim"]
    assert helpers["sim"]("man", "woman") == pytest.approx(0.7071, rel=1e-4)
    assert helpers["neighbors"]("man", 1)[0][0] == "woman"
    assert helpers["analogy"]("man", "king", "woman")[0][0] == "queen"
    assert helpers["neighbors"].__name__ == "neighbors" and "k=10" in helpers["neighbors"].__doc__

    assert helpers["neighbors"]("quen") is None
    err = capsys.readouterr().err
    assert err == "Error: the model has never seen the word 'quen'; closest: queen\n"


def test_the_shell_has_them_and_says_so(model):
    ns = interact.namespace(model)
    assert ns["sim"]("man", "woman") == pytest.approx(0.7071, rel=1e-4)
    assert ns["analogy"]("man", "king", "woman")[0][0] == "queen"
    text = interact.banner(model, ns)
    for name in ("sim(a, b)", "neighbors(word, k=10)", "analogy(a, b, c)"):
        assert name in text
