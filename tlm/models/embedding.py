"""The embedding language model: predict the next word from the embeddings
of the words before it.

For a context of C word ids w_1..w_C and a target word t (the course's model,
`--combine mean`, the default):

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

A mean forgets word order: "chuck could" and "could chuck" give the same h.
`--combine concat` joins the context vectors in order instead, as Bengio et
al. (2003) did, so each position has its own rows of W:

    h = [E[w_1], E[w_2], ..., E[w_C]]                            (C d,)
    dL/dE[w_c] = (dL/dh)[(c-1) d : c d], the slice of position c (d,)

and `--hidden H` puts one tanh layer between h and the output:

    a = tanh(h @ W1 + b1)             hidden layer               (H,)
    z = a @ W + b                     (W is then (H, V))
    dL/da  = W @ dL/dz                                           (H,)
    dL/du  = dL/da * (1 - a**2)       tanh'(u) = 1 - tanh(u)^2   (H,)  (u = h W1 + b1)
    dL/dW1 = outer(h, dL/du),  dL/db1 = dL/du,  dL/dh = W1 @ dL/du

Training runs on mini-batches of B examples, and `lr` is a rate per example:
SGD moves each parameter by -lr times the SUM of the B examples' gradients
(the gradient of the batch's summed loss), all taken at the parameters as they
were before the step. So every example moves the parameters by lr times its
own gradient, in a full batch, in the short last batch of an epoch, or in a
batch of one, which is exactly the textbook step above.

For a batch, dL/dW = sum_i outer(h_i, dz_i) = h^T dz; `_step` writes h^T dz
as `np.tensordot(h, dz, axes=(0, 0))`, the same sum of outer products,
because numpy's `h.T @ dz` does not use BLAS for a batch of one.

Where the code takes a faster form than the formula, the plain form is in a
comment on the same line. Training runs this `_step`'s maths on every core
(tlm/models/threaded.py); a test checks that it makes the same update.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tlm.errors import TlmError
from tlm.models.base import MAX_GIGABYTES, Model, SGDSettings
from tlm.models.sparse import scatter_add
from tlm.models.threaded import threaded_steps
from tlm.perplexity import positions
from tlm.vocab import UNK


@dataclass
class EmbeddingConfig(SGDSettings):
    dim: int = 32
    context_window: int = 2
    # A batch this size keeps numpy's matrix products efficient
    # (benchmarks/emma_embedding.py); the learning rate does not depend on it.
    batch_size: int = 256
    # Per example (see the module docstring): each example moves the parameters by
    # lr times its own gradient, whatever the batch size. 3/256 is the step of the
    # earlier lr 3.0 per full batch of 256, which trains Emma well (benchmarks/README.md).
    lr: float = 3.0 / 256

    combine: str = "mean"  # "mean" of the context vectors, or "concat" them in order
    hidden: int = 0  # units of a tanh layer between the context vector and W (0: none)

    whole = (*SGDSettings.whole, "dim", "context_window")

    def validate(self) -> None:
        super().validate()
        if self.combine not in COMBINE:
            raise TlmError(f"--combine must be one of {', '.join(COMBINE)}, not {self.combine!r}")
        if isinstance(self.hidden, bool) or not isinstance(self.hidden, int) or self.hidden < 0:
            raise TlmError(f"--hidden must be a whole number, 0 or more, not {self.hidden!r}")

    @property
    def context_dim(self) -> int:
        """The length of the context vector h: d for a mean, C d for a concatenation."""
        return self.dim * (self.context_window if self.combine == "concat" else 1)


COMBINE = ("mean", "concat")


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place: z (..., V) is overwritten by
    p = exp(z) / sum(exp(z)).

    Subtracting each row's max first changes nothing mathematically but keeps
    exp from overflowing. For speed on (B, V) arrays the row sums are a
    matrix-vector product with a vector of ones, and the division is a
    multiplication by their reciprocals (benchmarks/README.md)."""
    z -= z.max(axis=-1, keepdims=True)                  # (..., V)  z - max(z)
    np.exp(z, out=z)                                    # (..., V)  exp(z - max(z))
    row_sums = z @ np.ones(z.shape[-1], dtype=z.dtype)  # (...,)    z.sum(axis=-1)
    z *= (1.0 / row_sums)[..., None]                    # (..., V)  p = z / row_sums[..., None]
    return z


