"""The geometry explorer's analyses (tlm/explore.py) on small hand-made vectors
whose answers are known: a planted plural direction, a planted hub, orthogonal
random vectors, identical sources, a known PCA spectrum; and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import clustered_kv, kv_of, model_with_counts, plural_kv, random_kv, royal_kv

from tlm import explore as ex
from tlm import vectors
from tlm.errors import TlmError


# -- the unit matrix and the background ------------------------------------------------------
def test_unit_rows_are_unit_length_and_built_once():
    kv = kv_of(["a", "b", "zero"], [[3, 4], [0, 2], [0, 0]])
    U = ex.unit_rows(kv)
    np.testing.assert_allclose(U[:2], [[0.6, 0.8], [0, 1]], atol=1e-6)
    assert (U[2] == 0).all()  # a zero row stays zero, no NaN
    assert ex.unit_rows(kv) is U


def test_norms_known_lengths_and_centring():
    kv = kv_of(["a", "b"], [[3, 4], [-3, -4]])
    r = ex.norms(kv)
    np.testing.assert_allclose(r.norms, [5, 5])
    assert r.mean == pytest.approx(5) and r.std == pytest.approx(0)
    assert not r.unit_length and r.centred and r.centre_ratio == pytest.approx(0)
    shifted = ex.norms(kv_of(["a", "b"], [[0.6, 0.8], [0.8, 0.6]]))
    assert shifted.unit_length and not shifted.centred


def test_background_of_orthogonal_random_vectors_is_near_zero():
    kv = random_kv()
    bg = ex.background(kv, n=3000, seed=1)
    assert abs(bg.cos_mean) < 0.01
    assert bg.cos_std < 0.07  # about 1/sqrt(400)
    assert bg.cos_p99 < 0.2
    assert len(bg.cos) == 3000 and len(bg.euclid) == 3000
    np.testing.assert_array_equal(bg.cos, ex.background(kv, n=3000, seed=1).cos)  # seeded
    assert not np.array_equal(bg.cos, ex.background(kv, n=3000, seed=2).cos)


def test_random_pairs_are_distinct_and_cover_every_row():
    i, j = ex.random_pairs(3, 5000, seed=0)
    assert (i != j).all()
    assert set(i) == set(j) == {0, 1, 2}


def test_background_of_one_shared_direction_is_high():
    rng = np.random.default_rng(0)
    kv = kv_of([f"w{i}" for i in range(100)], 5 + 0.5 * rng.normal(size=(100, 20)))
    assert ex.background(kv).cos_mean > 0.9


# -- pairs and neighbours --------------------------------------------------------------------
def test_pairs_against_the_background():
    kv = royal_kv()
    r = ex.pairs(kv, ["king:queen", ("king", "banana"), "king:nosuchword"])
    assert r.pairs == [("king", "queen"), ("king", "banana")]
    assert r.missing == [("king", "nosuchword")]
    assert r.cos[0] == pytest.approx(0.5) and r.cos[1] == pytest.approx(0)
    assert r.euclid[0] == pytest.approx(np.sqrt(2))
    assert r.percentile[0] > r.percentile[1]
    assert r.percentile[0] == pytest.approx(r.background.percentile(r.cos[0]))
    with pytest.raises(TlmError, match="none of the word pairs"):
        ex.pairs(kv, ["x:y"])
    with pytest.raises(TlmError, match="a:b"):
        ex.pairs(kv, ["king-queen"])


def test_neighbors_nearest_first_with_the_background():
    kv = royal_kv()
    r = ex.neighbors(kv, "king", k=2)
    assert r.words[0] == "kings" and len(r.words) == 2
    assert list(r.scores) == sorted(r.scores, reverse=True)
    bg = ex.background(kv)
    assert r.background_mean == pytest.approx(bg.cos_mean)
    assert r.background_p99 == pytest.approx(bg.cos_p99)
    assert "king" not in r.words


def test_neighbors_can_leave_out_surface_variants():
    kv = royal_kv()
    r = ex.neighbors(kv, "king", k=2, skip_variants=True)
    assert "kings" not in r.words and "kings" in r.left_out
    assert r.words == ["man", "queen"]  # cos 0.71 and 0.5


def test_neighbors_of_an_expression_and_of_a_vector():
    kv = royal_kv()
    r = ex.neighbors(kv, "king - man + woman", k=1)
    assert r.words == ["queen"] and r.scores[0] == pytest.approx(1)
    assert set(r.left_out) == {"king", "man", "woman"}
    v = ex.neighbors(kv, kv["banana"], k=1)
    assert v.words == ["banana"]  # a vector query leaves nothing out


def test_vector_of_an_expression_adds_and_subtracts_rows():
    kv = royal_kv()
    v, used = vectors.expression(kv, "king - man + woman")
    np.testing.assert_allclose(v, kv["queen"])
    assert used == ["king", "man", "woman"]
    np.testing.assert_allclose(vectors.expression(kv, "-man")[0], -kv["man"])
    np.testing.assert_allclose(vectors.expression(kv, "King")[0], kv["king"])  # looked up as usual


@pytest.mark.parametrize("text", ["king -", "king + + man", "", "king man"])
def test_bad_expressions_are_one_clear_error(text):
    with pytest.raises(TlmError, match="king - man \\+ woman"):
        ex.parse_expression(text)


def test_hyphenated_words_are_not_subtraction():
    assert ex.parse_expression("well-known - man") == [(1, "well-known"), (-1, "man")]


def test_neighbors_bad_input():
    kv = royal_kv()
    with pytest.raises(TlmError, match="no word 'nosuch'"):
        ex.neighbors(kv, "nosuch", k=2)
    with pytest.raises(TlmError, match="too large"):
        ex.neighbors(kv, "king", k=7)
    with pytest.raises(TlmError, match="at least 1"):
        ex.neighbors(kv, "king", k=0)
    with pytest.raises(TlmError, match="4 numbers"):
        ex.neighbors(kv, np.zeros(3), k=2)


def test_nothing_left_once_the_query_words_are_left_out():
    kv = kv_of(["king", "man", "woman"], np.eye(3))
    with pytest.raises(TlmError, match="no words are left"):
        ex.analogy(kv, "man", "king", "woman", k=1)
    with pytest.raises(TlmError, match="no words are left"):
        ex.neighbors(kv, "king - man + woman", k=1)


def test_variants():
    assert ex.variants("king", ["King", "kings", "king's", "kingdom", "kin"]) == [
        "King", "kings", "king's"]


# -- analogy ----------------------------------------------------------------------------------
def test_analogy_planted():
    kv = royal_kv()
    r = ex.analogy(kv, "man", "king", "woman", expected="queen", k=2)
    assert r.words[0] == "queen" and r.rank == 1
    unit = {w: kv[w] / np.linalg.norm(kv[w]) for w in ("king", "man", "woman", "queen")}
    result = kv["king"] - kv["man"] + kv["woman"]  # the notebook's: the raw vectors
    result /= np.linalg.norm(result)
    assert r.cos_expected == pytest.approx(unit["queen"] @ result, abs=1e-5)
    assert r.cos_b == pytest.approx(unit["king"] @ result, abs=1e-5)
    assert r.angle == pytest.approx(0, abs=1e-3)  # king - man and queen - woman are the same
    assert r.candidate_rank == 1 and "queen" in r.candidates
    assert r.all_cos.shape == (len(kv),)
    assert {"man", "king", "woman", "queen"} <= set(r.landmarks)


def test_analogy_rank_among_candidates_and_all_words():
    kv = royal_kv()
    r = ex.analogy(kv, "man", "king", "woman", expected="banana", candidates=["queen", "kings"],
                   k=4)
    assert r.candidates == ["queen", "kings", "banana"]
    assert r.candidate_rank == 3
    assert r.rank == 3  # after queen and kings (apple leans to man); a, b, c are not counted
    assert r.angle == pytest.approx(90, abs=1e-3)  # king - man = royal, banana - woman: no royal
    with pytest.raises(TlmError, match="no word 'nosuch'"):
        ex.analogy(kv, "man", "king", "woman", expected="nosuch", k=2)
    with pytest.raises(TlmError, match="too large"):
        ex.analogy(kv, "man", "king", "woman", k=7)


# -- cos vs euclid, axes ----------------------------------------------------------------------
def test_cos_vs_euclid_finds_a_long_vector_in_the_same_direction():
    words = ["q", "far_same_way", "near_other_way"] + [f"f{i}" for i in range(20)]
    rng = np.random.default_rng(0)
    rows = [[1, 0, 0], [30, 0.1, 0], [0.5, 0.9, 0]] + list(rng.normal(size=(20, 3)) + [0, 0, 5])
    kv = kv_of(words, rows)
    r = ex.cos_vs_euclid(kv, "q", n=3)
    assert r.cos.shape == r.euclid.shape == (len(kv),)
    word, rank_cos, rank_euc = r.disagree[0]
    assert word == "far_same_way" and rank_cos == 1 and rank_euc > 10
    assert "q" not in [w for w, _, _ in r.disagree]


def test_axes_project_on_the_named_directions():
    kv = royal_kv()
    r = ex.axes(kv, ["king", "woman", "nosuch"], x=("man", "king"), y="man:woman")
    assert r.missing == ["nosuch"] and r.words == ["king", "woman"]
    # x = unit(king - man) = royal; y = unit(woman - man) = (female - male)/sqrt(2)
    np.testing.assert_allclose(r.raw, [[1, -1 / np.sqrt(2)], [0, 1 / np.sqrt(2)]], atol=1e-6)
    np.testing.assert_allclose(r.unit[0], r.raw[0] / np.sqrt(2), atol=1e-6)
    assert r.star == "king - man + woman"
    s = kv["king"] - kv["man"] + kv["woman"]
    xhat = (kv["king"] - kv["man"]) / np.linalg.norm(kv["king"] - kv["man"])
    yhat = (kv["woman"] - kv["man"]) / np.linalg.norm(kv["woman"] - kv["man"])
    np.testing.assert_allclose(r.star_raw, [s @ xhat, s @ yhat], atol=1e-5)
    np.testing.assert_allclose(r.star_unit, r.star_raw / np.linalg.norm(s), atol=1e-5)
    with pytest.raises(TlmError, match="no word 'x'"):
        ex.axes(kv, ["king"], x="man:x")


# -- directions, numbers, categories --------------------------------------------------------
def test_directions_find_a_planted_plural_direction():
    kv, pairs = plural_kv(noise=0.05)
    r = ex.directions(kv, pairs + [("nosuch", "nosuches")])
    assert r.consistency > 0.95
    assert abs(r.random_consistency) < 0.3
    assert (r.to_mean > 0.95).all()
    assert r.matrix.shape == (10, 10) and np.allclose(np.diag(r.matrix), 1)
    assert r.missing == [("nosuch", "nosuches")]


def test_directions_of_unrelated_offsets_are_inconsistent():
    kv, pairs = plural_kv(noise=0.05)
    unrelated = [(f"f{i}", f"f{i + 50}") for i in range(10)]
    assert abs(ex.directions(kv, unrelated).consistency) < 0.2


def test_directions_need_two_pairs():
    kv, pairs = plural_kv(noise=0.05)
    with pytest.raises(TlmError, match="at least 2 pairs"):
        ex.directions(kv, pairs[:1] + [("x", "y")])


def test_numbers_on_an_arc_are_closer_when_adjacent():
    angles = np.linspace(0, np.pi / 2, 10)
    kv = kv_of(ex.NUMBER_WORDS, np.stack([np.cos(angles), np.sin(angles)], axis=1))
    r = ex.numbers(kv)
    assert r.matrix.shape == (10, 10)
    assert r.adjacent == pytest.approx(np.cos(angles[1]), abs=1e-5)
    assert r.adjacent > r.distant
    kv2 = kv_of(["one", "three"], [[1, 0], [0, 1]])
    r2 = ex.numbers(kv2)
    assert r2.missing == [w for w in ex.NUMBER_WORDS if w not in ("one", "three")]
    assert np.isnan(r2.adjacent) and list(r2.values) == [1, 3]
    with pytest.raises(TlmError, match="at least 2"):
        ex.numbers(kv_of(["one", "x"], [[1, 0], [0, 1]]))


def test_categories_within_above_between():
    kv = clustered_kv()
    groups = {"a": ["a0", "a1", "a2", "a3"], "b": ["b0", "b1", "b2", "b3", "nosuch"],
              "c": ["c0", "c1", "c2", "c3"], "lost": ["x", "y"]}
    r = ex.categories(kv, groups)
    assert r.within > 0.8 and abs(r.between) < 0.2
    assert r.matrix.shape == (3, 3)
    assert r.missing == ["nosuch", "x", "y"] and r.empty_groups == ["lost"]
    assert r.coords.shape == (12, 2) and list(r.group_of) == [0] * 4 + [1] * 4 + [2] * 4
    # the first principal components separate the groups: each group's points sit together
    centroids = np.stack([r.coords[r.group_of == g].mean(axis=0) for g in range(3)])
    spread = max(np.linalg.norm(r.coords[r.group_of == g] - centroids[g], axis=1).max()
                 for g in range(3))
    assert min(np.linalg.norm(centroids[0] - centroids[1]), np.linalg.norm(
        centroids[1] - centroids[2])) > spread


def test_categories_map_with_umap_when_installed_else_pca(monkeypatch):
    import importlib.machinery
    import sys
    import types

    kv = clustered_kv()
    groups = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"]}
    if importlib.util.find_spec("umap") is None:
        assert ex.categories(kv, groups).projection == "PCA"
    calls = []

    class UMAP:  # a stand-in for umap-learn's
        def __init__(self, **kw):
            calls.append(kw)

        def fit_transform(self, U):
            return U[:, :2] * 2

    fake = types.ModuleType("umap")
    fake.UMAP = UMAP
    fake.__spec__ = importlib.machinery.ModuleSpec("umap", None)
    monkeypatch.setitem(sys.modules, "umap", fake)
    r = ex.categories(kv, groups)
    assert r.projection == "UMAP" and calls[0]["metric"] == "cosine"
    assert "UMAP" in ex.draw({"x": r}).axes[1].get_title()


def test_categories_bad_input(tmp_path):
    kv = clustered_kv()
    with pytest.raises(TlmError, match="'empty' has no words"):
        ex.categories(kv, {"a": ["a0", "a1"], "empty": []})
    with pytest.raises(TlmError, match="at least 3 known words"):
        ex.categories(kv, {"a": ["a0", "zz"], "b": ["b0"]})
    groups = tmp_path / "groups.txt"
    groups.write_text("# mine\nletters: a0 a1 a2\n\nothers: b0 b1\n", encoding="utf-8")
    assert ex.read_groups(str(groups)) == {"letters": ["a0", "a1", "a2"], "others": ["b0", "b1"]}
    groups.write_text("letters: a0 a1\nnothing:\n", encoding="utf-8")
    with pytest.raises(TlmError, match="line 2: the group 'nothing' has no words"):
        ex.read_groups(str(groups))
    groups.write_text("just words\n", encoding="utf-8")
    with pytest.raises(TlmError, match="line 1"):
        ex.read_groups(str(groups))
    with pytest.raises(TlmError, match="not found"):
        ex.read_groups(str(tmp_path / "nope.txt"))


# -- matrix, hubness, pca -----------------------------------------------------------------------
def test_matrix_slices_rows_and_dimensions():
    kv = random_kv(V=50, d=30)
    r = ex.matrix(kv, n=5, dims=8, seed=3)
    assert r.values.shape == (5, 8) and len(set(r.words)) == 5
    np.testing.assert_allclose(r.values[0], kv[r.words[0]][:8], rtol=1e-6)
    assert ex.matrix(kv, n=5, dims=8, seed=3).words == r.words
    assert ex.matrix(kv, words=["w7", "nosuch"]).words == ["w7"]
    with pytest.raises(TlmError, match="none of the words"):
        ex.matrix(kv, words=["nosuch"])


def test_hubness_finds_a_planted_hub():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 200))
    X[:, 0] += 10  # every word leans along dimension 0 ...
    hub = np.eye(200)[0]  # ... so the word that IS dimension 0 is everyone's neighbour
    kv = kv_of(["hub"] + [f"w{i}" for i in range(200)], np.vstack([hub, X]))
    r = ex.hubness(kv, k=5)
    assert r.hubs[0][0] == "hub" and r.hubs[0][1] > 30
    assert r.counts.sum() == 5 * len(kv) and not r.sampled
    assert r.skewness > 1
    small = ex.hubness(kv, k=5, sample=50, seed=1)
    assert small.sampled and len(small.words) == 50 and small.counts.sum() == 250


def test_hubness_of_a_ring_has_no_hubs():
    angles = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    kv = kv_of([f"w{i}" for i in range(60)], np.stack([np.cos(angles), np.sin(angles)], 1))
    r = ex.hubness(kv, k=2)
    assert (r.counts == 2).all() and r.skewness == 0


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("block", [7, 64, 2048])
def test_k_nearest_in_blocks_is_the_plain_sort(threads, block):
    """The blocked, symmetric, threaded k nearest are the rows of a full stable
    sort, ties (repeated rows, a zero row) going to the lower index."""
    from tlm.analyses.hubness import k_nearest, k_nearest_plain

    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 6)).astype(np.float32)
    X[40:45] = X[3]  # five copies of one row: cosines tied at 1
    X[90] = 0  # a zero row: cosine 0 with everyone
    S = vectors.unit_rows(kv_of([f"w{i}" for i in range(150)], X))
    plain = k_nearest_plain(S, 8)
    assert (k_nearest(S, 8, block, threads) == plain).all()
    assert (k_nearest(S, 1, block, threads) == plain[:, :1]).all()


def test_pca_spectrum_in_blocks_is_the_svd_of_the_centred_rows():
    X = np.random.default_rng(2).normal(size=(300, 6)).astype(np.float32) * [5, 4, 3, 2, 1, 1]
    Xc = X.astype(np.float64) - X.astype(np.float64).mean(axis=0)
    S = np.linalg.svd(Xc, compute_uv=False)
    for block in (7, 300, 65536):
        np.testing.assert_allclose(vectors.pca_spectrum(X, block), S**2 / (S**2).sum(),
                                   rtol=1e-9)


def test_one_key_sort_is_the_three_key_sort():
    from tlm.analyses.hubness import by_row_then_cosine

    rng = np.random.default_rng(1)
    v = rng.choice(np.float32([-np.inf, -1, -0.5, -0.0, 0.0, 1e-30, 0.25, 0.5, 1]), 500)
    who, c = rng.integers(0, 7, 500), rng.permutation(500)
    assert (by_row_then_cosine(who, v, c) == np.lexsort((c, -v, who))).all()  # many ties
    v = rng.normal(size=500).astype(np.float32)
    assert (by_row_then_cosine(who, v, c) == np.lexsort((c, -v, who))).all()  # none


def test_hubness_figures_are_those_of_the_plain_count():
    """The same sample (seed), the same N_k as counting the plain sort's lists, and
    scipy's skewness."""
    from scipy.stats import skew

    from tlm.analyses.hubness import k_nearest_plain

    kv = random_kv(V=400, d=20, seed=2)
    r = ex.hubness(kv, k=5, sample=300, seed=4)
    rows = np.sort(np.random.default_rng(4).choice(400, size=300, replace=False))
    assert r.words == [kv.index_to_key[i] for i in rows]
    plain = np.bincount(k_nearest_plain(vectors.unit_rows(kv)[rows], 5).ravel(), minlength=300)
    assert (r.counts == plain).all()
    assert r.skewness == pytest.approx(skew(plain), rel=1e-12)


