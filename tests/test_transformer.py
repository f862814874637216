"""The transformer (tlm/models/transformer.py): every gradient against float64
finite differences, for every positional scheme, tied or not; the textbook step;
training, scoring, saving, generation, the shell's view, and bad input."""

from __future__ import annotations

import math
import os
import signal

import numpy as np
import pytest
from tiny_transformer import V, tiny

from tlm import modelfile
from tlm.errors import TlmError
from tlm.generate import generate
from tlm.models.config import POSITIONS
from tlm.models.transformer import (
    DECAYED,
    TransformerModel,
    alibi_bias,
    rope,
    rope_angles,
    sinusoidal_table,
)
from tlm.perplexity import perplexity, scored_log_probs
from tlm.train import learning_rate
from tlm.vocab import UNKNOWN


def numerical_gradient(model: TransformerModel, windows: np.ndarray, name: str, index) -> float:
    a = getattr(model, name)
    old, h = a[index], 1e-6
    a[index] = old + h
    up, _ = model.gradients(windows)
    a[index] = old - h
    down, _ = model.gradients(windows)
    a[index] = old
    return (up - down) / (2 * h)


@pytest.mark.parametrize("tie", [False, True])
@pytest.mark.parametrize("positions", POSITIONS)
def test_every_gradient_matches_finite_differences(positions, tie):
    model = tiny(positions=positions, tie=tie)
    windows = np.random.default_rng(1).integers(0, V, (3, 6))     # B 3, T 5
    _, grads = model.gradients(windows)
    assert set(grads) == set(model.array_names)
    for name in model.array_names:
        a = getattr(model, name)
        picks = np.random.default_rng(2).choice(a.size, size=min(a.size, 6), replace=False)
        for flat in picks:
            index = np.unravel_index(flat, a.shape)
            numeric = numerical_gradient(model, windows, name, index)
            assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (name, index)


def test_relu_and_a_shorter_window_have_the_right_gradients_too():
    model = tiny(activation="relu", positions="learned")
    windows = np.random.default_rng(3).integers(0, V, (2, 4))     # T 3 < the trained 5
    _, grads = model.gradients(windows)
    for name in ("W1", "P", "E", "Wq"):
        for flat in range(0, getattr(model, name).size, 7):
            index = np.unravel_index(flat, getattr(model, name).shape)
            assert grads[name][index] == pytest.approx(
                numerical_gradient(model, windows, name, index), rel=1e-5, abs=1e-8)


def test_a_batch_of_one_is_the_textbook_sgd_step():
    """One window, --optimizer sgd: every array moves by -lr times its gradient."""
    model = tiny(optimizer="sgd", positions="alibi")
    window = np.random.default_rng(4).integers(0, V, (1, 6))
    before = {k: a.copy() for k, a in model.arrays.items()}
    loss, grads = model.gradients(window)
    assert model._step(window, lr=0.5) == pytest.approx(loss)
    for name, a in model.arrays.items():
        np.testing.assert_allclose(a, before[name] - 0.5 * grads[name], rtol=1e-12, atol=1e-12)


def test_adam_is_the_written_out_formula_on_its_first_step():
    """Adam's first step moves each entry by lr * g / (|g| + eps) (bias-corrected m and v)."""
    model = tiny(positions="none")
    windows = np.random.default_rng(5).integers(0, V, (2, 6))
    before = {k: a.copy() for k, a in model.arrays.items()}
    _, grads = model.gradients(windows)
    model._step(windows, lr=0.01)
    for name, a in model.arrays.items():
        expected = before[name] - 0.01 * grads[name] / (np.abs(grads[name]) + 1e-8)
        np.testing.assert_allclose(a, expected, rtol=1e-6, atol=1e-9)


