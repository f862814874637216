"""Adding gradient rows into a matrix when the same row appears more than once.

`E[rows] += G` is wrong when `rows` repeats (numpy keeps only the last write)
and `np.add.at(E, rows, G)` is right but slow. The same sum is a sparse matrix
product: put a 1 at (rows[i], i) of a sparse (V, n) matrix S, and `S @ G` adds
every row of G into the row it belongs to, in one pass of compiled code.

`S @ G` builds a dense (V, d) result that then has to be added into E; scipy's
compiled kernel behind it (`csc_matvecs`) can add into E directly, so that is
called when E's layout allows, and the plain `E += S @ G` otherwise.

Both give what `np.add.at` gives; benchmarks/README.md has how much faster.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def _kernel():
    """scipy's Y += S @ X for a sparse S in compressed-column form (what S @ X runs,
    on zeros), or None in a scipy that moved it. Imported on first use: loading a
    model to generate text needs no scipy."""
    try:
        from scipy.sparse._sparsetools import csc_matvecs
    except ImportError:  # the public product in scatter_add_outer does the same
        return None
    return csc_matvecs


def scatter_add(target: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """target[rows[i]] += values[i] for every i, summing repeated rows:
    `np.add.at(target, rows, values)`.

    target: (V, d); rows: any shape (...), ints in [0, V); values: (..., d).
    """
    rows = rows.reshape(-1, 1)                                # (n, 1)
    values = values.reshape(len(rows), target.shape[1])       # (n, d)
    scatter_add_outer(target, rows, np.ones(rows.shape, dtype=target.dtype), values)


def scatter_add_outer(
    target: np.ndarray, rows: np.ndarray, weights: np.ndarray, vectors: np.ndarray
) -> None:
    """target[rows[b, j]] += weights[b, j] * vectors[b] for every b and j, summing repeats:
    `np.add.at(target, rows, weights[:, :, None] * vectors[:, None, :])`.

    target: (V, d); rows: (n, m) ints in [0, V); weights: (n, m); vectors: (n, d).
    The sum of all these weighted vectors is S @ vectors, with the sparse (V, n)
    matrix S that holds weights[b, j] at (rows[b, j], b): the (n, m, d) array of
    the single terms is never built.
    """
    n, m = rows.shape
    if n == 0:
        return
    V, d = target.shape
    indptr = np.arange(0, n * m + 1, m, dtype=np.int32)      # column b: entries b*m .. b*m+m-1
    indices = rows.reshape(-1).astype(np.int32, copy=False)   # (n*m,) the row of each entry
    data = weights.reshape(-1)                                # (n*m,) its weight
    csc_matvecs = _kernel()
    if csc_matvecs is not None and target.flags.c_contiguous:
        dtype = target.dtype
        vectors = np.ascontiguousarray(vectors, dtype=dtype)
        data = np.ascontiguousarray(data, dtype=dtype)
        csc_matvecs(V, n, d, indptr, indices, data, vectors.reshape(-1), target.reshape(-1))
        return
    import scipy.sparse

    S = scipy.sparse.csc_matrix((data, indices, indptr), shape=(V, n))  # (V, n)
    target += (S @ vectors).astype(target.dtype, copy=False)           # (V, d)