def test_unit_rows_of_some_rows_are_those_of_all():
    kv = random_kv(V=50, d=7)
    rows = np.array([3, 9, 41])
    some = vectors.unit_rows(kv, rows)  # before the whole table is kept
    assert np.array_equal(some, vectors.unit_rows(kv)[rows])
    assert np.array_equal(vectors.unit_rows(kv, rows), some)  # from the kept table


def test_hubness_bad_k():
    kv = random_kv(V=20, d=5)
    with pytest.raises(TlmError, match="from 1 to 19"):
        ex.hubness(kv, k=20)
    with pytest.raises(TlmError, match="from 1 to 9"):
        ex.hubness(kv, k=10, sample=10)


def test_pca_recovers_a_known_spectrum():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(2000, 4)))  # orthonormal columns, mean ~ 0
    Q -= Q.mean(axis=0)
    scales = np.array([4.0, 2.0, 1.0, 1.0])
    R, _ = np.linalg.qr(rng.normal(size=(6, 6)))  # a rotation into 6 dimensions
    X = (Q * scales) @ R[:4] + 10  # offset: far from the origin, so raw cosines are high
    r = ex.pca(kv_of([f"w{i}" for i in range(2000)], X))
    want = scales**2 / (scales**2).sum()
    np.testing.assert_allclose(r.explained[:4], want, atol=2e-3)
    assert r.explained[4:].sum() < 1e-6
    assert r.n90 == 2  # 16 + 4 = 20 of 22 is 0.91
    assert r.cos_raw > 0.9 and abs(r.cos_centred) < 0.05


