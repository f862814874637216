"""The course's model: predict the next word from the mean of the embeddings
of the words before it.

For a context of C word ids w_1..w_C and the word t that came next:

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

`gradients` computes these for a batch of B examples and sums them over the
batch; `_step` moves every parameter against them (SGD). `lr` is a rate per
example: every example moves the parameters by lr times its own gradient, all
taken at the parameters as they were before the step, in a full batch, in the
short last batch of an epoch, or in a batch of one, which is exactly the
textbook step above. (A text with fewer examples than one batch, such as the
tongue twister, is trained one example at a time: tlm/models/base.py.)

Training on several cores calls this same `gradients` on blocks of the batch's
rows and sums what they return (tlm/models/threaded.py), so what you change
here is what `tlm train` runs.

Where the code takes a faster form than the formula, the plain form is in a
comment on the same line. A mean forgets word order ("chuck could" and "could
chuck" give the same h); the MLP in tlm/models/mlp.py keeps it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tlm.models.base import WindowModel, softmax
from tlm.models.config import EmbeddingConfig
from tlm.models.sparse import scatter_add
from tlm.vocab import UNKNOWN

__all__ = ["EmbeddingConfig", "EmbeddingModel", "softmax"]


class EmbeddingModel(WindowModel):
    type = "embedding"
    Config = EmbeddingConfig
    unknown_context = "reads it as a zero vector in the mean of its context"

    config: EmbeddingConfig
    E: np.ndarray  # (V, d) one row per word: its embedding
    W: np.ndarray  # (d, V) output matrix: column j turns a context embedding into word j's logit
    b: np.ndarray  # (V,)   output bias, one per word

    @classmethod
    def init_arrays(
        cls, V: int, config: EmbeddingConfig, rng: np.random.Generator, dtype=np.float32
    ) -> dict[str, np.ndarray]:
        """E and W from N(0, 1/d): a sum of d such products of length-1 vectors has
        size about 1, so the first logits are small and p is nearly uniform."""
        d = config.dim
        return {
            "E": rng.normal(0.0, 1.0 / math.sqrt(d), size=(V, d)).astype(dtype),  # (V, d)
            "W": rng.normal(0.0, 1.0 / math.sqrt(d), size=(d, V)).astype(dtype),  # (d, V)
            "b": np.zeros(V, dtype=dtype),                                         # (V,)
        }

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        V, d = len(self.vocab), self.config.dim
        return {"E": (V, d), "W": (d, V), "b": (V,)}

    # -- the maths -------------------------------------------------------------
    def _forward(self, context: Any) -> tuple[np.ndarray, np.ndarray]:
        """Context -> (ctx_emb, probs): its mean embedding h and the next-word
        probabilities p. The context is words (`['how', 'much']`), one string of
        them (`'how much'`) or ids, (C,) for one context or (B, C) for a batch."""
        indices = self.ids(context)                # (..., C)    each word's row index in E
        ctx_emb = self.E[indices].mean(axis=-2)    # (..., d)    look up rows; average them
        logits = ctx_emb @ self.W                  # (..., V)    project through W
        logits += self.b                           #             and shift by b (in place)
        probs = softmax(logits)                    # (..., V)    normalise to probabilities
        return ctx_emb, probs

    def gradients(self, context: np.ndarray, target: np.ndarray
                  ) -> tuple[float, dict[str, np.ndarray]]:
        """A batch's summed loss and gradients: context (B, C) and target (B,) ids ->
        (sum_i L_i, {"W": sum_i dL_i/dW (d, V), "b": sum_i dL_i/db (V,),
        "E": dL_i/dE[w_ic] (B, C, d), one row per context word, for `_step` to add
        into E at the rows `context`})."""
        B, C = context.shape
        rows = np.arange(B)
        ctx_emb, probs = self._forward(context)            # (B, d), (B, V)
        loss = -np.log(probs[rows, target]).sum()          # sum_i -log p_i[t_i]

        # NB: dz is probs itself, overwritten in place (no second (B, V) array)
        dz = probs                                         # (B, V)  dL/dz = p - onehot(t)
        dz[rows, target] -= 1.0
        dW = np.tensordot(ctx_emb, dz, axes=(0, 0))        # (d, V)  sum_i outer(h_i, dz_i)
                                                           #   = h.T @ dz (BLAS even for B = 1)
        db = np.ones(B, dtype=dz.dtype) @ dz               # (V,)    dz.sum(axis=0)
        dh = dz @ self.W.T                                 # (B, d)  dL/dh_i = W @ dz_i
        dE = np.broadcast_to(dh[:, None, :] / C, (B, C, dh.shape[1]))  # (B, C, d) dh_i / C
        return float(loss), {"W": dW, "b": db, "E": dE}

    def _step(self, context: np.ndarray, target: np.ndarray, lr: float) -> float:
        """One SGD step on a batch, context (B, C) and target (B,): each parameter
        moves by -lr times the sum of the examples' gradients. Returns the mean loss."""
        loss, grad = self.gradients(context, target)
        self.W -= lr * grad["W"]                           # theta <- theta - lr sum_i dL_i/dtheta
        self.b -= lr * grad["b"]
        scatter_add(self.E, context, -lr * grad["E"])      # np.add.at(self.E, context, -lr * dE):
                                                           #   E[w_ic] -= lr * dL_i/dE[w_ic]
        return loss / len(target)

    # -- words it never saw, and a short context -------------------------------------
    def _forward_unknown(self, context: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`_forward` for ids (..., C) some of which are UNKNOWN (held-out words a
        model without <unk> never saw): an unknown word's row is a zero vector, the
        centre E's rows start around, and it still counts in the mean of C rows.
        (Averaging only the known words instead gives a lone word twice its weight,
        a context vector training never made: on Emma's held-out part, the 633
        positions with an unknown context word cost 6.77 nats that way, 5.50 this way.)"""
        known = context != UNKNOWN                                     # (..., C)
        rows = self.E[np.where(known, context, 0)] * known[..., None]  # (..., C, d) unknown: 0
        ctx_emb = rows.sum(axis=-2) / self.config.context_window       # (..., d)
        logits = ctx_emb @ self.W + self.b                             # (..., V)
        return ctx_emb, softmax(logits)

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        """(V,) probabilities after the last `context_window` ids of `context`; a
        shorter context (a one-word prompt, the start of a text) is the mean of the
        words it has, as `_forward` takes it."""
        context = np.asarray(context[-self.config.context_window:], dtype=np.int64)
        if (context < 0).any():
            return self._forward_unknown(context)[1]
        return self._forward(context)[1]
