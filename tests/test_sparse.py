"""scatter_add and scatter_add_outer: the same sums as np.add.at, repeated rows included,
on every path (few rows: sorting; many: the sparse product, dense or on the touched rows)."""

from __future__ import annotations

import numpy as np
import pytest

from tlm.models.sparse import SMALL, scatter_add, scatter_add_outer


def zipf_rows(rng: np.random.Generator, V: int, shape: tuple[int, ...]) -> np.ndarray:
    """Row ids with a few rows repeated very often, as words are."""
    p = 1.0 / np.arange(1, V + 1)
    return rng.choice(V, size=shape, p=p / p.sum()).astype(np.int32)


@pytest.mark.parametrize("V, d, shape", [
    (50, 8, (7,)),                  # sorting (fewer than SMALL rows)
    (50, 8, (64, 2)),               # rows of any shape: a batch of contexts
    (20, 5, (3 * SMALL,)),          # sparse product, dense (V, d) result
    (50_000, 4, (SMALL + 10,)),     # sparse product on the touched rows only
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scatter_add_is_np_add_at(V, d, shape, dtype):
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


def test_scatter_add_of_nothing_changes_nothing():
    target = np.ones((4, 3), dtype=np.float32)
    scatter_add(target, np.zeros(0, dtype=np.int32), np.zeros((0, 3), dtype=np.float32))
    assert np.array_equal(target, np.ones((4, 3)))


def test_plain_fancy_indexing_would_be_wrong():
    """Why the module exists: E[rows] += G keeps one write per repeated row."""
    rows = np.array([1, 1, 1])
    wrong = np.zeros((3, 2))
    wrong[rows] += np.ones((3, 2))
    right = np.zeros((3, 2))
    scatter_add(right, rows, np.ones((3, 2)))
    assert wrong[1, 0] == 1 and right[1, 0] == 3


@pytest.mark.parametrize("V", [30, 100_000])  # dense result / touched rows only
def test_scatter_add_outer_is_the_sum_of_outer_products(V):
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


def test_scatter_add_outer_float32_target_with_float64_terms():
    target = np.zeros((3, 2), dtype=np.float32)
    scatter_add_outer(target, np.array([[0, 0]]), np.array([[1.0, 2.0]]), np.array([[1.0, -1.0]]))
    assert target.dtype == np.float32
    assert target.tolist() == [[3.0, -3.0], [0.0, 0.0], [0.0, 0.0]]