def test_pca_needs_three_different_words():
    with pytest.raises(TlmError, match="at least 3 words"):
        ex.pca(kv_of(["a", "b"], [[1, 0], [0, 1]]))
    with pytest.raises(TlmError, match="no variance"):
        ex.pca(kv_of(["a", "b", "c"], [[1, 0]] * 3))


# -- overlap, frequency, loss -----------------------------------------------------------------
def test_overlap_of_identical_sources_is_one():
    kv = random_kv(V=100, d=20)
    r = ex.overlap({"a": kv, "b": kv}, k=5, n_words=30)
    np.testing.assert_allclose(r.jaccard, 1)
    np.testing.assert_allclose(r.spearman, 1)
    assert r.shared == 100 and len(r.words) == 30


def test_overlap_of_unrelated_sources_is_low_and_uses_shared_words():
    a, b = random_kv(V=100, d=20, seed=1), random_kv(V=120, d=20, seed=2)
    r = ex.overlap({"a": a, "b": b}, k=5)
    assert r.shared == 100
    assert r.jaccard[0, 1] < 0.2 and abs(r.spearman[0, 1]) < 0.1
    assert r.jaccard[0, 0] == 1
    assert ex.overlap({"a": a, "b": b}, words=["w1", "nosuch"], k=5).words == ["w1"]