def test_weight_decay_is_adamw_on_the_weight_matrices_only():
    """AdamW's first step: lr * (g / (|g| + eps) + wd theta) for the weight matrices
    and tables, lr * g / (|g| + eps) for the biases and LayerNorm gains."""
    model = tiny(positions="learned", tie=False, weight_decay=0.1)
    windows = np.random.default_rng(5).integers(0, V, (2, 6))
    before = {k: a.copy() for k, a in model.arrays.items()}
    _, grads = model.gradients(windows)
    model._step(windows, lr=0.01)
    assert {"E", "P", "W", "W1", "Wq"} <= set(DECAYED) and "b1" not in DECAYED
    for name, a in model.arrays.items():
        decay = 0.1 * before[name] if name in DECAYED else 0.0
        expected = before[name] - 0.01 * (grads[name] / (np.abs(grads[name]) + 1e-8) + decay)
        np.testing.assert_allclose(a, expected, rtol=1e-6, atol=1e-9)


def test_warmup_then_linear_or_cosine_decay():
    assert learning_rate(1.0, "linear", 0.05, warmup=0.1) == pytest.approx(0.5)
    assert learning_rate(1.0, "linear", 0.1, warmup=0.1) == pytest.approx(1.0)
    assert learning_rate(1.0, "linear", 0.55, warmup=0.1) == pytest.approx(0.5)
    assert learning_rate(1.0, "cosine", 0.55, warmup=0.1) == pytest.approx(0.5)
    assert learning_rate(1.0, "cosine", 0.325, warmup=0.1) == pytest.approx(
        0.5 * (1 + math.cos(math.pi / 4)))
    assert learning_rate(1.0, "cosine", 1.0) == pytest.approx(1e-4)   # never quite 0
    assert learning_rate(1.0, "linear", 0.0, warmup=0.1) == pytest.approx(1e-4)
    assert tiny(decay="cosine").lr_schedule == "cosine"


def test_the_threaded_step_is_the_mean_of_the_parts():
    """On two cores the batch is cut in two; the update is the same as on one."""
    one, two = tiny(positions="rope"), tiny(positions="rope")
    windows = np.random.default_rng(6).integers(0, V, (5, 6))
    with one.steps(threads=1) as step:
        loss1 = step(windows, lr=0.01)
    with two.steps(threads=2) as step:
        loss2 = step(windows, lr=0.01)
    assert loss1 == pytest.approx(loss2, rel=1e-12)
    for name in one.array_names:
        np.testing.assert_allclose(getattr(one, name), getattr(two, name), rtol=1e-9, atol=1e-12)


def test_the_future_is_never_read():
    """Changing word 3 of a window changes no prediction before it (causal mask)."""
    for positions in POSITIONS:
        model = tiny(positions=positions)
        ids = np.array([[1, 2, 3, 4, 5]])
        changed = ids.copy()
        changed[0, 3] = 6
        h, _ = model.hidden_states(ids)
        h2, _ = model.hidden_states(changed)
        np.testing.assert_allclose(h[0, :3], h2[0, :3], atol=1e-12)
        assert not np.allclose(h[0, 3:], h2[0, 3:])


def test_dropout_changes_training_only_and_its_gradient_is_right():
    model = tiny(dropout=0.3, positions="learned")
    windows = np.random.default_rng(7).integers(0, V, (2, 6))
    # the same masks twice: a fresh generator with the same seed for every call
    loss, grads = model.gradients(windows, np.random.default_rng(9))
    a = model.W2
    old = a[1, 2, 3]
    a[1, 2, 3] = old + 1e-6
    up, _ = model.gradients(windows, np.random.default_rng(9))
    a[1, 2, 3] = old - 1e-6
    down, _ = model.gradients(windows, np.random.default_rng(9))
    a[1, 2, 3] = old
    assert grads["W2"][1, 2, 3] == pytest.approx((up - down) / 2e-6, rel=1e-5)
    assert loss != pytest.approx(model.gradients(windows)[0])   # no dropout when not training


def test_rope_keeps_lengths_and_makes_scores_depend_on_distance():
    cos, sin = rope_angles(10, 8)
    x = np.random.default_rng(0).normal(size=(10, 8))
    np.testing.assert_allclose(np.linalg.norm(rope(x, cos, sin), axis=-1),
                               np.linalg.norm(x, axis=-1), rtol=1e-12)
    q, k = np.tile(x[0], (10, 1)), np.tile(x[1], (10, 1))    # the same q and k everywhere
    rq, rk = rope(q, cos, sin), rope(k, cos, sin)
    assert rq[5] @ rk[3] == pytest.approx(rq[7] @ rk[5])     # both 2 apart
    assert rq[5] @ rk[3] != pytest.approx(rq[5] @ rk[0])


