"""Bengio et al. (2003)'s neural language model: the context words' embeddings
joined in order, an optional tanh layer, and a softmax over the vocabulary.

`tlm train --combine concat` (and/or `--hidden H`) trains it. The course's model
(tlm/model.py) averages the context rows, which forgets word order: "chuck
could" and "could chuck" give the same vector. Here each position has its own
rows of the next matrix:

    x = [E[w_1], E[w_2], ..., E[w_C]]          context vector        (D,) D = C d
        (or with --combine mean, (1/C) sum_c E[w_c], D = d)
    a = tanh(x @ W1 + b1)                      hidden layer          (H,)  (--hidden H)
    z = a @ W + b                              logits                (V,)  (x @ W + b without H)
    p = softmax(z)
    L = -log p[t]

and the gradients, by hand (no autodiff), with u = x @ W1 + b1:

    dL/dz  = p - onehot(t)                                           (V,)
    dL/dW  = outer(a, dL/dz),  dL/db = dL/dz                         (H, V), (V,)
    dL/da  = W @ dL/dz                                               (H,)
    dL/du  = dL/da * (1 - a**2)        tanh'(u) = 1 - tanh(u)^2      (H,)
    dL/dW1 = outer(x, dL/du),  dL/db1 = dL/du                        (D, H), (H,)
    dL/dx  = W1 @ dL/du                                              (D,)
    dL/dE[w_c] = (dL/dx)[(c-1) d : c d], the slice of position c     (d,)
        (with --combine mean: dL/dx / C for every position)

Training is the course model's: batches of summed gradients, lr per example,
the same split over cores (tlm/models/base.py `WindowModel`).

An unknown context word (a held-out word this model, trained without <unk>,
never saw; or the missing words of a prompt shorter than the context) gets a
zero vector in its slot: the value around which E's rows start (as the course's
model does, tlm/model.py).

Model files: tlm before this file saved this model as type "embedding" with
`combine` "concat" or `hidden` above 0; those files load as this model.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tlm.models.base import WindowModel, softmax
from tlm.models.config import MLPConfig
from tlm.models.sparse import scatter_add
from tlm.vocab import UNKNOWN

__all__ = ["MLPConfig", "MLPModel"]


class MLPModel(WindowModel):
    type = "mlp"
    Config = MLPConfig
    unknown_context = "gives it a zero vector in its context"

    config: MLPConfig
    W1: np.ndarray  # (D, H) --hidden: the hidden layer's weights
    b1: np.ndarray  # (H,)   --hidden: its bias

    @classmethod
    def names_for(cls, config: MLPConfig) -> tuple[str, ...]:
        return ("E", "W1", "b1", "W", "b") if config.hidden else ("E", "W", "b")

    @classmethod
    def init_arrays(
        cls, V: int, config: MLPConfig, rng: np.random.Generator, dtype=np.float32
    ) -> dict[str, np.ndarray]:
        d, D, H = config.dim, config.context_dim, config.hidden
        into_W = H or D  # the length of the vector W reads

        def normal(n: int, shape: tuple[int, ...]) -> np.ndarray:
            """N(0, 1/n): a sum of n such products of length-1 vectors has size about 1."""
            return rng.normal(0.0, 1.0 / math.sqrt(n), size=shape).astype(dtype)

        arrays = {"E": normal(d, (V, d))}                    # (V, d) rows of length about 1
        if H:
            arrays["W1"] = normal(D, (D, H))                 # (D, H)
            arrays["b1"] = np.zeros(H, dtype=dtype)          # (H,)
        arrays["W"] = normal(into_W, (into_W, V))            # (D or H, V)
        arrays["b"] = np.zeros(V, dtype=dtype)               # (V,)
        return arrays

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        V, d, D, H = len(self.vocab), self.config.dim, self.config.context_dim, self.config.hidden
        shapes = {"E": (V, d), "W": (H or D, V), "b": (V,)}
        if H:
            shapes |= {"W1": (D, H), "b1": (H,)}
        return shapes

    # -- the maths -------------------------------------------------------------
    def _context_vector(self, context: np.ndarray) -> np.ndarray:
        """Context ids (..., C) -> x (..., D): their rows of E one after another
        (concat), or their mean. An UNKNOWN id's row is a zero vector."""
        known = context != UNKNOWN                               # (..., C)
        rows = self.E[np.where(known, context, 0)]               # (..., C, d)
        if not known.all():
            rows = rows * known[..., None]                       # unknown slots: 0
        if self.config.combine == "concat":
            return rows.reshape(*rows.shape[:-2], -1)            # (..., C d) [E[w_1], ..]
        return rows.mean(axis=-2)                                # (..., d)  (1/C) sum_c E[w_c]

    def _forward(self, context: Any) -> tuple[np.ndarray, np.ndarray]:
        """Context -> (a, p): the vector W reads (x, or the hidden layer a with
        --hidden), and the next-word probabilities. Words, a string or ids, (C,)
        or a batch (B, C)."""
        context = self.ids(context)                    # words -> ids; ids pass through
        a = self._context_vector(context)              # (..., D)
        if self.config.hidden:
            a = np.tanh(a @ self.W1 + self.b1)         # (..., H)  a = tanh(x W1 + b1)
        z = a @ self.W                                 # (..., V)  z = a W + b
        z += self.b                                    #           (in place)
        return a, softmax(z)

    _forward_unknown = _forward  # `_context_vector` gives an unknown word's slot 0

    def gradients(self, context: np.ndarray, target: np.ndarray
                  ) -> tuple[float, dict[str, np.ndarray]]:
        """A batch's summed loss and gradients, as the course model's `gradients`
        (tlm/model.py), with "W1" and "b1" too under --hidden."""
        B, C = context.shape
        d = self.config.dim
        rows = np.arange(B)
        a, p = self._forward(context)                  # (B, D or H), (B, V)
        loss = -np.log(p[rows, target]).sum()          # sum_i -log p_i[t_i]
        dz = p                                         # (B, V)  p - onehot(t); NB overwrites p
        dz[rows, target] -= 1.0
        grad = {"W": np.tensordot(a, dz, axes=(0, 0)),   # (D or H, V) sum_i outer(a_i, dz_i)
                "b": np.ones(B, dtype=dz.dtype) @ dz}  # (V,)    dz.sum(axis=0)
        dx = dz @ self.W.T                             # (B, D or H)  dz_i W^T
        if self.config.hidden:                         # back through a = tanh(x W1 + b1)
            x = self._context_vector(context)          # (B, D)  the hidden layer's input
            du = dx * (1.0 - a * a)                    # (B, H)  dL/du = dL/da * tanh'(u)
            grad["W1"] = np.tensordot(x, du, axes=(0, 0))  # (D, H)  sum_i outer(x_i, du_i)
            grad["b1"] = du.sum(axis=0)                # (H,)
            dx = du @ self.W1.T                        # (B, D)  du_i W1^T
        if self.config.combine == "concat":
            grad["E"] = dx.reshape(B, C, d)            # (B, C, d) slice c of dx goes to E[w_c]
        else:
            grad["E"] = np.broadcast_to(dx[:, None, :] / C, (B, C, d))  # (B, C, d) dx / C
        return float(loss), grad

    def _step(self, context: np.ndarray, target: np.ndarray, lr: float) -> float:
        """One SGD step on a batch: every parameter moves by -lr times the sum of
        the examples' gradients. Returns the batch's mean loss."""
        loss, grad = self.gradients(context, target)
        for name in self.array_names:
            if name != "E":
                getattr(self, name)[...] -= lr * grad[name]  # theta -= lr sum_i dL_i/dtheta
        scatter_add(self.E, context, -lr * grad["E"])      # np.add.at(self.E, context, -lr dE)
        return loss / len(target)