def test_overlap_prints_each_words_jaccard():
    a, b = random_kv(V=100, d=20, seed=1), random_kv(V=120, d=20, seed=2)
    r = ex.overlap({"a": a, "b": b, "c": a}, words=["w1", "w2"], k=5)
    text = repr(r)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()
            if line.strip().startswith(("w1 ", "w2 "))}
    for i, w in enumerate(r.words):
        assert rows[w][1] == "1.00"  # a and c are the same table
        assert rows[w][0] == f"{r.per_word[0, 1, i]:.2f}"
    many = repr(ex.overlap({"a": a, "b": b}, k=5, n_words=60))
    assert "the 15 highest and the 15 lowest of 60" in many


def test_overlap_bad_input():
    kv = random_kv(V=10, d=5)
    with pytest.raises(TlmError, match="two or more"):
        ex.overlap({"a": kv})
    with pytest.raises(TlmError, match="too large"):
        ex.overlap({"a": kv, "b": kv}, k=10)
    other = kv_of(["x", "y", "z"], np.eye(3))
    with pytest.raises(TlmError, match="share only 0 words"):
        ex.overlap({"a": kv, "b": other})


def test_frequency_from_a_models_counts_and_from_file_order():
    m = model_with_counts()
    r = ex.frequency(m)
    assert r.ranks_from == "counts"
    assert dict(zip(r.words, r.ranks.tolist(), strict=True)) == {"a": 4, "b": 3, "c": 2, "d": 1}
    assert r.spearman == pytest.approx(-1)  # the more frequent, the longer here
    kv = kv_of(["a", "b", "c"], [[3, 0], [2, 0], [1, 0]])
    r2 = ex.frequency(kv)
    assert r2.ranks_from == "order" and list(r2.ranks) == [1, 2, 3]
    assert r2.spearman == pytest.approx(-1)


