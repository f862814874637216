"""The embedding model's maths: hand-derived gradients against finite differences,
the textbook step for a batch of one, training examples, and loss going down."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import (
    CONTEXT,
    TARGET,
    copy_of,
    finite_differences,
    mean_loss,
    relative_error,
    step_gradients,
)

from tlm.model import EmbeddingConfig, EmbeddingModel
from tlm.perplexity import perplexity
from tlm.vocab import Vocab


def float64_model(V: int = 7, d: int = 5, C: int = 3, seed: int = 0) -> EmbeddingModel:
    """A small float64 model with a non-zero bias (b = 0 would hide a wrong db)."""
    config = EmbeddingConfig(dim=d, context_window=C)
    rng = np.random.default_rng(seed)
    arrays = EmbeddingModel.init_arrays(V, config, rng, dtype=np.float64)
    arrays["b"] = rng.normal(0.0, 0.5, size=V)
    assert all(a.dtype == np.float64 for a in arrays.values())
    vocab = Vocab([f"w{i}" for i in range(V)], [1] * V)
    return EmbeddingModel(vocab, config, arrays)




def test_step_gradients_match_finite_differences():
    model = float64_model()
    expected_loss = mean_loss(model, CONTEXT, TARGET)
    numeric = finite_differences(model, CONTEXT, TARGET)
    analytic, loss = step_gradients(model, CONTEXT, TARGET)

    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for name in ("E", "W", "b"):
        err = relative_error(analytic[name], numeric[name])
        assert err < 1e-6, f"d{name}: relative error {err:.2e}"
        assert np.abs(analytic[name]).max() > 1e-3, f"d{name} is (almost) zero: nothing checked"
    # rows of E outside every context get no gradient, rows inside do
    assert np.all(analytic["E"][[0, 6]] == 0)
    assert np.all(np.abs(analytic["E"][[1, 2, 3, 4, 5]]).sum(axis=1) > 0)


def test_step_gradients_single_repeated_word_batch():
    """A batch of one whose context is one word three times: E's row gets all C shares."""
    model = float64_model(seed=3)
    context, target = np.array([[4, 4, 4]]), np.array([4])
    numeric = finite_differences(model, context, target)
    analytic, _ = step_gradients(model, context, target)
    for name in ("E", "W", "b"):
        assert relative_error(analytic[name], numeric[name]) < 1e-6, name


def test_step_gradients_large_batch():
    """200 examples over 7 words: every row of E gets many shares, all summed."""
    model = float64_model(V=7, d=4, C=2, seed=13)
    rng = np.random.default_rng(0)
    context, target = rng.integers(0, 7, size=(200, 2)), rng.integers(0, 7, size=200)
    numeric = finite_differences(model, context, target)
    analytic, _ = step_gradients(model, context, target)
    for name in ("E", "W", "b"):
        assert relative_error(analytic[name], numeric[name]) < 1e-6, name


def test_step_gradients_large_vocabulary():
    """Many words, few of them in the batch: the rows that occur get their gradient,
    every other row of E stays where it was."""
    V, C, B = 1100, 3, 86                                   # 258 context slots, 10 words
    model = float64_model(V=V, d=4, C=C, seed=17)
    rng = np.random.default_rng(1)
    words = rng.choice(V, size=10, replace=False)
    context, target = words[rng.integers(0, 10, size=(B, C))], rng.integers(0, V, size=B)
    entries = {
        "E": [(int(w), j) for w in words for j in range(4)],
        "W": [(int(rng.integers(4)), int(v)) for v in [*target[:10], *rng.integers(0, V, 10)]],
        "b": [(int(v),) for v in [*target[:10], *rng.integers(0, V, 10)]],
    }
    numeric = finite_differences(model, context, target, entries=entries)
    analytic, _ = step_gradients(model, context, target)
    for name, index in entries.items():
        rows = tuple(np.array(index).T)
        err = relative_error(analytic[name][rows], numeric[name][rows])
        assert err < 1e-6, f"d{name}: relative error {err:.2e}"
    untouched = np.setdiff1d(np.arange(V), words)
    assert np.all(analytic["E"][untouched] == 0)


