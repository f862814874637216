"""The theory notebook's softmax-gradient demo on a trained tlm model."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import random_kv

import tlm
from tlm.analyses import get
from tlm.analyses.softmax_gradient import softmax_gradient
from tlm.errors import TlmError


def test_one_step_moves_the_target_column_along_h(trained):
    model = tlm.load(trained)
    W, E = model.W.copy(), model.E.copy()
    C = model.config.context_window
    context = list(model.vocab[:C])
    target = model.vocab[C]
    r = softmax_gradient(model, context, target, lr=0.1)
    np.testing.assert_allclose(r.grad, r.by_formula, atol=1e-5)  # (p[t] - 1) h
    assert r.cos_update_h == pytest.approx(1.0, abs=1e-5)
    assert r.cos_other_h == pytest.approx(-1.0, abs=1e-5)
    assert r.p_target_after > r.p_target
    assert np.array_equal(model.W, W) and np.array_equal(model.E, E)  # a copy was stepped
    assert abs(sum(p for _, p in r.top)) <= 1.0 and r.top[0][1] >= r.top[-1][1]
    fig = get("softmax-gradient").draw({"m": r})
    assert "cos(step, h) = 1.000" in " ".join(fig.axes[1].get_title().split())


def test_defaults_and_bad_input(trained):
    model = tlm.load(trained)
    r = softmax_gradient(model)
    assert len(r.context) == model.config.context_window
    with pytest.raises(TlmError, match="context words"):
        softmax_gradient(model, ["a"] * (model.config.context_window + 1))
    with pytest.raises(TlmError, match="embedding model"):
        softmax_gradient(random_kv(V=20, d=4))
