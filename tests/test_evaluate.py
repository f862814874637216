"""tlm.evaluate and `tlm evaluate`: word similarity, analogies and perplexity,
on hand-made vectors and tiny hand-made benchmark files; no network."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import kv_of
from gensim.models import KeyedVectors

from tlm import evaluate, modelfile
from tlm.errors import TlmError
from tlm.evaluate import render_perplexity
from tlm.models import Model
from tlm.perplexity import perplexity
from tlm.train import fit
from tlm.vocab import UNK, UNKNOWN


@pytest.fixture(autouse=True)
def offline(offline_pretrained) -> None:
    """No network, a private cache, no GloVe package."""


def on_circle() -> KeyedVectors:
    """w0..w4 at 0, 20, 40, 60, 80 degrees: cos(w0, wi) falls as i grows."""
    angles = np.radians([0, 20, 40, 60, 80])
    return kv_of([f"w{i}" for i in range(5)], np.stack([np.cos(angles), np.sin(angles)], 1))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- word pairs -----------------------------------------------------------------------------------
def test_spearman_and_coverage_on_a_hand_made_pairs_file(tmp_path: Path) -> None:
    pairs = write(tmp_path / "pairs.tsv",
                  "# word1\tword2\tscore\nw0\tw1\t9.0\nW0\tW2\t7.5\nw0 w3 3\nw0\tzebra\t5\n")
    score = evaluate.word_pairs(on_circle(), pairs)
    assert score.benchmark == "pairs"
    assert score.spearman == pytest.approx(1.0)  # human order = cosine order
    assert (score.covered, score.total) == (3, 4)  # zebra is unknown; case does not matter
    assert score.coverage == pytest.approx(0.75)

    reverse = write(tmp_path / "reverse.tsv", "w0\tw1\t1\nw0\tw2\t2\nw0\tw3\t3\nw0\tw4\t4\n")
    assert evaluate.word_pairs(on_circle(), reverse, "rev").spearman == pytest.approx(-1.0)


def test_too_few_covered_pairs_give_no_correlation(tmp_path: Path) -> None:
    pairs = write(tmp_path / "p.txt", "w0 w1 9\nw0 w2 7\nzebra w0 1\n")
    score = evaluate.word_pairs(on_circle(), pairs)
    assert score.spearman is None and (score.covered, score.total) == (2, 3)
    none = evaluate.word_pairs(kv_of(["x"], [[1.0]]), pairs)
    assert none.spearman is None and none.covered == 0


def test_bad_pairs_files(tmp_path: Path) -> None:
    with pytest.raises(TlmError, match="not found"):
        evaluate.word_pairs(on_circle(), tmp_path / "missing.tsv")
    with pytest.raises(TlmError, match="no word pairs"):
        evaluate.word_pairs(on_circle(), write(tmp_path / "prose.txt", "just some words here\n"))


# -- analogies ------------------------------------------------------------------------------------
ROYAL = kv_of(
    ["man", "woman", "king", "queen", "prince", "cat"],
    [[0, 1, 0], [0, -1, 0], [1, 1, 0], [1, -1, 0], [0.9, 0.9, 0.3], [0, 0, 1]],
)


def test_analogy_accuracy_and_coverage(tmp_path: Path) -> None:
    questions = write(tmp_path / "q.txt", ": family\nman woman king queen\nman woman king cat\n"
                                          ": other\nMAN WOMAN KING ZEBRA\n")
    score = evaluate.analogies(ROYAL, questions)
    assert score.accuracy == pytest.approx(0.5)  # woman - man + king is queen, not cat
    assert (score.covered, score.total) == (2, 3)
    small = evaluate.analogies(ROYAL, questions, restrict_vocab=3)  # queen is not among 3
    assert small.covered == 0 and small.accuracy is None


def test_bad_analogy_files(tmp_path: Path) -> None:
    with pytest.raises(TlmError, match="no section header"):
        evaluate.analogies(ROYAL, write(tmp_path / "a.txt", "man woman king queen\n"))
    with pytest.raises(TlmError, match="no analogy questions"):
        evaluate.analogies(ROYAL, write(tmp_path / "b.txt", ": empty\n"))


def test_default_benchmarks_are_gensims_files() -> None:
    words = ["tiger", "cat", "old", "new", "smart", "intelligent"]
    scores = evaluate.evaluate_vectors(kv_of(words, np.eye(6)), "tiny")
    assert [p.benchmark for p in scores.pairs] == ["WordSim-353", "SimLex-999"]
    assert [p.total for p in scores.pairs] == [353, 999]
    assert scores.analogies[0].total == 19544
    assert all(0 < p.covered < p.total for p in scores.pairs)


# -- a model's vectors ----------------------------------------------------------------------------
TEXT = "the cat sat on the mat and the dog sat on the log while a bird sang\n" * 5


@pytest.fixture
def text(tmp_path: Path) -> Path:
    return write(tmp_path / "text.txt", TEXT + "rare words once\n")


def test_model_vectors_are_in_frequency_order_without_unk(text: Path) -> None:
    model = fit("embedding", filepaths=[str(text)], min_count=2, epochs=1, seed=1).model
    assert UNK in model.vocab
    kv = model.vectors
    assert UNK not in kv and len(kv) == len(model.vocab) - 1
    counts = [model.word_counts[model.word_to_idx[w]] for w in kv.index_to_key]
    assert counts == sorted(counts, reverse=True) and kv.index_to_key[0] == "the"
    np.testing.assert_array_equal(kv["cat"], model.E[model.word_to_idx["cat"]])


def test_model_vectors_always_agree_with_e(text: Path) -> None:
    """An edit of E in the shell, or more training, shows at once in model.vectors."""
    from tlm.train import train

    model = fit("embedding", filepaths=[str(text)], epochs=1, seed=1).model
    before = model.vectors
    model.E[model.word_to_idx["cat"]] = model.E[model.word_to_idx["dog"]]
    assert model.vectors.similarity("cat", "dog") == pytest.approx(1.0)
    assert before.similarity("cat", "dog") < 0.99  # an old copy does not change with E
    train(model, [model.vocabulary.encode(text.read_text().split())])
    np.testing.assert_array_equal(model.vectors["bird"], model.E[model.word_to_idx["bird"]])


# -- perplexity -----------------------------------------------------------------------------------
def uniform(model):
    model.W[:] = 0.0
    model.b[:] = 0.0
    return model


def quiet_fit(text: Path, **settings) -> Model:
    return fit("embedding", filepaths=[str(text)], seed=1, **settings).model


def test_a_uniform_model_has_perplexity_v(text: Path) -> None:
    model = uniform(quiet_fit(text, epochs=1))
    p = evaluate.text_perplexity(model, [str(text)])
    assert p.perplexity == pytest.approx(len(model.vocab), rel=1e-4)
    assert p.unknown == 0 and p.scored == p.positions == p.tokens - 2  # context window 2


def test_training_lowers_perplexity(text: Path) -> None:
    model = quiet_fit(text, epochs=20)
    assert evaluate.text_perplexity(model, [str(text)]).perplexity < len(model.vocab) / 2


def test_unknown_targets_are_counted_not_scored_and_unk_may_be_context(
    text: Path, tmp_path: Path
) -> None:
    model = quiet_fit(text, epochs=2)
    assert UNK not in model.word_to_idx  # no rare word: no <unk> (issue 19)
    held = write(tmp_path / "held.txt", "the cat sat zebra on the mat and the dog")
    p = evaluate.text_perplexity(model, [str(held)])
    assert (p.tokens, p.positions, p.scored, p.unknown) == (10, 8, 7, 1)  # 'zebra' unknown
    words = ["the", "cat", "sat", None, "on", "the", "mat", "and", "the", "dog"]
    ids = [model.word_to_idx.get(w, UNKNOWN) for w in words]
    expected = np.mean([
        -np.log(model.next_word_probs(np.array(ids[i - 2:i]))[ids[i]])
        for i in range(2, 10) if words[i] is not None  # unknown in the contexts of 'on', 'the'
    ])
    # the course's model reads an unknown context word as a zero vector: 'on' after
    # 'sat' and the unknown 'zebra' is softmax((E[sat] + 0) / 2 @ W + b)
    z = model.E[model.word_to_idx["sat"]] / 2 @ model.W + model.b
    on = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert model.next_word_probs(np.array(ids[2:4])) == pytest.approx(on, rel=1e-5)
    assert p.loss == pytest.approx(expected, rel=1e-5)
    assert p.perplexity == pytest.approx(math.exp(expected), rel=1e-5)
    line = render_perplexity("m", p)
    assert "over 7 of 10 held-out tokens" in line and "1 outside the vocabulary" in line


def test_the_one_perplexity_function_is_what_evaluate_reports(text: Path, tmp_path: Path) -> None:
    model = quiet_fit(text, epochs=2, min_count=2)
    held = write(tmp_path / "held.txt", "the zebra sat on the mat\nthe dog sat")
    direct = perplexity(model, [model.vocabulary.encode(held.read_text().split())])
    assert direct == evaluate.text_perplexity(model, [str(held)])  # a file is one document
    assert (direct.tokens, direct.positions, direct.unknown) == (9, 7, 0)  # zebra is a context


def test_perplexity_mistakes(text: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = quiet_fit(text, epochs=1)
    with pytest.raises(TlmError, match="held-out text.*too short"):
        evaluate.text_perplexity(model, [str(write(tmp_path / "short.txt", "the cat"))])
    with pytest.raises(TlmError, match="no held-out word to score"):
        evaluate.text_perplexity(model, [str(write(tmp_path / "new.txt", "the zebra giraffe"))])
    monkeypatch.setattr(type(model), "predicts_next_word", False)
    with pytest.raises(TlmError, match="no perplexity"):
        evaluate.text_perplexity(model, [str(text)])


# -- tlm evaluate ---------------------------------------------------------------------------------
@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "pairs": write(tmp_path / "mypairs.tsv",
                       "wood\tchuck\t8\nwood\tcould\t2\nhow\tmuch\t5\nwood\tzebra\t1\n"),
        "questions": write(tmp_path / "myquestions.txt", ": x\nwood chuck would could\n"),
        "held": write(tmp_path / "held.txt", "how much wood would a wood chuck chuck\n"),
    }


def test_tlm_evaluate_table_and_perplexity(run, model_file: Path, files, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    kv_of(["wood", "chuck", "could", "how", "much"], np.eye(5)).save_word2vec_format(str(other))
    result = run("evaluate", "--model", model_file, "--pretrained", other,
                 "--similarity-file", files["pairs"], "--analogy-file", files["questions"],
                 "--filepath", files["held"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["mypairs", "myquestions"]
    assert lines[1].startswith("model.json (embedding)") and "(75.0% of 4)" in lines[1]
    assert "(100.0% of 1)" in lines[1]
    assert lines[2].split()[:2] == ["other.txt", "n/a"]  # orthogonal vectors: all ties, no rho
    model = modelfile.load(model_file)
    p = evaluate.text_perplexity(model, [str(files["held"])])
    assert f"model.json (embedding): perplexity {p.perplexity:.1f}" in result.stdout
    assert "over 6 of 8 held-out tokens; not scored: 0 outside" in result.stdout


def test_evaluate_returns_data_and_prints_nothing(model_file: Path, files, capsys) -> None:
    result = evaluate.evaluate([model_file], pair_files=[files["pairs"]], analogy_files=[],
                               filepaths=[files["held"]])
    assert capsys.readouterr().out == ""
    assert isinstance(result, evaluate.Evaluation) and result.restrict_vocab == 30000
    [row] = result.rows
    assert row.label == "model.json (embedding)" and row.analogies == []
    assert (row.pairs[0].benchmark, row.pairs[0].covered, row.pairs[0].total) == ("mypairs", 3, 4)
    [held] = result.held_out
    model = modelfile.load(model_file)
    assert held.label == "model.json (embedding)"
    assert held.perplexity == evaluate.text_perplexity(model, [str(files["held"])])


def test_tlm_evaluate_default_benchmarks_without_analogies(run, model_file: Path) -> None:
    result = run("evaluate", "--model", model_file, "--no-analogies")
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0].split()
    assert header == ["WordSim-353", "SimLex-999"]
    assert "perplexity" not in result.stdout


def test_tlm_evaluate_pretrained_alone(run, files, tmp_path: Path) -> None:
    vectors = tmp_path / "v.txt"
    kv_of(["wood", "chuck", "could"], [[1, 0], [0.9, 0.1], [0, 1]]).save_word2vec_format(
        str(vectors))
    result = run("evaluate", "--pretrained", vectors, "--similarity-file", files["pairs"],
                 "--no-analogies")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split()[:2] == ["v.txt", "n/a"]  # 2 of 4 covered


def test_tlm_evaluate_mistakes(run, model_file: Path, files, one_line_error,
                               tmp_path: Path) -> None:
    one_line_error(run("evaluate", "--model", tmp_path / "nope.json"), "not found", code=1)
    one_line_error(run("evaluate", "--pretrained", "word2vec-same-corpus"), "--model", code=1)
    one_line_error(run("evaluate", "--model", model_file, "--similarity-file",
                       tmp_path / "none.tsv"), "not found", code=1)
    one_line_error(run("evaluate", "--model", model_file, "--no-analogies",
                       "--similarity-file", files["held"]), "no word pairs", code=1)
    one_line_error(run("evaluate", "--model", model_file, "--restrict-vocab", "0"),
                   "restrict-vocab", code=2)
    one_line_error(run("evaluate", "--model", model_file, "--no-analogies",
                       "--similarity-file", files["pairs"], "--filepath", tmp_path / "gone.txt"),
                   "not found", code=1)