def test_step_is_sgd_scaled_by_lr():
    """The update is -lr * gradient: half the learning rate, half the step."""
    model = float64_model(seed=5)
    full, _ = step_gradients(model, CONTEXT, TARGET)
    stepped = copy_of(model)
    stepped._step(CONTEXT.copy(), TARGET.copy(), lr=0.5)
    for name in model.array_names:
        moved = model.arrays[name] - stepped.arrays[name]
        np.testing.assert_allclose(moved, 0.5 * full[name], rtol=1e-12, atol=1e-15)


def test_batch_of_one_is_the_textbook_step():
    """One `_step` on one example equals the per-example formulas written out."""
    model = float64_model(V=6, d=4, C=3, seed=7)
    E, W, b = (model.arrays[n].copy() for n in ("E", "W", "b"))
    context, target, lr = np.array([3, 1, 3]), 3, 0.1
    C = len(context)

    h = (E[3] + E[1] + E[3]) / C                       # context embedding (d,)
    z = h @ W + b                                      # logits (V,)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    onehot = np.zeros(len(b))
    onehot[target] = 1.0
    dz = p - onehot                                    # dL/dz
    W_new = W - lr * np.outer(h, dz)                   # dL/dW = outer(h, dz)
    b_new = b - lr * dz                                # dL/db = dz
    dh = W @ dz                                        # dL/dh (with the old W)
    E_new = E.copy()
    for w in context:                                  # word 3 is there twice: two shares
        E_new[w] -= lr * dh / C

    loss = model._step(context[None, :], np.array([target]), lr=lr)

    assert loss == pytest.approx(-np.log(p[target]), rel=1e-12)
    np.testing.assert_allclose(model.W, W_new, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.b, b_new, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.E, E_new, rtol=1e-12, atol=1e-14)
    # untouched rows stay bit-for-bit the same
    for w in (0, 2, 4, 5):
        assert np.array_equal(model.E[w], E[w])


def test_batch_step_is_the_sum_of_single_steps():
    """Vectorising over the batch changes nothing: each example moves the parameters
    by lr times its own gradient, as in a batch of one (all from the same start)."""
    model = float64_model(seed=11)
    batch, _ = step_gradients(model, CONTEXT, TARGET)
    singles = [step_gradients(model, CONTEXT[i : i + 1], TARGET[i : i + 1])[0]
               for i in range(len(TARGET))]
    for name in model.array_names:
        total = sum(s[name] for s in singles)
        np.testing.assert_allclose(batch[name], total, rtol=1e-10, atol=1e-14)


def test_forward_shapes_and_probabilities():
    model = float64_model(V=7, d=5, C=3)
    h, p = model._forward(np.array([1, 2, 3]))
    assert h.shape == (5,) and p.shape == (7,)
    np.testing.assert_allclose(h, model.E[[1, 2, 3]].mean(axis=0))
    assert p.sum() == pytest.approx(1.0) and np.all(p > 0)
    hb, pb = model._forward(CONTEXT)
    assert hb.shape == (4, 5) and pb.shape == (4, 7)
    np.testing.assert_allclose(pb.sum(axis=1), 1.0)
    np.testing.assert_allclose(pb[0], model._forward(CONTEXT[0])[1])


def test_float32_model_trains_in_float32():
    config = EmbeddingConfig(dim=4, context_window=2)
    arrays = EmbeddingModel.init_arrays(5, config, np.random.default_rng(0))
    assert all(a.dtype == np.float32 for a in arrays.values())
    model = EmbeddingModel(Vocab(list("abcde"), [1] * 5), config, arrays)
    model._step(np.array([[0, 1], [1, 1]]), np.array([2, 3]), lr=0.1)
    assert all(a.dtype == np.float32 for a in model.arrays.values())


