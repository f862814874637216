"""Adding gradient rows into a matrix when the same row appears more than once.

`E[rows] += G` is wrong when `rows` repeats (numpy keeps only the last write)
and `np.add.at(E, rows, G)` is right but slow. Sorting the rows and summing
each run with `np.add.reduceat` gives the same result an order of magnitude
faster.
"""

import numpy as np


def scatter_add(target: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """target[rows[i]] += values[i] for every i, summing repeated rows.

    target: (V, d); rows: any shape (...), ints in [0, V); values: (..., d).
    """
    rows = rows.reshape(-1)                                   # (n,)
    values = values.reshape(len(rows), -1)                    # (n, d)
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    sums = np.add.reduceat(values[order], starts, axis=0)     # (unique rows, d)
    target[sorted_rows[starts]] += sums
