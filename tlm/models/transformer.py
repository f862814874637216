"""A tiny decoder-only transformer: predict every next word of a window of text
from all the words before it, through causal self-attention.

Why: the embedding model reads a fixed, short context and gives each position
its own rows of W; attention lets every word look back at any earlier word of
the window and decide, from the words themselves, which to read. That is what
beat counting in modern language models, and it is where the theory
notebook's positional encodings (sinusoidal, RoPE, ALiBi) mean something.

For a window of T word ids w_0..w_{T-1} (one row of a batch of B windows),
with d dimensions, H heads of dh = d / H dimensions and L blocks:

    x = sqrt(d) E[w_t] + P[t]                  input, P by --positions       (T, d)
    for each of the L blocks (pre-LayerNorm, residual):
        a = LN(x)                                                           (T, d)
        q, k, v = a Wq, a Wk, a Wv, split into H heads                      (H, T, dh)
        (rope: q, k rotated by their position)
        s = q k^T / sqrt(dh)  (+ alibi: -m_h (i - j)),  s_ij = -inf for j > i  (H, T, T)
        A = softmax(s)                      row i: how much word i reads word j
        o = A v, heads joined                                               (T, d)
        x = x + o Wo + bo
        m = LN(x)
        x = x + gelu(m W1 + b1) W2 + b2     feed-forward, F units           (T, d)
    h = LN(x)                               final LayerNorm                 (T, d)
    z = h W + b      (--tie: z = h E^T + b, the input table read backwards) (T, V)
    p = softmax(z),  L = mean over the B T positions of -log p_t[w_{t+1}]

Every backward line is written by hand beside its forward line (the `*_backward`
functions), and `tests/test_transformer.py` checks each parameter's gradient
against float64 finite differences, for every positional scheme, tied or not.

Positions (`--positions`):
- learned:    P is a trained (T, d) table;
- sinusoidal: P is the fixed table of the theory notebook (sin/cos of t / 10000^(2i/d));
- rope:       no P; q and k of each head are rotated pairwise by angles t / 10000^(2i/dh),
              so q_i . k_j depends on i - j only (rotations keep lengths);
- alibi:      no P; each head h adds -m_h (i - j) to its scores, m_h = 2^(-8 (h+1) / H);
- none:       no P; the causal mask alone tells a word how many words came before it.

Training (`_step`): a batch of windows (B, T + 1): the first T ids are read and
the last T are the targets. The gradient is that of the batch's MEAN loss over
its B T predictions; `--optimizer adam` (the default here) or `sgd`, whose step
theta <- theta - lr * dL/dtheta on a batch of one window is the textbook step.
Dropout (inverted: kept values scaled by 1 / (1 - p)) on the input and on each
block's two branches, during training only.

Speed: float32, and every product a batched matmul (`np.matmul` on (B, H, T, T)
arrays), so BLAS does the work. While training, the batch is cut into one part
per core, each part's gradient comes from the same `gradients` on its own
thread (BLAS on one thread in each), and their mean is the batch's
(`_batch_gradients`; a test checks it is the one-core update).
benchmarks/transformer_vs_torch.py sets it against PyTorch. The plain
per-example form is in the comment on the same line where the code differs
from the formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from tlm.errors import TlmError
from tlm.models.base import MAX_GIGABYTES, Model
from tlm.models.config import TransformerConfig
from tlm.models.sparse import scatter_add
from tlm.models.threaded import cores
from tlm.vocab import UNK

EPS = 1e-5  # LayerNorm's epsilon
ROPE_BASE = 10000.0


# -- the fixed tables --------------------------------------------------------------------
def sinusoidal_table(T: int, d: int) -> np.ndarray:
    """(T, d): row t is position t's vector, sin in even columns, cos in odd ones,
    at angle t / 10000^(2i/d) for the column pair i (the theory notebook's table)."""
    t = np.arange(T)[:, None]                          # (T, 1)
    i = np.arange(d)[None, :]                          # (1, d)
    angles = t / np.power(10000.0, (2 * (i // 2)) / d)  # (T, d)
    return np.where(i % 2 == 0, np.sin(angles), np.cos(angles))


def rope_angles(T: int, dh: int) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin (T, dh/2) of the angle t / 10000^(2i/dh) by which RoPE turns the
    pair of dimensions (2i, 2i+1) of a head's vector at position t."""
    t = np.arange(T)[:, None]                               # (T, 1)
    i = np.arange(dh // 2)[None, :]                         # (1, dh/2)
    theta = t / ROPE_BASE ** (2 * i / dh)                   # (T, dh/2)
    return np.cos(theta), np.sin(theta)


def rope(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Turn each pair (x_2i, x_2i+1) of x (..., T, dh) by its position's angle:
    (a, b) -> (a cos - b sin, a sin + b cos). The notebook's `rope_rotate`, for
    every position and head at once."""
    a, b = x[..., 0::2], x[..., 1::2]              # (..., T, dh/2) each
    out = np.empty_like(x)
    out[..., 0::2] = a * cos - b * sin
    out[..., 1::2] = a * sin + b * cos
    return out


def rope_backward(dy: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """A rotation's gradient is the reverse rotation: R(theta)^T = R(-theta)."""
    return rope(dy, cos, -sin)


def alibi_slopes(H: int) -> np.ndarray:
    """(H,) m_h = 2^(-8 (h+1) / H): head 0 forgets fastest, the last head slowest."""
    return 2.0 ** (-8.0 * np.arange(1, H + 1) / H)


def alibi_bias(T: int, H: int) -> np.ndarray:
    """(H, T, T): -m_h (i - j) for query i and key j <= i (0 on the diagonal): the
    further back a word, the less it is read. (Above the diagonal the mask rules.)"""
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    distance = np.maximum(i - j, 0)                               # (T, T)
    return -alibi_slopes(H)[:, None, None] * distance[None]       # (H, T, T)


def causal_mask(T: int) -> np.ndarray:
    """(T, T): 0 where key j <= query i, -inf above the diagonal (the future)."""
    return np.triu(np.full((T, T), -np.inf), k=1)


# -- the blocks, forward and backward -------------------------------------------------------
def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place (z is overwritten by p)."""
    z -= z.max(axis=-1, keepdims=True)     # (..., n)  z - max z: exp cannot overflow
    np.exp(z, out=z)                       # (..., n)
    z /= z.sum(axis=-1, keepdims=True)     # (..., n)  p = exp(z) / sum exp(z)
    return z


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """y = g * (x - mean(x)) / sqrt(var(x) + eps) + b over the last axis (d)."""
    mu = x.mean(axis=-1, keepdims=True)                      # (..., 1)
    xc = x - mu                                              # (..., d)
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + EPS)  # (..., 1)
    xhat = xc * rstd                                         # (..., d)  mean 0, var 1
    return xhat * g + b, (xhat, rstd, g)                     # (..., d)


def layer_norm_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy g."""
    xhat, rstd, g = cache
    d = dy.shape[-1]
    dg = (dy * xhat).reshape(-1, d).sum(axis=0)              # (d,)  sum over rows of dy xhat
    db = dy.reshape(-1, d).sum(axis=0)                       # (d,)
    dxhat = dy * g                                           # (..., d)
    dx = rstd * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))  # (..., d)
    return dx, dg, db


GELU_C = math.sqrt(2.0 / math.pi)


def activate(u: np.ndarray, kind: str) -> np.ndarray:
    """gelu(u) = u/2 (1 + tanh(c (u + 0.044715 u^3))), the tanh form; or relu(u) = max(u, 0)."""
    if kind == "relu":
        return np.maximum(u, 0)
    t = np.tanh(GELU_C * (u + 0.044715 * (u * u * u)))  # u * u * u: numpy's u**3 is ~100x slower
    return 0.5 * u * (1.0 + t)


def activate_backward(du_out: np.ndarray, u: np.ndarray, kind: str) -> np.ndarray:
    """d gelu/du = (1 + t)/2 + u/2 (1 - t^2) c (1 + 3 0.044715 u^2),
    with t = tanh(c (u + 0.044715 u^3)); relu' = 1 where u > 0, else 0."""
    if kind == "relu":
        return du_out * (u > 0)
    t = np.tanh(GELU_C * (u + 0.044715 * (u * u * u)))
    slope = 0.5 * (1.0 + t) + 0.5 * u * (1.0 - t * t) * GELU_C * (1.0 + 3 * 0.044715 * u * u)
    return du_out * slope


def dropout(x: np.ndarray, p: float, rng: np.random.Generator | None) -> tuple[np.ndarray, Any]:
    """Zero each entry with probability p and scale the rest by 1/(1-p), so the
    expected value is x; the identity when not training (rng None) or p = 0."""
    if rng is None or p == 0:
        return x, None
    mask = (rng.random(x.shape, dtype=np.float32) >= p).astype(x.dtype) / (1.0 - p)  # (..., d)
    return x * mask, mask


def split_heads(x: np.ndarray, H: int) -> np.ndarray:
    """(B, T, d) -> (B, H, T, dh): head h takes columns h dh .. (h+1) dh."""
    B, T, d = x.shape
    return x.reshape(B, T, H, d // H).transpose(0, 2, 1, 3)


def join_heads(x: np.ndarray) -> np.ndarray:
    """(B, H, T, dh) -> (B, T, d), the inverse of split_heads."""
    B, H, T, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(B, T, H * dh)


@dataclass
class Layer:
    """One block's parameters (views into the model's stacked (L, ...) arrays)."""

    ln1_g: np.ndarray  # (d,)
    ln1_b: np.ndarray  # (d,)
    Wq: np.ndarray     # (d, d)
    Wk: np.ndarray     # (d, d)
    Wv: np.ndarray     # (d, d)
    Wo: np.ndarray     # (d, d)
    bo: np.ndarray     # (d,)
    ln2_g: np.ndarray  # (d,)
    ln2_b: np.ndarray  # (d,)
    W1: np.ndarray     # (d, F)
    b1: np.ndarray     # (F,)
    W2: np.ndarray     # (F, d)
    b2: np.ndarray     # (d,)


LAYER_ARRAYS = tuple(Layer.__dataclass_fields__)
#: The arrays --weight-decay shrinks: the weight matrices and tables, not the biases
#: and LayerNorm gains (which would pull the LayerNorms' outputs to 0).
DECAYED = ("E", "P", "W", "Wq", "Wk", "Wv", "Wo", "W1", "W2")


@dataclass
class Frame:
    """What every block of one forward pass shares: the heads, the scores' fixed
    additions (mask, ALiBi), RoPE's angles, dropout."""

    H: int
    bias: np.ndarray                      # (T, T) or (H, T, T): causal mask (+ ALiBi)
    rope: tuple[np.ndarray, np.ndarray] | None  # cos, sin (T, dh/2)
    activation: str
    p_drop: float
    rng: np.random.Generator | None       # None: not training (no dropout)


def attention(a: np.ndarray, layer: Layer, f: Frame) -> tuple[np.ndarray, tuple]:
    """Causal multi-head self-attention of a (B, T, d): each word reads the words
    up to itself, one weighted mean of their values per head."""
    q = split_heads(a @ layer.Wq, f.H)                # (B, H, T, dh)  q_t = a_t Wq
    k = split_heads(a @ layer.Wk, f.H)                # (B, H, T, dh)
    v = split_heads(a @ layer.Wv, f.H)                # (B, H, T, dh)
    if f.rope is not None:
        q, k = rope(q, *f.rope), rope(k, *f.rope)     # turned by their positions
    scale = 1.0 / math.sqrt(q.shape[-1])
    s = q @ k.transpose(0, 1, 3, 2)                   # (B, H, T, T)  s_ij = q_i . k_j
    s *= scale
    s += f.bias                                       # mask the future (and ALiBi)
    A = softmax(s)                                    # (B, H, T, T)  each row sums to 1
    o = join_heads(A @ v)                             # (B, T, d)     o_i = sum_j A_ij v_j
    y = o @ layer.Wo + layer.bo                       # (B, T, d)
    return y, (a, q, k, v, A, o, scale)


def attention_backward(dy: np.ndarray, cache: tuple, layer: Layer, f: Frame) -> tuple:
    """dL/da and the gradients of Wq, Wk, Wv, Wo, bo, from dL/dy (B, T, d)."""
    a, q, k, v, A, o, scale = cache
    d = a.shape[-1]
    dWo = o.reshape(-1, d).T @ dy.reshape(-1, d)      # (d, d)  sum_{b,t} outer(o, dy)
    dbo = dy.reshape(-1, d).sum(axis=0)               # (d,)
    do = split_heads(dy @ layer.Wo.T, f.H)            # (B, H, T, dh)
    dA = do @ v.transpose(0, 1, 3, 2)                 # (B, H, T, T)  dA_ij = do_i . v_j
    dv = A.transpose(0, 1, 3, 2) @ do                 # (B, H, T, dh) dv_j = sum_i A_ij do_i
    # softmax backward, row by row: ds_ij = A_ij (dA_ij - sum_j' A_ij' dA_ij')
    ds = A * (dA - (dA * A).sum(axis=-1, keepdims=True))  # (B, H, T, T) (0 where masked)
    ds *= scale
    dq = ds @ k                                       # (B, H, T, dh) dq_i = sum_j ds_ij k_j
    dk = ds.transpose(0, 1, 3, 2) @ q                 # (B, H, T, dh) dk_j = sum_i ds_ij q_i
    if f.rope is not None:
        dq, dk = rope_backward(dq, *f.rope), rope_backward(dk, *f.rope)
    dq, dk, dv = join_heads(dq), join_heads(dk), join_heads(dv)  # (B, T, d) each
    a2 = a.reshape(-1, d)
    grads = {
        "Wq": a2.T @ dq.reshape(-1, d),               # (d, d)  sum outer(a, dq)
        "Wk": a2.T @ dk.reshape(-1, d),
        "Wv": a2.T @ dv.reshape(-1, d),
        "Wo": dWo, "bo": dbo,
    }
    da = dq @ layer.Wq.T + dk @ layer.Wk.T + dv @ layer.Wv.T  # (B, T, d)
    return da, grads


def feed_forward(m: np.ndarray, layer: Layer, f: Frame) -> tuple[np.ndarray, tuple]:
    """y = act(m W1 + b1) W2 + b2, the same two layers at every position."""
    u = m @ layer.W1 + layer.b1                       # (B, T, F)
    g = activate(u, f.activation)                     # (B, T, F)
    y = g @ layer.W2 + layer.b2                       # (B, T, d)
    return y, (m, u, g)


def feed_forward_backward(dy: np.ndarray, cache: tuple, layer: Layer, f: Frame) -> tuple:
    m, u, g = cache
    d, F = layer.W1.shape
    grads = {"W2": g.reshape(-1, F).T @ dy.reshape(-1, d),  # (F, d)  sum outer(g, dy)
             "b2": dy.reshape(-1, d).sum(axis=0)}           # (d,)
    du = activate_backward(dy @ layer.W2.T, u, f.activation)  # (B, T, F)
    grads["W1"] = m.reshape(-1, d).T @ du.reshape(-1, F)    # (d, F)
    grads["b1"] = du.reshape(-1, F).sum(axis=0)             # (F,)
    dm = du @ layer.W1.T                                    # (B, T, d)
    return dm, grads


def block(x: np.ndarray, layer: Layer, f: Frame) -> tuple[np.ndarray, tuple]:
    """x + attention(LN(x)), then + feed_forward(LN(x)): pre-LayerNorm, residual."""
    a, ln1 = layer_norm(x, layer.ln1_g, layer.ln1_b)   # (B, T, d)
    y, att = attention(a, layer, f)
    y, drop1 = dropout(y, f.p_drop, f.rng)
    x = x + y                                          # (B, T, d)  residual
    m, ln2 = layer_norm(x, layer.ln2_g, layer.ln2_b)
    y, ff = feed_forward(m, layer, f)
    y, drop2 = dropout(y, f.p_drop, f.rng)
    return x + y, (ln1, att, drop1, ln2, ff, drop2)    # (B, T, d)


def block_backward(dx: np.ndarray, cache: tuple, layer: Layer, f: Frame) -> tuple:
    """dL/dx of the block's input, and its parameters' gradients, from dL/d(output)."""
    ln1, att, drop1, ln2, ff, drop2 = cache
    dy = dx if drop2 is None else dx * drop2           # through dropout: the same mask
    dm, grads = feed_forward_backward(dy, ff, layer, f)
    dm, grads["ln2_g"], grads["ln2_b"] = layer_norm_backward(dm, ln2)
    dx = dx + dm                                       # the residual passes dx straight on
    dy = dx if drop1 is None else dx * drop1
    da, g_att = attention_backward(dy, att, layer, f)
    grads |= g_att
    da, grads["ln1_g"], grads["ln1_b"] = layer_norm_backward(da, ln1)
    return dx + da, grads


class TransformerModel(Model):
    type = "transformer"
    Config = TransformerConfig
    predicts_next_word = True
    reads_windows = True  # held-out perplexity reads windows, C // 2 apart (tlm/perplexity.py)
    unknown_context = "reads it as a zero word vector (its place still counts)"
    array_names = ("E", *LAYER_ARRAYS, "lnf_g", "lnf_b", "b")

    config: TransformerConfig
    P: np.ndarray  # (T, d) --positions learned: one trained vector per position
    W: np.ndarray  # (d, V) without --tie
    b: np.ndarray  # (V,)
    lnf_g: np.ndarray  # (d,) the final LayerNorm
    lnf_b: np.ndarray  # (d,)

    @property
    def lr_schedule(self) -> str:  # type: ignore[override]
        """--decay: how lr falls to 0 after the --warmup (train.learning_rate)."""
        return self.config.decay

    @classmethod
    def names_for(cls, config: TransformerConfig) -> tuple[str, ...]:
        names = ["E", *LAYER_ARRAYS, "lnf_g", "lnf_b", "b"]
        if config.positions == "learned":
            names.insert(1, "P")
        if not config.tie:
            names.insert(-1, "W")
        return tuple(names)

    @classmethod
    def init_arrays(
        cls, V: int, config: TransformerConfig, rng: np.random.Generator, dtype=np.float32
    ) -> dict[str, np.ndarray]:
        d, L, F, T = config.dim, config.layers, config.ffn, config.context_window

        def normal(std: float, shape: tuple[int, ...]) -> np.ndarray:
            return rng.normal(0.0, std, size=shape).astype(dtype)

        residual = 1.0 / math.sqrt(2 * L)  # the 2L branches added to x keep its size about 1
        arrays = {
            "E": normal(1 / math.sqrt(d), (V, d)),      # rows of length ~1: sqrt(d) E entries ~1
            "ln1_g": np.ones((L, d), dtype), "ln1_b": np.zeros((L, d), dtype),
            "Wq": normal(1 / math.sqrt(d), (L, d, d)),
            "Wk": normal(1 / math.sqrt(d), (L, d, d)),
            "Wv": normal(1 / math.sqrt(d), (L, d, d)),
            "Wo": normal(residual / math.sqrt(d), (L, d, d)),
            "bo": np.zeros((L, d), dtype),
            "ln2_g": np.ones((L, d), dtype), "ln2_b": np.zeros((L, d), dtype),
            "W1": normal(1 / math.sqrt(d), (L, d, F)), "b1": np.zeros((L, F), dtype),
            "W2": normal(residual / math.sqrt(F), (L, F, d)), "b2": np.zeros((L, d), dtype),
            "lnf_g": np.ones(d, dtype), "lnf_b": np.zeros(d, dtype),
            "b": np.zeros(V, dtype),
        }
        if config.positions == "learned":
            arrays["P"] = normal(1.0, (T, d))           # entries ~1, as sqrt(d) E's
        if not config.tie:
            arrays["W"] = normal(1 / math.sqrt(d), (d, V))
        return arrays

    def settle(self, documents: list[np.ndarray], given: set[str]) -> None:
        """Weight decay is AdamW's (see `_step`): plain SGD has none, so with
        --optimizer sgd the default decay is 0 and asking for one is an error."""
        if self.config.optimizer == "sgd" and self.config.weight_decay:
            if "weight_decay" in given:
                raise TlmError("--weight-decay is AdamW's decay: it needs --optimizer adam")
            self.config.weight_decay = 0.0

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        c = self.config
        V, d, L, F = len(self.vocab), c.dim, c.layers, c.ffn
        shapes: dict[str, tuple[int, ...]] = {
            "E": (V, d), "lnf_g": (d,), "lnf_b": (d,), "b": (V,),
            "Wq": (L, d, d), "Wk": (L, d, d), "Wv": (L, d, d), "Wo": (L, d, d),
            "W1": (L, d, F), "b1": (L, F), "W2": (L, F, d),
        }
        for name in ("ln1_g", "ln1_b", "bo", "ln2_g", "ln2_b", "b2"):
            shapes[name] = (L, d)
        if c.positions == "learned":
            shapes["P"] = (c.context_window, d)
        if not c.tie:
            shapes["W"] = (d, V)
        return shapes

    # -- the maths -------------------------------------------------------------------
    def layer(self, i: int) -> Layer:
        """Block i's parameters (views: a change to them changes the model)."""
        return Layer(*(getattr(self, name)[i] for name in LAYER_ARRAYS))

    def frame(self, T: int, rng: np.random.Generator | None = None) -> Frame:
        c = self.config
        dtype = self.E.dtype
        bias = causal_mask(T)
        if c.positions == "alibi":
            bias = bias + alibi_bias(T, c.heads)                          # (H, T, T)
        angles = None
        if c.positions == "rope":
            cos, sin = rope_angles(T, c.dim // c.heads)
            angles = (cos.astype(dtype), sin.astype(dtype))
        return Frame(c.heads, bias.astype(dtype), angles, c.activation, c.dropout, rng)

    def output_matrix(self) -> np.ndarray:
        """(d, V): W, or E^T with --tie."""
        return self.E.T if self.config.tie else self.W

    def _check_length(self, T: int) -> None:
        if T > self.config.context_window:
            raise TlmError(f"the transformer was trained on windows of {self.config.context_window}"
                           f" words and reads at most that many, not {T}")

    def hidden_states(
        self, ids: np.ndarray, rng: np.random.Generator | None = None
    ) -> tuple[np.ndarray, list]:
        """ids (B, T) -> h (B, T, d), the final LayerNorm's output, and every block's cache."""
        c = self.config
        B, T = ids.shape
        self._check_length(T)
        d = c.dim
        f = self.frame(T, rng)
        x = math.sqrt(d) * self.E[ids]                                    # (B, T, d)
        if (ids < 0).any():  # a held-out word the model never saw (UNKNOWN): a zero vector
            x[ids < 0] = 0.0
        if c.positions == "learned":
            x = x + self.P[:T]
        elif c.positions == "sinusoidal":
            x = x + sinusoidal_table(T, d).astype(x.dtype)
        x, drop0 = dropout(x, c.dropout, rng)
        caches: list = [f, drop0]
        for i in range(c.layers):
            x, cache = block(x, self.layer(i), f)                         # (B, T, d)
            caches.append(cache)
        h, lnf = layer_norm(x, self.lnf_g, self.lnf_b)                    # (B, T, d)
        caches.append(lnf)
        return h, caches

    def gradients(
        self, windows: np.ndarray, rng: np.random.Generator | None = None
    ) -> tuple[float, dict[str, np.ndarray]]:
        """The mean loss over the batch's B T predictions, and its gradient for every
        array; windows (B, T + 1): read the first T ids, predict the last T."""
        c = self.config
        ids, targets = windows[:, :-1], windows[:, 1:]                    # (B, T) each
        B, T = ids.shape
        N, d = B * T, c.dim
        h, caches = self.hidden_states(ids, rng)
        f, drop0, blocks, lnf = caches[0], caches[1], caches[2:-1], caches[-1]
        h2 = h.reshape(N, d)                                              # (N, d)
        Wout = self.output_matrix()                                       # (d, V)
        z = h2 @ Wout                                                     # (N, V)  z = h W + b
        z += self.b
        p = softmax(z)                                                    # (N, V)
        rows, t = np.arange(N), targets.reshape(N)
        loss = -np.log(p[rows, t]).mean()                                 # mean -log p[target]

        dz = p                                                            # (N, V) NB: overwrites p
        dz[rows, t] -= 1.0                                                # dL/dz = (p - onehot) / N
        dz /= N
        grads: dict[str, np.ndarray] = {"b": dz.sum(axis=0)}              # (V,)
        if c.tie:
            dE = dz.T @ h2                                       # (V, d)  z = h E^T: outer(dz, h)
        else:
            grads["W"] = h2.T @ dz                                        # (d, V)  sum outer(h, dz)
            dE = np.zeros_like(self.E)                           # (V, d)  the input's part, below
        dx = (dz @ Wout.T).reshape(B, T, d)                               # (B, T, d) dL/dh
        dx, grads["lnf_g"], grads["lnf_b"] = layer_norm_backward(dx, lnf)
        per_layer: list[dict[str, np.ndarray]] = [{}] * c.layers
        for i in reversed(range(c.layers)):
            dx, per_layer[i] = block_backward(dx, blocks[i], self.layer(i), f)
        for name in LAYER_ARRAYS:                                         # stack to (L, ...)
            grads[name] = np.stack([g[name] for g in per_layer])
        if drop0 is not None:
            dx = dx * drop0
        if c.positions == "learned":
            grads["P"] = np.zeros_like(self.P)
            grads["P"][:T] = dx.sum(axis=0)                               # (T, d) sum over windows
        scatter_add(dE, ids, math.sqrt(d) * dx)               # np.add.at(dE, ids, sqrt(d) dx)
        grads["E"] = dE
        return float(loss), grads

    # -- training --------------------------------------------------------------------
    def _optimizer(self) -> dict[str, Any]:
        """Adam's moments (zero at the start of every run) and the step count."""
        state = getattr(self, "_state", None)
        if state is None:
            seed = self.config.seed or 0
            rng = np.random.default_rng([seed, 24])  # dropout's masks, one stream per core
            state = {"t": 0, "m": {}, "v": {}, "rngs": rng.spawn(self._threads)}
            self._state = state
        return state

    def _batch_gradients(self, windows: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """`gradients` of the batch; inside `steps()` on every core: the batch is cut
        into one part per core, each part's mean loss and gradient come from the same
        `gradients` (numpy lets go of the GIL in its loops and BLAS, with BLAS held to
        one thread), and the batch's mean is their mean weighted by the parts' sizes."""
        state = self._optimizer()
        rngs = state["rngs"] if self.config.dropout > 0 else [None] * len(state["rngs"])
        pool = state.get("pool")
        parts = [w for w in np.array_split(windows, len(rngs)) if len(w)]
        if pool is None or len(parts) < 2:
            return self.gradients(windows, rngs[0])
        errors = np.geterr()  # the caller's np.errstate, which threads do not inherit

        def part_gradients(part: np.ndarray, rng: np.random.Generator | None) -> tuple:
            with np.errstate(**errors):
                return self.gradients(part, rng)

        results = list(pool.map(part_gradients, parts, rngs))
        share = [len(w) / len(windows) for w in parts]
        loss = sum(s * loss for s, (loss, _) in zip(share, results, strict=True))
        grads = {name: sum(s * g[name] for s, (_, g) in zip(share, results, strict=True))
                 for name in results[0][1]}
        return loss, grads

    def _step(self, windows: np.ndarray, lr: float) -> float:
        """One step on a batch of windows (B, T + 1); returns the batch's mean loss."""
        state = self._optimizer()
        loss, grads = self._batch_gradients(windows)
        if not math.isfinite(loss):
            return loss
        if self.config.optimizer == "sgd":
            for name, g in grads.items():
                getattr(self, name)[...] -= lr * g                        # theta -= lr dL/dtheta
            return loss
        beta1, beta2, eps = 0.9, 0.999, 1e-8                              # Adam (Kingma & Ba 2015)
        decay = self.config.weight_decay        # AdamW (Loshchilov & Hutter 2019) when above 0
        state["t"] += 1
        t = state["t"]
        for name, g in grads.items():
            m = state["m"].setdefault(name, np.zeros_like(g))
            v = state["v"].setdefault(name, np.zeros_like(g))
            m *= beta1
            m += (1 - beta1) * g                                          # m = b1 m + (1-b1) g
            v *= beta2
            v += (1 - beta2) * (g * g)                                    # v = b2 v + (1-b2) g^2
            m_hat = m / (1 - beta1**t)                                    # bias corrections: m, v
            v_hat = v / (1 - beta2**t)                                    # start at 0
            theta = getattr(self, name)
            update = m_hat / (np.sqrt(v_hat) + eps)
            if decay and name in DECAYED:                                 # AdamW: the decay is
                update += decay * theta                                   # not in m and v
            theta -= lr * update                                          # -= lr (u + wd theta)
        return loss

    _threads = 1
    _state: dict[str, Any] | None = None

    @contextmanager
    def steps(self, threads: int | None = None) -> Iterator[Any]:
        """`_step` with a fresh optimizer state for each run of training, each batch
        cut over `threads` cores (default: all; see `_batch_gradients`)."""
        self._threads = threads or cores()
        self._state = None
        try:
            with ThreadPoolExecutor(self._threads) as pool, threadpool_limits(1, user_api="blas"):
                self._optimizer()["pool"] = pool if self._threads > 1 else None
                yield self._step
        finally:
            self._state = None
            self._threads = 1

    def prepare(self, documents: list[np.ndarray]) -> list[np.ndarray]:
        """The documents themselves: each epoch cuts them into windows afresh."""
        T = self.config.context_window
        documents = [np.asarray(ids) for ids in documents if len(ids) > T]
        if not documents:
            raise TlmError(f"the text is too short: --context-window {T} needs a document "
                           f"of at least {T + 1} words")
        self.check_memory()
        return documents

    def check_memory(self) -> None:
        """Refuse settings whose batch would not fit: the (B T, V) probabilities, and
        per block the (B, H, T, T) attention arrays and the (B, T, F) activations."""
        c = self.config
        B, T, V = c.batch_size, c.context_window, len(self.vocab)
        floats = B * T * V + c.layers * (4 * B * c.heads * T * T + B * T * (3 * c.ffn + 12 * c.dim))
        gigabytes = floats * 4 / 1e9
        if gigabytes > MAX_GIGABYTES:
            raise TlmError(f"--batch-size {B} with --context-window {T} would need about "
                           f"{gigabytes:.0f} GB for one step (at most {MAX_GIGABYTES:g} GB); "
                           "use a smaller --batch-size")

    def epoch_examples(self, prepared: list[np.ndarray], rng: np.random.Generator
                       ) -> tuple[np.ndarray]:
        """Windows of T + 1 ids, T apart (each word is a target once per epoch),
        starting at a random offset each epoch, shuffled: (N, T + 1)."""
        T = self.config.context_window
        offset = int(rng.integers(T))
        windows = []
        for ids in prepared:
            start = offset if len(ids) - offset > T else 0
            w = np.lib.stride_tricks.sliding_window_view(ids[start:], T + 1)[::T]  # (n, T + 1)
            windows.append(w)
        windows = np.concatenate(windows)
        return (windows[rng.permutation(len(windows))],)

    # -- scoring, generation, looking inside --------------------------------------
    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N,) log p(target_i | contexts_i), contexts (N, C): the prediction at the
        last position of each context, read whole."""
        windows = np.concatenate([np.asarray(contexts), np.asarray(targets)[:, None]], axis=1)
        return self.window_log_probs(windows, 1)[:, 0]

    def window_log_probs(self, windows: np.ndarray, n: int) -> np.ndarray:
        """(W, n) log p of the last n words of each window (W, T + 1), each given the
        words before it in the window: one forward pass per window, however many of
        its predictions are kept (held-out perplexity, tlm/perplexity.py)."""
        windows = np.asarray(windows)
        threads = min(cores(), max(len(windows) * n // 64, 1), len(windows))
        if threads < 2:
            return self._window_log_probs(windows, n)
        errors = np.geterr()  # the caller's np.errstate, which threads do not inherit

        def part(rows: np.ndarray) -> np.ndarray:
            with np.errstate(**errors):
                return self._window_log_probs(windows[rows], n)

        # the rows in one block per core, BLAS on one thread in each (as in training)
        blocks = np.array_split(np.arange(len(windows)), threads)
        with ThreadPoolExecutor(threads) as pool, threadpool_limits(1, user_api="blas"):
            return np.concatenate(list(pool.map(part, blocks)))

    def _window_log_probs(self, windows: np.ndarray, n: int) -> np.ndarray:
        h, _ = self.hidden_states(windows[:, :-1])                        # (W, T, d)
        z = h[:, -n:] @ self.output_matrix() + self.b                     # (W, n, V)
        z = z.astype(np.float64)
        z -= z.max(axis=-1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=-1))                         # (W, n) log sum exp(z)
        targets = np.maximum(windows[:, -n:], 0)  # an unknown target (-1) is not scored anyway
        picked = np.take_along_axis(z, targets[..., None], axis=-1)[..., 0]  # (W, n)
        return picked - log_norm                                          # log softmax(z)[t]

    def _forward(self, context: Any) -> tuple[np.ndarray, np.ndarray]:
        """Context words or ids (C,) or (B, C) -> (h, p): the last position's final
        hidden state (..., d) and the next-word probabilities (..., V), as the
        embedding model's `_forward` (the shell's `model._forward(['she', 'was'])`)."""
        ids = np.asarray(self.ids(context))
        h, _ = self.hidden_states(ids.reshape(-1, ids.shape[-1]))         # (B, C, d)
        h = h[:, -1].reshape(*ids.shape[:-1], -1)                         # (..., d)
        return h, softmax(h @ self.output_matrix() + self.b)              # (..., V)

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        """(V,) probabilities after the last `context_window` ids of `context` (a
        longer context is cut to the words the model was trained to read)."""
        ids = np.asarray(context)[-self.config.context_window:]
        h, _ = self.hidden_states(ids[None, :])                           # (1, T, d)
        z = h[0, -1] @ self.output_matrix() + self.b                      # (V,)
        return softmax(z.astype(np.float64))

    def attention_weights(self, words: Any) -> np.ndarray:
        """(L, H, T, T) attention of each block and head for a list of words (or ids):
        row i is how much word i reads each word j <= i. `<unk>` stands in for a
        word the model never saw."""
        if isinstance(words, str):
            raise TlmError(f"give the words as a list, e.g. {words.split()!r}")
        ids = np.array([w if not isinstance(w, str) else self._id(w) for w in words])
        c = self.config
        self._check_length(len(ids))
        x = math.sqrt(c.dim) * self.E[ids[None, :]]
        T = len(ids)
        if c.positions == "learned":
            x = x + self.P[:T]
        elif c.positions == "sinusoidal":
            x = x + sinusoidal_table(T, c.dim).astype(x.dtype)
        f = self.frame(T)
        maps = []
        for i in range(c.layers):
            layer = self.layer(i)
            a, _ = layer_norm(x, layer.ln1_g, layer.ln1_b)
            _, cache = attention(a, layer, f)
            maps.append(cache[4][0])                                      # A (H, T, T)
            x, _ = block(x, layer, f)
        return np.stack(maps)

    def _id(self, word: str) -> int:
        if word in self.word_to_idx:
            return self.word_to_idx[word]
        if UNK in self.word_to_idx:
            return self.word_to_idx[UNK]
        return self.vocabulary.lookup(word)  # the error that names the word