def test_prepare_makes_every_window_inside_each_document():
    model = float64_model(V=7, d=2, C=2)
    docs = [np.array([0, 1, 2, 3], dtype=np.int32), np.array([4, 5], dtype=np.int32),
            np.array([6, 5, 4], dtype=np.int32)]
    contexts, targets = model.prepare(docs)
    # no window spans two documents; the 2-word document is too short for any
    assert contexts.tolist() == [[0, 1], [1, 2], [6, 5]]
    assert targets.tolist() == [2, 3, 4]
    c, t = model.epoch_examples((contexts, targets), np.random.default_rng(0))
    assert sorted(zip(t.tolist(), map(tuple, c.tolist()), strict=True)) == sorted(
        zip(targets.tolist(), map(tuple, contexts.tolist()), strict=True))


def test_loss_falls_when_training_on_chuck(chuck):
    from tlm.train import fit

    result = fit("embedding", [chuck], epochs=20, seed=0)  # 20 steps of 30 examples
    losses = [e["loss"] for e in result.history]
    assert len(losses) == 20 and result.epochs_done == 20
    assert losses[-1] < 0.8 * losses[0]
    # and the trained model predicts the text better than a uniform guess would (log 12)
    model = result.model
    assert perplexity(model, [model.vocabulary.encode(chuck.read_text().split())]).loss < np.log(12)


def test_a_text_smaller_than_a_batch_trains_one_example_at_a_time(chuck):
    """chuck has 30 examples, fewer than a batch: each is one step (as the course's
    `_step` says), at `small_text_lr` unless --lr is given; the batch size then does
    not matter. With --batch-size 30 the epoch is one batch of 30: another model.
    The default lr of a text of a batch or more does not depend on the batch size."""
    from tlm.train import fit

    assert EmbeddingConfig().lr == EmbeddingConfig(batch_size=7).lr == 3.0 / 256
    models = [fit("embedding", [str(chuck)], epochs=5, seed=2, batch_size=b).model
              for b in (1000, 4096, 31)]
    for other in models[1:]:
        for name in ("E", "W", "b"):
            np.testing.assert_array_equal(models[0].arrays[name], other.arrays[name])
    assert models[0].config.lr == EmbeddingConfig.small_text_lr
    one_batch = fit("embedding", [str(chuck)], epochs=5, seed=2, batch_size=30).model
    assert one_batch.config.lr == 3.0 / 256 and not np.array_equal(one_batch.E, models[0].E)
    given = fit("embedding", [str(chuck)], epochs=1, seed=2, lr=0.2).model
    assert given.config.lr == 0.2
    assert models[0].history[-1]["loss"] < models[0].history[0]["loss"]


def test_one_step_per_example_on_a_small_text(chuck, monkeypatch):
    """The 30 examples of chuck reach `_step` one at a time, 30 steps an epoch."""
    from tlm.train import fit

    sizes = []
    step = EmbeddingModel._step

    def recording(self, context, target, lr):
        sizes.append(len(target))
        return step(self, context, target, lr)

    monkeypatch.setattr(EmbeddingModel, "_step", recording)
    fit("embedding", [str(chuck)], epochs=2, seed=1)
    assert sizes == [1] * 60


def test_forward_takes_the_courses_words_as_well_as_ids(model_file):
    import tlm
    from tlm.errors import TlmError

    model = tlm.load(model_file)
    ids = [model.word_to_idx["how"], model.word_to_idx["much"]]
    h_words, p_words = model._forward(["how", "much"])
    h_ids, p_ids = model._forward(np.array(ids))
    np.testing.assert_array_equal(h_words, h_ids)
    np.testing.assert_array_equal(p_words, p_ids)
    assert p_words.shape == (len(model.vocab),)
    assert model._forward(ids)[1].tolist() == p_ids.tolist()
    with pytest.raises(TlmError, match="never seen the word 'muhc'; closest: much"):
        model._forward(["how", "muhc"])
    np.testing.assert_array_equal(model._forward("how much")[1], p_ids)  # one string of words