def test_the_fixed_tables_are_the_notebooks():
    table = sinusoidal_table(6, 8)
    assert table[0].tolist() == [0, 1, 0, 1, 0, 1, 0, 1]
    assert table[3, 2] == pytest.approx(math.sin(3 / 10000 ** (2 / 8)))
    assert table[3, 3] == pytest.approx(math.cos(3 / 10000 ** (2 / 8)))
    bias = alibi_bias(5, 2)                                   # slopes 1/16, 1/256
    assert bias[0, 4, 0] == pytest.approx(-4 / 16) and bias[1, 4, 1] == pytest.approx(-3 / 256)
    assert (np.diagonal(bias, axis1=1, axis2=2) == 0).all()


def test_log_probs_is_the_last_position_of_the_window():
    model = tiny(positions="sinusoidal")
    contexts = np.random.default_rng(8).integers(0, V, (4, 5))
    targets = np.array([0, 1, 2, 3])
    log_p = model.log_probs(contexts, targets)
    for i in range(4):
        p = model.next_word_probs(contexts[i])
        assert log_p[i] == pytest.approx(math.log(p[targets[i]]), rel=1e-10)
    h, p = model._forward(["w1", "w2", "w3"])                  # the shell's form: words
    assert h.shape == (8,) and p == pytest.approx(model.next_word_probs(np.array([1, 2, 3])))
    # a context longer than the window is cut to its last C words
    longer = np.concatenate([[6, 6, 6], contexts[0]])
    np.testing.assert_allclose(model.next_word_probs(longer), model.next_word_probs(contexts[0]))


