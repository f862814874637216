"""The embedding model's SGD step on every core: the same maths as
`EmbeddingModel._step`, with the batch cut into row blocks that threads work on
side by side.

Why: most of a step is elementwise work on the (B, V) logits (add the bias,
the row max, exp, the row sums, the scaling, the gradient p - onehot(t)), and
numpy runs each of those passes on one core. The rows of a batch are
independent until their gradients are added up, so each thread takes a block
of rows through the whole forward and backward pass, and the blocks' gradients
are summed at the end:

    sum_i dL_i/dW = sum_blocks h_blk^T dz_blk      sum_i dL_i/db = sum_blocks 1^T dz_blk

numpy releases the GIL inside its loops and BLAS calls, so plain Python threads
run the blocks at the same time. While training, BLAS is held to one thread
(threadpoolctl), so that the two levels of threads do not fight over the cores;
the limit is lifted when training ends.

`tests/test_embedding.py` checks that one step here and one `_step` give the
same loss and the same E, W and b.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from tlm.models.sparse import scatter_add

if TYPE_CHECKING:
    from tlm.models.embedding import EmbeddingModel

Step = Callable[..., float]

#: Fewer rows than this per thread are not worth handing to a thread.
MIN_ROWS_PER_THREAD = 32


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def threaded_steps(model: EmbeddingModel, threads: int | None = None) -> Iterator[Step]:
    """A step function with `_step`'s signature that runs on `threads` cores
    (default: all), with BLAS on one thread inside it; `model._step` itself
    when there is one core."""
    threads = threads or cores()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a broken install: without it the threads would fight BLAS's
        threadpool_limits = None
    if threads < 2 or threadpool_limits is None:
        yield model._step
        return

    with ThreadPoolExecutor(threads) as pool, threadpool_limits(1, user_api="blas"):

        def step(context: np.ndarray, target: np.ndarray, lr: float) -> float:
            return threaded_step(model, context, target, lr, pool, threads)

        yield step


def _block(model: EmbeddingModel, context: np.ndarray, target: np.ndarray) -> dict:
    """Forward and backward for one block of rows (as in `_step`): the block's
    summed loss, its sums of the gradients of W and b (and W1, b1 with --hidden),
    and dL/dh for each of its rows."""
    rows = np.arange(len(target))
    a, p = model._forward(context)               # (n, D or H), (n, V)
    part = {"loss": -np.log(p[rows, target]).sum()}  # sum_i -log p_i[t_i]
    dz = p                                       # (n, V)  p - onehot(t); NB: overwrites p
    dz[rows, target] -= 1.0
    part["W"] = np.tensordot(a, dz, axes=(0, 0))     # (D, V)  a.T @ dz
    part["b"] = np.ones(len(rows), dtype=dz.dtype) @ dz  # (V,)  dz.sum(axis=0)
    dh = dz @ model.W.T                          # (n, D)  dz_i W^T
    if model.config.hidden:                      # back through a = tanh(h W1 + b1)
        h = model._context_vector(context)       # (n, D)
        du = dh * (1.0 - a * a)                  # (n, H)  dL/du
        part["W1"] = np.tensordot(h, du, axes=(0, 0))  # (D, H)  h.T @ du
        part["b1"] = du.sum(axis=0)              # (H,)
        dh = du @ model.W1.T                     # (n, D)
    part["h"] = dh
    return part


def threaded_step(
    model: EmbeddingModel,
    context: np.ndarray,
    target: np.ndarray,
    lr: float,
    pool: ThreadPoolExecutor,
    threads: int,
) -> float:
    """`model._step(context, target, lr=lr)` with the rows in `threads` blocks on `pool`."""
    B, C = context.shape
    blocks = min(threads, B // MIN_ROWS_PER_THREAD)
    if blocks < 2:
        return model._step(context, target, lr=lr)
    cuts = np.linspace(0, B, blocks + 1).astype(int)
    parts = list(pool.map(
        lambda a, e: _block(model, context[a:e], target[a:e]), cuts[:-1], cuts[1:]
    ))
    loss = sum(part["loss"] for part in parts) / B   # mean_i -log p_i[t_i]
    dh = np.concatenate([part["h"] for part in parts])  # (B, D)  dL/dh_i
    d = model.config.dim
    if model.config.combine == "concat":
        dE = dh.reshape(B, C, d)                     # (B, C, d) slice c of dh goes to E[w_c]
    else:
        dE = np.broadcast_to(dh[:, None, :] / C, (B, C, d))  # (B, C, d) dh / C per word

    for name in ("W", "b", "W1", "b1") if model.config.hidden else ("W", "b"):
        gradient = sum(part[name] for part in parts)     # sum_i dL_i/dtheta, over all blocks
        getattr(model, name)[...] -= lr * gradient       # SGD, as in _step
    scatter_add(model.E, context, -lr * dE)
    return float(loss)