@pytest.mark.parametrize("threads, settings", [
    (2, {}), (3, {}), (2, {"combine": "concat"}), (3, {"hidden": 5}),
    (2, {"combine": "concat", "hidden": 3}),
])
def test_training_on_every_core_makes_the_same_update_as_the_textbook_step(threads, settings):
    """While `on_every_core` runs (tlm/models/threaded.py: the model's own gradients
    on row blocks in threads, summed), `_step` gives the loss and arrays of `_step`
    on one thread, batch after batch, with repeated context words and targets split
    across blocks; afterwards the model is as it was."""
    from tlm.models.mlp import MLPConfig, MLPModel
    from tlm.models.threaded import on_every_core

    V = 11
    cls, Config = (MLPModel, MLPConfig) if settings else (EmbeddingModel, EmbeddingConfig)
    config = Config(dim=4, context_window=2, **settings)
    rng = np.random.default_rng(3)
    arrays = cls.init_arrays(V, config, rng, dtype=np.float64)
    arrays["b"] = rng.normal(0.0, 0.5, size=V)
    model = cls(Vocab([f"w{i}" for i in range(V)], [1] * V), config, arrays)
    twin = copy_of(model)
    blocks = []
    gradients = cls.gradients

    def counting(self, context, target):
        blocks.append(len(target))
        return gradients(self, context, target)

    twin.gradients = counting.__get__(twin)  # an instance's own gradients are kept too
    with on_every_core(twin, threads=threads) as step:
        assert step == twin._step  # training calls _step
        for B in (200, 97, 64, 1):
            context, target = rng.integers(0, V, size=(B, 2)), rng.integers(0, V, size=B)
            loss = model._step(context, target, lr=0.01)
            assert np.isfinite(loss)
            assert step(context, target, lr=0.01) == pytest.approx(loss, rel=1e-12)
            for name in model.array_names:
                np.testing.assert_allclose(getattr(twin, name), getattr(model, name),
                                           rtol=1e-12, atol=1e-12)
    # the first batch of 200 in `threads` blocks (the batch of 1 is not split)
    assert sum(blocks[:threads]) == 200 and max(blocks[:threads]) < 200 and blocks[-1] == 1
    assert twin.gradients.__func__ is counting  # put back as it was


def test_on_one_core_the_model_is_left_as_it_is():
    from tlm.models.threaded import on_every_core

    model = float64_model()
    with on_every_core(model, threads=1) as step:
        assert step == model._step and "gradients" not in vars(model)


def test_tlm_train_runs_the_models_own_gradients_and_step(run, tmp_path, monkeypatch):
    """Issue 18: a learner's edit to the maths reaches `tlm train`. On a text of
    20,000 words, every batch goes through `_step` and every example through
    `gradients` (on two threads or more, in row blocks)."""
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(200)]
    text = tmp_path / "long.txt"
    text.write_text(" ".join(rng.choice(words, size=20_000)), encoding="utf-8")
    steps, rows = [], []
    step, gradients = EmbeddingModel._step, EmbeddingModel.gradients

    def recording_step(self, context, target, lr):
        steps.append(len(target))
        return step(self, context, target, lr)

    def recording_gradients(self, context, target):
        rows.append(len(target))
        return gradients(self, context, target)

    monkeypatch.setattr(EmbeddingModel, "_step", recording_step)
    monkeypatch.setattr(EmbeddingModel, "gradients", recording_gradients)
    result = run("train", "--filepath", str(text), "--epochs", "2", "--seed", "1")
    assert result.exit_code == 0, result.output
    examples = 20_000 - 2
    assert sum(steps) == 2 * examples and max(steps) == 256  # every batch through _step
    assert sum(rows) == 2 * examples                         # every example through gradients


def test_vectors_are_built_once_while_e_is_unchanged(model_file):
    """Issue 18: `model.vectors` is the same KeyedVectors while E has not changed
    (so caches keyed on it hit), and a new one equal to E after an edit."""
    import tlm

    model = tlm.load(model_file)
    first = model.vectors
    assert model.vectors is first  # not rebuilt
    chuck = model.word_to_idx["chuck"]
    model.E[chuck] *= 2.0                                   # an edit in place
    second = model.vectors
    assert second is not first
    np.testing.assert_array_equal(second["chuck"], model.E[chuck])
    assert model.vectors is second
    model.E = model.E + 1.0                                 # a new array
    np.testing.assert_array_equal(model.vectors["wood"], model.E[model.word_to_idx["wood"]])


