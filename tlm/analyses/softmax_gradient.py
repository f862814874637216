"""Which way does one training step move the target word's output vector?

The theory notebook's softmax-gradient demo on the learner's own embedding
model: for a context and a target word, h is the mean of the context's rows of
E, the probabilities are softmax(h @ W + b), and the gradient of the loss
-log p[target] with respect to the target's column of W is (p[target] - 1) h.
Gradient descent subtracts it, so that column moves along +h (cosine 1) and
every other word's column moves along -h by p[word]. One `_step` of the model
(on a copy: the learner's model is not changed) shows it happen.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tlm.analyses._base import (
    Analysis,
    Argument,
    Option,
    Result,
    figure,
    join,
    legend_below,
    mapping,
    summary,
)
from tlm.errors import TlmError
from tlm.model import EmbeddingModel
from tlm.vectors import Source

#: Words shown in the probability bars.
SHOWN = 10


@dataclass(repr=False)
class SoftmaxGradient(Result):
    """One example's probabilities, its target column's gradient and the step's effect."""

    context: list[str]
    target: str
    lr: float
    h: np.ndarray  # (d,) mean of the context's rows of E
    top: list[tuple[str, float]]  # the SHOWN most probable words before the step
    p_target: float  # p[target] before the step
    p_target_after: float  # and after it
    grad: np.ndarray  # (d,) dL/dW[:, target], from the model's `gradients`
    by_formula: np.ndarray  # (d,) (p[target] - 1) h, the demo's formula
    cos_update_h: float  # cosine between W[:, target]'s change in one `_step` and h
    cos_other_h: float  # the same for the most probable other word's column: -1


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def softmax_gradient(model: Source, context: Sequence[str] = (), target: str | None = None,
                     lr: float = 0.1) -> SoftmaxGradient:
    """For `context` (default: the model's most frequent words, as many as its
    window) and `target` (default: the next most frequent), the probabilities,
    the gradient of the target's column of W (the model's own `gradients`,
    beside the formula (p[t] - 1) h), and the cosine between that column's
    change in one `_step` (learning rate `lr`, on a copy) and h."""
    if not isinstance(model, EmbeddingModel):
        raise TlmError("the softmax-gradient demo needs a tlm embedding model (--model), "
                       "whose W turns h into every word's logit")
    C = model.config.context_window
    frequent = [model.vocab[i] for i in np.argsort(-np.asarray(model.word_counts),
                                                   kind="stable")]
    words = list(context) or frequent[:C]
    if len(words) != C:
        raise TlmError(f"this model reads {C} context words, not {len(words)}")
    target = target or frequent[C]
    ids = model.ids(words)[None, :]  # (1, C)
    t = np.array([model.ids([target])[0]])  # (1,)
    h, probs = model._forward(ids)  # (1, d), (1, V)
    h, p = h[0].astype(np.float64), probs[0].astype(np.float64)  # (d,), (V,)
    _, grads = model.gradients(ids, t)
    grad = np.asarray(grads["W"][:, t[0]], dtype=np.float64)  # (d,) the target's column
    other = int(np.argmax(np.where(np.arange(len(p)) == t[0], -1.0, p)))
    stepped = copy.deepcopy(model)
    before = stepped.W.copy()  # (d, V)
    stepped._step(ids, t, lr)
    change = (stepped.W - before).astype(np.float64)  # (d, V)
    after = stepped._forward(ids)[1][0]  # (V,)
    order = np.argsort(-p)[:SHOWN]
    return SoftmaxGradient(
        words, model.vocab[t[0]], lr, h, [(model.vocab[i], float(p[i])) for i in order],
        float(p[t[0]]), float(after[t[0]]), grad, (p[t[0]] - 1.0) * h,
        _cos(change[:, t[0]], h), _cos(change[:, other], h))


def _gap(r: SoftmaxGradient) -> float:
    return float(np.max(np.abs(r.grad - r.by_formula)))


def render(results: Mapping[str, SoftmaxGradient]) -> str:
    first = next(iter(results.values()))
    head = (f"context {' '.join(first.context)!r} -> target {first.target!r}, one step at "
            f"lr {first.lr}")
    rows = [
        ("p[target] before", lambda r: f"{r.p_target:.4f}"),
        ("p[target] after one step", lambda r: f"{r.p_target_after:.4f}"),
        ("|dL/dW[:, target]|", lambda r: f"{np.linalg.norm(r.grad):.4f}"),
        ("largest |gradient - (p - 1) h|", lambda r: f"{_gap(r):.1e}"),
        ("cos(target column's change, h)", lambda r: f"{r.cos_update_h:.4f}"),
        ("cos(another column's change, h)", lambda r: f"{r.cos_other_h:.4f}"),
    ]
    tops = "\n".join(f"{label}: most probable: "
                     + ", ".join(f"{w} {p:.3f}" for w, p in r.top) for label, r in results.items())
    grads = "\n".join(f"{label}: gradient of the target's column (first 6 of {len(r.grad)}): "
                      + " ".join(f"{x:+.4f}" for x in r.grad[:6]) for label, r in results.items())
    return join(summary(head, results, rows), tops, grads)


def draw(results: SoftmaxGradient | Mapping[str, SoftmaxGradient]):
    """Per source: the most probable words (the target red), and each dimension of
    the target column's gradient against h's (a line of slope p[target] - 1)."""
    results = mapping(results)
    fig, axs = figure(2, len(results), width=4.6, height=3.4)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        words = [w for w, _ in r.top]
        ax.barh(words, [p for _, p in r.top],
                color=["tab:red" if w == r.target else "tab:blue" for w in words])
        ax.invert_yaxis()
        ax.set(title=f"{label}: p(word | {' '.join(r.context)})", xlabel="probability")
        ax = axs[1, col]
        ax.scatter(r.h, r.grad, s=10, color="tab:blue", label="each dimension")
        xs = np.array([r.h.min(), r.h.max()])
        ax.plot(xs, (r.p_target - 1) * xs, color="tab:red", lw=1,
                label="(p[target] - 1) h")
        ax.set(title=f"the column of {r.target!r}: cos(step, h) = {r.cos_update_h:.3f}",
               xlabel="h", ylabel="dL/dW[:, target]")
    legend_below(fig, axs[1])
    return fig


ANALYSIS = Analysis(
    name="softmax-gradient",
    order=18,
    question=__doc__.splitlines()[0],
    title="One training step, by hand",
    look_for=("The target's column of W moves along h (cosine 1.000), every other word's "
              "against it: this is how a next-word model learns."),
    compute=softmax_gradient,
    render=render,
    draw=draw,
    result=SoftmaxGradient,
    arguments=(Argument("context", many=True, metavar="[WORD...]"),),
    options=(Option("target", "The word that follows (default: the next most frequent).",
                    type=str),
             Option("lr", "The step's learning rate.", type=float)),
    in_atlas=False,
)
