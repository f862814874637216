"""The n-gram count model: counts checked by hand on chuck, Kneser-Ney worked out
by hand on a tiny text, distributions that sum to one, the model file, the CLI
and its errors."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from conftest import CHUCK_TEXT, CHUCK_WORDS

from tlm import modelfile
from tlm.errors import TlmError
from tlm.models.count import CountConfig, CountModel, modified_kn_discounts
from tlm.perplexity import perplexity
from tlm.train import fit
from tlm.vocab import UNKNOWN, Vocab


def counted(text: str, **settings) -> CountModel:
    """A count model of `text` (one document), counted through `_step` as training does."""
    tokens = text.split()
    vocab = Vocab.build(tokens)
    model = CountModel.create(vocab, CountConfig(**settings), np.random.default_rng(0))
    model._step(*model.prepare([vocab.encode(tokens)]))
    return model


def test_counts_on_chuck_by_hand():
    model = counted(CHUCK_TEXT, context_window=2)
    tokens = CHUCK_TEXT.split()
    pairs = Counter((tuple(tokens[i - 2:i]), tokens[i]) for i in range(2, len(tokens)))
    contexts = sorted({h for h, _ in pairs})

    assert model.vocab == CHUCK_WORDS
    assert model.counts.shape == (11, len(contexts)) == (11, 21)  # one column per 2-word context
    assert sorted(model.contexts) == contexts
    assert model.counts.sum() == len(tokens) - 2 == 30
    for (h, w), n in pairs.items():
        assert model.counts[model.word_to_idx[w], model.contexts.index(h)] == n
    assert model.row("wood chuck") == {"could": 2, "chuck": 1, "would": 1}
    assert model.row("a wood") == {"chuck": 4}
    assert model.row(["how"]) == {"much": 1}  # a shorter context: the lower order
    assert model.row("much how") == {}


def test_unsmoothed_probabilities_are_counts_over_totals():
    model = counted(CHUCK_TEXT, context_window=2)
    p = model._forward("wood chuck")
    i = model.word_to_idx
    assert p[i["could"]] == 0.5 and p[i["chuck"]] == 0.25 and p[i["would"]] == 0.25
    assert np.array_equal(p, model._forward([i["wood"], i["chuck"]]))  # ids or words
    assert np.array_equal(p, model._forward(np.array([i["wood"], i["chuck"]])))  # an array
    with pytest.raises(TlmError, match="never saw the context 'much how'"):
        model._forward("much how")


def test_an_unknown_context_word_cuts_the_context():
    """A held-out word the model (without <unk>) never saw, UNKNOWN: only the words
    after it count, as at the start of a text, in `_forward` and in `log_probs`."""
    model = counted(CHUCK_TEXT, context_window=2, smoothing="kneser-ney")
    i = model.word_to_idx
    after = model._forward(["chuck"])
    np.testing.assert_array_equal(model._forward(np.array([UNKNOWN, i["chuck"]])), after)
    targets = np.arange(11)
    contexts = np.tile([UNKNOWN, i["chuck"]], (11, 1))
    np.testing.assert_allclose(np.exp(model.log_probs(contexts, targets)), after)


def test_kneser_ney_worked_out_by_hand():
    """Text `a b a c a b`, bigrams, one discount D = 0.5.

    Bigram counts: c(a,b)=2, c(a,c)=1, c(b,a)=1, c(c,a)=1; c(a)=3, c(b)=c(c)=1.
    Unigram continuation counts (after how many different words): a 2 (after b
    and c), b 1, c 1; total 4 (the first `a` follows no word). gamma(empty) =
    0.5 * 3 / 4 = 0.375, so p1(a) = 1.5/4 + 0.375/3 = 0.5, p1(b) = p1(c) = 0.25.
    gamma(a) = 0.5 * 2 / 3 = 1/3: p(b|a) = 1.5/3 + 0.25/3 = 7/12,
    p(c|a) = 0.5/3 + 0.25/3 = 1/4, p(a|a) = 0.5/3 = 1/6.
    gamma(b) = 0.5: p(a|b) = 0.5 + 0.25 = 3/4, p(b|b) = p(c|b) = 1/8."""
    model = counted("a b a c a b", context_window=1, smoothing="kneser-ney", discount=0.5)
    assert model.vocab == ["a", "b", "c"]
    np.testing.assert_allclose(model._forward([]), [0.5, 0.25, 0.25])
    np.testing.assert_allclose(model._forward("a"), [1 / 6, 7 / 12, 1 / 4])
    np.testing.assert_allclose(model._forward("b"), [3 / 4, 1 / 8, 1 / 8])
    np.testing.assert_allclose(model._forward("c"), [3 / 4, 1 / 8, 1 / 8])
    # the same numbers without whole distributions, as held-out scoring uses
    contexts, targets = np.array([[0], [0], [1], [-1]]), np.array([1, 0, 2, 0])
    np.testing.assert_allclose(np.exp(model.log_probs(contexts, targets)),
                               [7 / 12, 1 / 6, 1 / 8, 0.5])


def test_modified_kneser_ney_discounts_from_counts_of_counts():
    """n1 = 3, n2 = 2, n3 = 1, n4 = 1: Y = 3/7, D1 = 1 - 2Y(2/3) = 3/7,
    D2 = 2 - 3Y(1/2) = 19/14, D3+ = 3 - 4Y(1/1) = 9/7."""
    D = modified_kn_discounts(np.array([1, 1, 1, 2, 2, 3, 4, 7]))
    np.testing.assert_allclose(D, [3 / 7, 19 / 14, 9 / 7])
    assert modified_kn_discounts(np.array([1, 1, 2]), fixed=0.3) == (0.3, 0.3, 0.3)
    assert modified_kn_discounts(np.array([1, 1, 1])) == (0.5, 0.5, 0.5)  # no n2: fallback


@pytest.mark.parametrize("settings", [
    {"smoothing": "laplace"}, {"smoothing": "laplace", "add_k": 0.01},
    {"smoothing": "kneser-ney"}, {"smoothing": "kneser-ney", "discount": 0.9},
    {"smoothing": "kneser-ney", "context_window": 3},
    {"smoothing": "kneser-ney", "context_window": 0},
])
def test_every_smoothed_distribution_sums_to_one(settings):
    model = counted(CHUCK_TEXT, **{"context_window": 2, **settings})
    C = model.config.context_window
    seen = [list(h) for h in model.contexts]
    unseen = [["much", "how", "how"][:C], ["chuck", "the", "it"][:C], ["how"] * C]
    for context in seen + unseen + [[], ["wood"]]:
        p = model._forward(context)
        assert p.shape == (11,) and (p > 0).all()
        assert p.sum() == pytest.approx(1.0, abs=1e-12), context
    # log_probs gives the same numbers as _forward, seen or not
    rows = seen + unseen[:2]
    ids = np.array([[model.word_to_idx[w] for w in h] for h in rows], dtype=int)
    ids = ids.reshape(len(rows), C)
    targets = np.arange(len(ids)) % 11
    expected = [np.log(model._forward(list(h))[t]) for h, t in zip(ids, targets, strict=True)]
    np.testing.assert_allclose(model.log_probs(ids, targets), expected)


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    """An untrained add-k model gives every word 1 / V, so the shared held-out
    perplexity is V (here 7: seven words, none folded into <unk>)."""
    vocab = Vocab.build(list("abcdefg"), unk=True)
    assert len(vocab) == 7
    model = CountModel.create(vocab, CountConfig(smoothing="laplace"), np.random.default_rng(0))
    held_out = [vocab.encode(list("gfedcbazq"))]  # z, q: unknown, not scored
    p = perplexity(model, held_out)
    assert p.perplexity == pytest.approx(7.0) and p.scored == 5 and p.unknown == 2


def test_unsmoothed_perplexity_is_inf_and_says_how_many_words(run, tmp_path, one_line_error):
    text = tmp_path / "t.txt"
    text.write_text(CHUCK_TEXT + " how much chuck would a wood chuck chuck wood\n")
    result = run("train", "--model", "count", "--filepath", text, "--val-fraction", "0.25")
    assert result.exit_code == 0, result.output
    line = result.stdout.splitlines()[0]
    assert "val_ppl=inf (" in line and "held-out words never seen after their context" in line
    impossible = int(line.split("val_ppl=inf (")[1].split()[0])
    model = modelfile.load(tmp_path / "model.json")
    assert model.history[0]["val_impossible"] == impossible > 0
    kn = run("train", "--model", "count", "--filepath", text, "--val-fraction", "0.25",
             "--smoothing", "kneser-ney", "--output", "kn.json")
    assert "val_ppl=inf" not in kn.stdout and "never seen" not in kn.stdout


def test_unsmoothed_held_out_loss_is_infinite_where_a_word_was_never_seen():
    model = counted(CHUCK_TEXT, context_window=1)
    i = model.word_to_idx
    lp = model.log_probs(np.array([[i["wood"]], [i["how"]]]), np.array([i["chuck"], i["a"]]))
    assert np.isfinite(lp[0]) and lp[1] == -np.inf


def test_model_file_round_trip_is_json_with_compact_arrays(tmp_path):
    model = counted(CHUCK_TEXT * 40, context_window=3, smoothing="kneser-ney")
    path = modelfile.save(model, tmp_path / "count.json")
    d = json.loads(path.read_text())
    assert d["type"] == "count" and d["arrays"]["ngram_counts"]["sparse"] == "csc"
    back = modelfile.load(path)
    assert (back.counts != model.counts).nnz == 0 and back.contexts == model.contexts
    assert back.discounts == model.discounts
    np.testing.assert_array_equal(back._forward("a wood chuck"), model._forward("a wood chuck"))


def test_damaged_count_file_is_one_clear_error(tmp_path):
    path = modelfile.save(counted(CHUCK_TEXT), tmp_path / "count.json")
    d = json.loads(path.read_text())
    del d["checksum"]  # as if written by hand: the checks below must still catch it
    d["arrays"]["ngram_contexts"]["data"][0][0] = 99  # a word id beyond the vocabulary
    path.write_text(json.dumps(d))
    with pytest.raises(TlmError, match="damaged.*outside the vocabulary"):
        modelfile.load(path)
    d["arrays"]["ngram_contexts"]["data"][0][0] = 0
    d["arrays"]["ngram_counts"]["indices"]["data"][0] = 50  # a row beyond the 11 words
    path.write_text(json.dumps(d))
    with pytest.raises(TlmError, match="damaged.*ngram_counts is not a consistent sparse"):
        modelfile.load(path)
    d["arrays"]["ngram_counts"]["indices"]["data"][0] = 0
    d["arrays"]["ngram_counts"]["data"]["data"][0] = 1.5
    path.write_text(json.dumps(d))
    with pytest.raises(TlmError, match="damaged.*not whole"):
        modelfile.load(path)


def test_train_generate_info_and_shell_from_the_cli(run, chuck, capsys):
    result = run("train", "--model", "count", "--filepath", chuck, "--smoothing", "kneser-ney",
                 "--seed", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Epoch 1/1 loss=")
    info = run("info")
    assert info.exit_code == 0, info.output
    assert "count model, 11 words, 21 contexts of 2 words" in info.stdout
    assert "history:\n  Epoch 1/1 loss=" in info.stdout
    generated = run("generate", "--prompt", "how much", "--length", "5", "--seed", "1")
    assert generated.exit_code == 0 and len(generated.stdout.split()) == 7
    shell = run("generate", "--length", "3", "--interact",
                input="print(counts.shape, row('wood chuck'), contexts[0])\n")
    assert "(11, 21) {'could': 2, 'chuck': 1, 'would': 1} ('a', 'wood')" in shell.stdout


def test_counting_is_one_pass(run, chuck, one_line_error):
    one_line_error(run("train", "--model", "count", "--filepath", chuck, "--epochs", "3"),
                   "--epochs", "does not apply", "count model")
    for option in ("--lr", "--batch-size"):
        one_line_error(run("train", "--model", "count", "--filepath", chuck, option, "2"),
                       option, "does not apply", "count model")


def test_bad_smoothing_and_discount_are_one_line_errors(run, chuck, one_line_error):
    one_line_error(run("train", "--model", "count", "--filepath", chuck, "--smoothing", "good"),
                   "--smoothing", "good")
    for bad in ("0", "1", "1.5", "-0.2", "nan"):
        one_line_error(run("train", "--model", "count", "--filepath", chuck,
                           "--smoothing", "kneser-ney", "--discount", bad),
                       "--discount", "between 0 and 1")
    one_line_error(run("train", "--model", "count", "--filepath", chuck, "--discount", "0.5"),
                   "--discount", "kneser-ney")
    one_line_error(run("train", "--model", "count", "--filepath", chuck,
                       "--smoothing", "laplace", "--add-k", "0"), "--add-k")
    with pytest.raises(TlmError, match="unknown smoothing 'good'"):
        fit("count", filepaths=[str(chuck)], smoothing="good")
    assert not (chuck.parent / "model.json").exists()


def test_unseen_prompt_context_without_smoothing_names_it(run, chuck, one_line_error):
    assert run("train", "--model", "count", "--filepath", chuck, "--quiet").exit_code == 0
    one_line_error(run("generate", "--prompt", "much how"),
                   "never saw the context 'much how'", "--smoothing none")


def test_compare_lm_table(run, chuck, tmp_path):
    for name, args in [("none.json", ["--model", "count"]),
                       ("kn.json", ["--model", "count", "--smoothing", "kneser-ney"]),
                       ("emb.json", ["--combine", "concat", "--epochs", "2"])]:
        assert run("train", "--filepath", chuck, "--seed", "1", "--quiet", "--output", name,
                   *args).exit_code == 0
    held_out = tmp_path / "held.txt"
    held_out.write_text("a wood chuck would chuck wood if a wood chuck could how much\n")
    result = run("compare-lm", "--model", "none.json", "--model", "kn.json", "--model",
                 "emb.json", "--filepath", held_out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    none, kn, emb = lines[1], lines[2], lines[3]
    assert none.startswith("none.json") and "count C=2 none" in none
    # never seen after their context: would chuck -> wood, chuck wood -> if, wood if -> a,
    # chuck could -> how, could how -> much
    assert "inf (5 p=0)" in none
    assert "count C=2 kneser-ney" in kn and "mlp C=2 d=32 concat" in emb
    from tlm.compare_lm import compare_lm
    direct = compare_lm(["kn.json", "emb.json"], [held_out])
    assert [f"{s.perplexity.perplexity:.1f}" for s in direct] == [kn.split()[4], emb.split()[5]]
    assert direct[1].parameters == 11 * 32 + 64 * 11 + 11  # E, W, b
    assert direct[0].parameters == modelfile.load("kn.json").ngram_counts.nnz
    assert all(s.perplexity.scored == 11 for s in direct)  # 13 words, 2 without context
    assert any(line.startswith("emb.json: ") for line in lines)


def test_evaluate_gives_a_count_model_its_perplexity_and_inf_count(run, chuck, tmp_path):
    assert run("train", "--model", "count", "--filepath", chuck, "--quiet").exit_code == 0
    held_out = tmp_path / "held.txt"
    held_out.write_text("a wood chuck would chuck wood if a wood chuck could how much\n")
    result = run("evaluate", "--model", "model.json", "--filepath", held_out, "--no-analogies")
    assert result.exit_code == 0, result.output + result.stderr
    assert "perplexity inf" in result.stdout
    assert "inf because 5 of the 11 scored words were never seen" in result.stdout
