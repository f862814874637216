"""scatter_add and scatter_add_outer: the same sums as np.add.at, repeated rows included,
both through scipy's kernel adding into the matrix and through the public `S @ G`."""

from __future__ import annotations

import numpy as np
import pytest

from tlm.models import sparse
from tlm.models.sparse import scatter_add, scatter_add_outer


@pytest.fixture(params=["kernel", "public"])
def path(request, monkeypatch):
    """Run a test through scipy's in-place kernel and through the public product."""
    if request.param == "public":
        monkeypatch.setattr(sparse, "_kernel", lambda: None)
    elif sparse._kernel() is None:
        pytest.skip("this scipy has no csc_matvecs kernel")
    return request.param


def zipf_rows(rng: np.random.Generator, V: int, shape: tuple[int, ...]) -> np.ndarray:
    """Row ids with a few rows repeated very often, as words are."""
    p = 1.0 / np.arange(1, V + 1)
    return rng.choice(V, size=shape, p=p / p.sum()).astype(np.int32)


@pytest.mark.parametrize("V, d, shape", [
    (50, 8, (7,)),
    (50, 8, (64, 2)),               # rows of any shape: a batch of contexts
    (20, 5, (3000,)),               # every row many times
    (50_000, 4, (300,)),            # a large matrix, few rows touched
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scatter_add_is_np_add_at(path, V, d, shape, dtype):
    rng = np.random.default_rng(0)
    rows = zipf_rows(rng, V, shape)
    assert len(np.unique(rows)) < rows.size  # repeats are the point
    values = rng.normal(size=(*shape, d)).astype(dtype)
    start = rng.normal(size=(V, d)).astype(dtype)

    expected = start.copy()
    np.add.at(expected, rows.reshape(-1), values.reshape(-1, d))
    got = start.copy()
    scatter_add(got, rows, values)

    assert got.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    untouched = np.setdiff1d(np.arange(V), rows)
    assert np.array_equal(got[untouched], start[untouched])


def test_scatter_add_of_nothing_changes_nothing(path):
    target = np.ones((4, 3), dtype=np.float32)
    scatter_add(target, np.zeros(0, dtype=np.int32), np.zeros((0, 3), dtype=np.float32))
    assert np.array_equal(target, np.ones((4, 3)))


def test_plain_fancy_indexing_would_be_wrong(path):
    """Why the module exists: E[rows] += G keeps one write per repeated row."""
    rows = np.array([1, 1, 1])
    wrong = np.zeros((3, 2))
    wrong[rows] += np.ones((3, 2))
    right = np.zeros((3, 2))
    scatter_add(right, rows, np.ones((3, 2)))
    assert wrong[1, 0] == 1 and right[1, 0] == 3


@pytest.mark.parametrize("V", [30, 100_000])  # dense result / touched rows only
def test_scatter_add_outer_is_the_sum_of_outer_products(path, V):
    rng = np.random.default_rng(1)
    n, m, d = 40, 6, 5
    rows = zipf_rows(rng, V, (n, m))
    weights = rng.normal(size=(n, m))
    vectors = rng.normal(size=(n, d))
    expected = np.zeros((V, d))
    for b in range(n):
        for j in range(m):
            expected[rows[b, j]] += weights[b, j] * vectors[b]
    got = np.zeros((V, d))
    scatter_add_outer(got, rows, weights, vectors)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_scatter_add_outer_float32_target_with_float64_terms(path):
    target = np.zeros((3, 2), dtype=np.float32)
    scatter_add_outer(target, np.array([[0, 0]]), np.array([[1.0, 2.0]]), np.array([[1.0, -1.0]]))
    assert target.dtype == np.float32
    assert target.tolist() == [[3.0, -3.0], [0.0, 0.0], [0.0, 0.0]]


def test_a_matrix_that_is_a_view_gets_the_sums_too(path):
    """A column slice is not contiguous: the kernel cannot write into it directly."""
    big = np.zeros((4, 6))
    view = big[:, ::2]                                     # (4, 3), strided
    scatter_add(view, np.array([2, 2, 0]), np.ones((3, 3)))
    assert big[2, ::2].tolist() == [2.0, 2.0, 2.0] and big[0, ::2].tolist() == [1.0, 1.0, 1.0]
    assert big[:, 1::2].sum() == 0
