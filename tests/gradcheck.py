"""Checking hand-derived gradients against finite differences, for any model whose
`_step(context, target, lr)` is SGD on the batch's summed loss and whose
`_forward(context)` returns (h, p): shared by the course's model's and the MLP's
tests (a helper module, not a test module)."""

from __future__ import annotations

import numpy as np

from tlm.models.base import Model


def copy_of(model: Model) -> Model:
    arrays = {name: a.copy() for name, a in model.arrays.items()}
    return type(model)(model.vocabulary, model.config, arrays)


def mean_loss(model: Model, context: np.ndarray, target: np.ndarray) -> float:
    """The batch's mean loss from `_forward` alone: mean_i -log p_i[t_i]."""
    _, p = model._forward(context)
    return float(-np.log(p[np.arange(len(target)), target]).mean())


def summed_loss(model: Model, context: np.ndarray, target: np.ndarray) -> float:
    """The batch's summed loss, sum_i -log p_i[t_i]: `_step`'s lr is per example, so its
    update is -lr times the gradient of this sum."""
    return mean_loss(model, context, target) * len(target)


def step_gradients(model: Model, context, target) -> tuple[dict[str, np.ndarray], float]:
    """What `_step` does with lr=1 on a copy: the gradient of the summed loss is
    before - after."""
    stepped = copy_of(model)
    loss = stepped._step(context.copy(), target.copy(), lr=1.0)
    return {n: model.arrays[n] - stepped.arrays[n] for n in model.array_names}, loss


def finite_differences(model: Model, context, target, eps: float = 1e-6,
                       entries: dict[str, list[tuple[int, ...]]] | None = None):
    """Central differences of the summed loss for every entry of E, W and b (or for
    the `entries` given; the others are left 0)."""
    grads = {}
    for name in model.array_names:
        a = model.arrays[name]
        g = np.zeros_like(a)
        for i in (entries[name] if entries else np.ndindex(a.shape)):
            keep = a[i]
            a[i] = keep + eps
            up = summed_loss(model, context, target)
            a[i] = keep - eps
            down = summed_loss(model, context, target)
            a[i] = keep
            g[i] = (up - down) / (2 * eps)
        grads[name] = g
    return grads


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


# A batch of several examples; contexts repeat words (row 0: w2 twice, row 2: w1 three
# times), two rows share a word (w5), a target also appears in its own context, and
# w0 and w6 appear in no context (their rows of E must not move).
CONTEXT = np.array([[2, 2, 5], [3, 4, 5], [1, 1, 1], [4, 2, 3]])
TARGET = np.array([2, 0, 6, 1])
