"""`--combine concat` and `--hidden`: hand-derived gradients against finite
differences, word order, the chuck floors, the model file and the CLI."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from conftest import CHUCK_TEXT
from gradcheck import CONTEXT, TARGET, finite_differences, relative_error, step_gradients

from tlm import modelfile
from tlm.errors import TlmError
from tlm.generate import generate
from tlm.models.mlp import MLPConfig, MLPModel
from tlm.train import fit
from tlm.vocab import Vocab, positions


def float64_model(combine: str, hidden: int = 0, V: int = 7, d: int = 4, C: int = 3,
                  seed: int = 0) -> MLPModel:
    """A small float64 model with non-zero biases (zeros would hide a wrong db, db1)."""
    config = MLPConfig(dim=d, context_window=C, combine=combine, hidden=hidden)
    rng = np.random.default_rng(seed)
    arrays = MLPModel.init_arrays(V, config, rng, dtype=np.float64)
    arrays["b"] = rng.normal(0.0, 0.5, size=V)
    if hidden:
        arrays["b1"] = rng.normal(0.0, 0.5, size=hidden)
    return MLPModel(Vocab([f"w{i}" for i in range(V)], [1] * V), config, arrays)


@pytest.mark.parametrize("combine, hidden", [("concat", 0), ("concat", 5), ("mean", 5)])
def test_step_gradients_match_finite_differences(combine, hidden):
    model = float64_model(combine, hidden)
    numeric = finite_differences(model, CONTEXT, TARGET)
    analytic, _ = step_gradients(model, CONTEXT, TARGET)
    assert set(analytic) == ({"E", "W1", "b1", "W", "b"} if hidden else {"E", "W", "b"})
    for name in analytic:
        err = relative_error(analytic[name], numeric[name])
        assert err < 1e-6, f"d{name}: relative error {err:.2e}"
        assert np.abs(analytic[name]).max() > 1e-3, f"d{name} is (almost) zero: nothing checked"
    assert np.all(analytic["E"][[0, 6]] == 0)  # words in no context do not move


def test_concat_shapes_and_word_order():
    model = float64_model("concat", C=2)
    assert model.W.shape == (2 * 4, 7)
    h, p = model._forward(np.array([[1, 2], [2, 1]]))
    assert h.shape == (2, 8) and np.array_equal(h[0, :4], model.E[1])  # position 1 first
    assert not np.allclose(p[0], p[1])  # "chuck could" is not "could chuck"
    mean = float64_model("mean", C=2)  # the MLP's mean (the course's model: tlm/model.py)
    _, q = mean._forward(np.array([[1, 2], [2, 1]]))
    np.testing.assert_allclose(q[0], q[1])  # a mean cannot tell them apart
    hidden = float64_model("concat", hidden=6, C=2)
    assert hidden.W1.shape == (8, 6) and hidden.b1.shape == (6,) and hidden.W.shape == (6, 7)


def floors(text: str, C: int = 2) -> tuple[float, float]:
    """The lowest mean loss on the text's own examples any model can reach when it
    sees the context in order, and when it sees it as a mean (order lost): the
    conditional entropies of the next word given each."""
    tokens = text.split()
    pairs = [(tuple(tokens[i - C:i]), tokens[i]) for i in range(C, len(tokens))]

    def entropy(key) -> float:
        joint = Counter((key(h), w) for h, w in pairs)
        context = Counter(key(h) for h, _ in pairs)
        return -sum(n * np.log(n / context[k]) for (k, _), n in joint.items()) / len(pairs)

    return entropy(tuple), entropy(lambda h: tuple(sorted(h)))


def training_loss(model: MLPModel, text: str) -> float:
    contexts, targets = positions([model.vocabulary.encode(text.split())], 2)
    return float(-model.log_probs(contexts, targets).mean())


def test_concat_reaches_the_ordered_floor_on_chuck_that_mean_cannot(chuck):
    ordered, unordered = floors(CHUCK_TEXT)
    assert ordered == pytest.approx(0.139, abs=1e-3) and unordered == pytest.approx(0.444, abs=1e-3)
    settings = {"epochs": 300, "batch_size": 1, "lr": 0.05, "seed": 1}
    losses = {}
    for combine, hidden in [("mean", None), ("concat", None), ("concat", 16)]:
        model = fit("embedding", filepaths=[str(chuck)], combine=combine, hidden=hidden,
                    **settings).model
        losses[combine, hidden] = training_loss(model, CHUCK_TEXT)
    assert losses["mean", None] >= unordered - 1e-6           # a mean's floor
    assert losses["concat", None] < ordered + 0.03 < unordered  # order learnt
    assert losses["concat", 16] < ordered + 0.03


def test_concat_hidden_model_file_round_trip(tmp_path, chuck):
    model = fit("embedding", filepaths=[str(chuck)], combine="concat", hidden=8, epochs=2,
                seed=1).model
    back = modelfile.load(modelfile.save(model, tmp_path / "m.json"))
    assert back.type == "mlp" and isinstance(back, MLPModel)
    assert back.config.combine == "concat" and back.array_names == ("E", "W1", "b1", "W", "b")
    np.testing.assert_array_equal(back._forward(["wood", "chuck"])[1],
                                  model._forward(["wood", "chuck"])[1])
    text = generate(back, length=5, seed=1)  # one sampled first word: zeros fill the context
    assert len(text.split()) == 5 and "<unk>" not in text


def test_cli_combine_and_hidden(run, chuck, one_line_error):
    result = run("train", "--filepath", chuck, "--combine", "concat", "--hidden", "8",
                 "--epochs", "1", "--seed", "1")
    assert result.exit_code == 0, result.output
    info = run("info").stdout
    assert "mlp model, 11 words" in info and "W1 (64, 8), b1 (8,), W (8, 11)" in info
    one_line_error(run("train", "--filepath", chuck, "--combine", "sum"), "--combine", "sum")
    one_line_error(run("train", "--filepath", chuck, "--hidden", "-1"), "--hidden")
    with pytest.raises(TlmError, match="--combine must be one of mean, concat"):
        fit("embedding", filepaths=[str(chuck)], combine="sum")
