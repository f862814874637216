"""The embedding language model: predict the next word from the mean of the
embeddings of the words before it.

For a context of C word ids w_1..w_C and a target word t:

    h = (1/C) * sum_c E[w_c]          context embedding          (d,)
    z = h @ W + b                     logits                     (V,)
    p = softmax(z)                    next-word probabilities    (V,)
    L = -log p[t]                     cross-entropy loss

and the gradients, by hand (no autodiff):

    dL/dz = p - onehot(t)                                        (V,)
    dL/dW = outer(h, dL/dz)                                      (d, V)
    dL/db = dL/dz                                                (V,)
    dL/dh = W @ dL/dz                                            (d,)
    dL/dE[w_c] = dL/dh / C   for each context position c         (d,)

Training runs on mini-batches of B examples, and `lr` is a rate per example:
SGD moves each parameter by -lr times the SUM of the B examples' gradients
(the gradient of the batch's summed loss), all taken at the parameters as they
were before the step. So every example moves the parameters by lr times its
own gradient, in a full batch, in the short last batch of an epoch, or in a
batch of one, which is exactly the textbook step above.

For a batch, dL/dW = sum_i outer(h_i, dz_i) = h^T dz; `_step` writes h^T dz
as `np.tensordot(h, dz, axes=(0, 0))`, the same sum of outer products,
because numpy's `h.T @ dz` skips BLAS for a batch of one and is 20x slower.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tlm.models.base import Model, Settings
from tlm.models.sparse import scatter_add
from tlm.perplexity import positions


@dataclass
class EmbeddingConfig(Settings):
    dim: int = 32
    context_window: int = 2
    # A batch this size keeps numpy's matrix products efficient
    # (benchmarks/emma_embedding.py); the learning rate does not depend on it.
    batch_size: int = 256
    # Per example (see the module docstring): each example moves the parameters by
    # lr times its own gradient, whatever the batch size. 3/256 is the step that
    # trained Emma best at batch 256 (benchmarks/README.md).
    lr: float = 3.0 / 256

    whole = (*Settings.whole, "dim", "context_window")


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place: z (..., V) is overwritten by
    p = exp(z) / sum(exp(z)).

    Subtracting each row's max first changes nothing mathematically but keeps
    exp from overflowing. For speed on (B, V) arrays the row sums are a
    matrix-vector product with a vector of ones, and the division is a
    multiplication by their reciprocals (each several times faster here)."""
    z -= z.max(axis=-1, keepdims=True)                  # (..., V)  z - max(z)
    np.exp(z, out=z)                                    # (..., V)  exp(z - max(z))
    row_sums = z @ np.ones(z.shape[-1], dtype=z.dtype)  # (...,)    sum_j exp(z_j - max(z))
    z *= (1.0 / row_sums)[..., None]                    # (..., V)  p
    return z


class EmbeddingModel(Model):
    type = "embedding"
    Config = EmbeddingConfig
    array_names = ("E", "W", "b")
    predicts_next_word = True

    config: EmbeddingConfig
    W: np.ndarray  # (d, V) output matrix: column j turns a context embedding into word j's logit
    b: np.ndarray  # (V,)   output bias, one per word

    @classmethod
    def init_arrays(
        cls, V: int, config: EmbeddingConfig, rng: np.random.Generator, dtype=np.float32
    ) -> dict[str, np.ndarray]:
        d = config.dim
        scale = 1.0 / math.sqrt(d)  # rows of E and columns of W start with length about 1
        return {
            "E": rng.normal(0.0, scale, size=(V, d)).astype(dtype),  # (V, d)
            "W": rng.normal(0.0, scale, size=(d, V)).astype(dtype),  # (d, V)
            "b": np.zeros(V, dtype=dtype),                           # (V,)
        }

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        V, d = len(self.vocab), self.config.dim
        return {"E": (V, d), "W": (d, V), "b": (V,)}

    # -- the maths -------------------------------------------------------------
    def _forward(self, context: np.ndarray | list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Context ids (..., C) -> context embedding h (..., d) and next-word
        probabilities p (..., V). Works for one context (C,) or a batch (B, C),
        and for words as the course writes it: `model._forward(['how', 'much'])`."""
        context = self.ids(context)        # words -> ids; ids pass through
        h = self.E[context].mean(axis=-2)  # (..., d)  h = (1/C) sum_c E[w_c]
        z = h @ self.W                     # (..., V)  z = h W + b
        z += self.b                        #           (in place: no second (B, V) array)
        p = softmax(z)                     # (..., V)  p = softmax(z)
        return h, p

    def _step(self, context: np.ndarray, target: np.ndarray, lr: float) -> float:
        """One SGD step on a batch: context (B, C), target (B,). Each example moves
        the parameters by lr times its own gradient. Returns the batch's mean loss."""
        B, C = context.shape
        rows = np.arange(B)
        h, p = self._forward(context)                # (B, d), (B, V)
        loss = -np.log(p[rows, target]).mean()       # L = mean_i -log p_i[t_i]

        dz = p                                       # (B, V)  dL/dz = p - onehot(t), reusing p
        dz[rows, target] -= 1.0
        dW = np.tensordot(h, dz, axes=(0, 0))        # (d, V)  sum_i outer(h_i, dz_i) = h^T dz
        db = dz.sum(axis=0)                          # (V,)    sum_i dz_i
        dh = dz @ self.W.T                           # (B, d)  dz_i W^T
        dE = np.broadcast_to(dh[:, None, :] / C, (B, C, dh.shape[1]))  # (B, C, d) dh / C per word

        self.W -= lr * dW                            # SGD: theta <- theta - lr * sum_i dL_i/dtheta
        self.b -= lr * db
        scatter_add(self.E, context, -lr * dE)       # rows of E that repeat get every share
        return float(loss)

    # -- training data -----------------------------------------------------------
    def prepare(self, documents: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every (context, next word) pair inside each document: (N, C) and (N,)."""
        contexts, targets = positions(documents, self.config.context_window)
        return np.ascontiguousarray(contexts), np.ascontiguousarray(targets)

    def epoch_examples(
        self, prepared: tuple[np.ndarray, np.ndarray], rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        contexts, targets = prepared
        order = rng.permutation(len(targets))
        return contexts[order], targets[order]

    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N,) log p(target_i | contexts_i) for contexts (N, C) and targets (N,):
        what held-out perplexity is made of (tlm/perplexity.py)."""
        _, p = self._forward(contexts)                                  # (N, V)
        return np.log(p[np.arange(len(targets)), targets], dtype=np.float64)  # (N,)

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        """(V,) probabilities after the last `context_window` ids of `context`.
        A shorter context (a one-word prompt) is averaged over the words it has."""
        _, p = self._forward(np.asarray(context[-self.config.context_window :]))
        return p