def test_held_out_perplexity_reads_windows_half_a_window_apart():
    """tlm/perplexity.py: each position is scored once, from the words before it in
    a window of C words that ends at the end of its block of S = C // 2 positions."""
    from tlm.perplexity import stride

    model = tiny(positions="rope", context_window=6)
    C, S = 6, stride(6)
    docs = [np.random.default_rng(3).integers(0, V, 23), np.arange(7) % V, np.arange(4)]
    docs[0][[9, 15]] = -1                                     # unknown: in contexts, not scored
    log_p, contexts, targets, unknown = scored_log_probs(model, docs)
    expected = []
    for ids in docs:
        n = len(ids)
        for j in range(C, n):                                 # the positions: C words before
            end = min(C + ((j - C) // S + 1) * S - 1, n - 1)  # the last position of j's block
            if ids[j] >= 0:
                context = ids[end - C:j]                      # C - S + 1 to C words
                assert C - S + 1 <= len(context) <= C
                expected.append(model.log_probs(context[None], ids[j:j + 1])[0])
    assert unknown == 2 and len(log_p) == len(targets) == len(contexts) == 17 + 1 - 2
    np.testing.assert_allclose(log_p, expected, rtol=1e-10)
    assert perplexity(model, docs).loss == pytest.approx(-np.mean(expected), rel=1e-12)


def test_an_unknown_context_word_is_a_zero_vector():
    model = tiny(positions="sinusoidal")
    h, _ = model.hidden_states(np.array([[1, -1, 2]]))
    model.E[-1] = 0.0                                         # -1 must not read the last row
    h0, _ = model.hidden_states(np.array([[1, 6, 2]]))
    np.testing.assert_allclose(h, h0, rtol=1e-12)


def test_attention_weights_are_causal_rows_that_sum_to_one():
    model = tiny(positions="alibi")
    maps = model.attention_weights(["w1", "w2", "w3", "w1"])
    assert maps.shape == (2, 2, 4, 4)
    with pytest.raises(TlmError, match="never seen the word 'nothing'"):  # no <unk> here
        model.attention_weights(["w1", "nothing"])
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0)
    assert np.allclose(np.triu(maps, k=1), 0)


def write_text(tmp_path, words: int = 400):
    rng = np.random.default_rng(0)
    vocab = "the cat sat on a mat and dog ran to it".split()
    lines = [" ".join(rng.choice(vocab, 20)) for _ in range(words // 20)]
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SMALL = ["--model", "transformer", "--dim", "16", "--heads", "2", "--layers", "1",
         "--context-window", "8", "--batch-size", "4", "--seed", "3"]


def test_train_save_load_generate_and_val_ppl_equals_evaluate(run, tmp_path):
    text = write_text(tmp_path)
    result = run("train", "--filepath", text, *SMALL, "--epochs", "2", "--val-fraction", "0.2",
                 "--positions", "learned", "--no-tie")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Epoch 2/2" in result.output
    model = modelfile.load(tmp_path / "model.json")
    assert isinstance(model, TransformerModel) and model.E.shape == (len(model.vocab), 16)
    assert model.history[1]["loss"] < model.history[0]["loss"]
    assert "W" in model.arrays and "P" in model.arrays
    # the saved model scores its held-out part exactly as training reported
    from tlm.compare_lm import held_out_documents

    docs = held_out_documents(model, [text], [], 0.2)
    assert perplexity(model, docs).perplexity == pytest.approx(model.history[-1]["val_ppl"])
    out = run("generate", "--length", "5", "--seed", "1", "--prompt",
              " ".join(["the cat"] * 10))                     # 20 words: more than the window
    assert out.exit_code == 0 and len(out.output.split()) == 25
    table = run("compare-lm", "--model", "model.json", "--filepath", text, "--last", "0.2")
    assert table.exit_code == 0 and "transformer C=8 d=16" in table.output


def test_a_diverging_run_is_one_line_and_saves_nothing(run, tmp_path, one_line_error):
    text = write_text(tmp_path)
    result = run("train", "--filepath", text, *SMALL, "--optimizer", "sgd", "--lr", "1e30")
    one_line_error(result, "loss became", "--lr")
    assert not (tmp_path / "model.json").exists()


@pytest.mark.parametrize("args, words", [
    (["--positions", "sideways"], ["--positions", "sideways"]),
    (["--heads", "3"], ["--heads 3", "--dim 16"]),
    (["--dropout", "1.5"], ["--dropout"]),
    (["--warmup", "1"], ["--warmup"]),
    (["--weight-decay", "-1"], ["--weight-decay"]),
    (["--decay", "cosine", "--model", "embedding"], ["--decay", "embedding"]),
    (["--combine", "concat"], ["--combine", "transformer"]),
])
def test_bad_settings_are_one_line(run, tmp_path, one_line_error, args, words):
    text = write_text(tmp_path)
    one_line_error(run("train", "--filepath", text, *SMALL, *args), *words)
    assert not (tmp_path / "model.json").exists()


def test_ctrl_c_saves_what_was_trained(run, tmp_path, monkeypatch, one_line_error):
    text = write_text(tmp_path)
    calls = []
    original = TransformerModel._step

    def interrupted(self, windows, lr):
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)
        return original(self, windows, lr)

    monkeypatch.setattr(TransformerModel, "_step", interrupted)
    result = run("train", "--filepath", text, *SMALL, "--epochs", "3")
    one_line_error(result, "interrupted", "0 of 3", code=130)
    model = modelfile.load(tmp_path / "model.json")
    assert model.history[-1]["interrupted_after"] == 12     # 3 batches of 4 windows


def test_generation_goes_on_past_the_window_and_a_longer_input_is_refused():
    model = tiny(positions="learned", dtype=np.float32)
    text = generate(model, length=12, seed=1)                  # 13 words read through a window of 5
    assert len(text.split()) == 12
    with pytest.raises(TlmError, match="at most"):
        model.hidden_states(np.zeros((1, 6), dtype=int))


def test_per_token_view_names_the_words_each_model_predicts_better(run, tmp_path):
    text = write_text(tmp_path, words=600)
    for name, args in (("t.json", SMALL), ("k.json", ["--model", "count", "--smoothing",
                                                      "kneser-ney", "--context-window", "1"])):
        assert run("train", "--filepath", text, *args, "--output", name, "--quiet").exit_code == 0
    result = run("compare-lm", "--model", "t.json", "--model", "k.json", "--filepath", text,
                 "--per-token")
    assert result.exit_code == 0, result.output + result.stderr
    assert "t.json predicts better than k.json" in result.output
    assert "t.json predicts worse than k.json" in result.output
    from tlm.compare_lm import held_out_documents
    from tlm.per_token import per_token

    t, k = modelfile.load(tmp_path / "t.json"), modelfile.load(tmp_path / "k.json")
    better, worse = per_token(t, k, held_out_documents(t, [text], [], None), min_count=1)
    assert all(g.total > 0 for g in better) and all(g.total < 0 for g in worse)
    assert [g.total for g in better] == sorted((g.total for g in better), reverse=True)
    # the gains are made of the log-probabilities perplexity() takes (windows C/2 apart)
    docs = held_out_documents(t, [text], [], None)
    everything = per_token(t, k, docs, top=10**6, min_count=1)
    total = sum(g.total for rows in everything for g in rows)
    log_t, contexts, targets, _ = scored_log_probs(t, docs)     # the transformer's positions
    log_k = k.log_probs(contexts[:, -1:], targets)                # KN's on the same positions
    assert total == pytest.approx((log_t - log_k).sum())
    one = run("compare-lm", "--model", "t.json", "--filepath", text, "--per-token")
    assert one.exit_code != 0 and "give two" in one.stderr


def test_per_token_examples_show_an_unknown_word_as_unk(run, tmp_path):
    """A held-out word the vocabulary lacks is read as UNKNOWN (-1); the examples
    show it as <unk>, not as the vocabulary's last word (vocab[-1])."""
    text = write_text(tmp_path, words=600)
    for name, args in (("t.json", SMALL), ("k.json", ["--model", "count", "--smoothing",
                                                      "kneser-ney", "--context-window", "1"])):
        assert run("train", "--filepath", text, *args, "--output", name, "--quiet").exit_code == 0
    from tlm.compare_lm import held_out_documents
    from tlm.per_token import per_token

    t, k = modelfile.load(tmp_path / "t.json"), modelfile.load(tmp_path / "k.json")
    docs = held_out_documents(t, [text], [], None)
    last = len(t.vocab) - 1  # every third word and the last word of the vocabulary unknown
    docs = [np.where((np.arange(len(d)) % 3 == 0) | (d == last), UNKNOWN, d) for d in docs]
    rows = [g for side in per_token(t, k, docs, top=10**6, min_count=1) for g in side]
    assert rows and all("<unk>" in g.example for g in rows)
    assert not any(t.vocab[last] in g.example.split() for g in rows), t.vocab[last]


def test_weight_decay_is_adams_only(run, tmp_path, one_line_error):
    """With --optimizer sgd the default decay is 0 (plain SGD has none), and asking
    for one is a clear error; files from before weight decay and warm-up existed
    load with the values they were trained with (0), not today's defaults."""
    text = write_text(tmp_path)
    small = [*SMALL, "--epochs", "1"]
    assert run("train", "--filepath", text, *small, "--optimizer", "sgd", "--output", "s.json",
               "--quiet").exit_code == 0
    assert modelfile.load(tmp_path / "s.json").config.weight_decay == 0.0
    result = run("train", "--filepath", text, *small, "--optimizer", "sgd", "--weight-decay",
                 "0.1", "--output", "w.json")
    one_line_error(result, "--weight-decay", "--optimizer adam")
    assert not (tmp_path / "w.json").exists()
    assert run("train", "--filepath", text, *small, "--output", "a.json",
               "--quiet").exit_code == 0
    d = modelfile.to_dict(modelfile.load(tmp_path / "a.json"))
    assert d["config"]["weight_decay"] == 0.1 and d["config"]["warmup"] == 0.05
    del d["config"]["weight_decay"], d["config"]["warmup"]
    old = modelfile.from_dict(d).config
    assert old.weight_decay == 0.0 and old.warmup == 0.0
