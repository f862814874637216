"""tlm/vectors.py: cosine similarity, neighbours and analogies on hand-made vectors
whose answers are known, for gensim KeyedVectors and for models alike; unknown
words; the shell's bound helpers."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from conftest import kv_of
from gensim.models import KeyedVectors

from tlm import interact
from tlm import vectors as tv
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
    return kv_of(list(VECTORS), list(VECTORS.values()))


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
    assert tv.sim(vectors, "man", "woman") == pytest.approx(1 / math.sqrt(2), rel=1e-6)
    assert tv.sim(vectors, "man", "prince") == pytest.approx(0.0, abs=1e-7)
    assert tv.sim(vectors, "prince", "apple") == pytest.approx(-1.0, rel=1e-6)
    assert isinstance(tv.sim(vectors, "man", "king"), float)


def test_neighbors_nearest_first(vectors):
    near = tv.neighbors(vectors, "man", k=3)
    assert [w for w, _ in near] == ["woman", "king", "queen"]
    assert [s for _, s in near] == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(5),
                                                  1 / math.sqrt(6)], rel=1e-6)
    assert len(tv.neighbors(vectors, "man")) == 5  # k=10, but only 5 other words


def test_analogy_man_king_woman_is_queen(vectors):
    answers = tv.analogy(vectors, "man", "king", "woman", k=2)
    assert answers[0][0] == "queen"
    assert {"man", "king", "woman"}.isdisjoint(w for w, _ in answers)


def test_results_print_as_a_table(vectors):
    assert repr(tv.neighbors(vectors, "man", k=2)) == "woman  0.707\nking   0.447"
    assert repr(tv.Scored()) == "[]"
    assert tv.neighbors(vectors, "man", k=1)[0] == ("woman", pytest.approx(0.7071, 1e-4))


def test_words_are_found_whatever_their_case(vectors):
    assert tv.sim(vectors, "King", "QUEEN") == tv.sim(vectors, "king", "queen")


def test_unknown_word_is_named_with_close_spellings(kv, model):
    with pytest.raises(TlmError, match=r"the model has never seen the word 'quen'; closest: queen"):
        tv.neighbors(model, "quen")
    with pytest.raises(TlmError, match=r"the vectors have no word 'Quen'; closest: queen"):
        tv.sim(kv, "man", "Quen")
    with pytest.raises(TlmError) as e:
        tv.analogy(model, "man", "king", "zzzzzz", k=2)
    assert str(e.value) == "the model has never seen the word 'zzzzzz'"


def test_a_word_must_be_a_string(vectors):
    with pytest.raises(TlmError, match="a word is a string"):
        tv.analogy(vectors, "man", 3, "woman")
    with pytest.raises(TlmError, match="a word or a vector"):
        tv.neighbors(vectors, 3, k=2)


@pytest.mark.parametrize("k", [0, -1, 2.5])
def test_bad_k(vectors, k):
    with pytest.raises(TlmError, match="k must be"):
        tv.neighbors(vectors, "man", k=k)
    with pytest.raises(TlmError, match="k must be"):
        tv.analogy(vectors, "man", "king", "woman", k=k)


def test_shell_helpers_are_bound(model):
    helpers = interact.geometry_helpers(model)
    assert sorted(helpers) == ["analogy", "neighbors", "onehot", "sim", "vec"]
    assert helpers["sim"]("man", "woman") == pytest.approx(0.7071, rel=1e-4)
    assert helpers["neighbors"]("man", 1)[0][0] == "woman"
    assert helpers["analogy"]("man", "king", "woman", k=2)[0][0] == "queen"
    assert helpers["neighbors"].__name__ == "neighbors" and "k=10" in helpers["neighbors"].__doc__
    with pytest.raises(TlmError, match="never seen the word 'quen'; closest: queen"):
        helpers["neighbors"]("quen", k=2)
    assert "onehot" not in interact.geometry_helpers(model.vectors)  # only a model has indices


def test_vec_is_the_row_of_e_and_onehot_selects_it(model, kv):
    row = tv.vec(model, "queen")
    assert np.shares_memory(row, model.E) and row.tolist() == VECTORS["queen"]
    x = tv.onehot(model, "queen")
    assert x.shape == (len(model.vocab),) and x.sum() == 1.0
    np.testing.assert_array_equal(x @ model.E, row)
    assert tv.vec(kv, "King").tolist() == VECTORS["king"]  # found as 'king'
    with pytest.raises(TlmError, match="closest: queen"):
        tv.onehot(model, "quen")


@pytest.mark.parametrize("source", ["model", "kv"])
def test_sim_and_neighbors_take_vectors_as_well_as_words(source, request):
    vectors = request.getfixturevalue(source)
    vec = functools.partial(tv.vec, vectors)
    assert tv.sim(vectors, vec("man"), vec("woman")) == pytest.approx(
        tv.sim(vectors, "man", "woman"), rel=1e-6)
    assert tv.sim(vectors, "man", [1.0, 1.0, 0.0]) == pytest.approx(math.sqrt(0.5))
    # a word leaves itself out; a vector counts every word, its own first
    assert tv.neighbors(vectors, "queen", 1)[0][0] == "king"
    assert tv.neighbors(vectors, vec("queen"), 2)[0][0] == "queen"
    nearest = tv.neighbors(vectors, vec("king") - vec("man") + vec("woman"), 1)[0][0]
    assert nearest == "queen"
    with pytest.raises(TlmError, match="a word or a vector of 3 numbers"):
        tv.sim(vectors, "man", [1.0, 2.0])
    with pytest.raises(TlmError, match="a vector of 3 numbers, not 5"):
        tv.neighbors(vectors, 5, k=2)
    with pytest.raises(TlmError, match="zeros has no direction"):
        tv.sim(vectors, "man", np.zeros(3))


def test_the_shell_has_them_and_says_so(model):
    ns = interact.namespace(model)
    assert ns["sim"]("man", "woman") == pytest.approx(0.7071, rel=1e-4)
    assert ns["analogy"]("man", "king", "woman", k=2)[0][0] == "queen"
    text = interact.banner(model, ns)
    for name in ("sim(a, b)", "neighbors(x, k=10)", "analogy(a, b, c, k=10)", "vec(word)",
                 "onehot(word)", "vectors=glove"):
        assert name in text
    assert "_forward" not in text  # a skip-gram has no next-word forward pass


def test_a_models_table_is_kept_while_e_is_unchanged(model):
    kv = tv.keyed_vectors(model)
    assert tv.keyed_vectors(model) is kv  # one table, so one set of unit rows
    assert tv.unit_rows(model) is tv.unit_rows(model)
    model.E[0] += 1.0  # an edit in the shell, or more training: a fresh table
    fresh = tv.keyed_vectors(model)
    assert fresh is not kv
    np.testing.assert_array_equal(fresh[model.vocab[0]], model.E[0])


def test_analogy_is_the_notebooks_raw_b_minus_a_plus_c(kv):
    raw = kv["king"] - kv["man"] + kv["woman"]
    near = tv.analogy(kv, "man", "king", "woman", k=3)
    assert near.left_out == ["man", "king", "woman"] and near.query == "king - man + woman"
    expected = {w: float(kv[w] @ raw / np.linalg.norm(kv[w]) / np.linalg.norm(raw))
                for w in ("queen", "prince", "apple")}
    assert dict(near) == pytest.approx(expected, rel=1e-6)
    assert list(near) == list(tv.neighbors(kv, "king - man + woman", k=3))


def test_pca_is_the_svd_of_the_centred_rows() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 12)) * np.linspace(3, 0.1, 12)  # (N, d), decreasing variances
    coords, shares = tv.pca(X, 3)
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)  # the plain form
    plain = Xc @ Vt[:3].T  # (N, 3)
    assert np.allclose(np.abs(coords), np.abs(plain), atol=1e-9)  # the same up to each sign
    assert np.allclose(shares, S**2 / (S**2).sum())
    V = np.linalg.lstsq(Xc, coords, rcond=None)[0]  # (d, 3) the directions used
    assert np.all(V[np.abs(V).argmax(axis=0), range(3)] > 0)  # each one's largest entry positive
    assert tv.pca(X[:2], 4)[0].shape == (2, 4)