def test_loss_curves_from_a_model_only():
    r = ex.loss(model_with_counts())
    assert list(r.epochs) == [1, 2] and list(r.loss) == [3.0, 2.0]
    assert r.val_loss[0] == 3.5 and np.isnan(r.val_loss[1])
    with pytest.raises(TlmError, match="tlm model file"):
        ex.loss(royal_kv())
    untrained = model_with_counts()
    untrained.history = []
    with pytest.raises(TlmError, match="never trained"):
        ex.loss(untrained)


def test_a_model_is_accepted_wherever_vectors_are():
    m = model_with_counts()
    assert sorted(ex.norms(m).norms.tolist()) == [1, 2, 3, 4]
    assert ex.neighbors(m, "a", k=1).words[0] in {"b", "c", "d"}


def test_results_print_as_tables():
    kv = royal_kv()
    text = repr(ex.neighbors(kv, "king", k=2))
    assert text.splitlines()[0].split() == ["kings", "0.998"]  # (1, 1, .1) against (1, 1, 0)
    assert "random pairs here: mean" in text
    assert "unit length?" in repr(ex.norms(kv))


def test_analogy_candidates_footer_one_per_source_when_they_differ():
    full = royal_kv()
    words = [w for w in full.index_to_key if w != "kings"]
    part = kv_of(words, [full[w] for w in words])  # no kings
    both = {"full": ex.analogy(full, "man", "king", "woman", candidates=["queen", "kings"],
                               k=2),
            "part": ex.analogy(part, "man", "king", "woman", candidates=["queen", "kings"],
                               k=2)}
    text = ex.render(both)
    assert "full candidates: queen, kings" in text and "part candidates: queen" in text
    assert "1 of 2" in text and "1 of 1" in text  # each column counts its own list
    same = ex.render({"a": both["full"], "b": both["full"]})
    assert same.count("candidates: queen, kings") == 1  # one shared list