class EmbeddingModel(Model):
    type = "embedding"
    Config = EmbeddingConfig
    array_names = ("E", "W", "b")
    predicts_next_word = True

    config: EmbeddingConfig
    W: np.ndarray  # (d, V) output matrix: column j turns a context embedding into word j's logit
    b: np.ndarray  # (V,)   output bias, one per word

    W1: np.ndarray  # (D, H) --hidden: the hidden layer's weights (D = d, or C d for concat)
    b1: np.ndarray  # (H,)   --hidden: its bias

    @classmethod
    def names_for(cls, config: EmbeddingConfig) -> tuple[str, ...]:
        return ("E", "W1", "b1", "W", "b") if config.hidden else ("E", "W", "b")

    @classmethod
    def init_arrays(
        cls, V: int, config: EmbeddingConfig, rng: np.random.Generator, dtype=np.float32
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
        """Context ids (..., C) -> h (..., D): the mean of their rows of E, or the
        rows one after another (concat)."""
        x = self.E[context]                            # (..., C, d)
        if self.config.combine == "concat":
            return x.reshape(*x.shape[:-2], -1)        # (..., C d)  [E[w_1], ..., E[w_C]]
        return x.mean(axis=-2)                         # (..., d)    (1/C) sum_c E[w_c]

    def _forward(self, context: np.ndarray | list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Context ids (..., C) -> the vector W reads, h (..., D) (or the hidden
        layer a (..., H) with --hidden), and next-word probabilities p (..., V).
        Works for one context (C,) or a batch (B, C), and for words as the course
        writes it: `model._forward(['how', 'much'])`."""
        context = self.ids(context)        # words -> ids; ids pass through
        h = self._context_vector(context)  # (..., D)
        if self.config.hidden:
            h = np.tanh(h @ self.W1 + self.b1)  # (..., H)  a = tanh(h W1 + b1)
        z = h @ self.W                     # (..., V)  z = h W + b
        z += self.b                        #           (in place: no second (B, V) array)
        p = softmax(z)                     # (..., V)  p = softmax(z)
        return h, p

    def _step(self, context: np.ndarray, target: np.ndarray, lr: float) -> float:
        """One SGD step on a batch: context (B, C), target (B,). Each example moves
        the parameters by lr times its own gradient. Returns the batch's mean loss."""
        B, C = context.shape
        d = self.config.dim
        rows = np.arange(B)
        a, p = self._forward(context)                # (B, D or H), (B, V)
        loss = -np.log(p[rows, target]).mean()       # L = mean_i -log p_i[t_i]

        # NB: dz is p itself, overwritten in place (no second (B, V) array): p is gone after this
        dz = p                                       # (B, V)  dL/dz = p - onehot(t)
        dz[rows, target] -= 1.0
        dW = np.tensordot(a, dz, axes=(0, 0))        # (D, V)  sum_i outer(a_i, dz_i) = a.T @ dz
        db = dz.sum(axis=0)                          # (V,)    sum_i dz_i
        dh = dz @ self.W.T                           # (B, D)  dz_i W^T
        if self.config.hidden:                       # back through a = tanh(h W1 + b1)
            h = self._context_vector(context)        # (B, D)  the hidden layer's input
            du = dh * (1.0 - a * a)                  # (B, H)  dL/du = dL/da * tanh'(u)
            dW1 = np.tensordot(h, du, axes=(0, 0))   # (D, H)  sum_i outer(h_i, du_i) = h.T @ du
            db1 = du.sum(axis=0)                     # (H,)
            dh = du @ self.W1.T                      # (B, D)  du_i W1^T
            self.W1 -= lr * dW1
            self.b1 -= lr * db1
        if self.config.combine == "concat":
            dE = dh.reshape(B, C, d)                 # (B, C, d) slice c of dh goes to E[w_c]
        else:
            dE = np.broadcast_to(dh[:, None, :] / C, (B, C, d))  # (B, C, d) dh / C per word

        self.W -= lr * dW                            # SGD: theta <- theta - lr * sum_i dL_i/dtheta
        self.b -= lr * db
        scatter_add(self.E, context, -lr * dE)       # np.add.at(self.E, context, -lr * dE)
        return float(loss)

    def steps(self):
        """Training runs `_step`'s maths on every core (tlm/models/threaded.py)."""
        return threaded_steps(self)

    # -- training data -----------------------------------------------------------
    def prepare(self, documents: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every (context, next word) pair inside each document: (N, C) and (N,)."""
        self.check_memory(documents)
        contexts, targets = positions(documents, self.config.context_window)
        return np.ascontiguousarray(contexts), np.ascontiguousarray(targets)

    def check_memory(self, documents: list[np.ndarray]) -> None:
        """Refuse, before allocating, settings whose epoch would not fit: the (N, C+1)
        windows, their contiguous copy and an epoch's shuffled copy (int32), plus a
        batch's gathered context rows E[context] (B, C, d) and dE beside them."""
        C, B, d = self.config.context_window, self.config.batch_size, self.config.dim
        N = sum(max(len(ids) - C, 0) for ids in documents)
        gigabytes = (3 * N * (C + 1) * 4 + 2 * min(B, N) * C * d * 4) / 1e9
        if gigabytes > MAX_GIGABYTES:
            words = sum(len(ids) for ids in documents)
            raise TlmError(
                f"--context-window {C} would need about {gigabytes:.0f} GB for an epoch of "
                f"examples on this text of {words} words (at most {MAX_GIGABYTES:g} GB); "
                "use a smaller --context-window"
            )

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
        A shorter context (a one-word prompt) is averaged over the words it has
        (mean), or filled on the left with <unk>, "some word" (concat)."""
        C = self.config.context_window
        context = np.asarray(context[-C:])
        if self.config.combine == "concat" and len(context) < C:
            unk = np.full(C - len(context), self.word_to_idx[UNK], dtype=context.dtype)
            context = np.concatenate([unk, context])
        _, p = self._forward(context)
        return p
