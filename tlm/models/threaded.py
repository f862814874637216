"""Training on every core: the model's own `gradients`, on row blocks of each
batch in threads, summed.

Why: most of a step is elementwise work on the (B, V) logits (add the bias,
the row max, exp, the row sums, the scaling, the gradient p - onehot(t)), and
numpy runs each of those passes on one core. The rows of a batch are
independent until their gradients are added up, so each thread takes a block
of rows through the model's `gradients` (forward and backward), and the
blocks' sums are added:

    sum_i dL_i/dW = sum_blocks (sum_{i in block} dL_i/dW)

Nothing of the maths is here. While `on_every_core(model)` runs, the model's
`gradients` is this split-and-sum of its own `gradients` (an attribute set on
the instance, removed afterwards), so `_step`, which applies what `gradients`
returns, is what training calls: a learner's edit to either reaches `tlm train`.

numpy releases the GIL inside its loops and BLAS calls, so plain Python threads
run the blocks at the same time. While training, BLAS is held to one thread
(threadpoolctl), so that the two levels of threads do not fight over the cores;
the limit is lifted when training ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

Step = Callable[..., float]
Gradients = Callable[..., tuple[float, dict[str, np.ndarray]]]  # (*batch) -> (loss, grads)

#: Fewer rows than this per thread are not worth handing to a thread.
MIN_ROWS_PER_THREAD = 32


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def on_every_core(model: Any, threads: int | None = None) -> Iterator[Step]:
    """While the block runs, `model.gradients` runs on `threads` cores (default:
    all) with BLAS on one thread; yields `model._step`, which training calls. On
    one core the model is left as it is."""
    threads = threads or cores()
    if threads < 2:
        yield model._step
        return
    own = model.__dict__.get("gradients")  # an instance's own gradients (a test's), if any
    with ThreadPoolExecutor(threads - 1) as pool, threadpool_limits(1, user_api="blas"):
        model.gradients = split(model.gradients, pool, threads, model.per_example)
        try:
            yield model._step
        finally:
            if own is None:
                del model.gradients
            else:
                model.gradients = own


def split(
    gradients: Gradients, pool: ThreadPoolExecutor, threads: int, per_example: tuple[str, ...]
) -> Gradients:
    """`gradients(*batch)` (arrays with one row per example, such as context and
    target) with the rows of the batch in blocks on `pool`: the blocks' losses and
    gradients added up, those `per_example` (one row per example, such as dL/dE of
    each context word) put one after another."""

    def on_blocks(*batch: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        B = len(batch[0])
        blocks = min(threads, B // MIN_ROWS_PER_THREAD)
        if blocks < 2:
            return gradients(*batch)
        cuts = np.linspace(0, B, blocks + 1).astype(int)
        # the pool takes all blocks but the last, which this thread runs meanwhile:
        # one hand-off fewer, and no waiting for a thread to wake on a busy machine
        others = [pool.submit(gradients, *(x[a:e] for x in batch))
                  for a, e in zip(cuts[:-2], cuts[1:-1], strict=True)]
        last = gradients(*(x[cuts[-2]:] for x in batch))
        parts = [f.result() for f in others] + [last]
        loss = sum(loss for loss, _ in parts)                          # sum_i L_i
        summed = {}
        for name in parts[0][1]:
            grads = [g[name] for _, g in parts]
            if name in per_example:
                summed[name] = np.concatenate(grads)                   # the blocks' rows in order
            else:
                summed[name] = sum(grads[1:], start=grads[0])          # sum_i dL_i/dtheta
        return loss, summed

    return on_blocks