def test_loop_and_matrix_give_the_same_cosines():
    from tlm.analyses.loop_vs_matrix import cosines_by_loop, loop_vs_matrix

    kv = random_kv(V=300, d=20)
    r = loop_vs_matrix(kv, "w3", repeats=2)
    assert r.rows == 300 and r.correlation > 0.99999 and r.largest_difference < 1e-5
    assert r.loop_seconds > 0 and r.matrix_seconds > 0
    E = kv.vectors
    by_loop = cosines_by_loop(E, E[3])
    expected = (E @ E[3]) / (np.linalg.norm(E, axis=1) * np.linalg.norm(E[3]))
    np.testing.assert_allclose(by_loop, expected, rtol=1e-5, atol=1e-6)
    assert "correlation of the results  1.000" in repr(r)


def test_cos_vs_euclid_marks_the_notebooks_landmarks():
    kv = royal_kv()
    r = ex.cos_vs_euclid(kv, "king - man + woman", n=2)
    assert r.landmarks[:3] == ["king", "man", "woman"]
    assert r.landmarks == ["king", "man", "woman", "queen"]  # of LANDMARKS, queen is known


def test_matrix_scale_is_not_set_by_one_long_vector_and_words_come_from_the_frequent():
    from tlm.analyses.matrix import colour_limit, matrix

    values = np.full((20, 10), 0.5)
    values[0, 0] = 9.0  # one outlier
    lim, beyond = colour_limit(values)
    assert lim == pytest.approx(0.5) and beyond == 1
    kv = kv_of([f"w{i}" for i in range(300)], np.random.default_rng(0).normal(size=(300, 4)))
    r = matrix(kv, n=20, among=50)
    assert len(r.words) == 20 and all(int(w[1:]) < 50 for w in r.words)
    assert len(matrix(kv, n=20, among=5).words) == 5


def test_hubness_picture_names_its_biggest_hub():
    from tlm.analyses.hubness import ANALYSIS

    kv = kv_of([f"w{i}" for i in range(200)], np.random.default_rng(1).normal(size=(200, 30)))
    r = ANALYSIS.compute(kv, k=5)
    fig = ANALYSIS.draw({"v": r})
    texts = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_visible()]
    assert f"{r.hubs[0][0]} ({r.hubs[0][1]})" in texts
