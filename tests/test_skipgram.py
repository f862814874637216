"""The skip-gram model: its hand-written gradients against finite differences, the
pairs and negatives it trains on, what it learns on a text built for the test,
seeds, the model file, and `tlm train/info/generate --model skipgram` (bad input
included). Every text is made here, in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import tlm
from tlm import modelfile
from tlm.errors import TlmError
from tlm.models import MODELS
from tlm.models.skipgram import NOISE_TABLE_SIZE, SkipGramConfig, SkipGramModel
from tlm.train import fit
from tlm.vocab import Vocab

EPOCH_LINE = re.compile(r"Epoch (\d+)/(\d+) loss=(\d+\.\d{4})")

ANIMALS = ["ant", "bee", "cat", "dog", "eel", "fox"]
TREES = ["ash", "bay", "elm", "fir", "oak", "yew"]


def group_text(words: list[str], n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(rng.choice(words, size=n)) + "\n"


@pytest.fixture
def small_text(tmp_path: Path) -> Path:
    """A few hundred words of twelve kinds: enough for every skip-gram setting."""
    path = tmp_path / "small.txt"
    path.write_text(group_text(ANIMALS + TREES, 400, seed=0), encoding="utf-8")
    return path


def hand_model(V: int = 7, d: int = 4, K: int = 3, seed: int = 0) -> SkipGramModel:
    """A float64 model with random (non-zero) input and output vectors."""
    rng = np.random.default_rng(seed)
    vocab = Vocab([f"w{i}" for i in range(V)], [10] * V)
    arrays = {"E": rng.normal(0, 0.5, (V, d)), "E_out": rng.normal(0, 0.5, (V, d))}
    return SkipGramModel(vocab, SkipGramConfig(dim=d, negative=K, min_count=1), arrays)


def sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))


def sgns_loss(E, E_out, inputs, targets, negatives) -> float:
    """The loss of a batch written pair by pair, straight from the formula:
    sum over pairs of -log sigmoid(u_c . v_w) - sum_k log sigmoid(-u_nk . v_w),
    skipping a negative that is the true word c (as word2vec and gensim do)."""
    total = 0.0
    for w, c, ns in zip(inputs, targets, negatives, strict=True):
        v = E[w]
        total -= np.log(sigmoid(E_out[c] @ v))
        total -= sum(np.log(sigmoid(-E_out[n] @ v)) for n in ns if n != c)
    return total


# A batch with repeated input words, a target that is also a negative, a word that
# predicts itself, and a negative drawn twice: the cases a scatter-add must get right.
INPUTS = np.array([0, 0, 3, 5, 0])
TARGETS = np.array([1, 2, 0, 5, 1])
NEGATIVES = np.array([[4, 1, 6], [6, 6, 3], [2, 4, 1], [0, 1, 2], [3, 4, 4]])


# -- the maths -------------------------------------------------------------------------


def test_a_negative_that_is_the_true_word_is_skipped():
    """Pair (0 -> 1) with negatives [1, 1, 1]: only the true word's term is left, and
    u_1 moves once, as the true word (word2vec and gensim skip such a negative)."""
    model = hand_model()
    E0, O0 = model.E.copy(), model.E_out.copy()
    lr = 0.1
    loss = model._step(np.array([0]), np.array([1]), np.array([[1, 1, 1]]), lr=lr)
    s = O0[1] @ E0[0]
    assert loss == pytest.approx(-np.log(sigmoid(s)), rel=1e-12)
    g = sigmoid(s) - 1.0  # the true word's g_c; no negative adds sigmoid(s) three times
    expected = O0.copy()
    expected[1] -= lr * g * E0[0]
    np.testing.assert_allclose(model.E_out, expected, rtol=1e-12)
    np.testing.assert_allclose(model.E[0], E0[0] - lr * g * O0[1], rtol=1e-12)


def test_the_loss_of_a_confidently_right_negative_does_not_overflow():
    """s = u_n . v_w = -200 for a negative: -log sigmoid(200) is ~0, not inf, in float32."""
    vocab = Vocab(["a", "b", "c"], [10, 10, 10])
    config = SkipGramConfig(dim=2, negative=1, min_count=1)
    E = np.array([[10.0, 10.0], [0.0, 0.0], [0.0, 0.0]], dtype=np.float32)
    E_out = np.array([[0.0, 0.0], [0.1, 0.1], [-10.0, -10.0]], dtype=np.float32)
    model = SkipGramModel(vocab, config, {"E": E, "E_out": E_out})
    with np.errstate(over="raise"):
        loss = model._step(np.array([0]), np.array([1]), np.array([[2]]), lr=0.01)
    expected = np.log1p(np.exp(-2.0))  # the true word's term, -log sigmoid(2); the negative's ~0
    assert np.isfinite(loss) and loss == pytest.approx(expected, rel=1e-5)


def test_the_loss_equals_logaddexp_over_every_range_of_scores():
    """The step's -log sigmoid(s), written max(-s, 0) + log1p(exp(-|s|)), is
    np.logaddexp(0, -s) to float32 rounding, from s = -1e4 to 1e4."""
    vocab = Vocab(["a", "b"], [1, 1])
    model = SkipGramModel(vocab, SkipGramConfig(dim=1, negative=0, min_count=1),
                          {"E": np.ones((2, 1), np.float32), "E_out": np.zeros((2, 1), np.float32)})
    for score in [-1e4, -100.0, -88.8, -20.0, -1.0, -1e-6, 0.0, 1e-6, 0.5, 17.0, 90.0, 1e4]:
        model.E_out[1, 0] = score                      # s = u_b . v_a = score
        loss, _ = model.gradients(np.array([0]), np.array([1]), np.zeros((1, 0), np.int64))
        expected = np.logaddexp(0.0, -np.float64(np.float32(score)))
        assert loss == pytest.approx(expected, rel=1e-6, abs=1e-12), score


def test_gradients_match_finite_differences():
    model = hand_model()
    E0, O0 = model.E.copy(), model.E_out.copy()
    lr = 0.01
    loss = model._step(INPUTS, TARGETS, NEGATIVES, lr=lr)

    # SGD moved every parameter by -lr * gradient of the batch's summed loss
    grad_E = (E0 - model.E) / lr
    grad_O = (O0 - model.E_out) / lr

    def numeric(which: str) -> np.ndarray:
        h = 1e-6
        base = E0 if which == "E" else O0
        grad = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[idx] += h
            minus[idx] -= h
            args = (plus, O0) if which == "E" else (E0, plus)
            args_m = (minus, O0) if which == "E" else (E0, minus)
            grad[idx] = (sgns_loss(*args, INPUTS, TARGETS, NEGATIVES)
                         - sgns_loss(*args_m, INPUTS, TARGETS, NEGATIVES)) / (2 * h)
        return grad

    np.testing.assert_allclose(grad_E, numeric("E"), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_O, numeric("E_out"), rtol=1e-6, atol=1e-8)
    # rows that no pair touches do not move
    assert np.array_equal(model.E[[1, 2, 4, 6]], E0[[1, 2, 4, 6]])
    # the loss returned is the mean over pairs, before the step
    assert loss == pytest.approx(sgns_loss(E0, O0, INPUTS, TARGETS, NEGATIVES) / 5, rel=1e-12)


def test_batch_of_one_is_the_textbook_step():
    model = hand_model()
    E0, O0 = model.E.copy(), model.E_out.copy()
    w, c, ns, lr = 3, 0, [2, 4, 1], 0.1
    model._step(np.array([w]), np.array([c]), np.array([ns]), lr=lr)
    v = E0[w]
    g_c = sigmoid(O0[c] @ v) - 1                 # label 1
    g_n = [sigmoid(O0[n] @ v) for n in ns]       # label 0
    expected_v = v - lr * (g_c * O0[c] + sum(g * O0[n] for g, n in zip(g_n, ns, strict=True)))
    np.testing.assert_allclose(model.E[w], expected_v, rtol=1e-12)
    np.testing.assert_allclose(model.E_out[c], O0[c] - lr * g_c * v, rtol=1e-12)
    for g, n in zip(g_n, ns, strict=True):
        np.testing.assert_allclose(model.E_out[n], O0[n] - lr * g * v, rtol=1e-12)


def test_batches_hold_at_most_v_pairs_and_cover_the_epoch_in_order():
    """More pairs than words: batches of V pairs one after another, not one stale sum;
    together they are the epoch's pairs, in the order of the text."""
    model, text = prepared([list(range(7)) * 10], V=7, window=2, sample=0.0, negative=3,
                           batch_size=2048)
    P, batches = model.epoch_batches(text, np.random.default_rng(4))
    batches = list(batches)
    assert [len(b[0]) for b in batches[:-1]] == [7] * (len(batches) - 1)
    assert 0 < len(batches[-1][0]) <= 7 and sum(len(b[0]) for b in batches) == P
    whole = model.epoch_examples(text, np.random.default_rng(4))
    for got, expected in zip(zip(*batches, strict=True), whole, strict=True):
        np.testing.assert_array_equal(np.concatenate(got), expected)


def test_a_long_text_streams_its_pairs_in_chunks(monkeypatch):
    """With small chunks an epoch is made chunk by chunk (none holds more than its
    share of pairs) and gives the same pairs as one chunk would."""
    import tlm.models.skipgram as skipgram

    words = np.random.default_rng(0).integers(0, 50, 3000).tolist()
    model, text = prepared([words[:1000], words[1000:]], V=50, window=3, sample=0.0)
    P, chunks = model.epoch_chunks(text, np.random.default_rng(7))
    (one,) = list(chunks)
    monkeypatch.setattr(skipgram, "PAIRS_PER_CHUNK", 60)  # 10 centre words a chunk
    P_small, chunks = model.epoch_chunks(text, np.random.default_rng(7))
    small = list(chunks)
    assert P_small == P and len(small) == 300
    assert max(len(c[0]) for c in small) <= 60
    for got, expected in zip(zip(*small, strict=True), one[:2], strict=False):
        np.testing.assert_array_equal(np.concatenate(got), expected)


def test_loss_is_finite_for_large_scores():
    """-log sigmoid(s) is computed without log(0): a saturated float32 score
    gives a large loss, not inf."""
    model = hand_model(d=2)
    model.E[:] = 0.0
    model.E[0] = [30.0, 0.0]
    model.E_out[:] = [[30.0, 0.0]] * 7   # s = 900 for every output word
    loss = model._step(np.array([0]), np.array([1]), np.array([[2, 3, 4]]), lr=0.0)
    assert loss == pytest.approx(3 * 900.0)


# -- the examples of an epoch -------------------------------------------------------------


def bare_model(V: int, **settings) -> SkipGramModel:
    vocab = Vocab([f"w{i}" for i in range(V)], [1] * V)
    config = SkipGramConfig(dim=4, min_count=1, **settings)
    return SkipGramModel.create(vocab, config, np.random.default_rng(0))


def prepared(documents: list[list[int]], V: int, **settings) -> tuple[SkipGramModel, object]:
    model = bare_model(V, **settings)
    return model, model.prepare([np.array(d, dtype=np.int32) for d in documents])


def test_window_one_pairs_every_word_with_its_neighbours_within_a_document():
    model, text = prepared([[0, 1, 2], [3, 4]], V=5, window=1, sample=0.0, negative=2)
    inputs, targets, negatives = model.epoch_examples(text, np.random.default_rng(0))
    pairs = list(zip(inputs.tolist(), targets.tolist(), strict=True))
    # (context word, centre word), centre by centre in the order of the text, none across
    # the two documents
    assert pairs == [(1, 0), (0, 1), (2, 1), (1, 2), (4, 3), (3, 4)]
    assert negatives.shape == (6, 2)
    assert negatives.min() >= 0 and negatives.max() < 5


def test_effective_window_is_uniform_from_one_to_window():
    """Offset o is used by centres whose window r >= o: a share (W - o + 1) / W."""
    N, W = 6000, 3
    model, text = prepared([list(range(N))], V=N, window=W, sample=0.0)
    inputs, targets, _ = model.epoch_examples(text, np.random.default_rng(1))
    assert (np.diff(targets) >= 0).all()  # centre words come in the order of the text
    offsets = np.abs(inputs.astype(int) - targets.astype(int))
    assert set(np.unique(offsets)) == {1, 2, 3}
    for o in (1, 2, 3):
        expected = 2 * N * (W - o + 1) / W
        assert abs((offsets == o).sum() - expected) < 0.05 * expected


def test_subsampling_uses_word2vecs_keep_probability():
    counts = np.array([1000, 100, 10, 1])
    model = bare_model(4, sample=1e-3)
    T = counts.sum()
    st = 1e-3 * T
    expected = np.minimum((np.sqrt(counts / st) + 1) * st / counts, 1.0)
    np.testing.assert_allclose(model.keep_probabilities(counts), expected)
    assert model.keep_probabilities(counts)[0] < 0.1 and model.keep_probabilities(counts)[3] == 1
    model0 = bare_model(4, sample=0.0)
    assert np.array_equal(model0.keep_probabilities(counts), np.ones(4))


def test_frequent_words_are_kept_at_that_rate():
    ids = [0] * 5000 + [1, 2, 3, 4] * 50
    rng = np.random.default_rng(0)
    model, text = prepared([rng.permutation(ids).tolist()], V=5, window=1, sample=1e-2)
    keep = text.keep[0]
    _, targets, _ = model.epoch_examples(text, rng)
    # about 2 pairs per kept word at window 1; word 0 is most of the text
    kept_zeros = (targets == 0).sum() / 2
    assert abs(kept_zeros - keep * 5000) < 0.1 * keep * 5000


def test_negatives_follow_unigram_to_the_three_quarters():
    counts = np.array([1, 16, 81, 256])
    table = bare_model(4).noise_table(counts)
    assert len(table) == NOISE_TABLE_SIZE
    share = np.bincount(table, minlength=4) / len(table)
    q = counts**0.75
    np.testing.assert_allclose(share, q / q.sum(), atol=2 / NOISE_TABLE_SIZE)


def test_too_little_text_is_a_clear_error():
    with pytest.raises(TlmError, match="too short"):
        prepared([[0]], V=2)
    with pytest.raises(TlmError, match="--sample 0"):
        prepared([[0, 1, 0, 1]], V=2, sample=1e-3)


# -- what it learns --------------------------------------------------------------------------


def test_two_groups_that_never_share_contexts_come_apart(tmp_path):
    """Animals only ever appear among animals and trees among trees (two files, so no
    window spans both): every word ends up nearer the words of its own group."""
    (tmp_path / "animals.txt").write_text(group_text(ANIMALS, 1500, seed=1), encoding="utf-8")
    (tmp_path / "trees.txt").write_text(group_text(TREES, 1500, seed=2), encoding="utf-8")
    model = fit("skipgram", [str(tmp_path / "animals.txt"), str(tmp_path / "trees.txt")],
                min_count=1, sample=0.0, dim=10, window=2,
                epochs=3, seed=1).model
    kv = model.vectors
    for group, other in ((ANIMALS, TREES), (TREES, ANIMALS)):
        for word in group:
            same = np.mean([kv.similarity(word, w) for w in group if w != word])
            different = np.mean([kv.similarity(word, w) for w in other])
            assert same > different + 0.5, (word, same, different)
            assert kv.most_similar(word, topn=1)[0][0] in group


def test_loss_falls(small_text):
    history = fit("skipgram", [str(small_text)], min_count=1,
                  sample=0.0, dim=8, epochs=4, seed=2).history
    losses = [e["loss"] for e in history]
    assert losses[-1] < losses[0] < 4.2  # 6 log 2 = 4.159 is the loss at the start


def test_same_seed_same_vectors_other_seed_other_vectors(small_text):
    def train(seed):
        return fit("skipgram", [str(small_text)], min_count=1,
                   dim=8, epochs=2, seed=seed).model

    a, b, c = train(5), train(5), train(6)
    assert np.array_equal(a.E, b.E) and np.array_equal(a.E_out, b.E_out)
    assert [e["loss"] for e in a.history] == [e["loss"] for e in b.history]
    assert not np.array_equal(a.E, c.E)


def test_small_vocabulary_with_a_large_learning_rate_does_not_blow_up(tmp_path):
    """The wood-chuck text: 11 words, every pair many times per batch."""
    text = tmp_path / "chuck.txt"
    text.write_text("how much wood would a wood chuck chuck if a wood chuck could chuck wood\n"
                    "a wood chuck would chuck all the wood it could if a wood chuck could chuck"
                    " wood\n", encoding="utf-8")
    result = fit("skipgram", [str(text)], min_count=1, sample=0.0,
                 lr=0.1, epochs=30, seed=1)
    assert np.isfinite(result.model.E).all()
    assert result.history[-1]["loss"] < result.history[0]["loss"]


# -- the model and its file ---------------------------------------------------------------------


def test_registered_with_word2vec_defaults():
    assert MODELS["skipgram"] is SkipGramModel
    c = SkipGramConfig()
    assert (c.window, c.negative, c.sample, c.lr, c.min_count, c.dim) == (5, 5, 1e-3, 0.025, 5, 32)
    assert SkipGramModel.lr_schedule == "linear"
    assert not SkipGramModel.uses_unk and not SkipGramModel.predicts_next_word


def test_save_and_load_round_trip(small_text, tmp_path):
    model = fit("skipgram", [str(small_text)], min_count=1,
                dim=8, epochs=2, seed=3).model
    path = modelfile.save(model, tmp_path / "sg.json")
    back = tlm.load(path)
    assert type(back) is SkipGramModel
    assert back.config == model.config
    assert back.vocab == model.vocab and back.word_counts == model.word_counts
    assert back.history == model.history
    for name in ("E", "E_out"):
        assert getattr(back, name).dtype == np.float32
        assert np.array_equal(getattr(back, name), getattr(model, name))
    assert back.vectors.most_similar("ant", topn=3) == model.vectors.most_similar("ant", topn=3)


# -- the command line ------------------------------------------------------------------------


def test_train_info_and_generate(run, small_text, one_line_error):
    result = run("train", "--model", "skipgram", "--filepath", small_text, "--min-count", "1",
                 "--dim", "8", "--epochs", "3", "--window", "2", "--negative", "3",
                 "--sample", "0", "--seed", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [int(EPOCH_LINE.fullmatch(line)[1]) for line in lines[:3]] == [1, 2, 3]
    assert lines[3] == "Model saved to model.json"

    model = tlm.load("model.json")
    assert model.type == "skipgram" and model.E.shape == model.E_out.shape == (12, 8)
    assert (model.config.window, model.config.negative, model.config.sample) == (2, 3, 0.0)

    info = run("info")
    assert "skipgram model, 12 words, 8 dimensions" in info.stdout
    assert "E_out (12, 8)" in info.stdout and "window=2" in info.stdout

    one_line_error(run("generate"), "skipgram", "cannot generate", "--interact", code=1)

    shell = run("generate", "--interact", input="model.E_out.shape\nneighbors('ant', k=2)\n")
    assert shell.exit_code == 0, shell.output
    assert "no text to generate" in shell.stderr
    assert ">>> (12, 8)" in shell.stdout
    assert len(re.findall(r"^(?:>>> )?[a-z]{3}\s+-?\d\.\d{3}$", shell.stdout, re.M)) == 2


def test_train_then_interact(run, small_text):
    result = run("train", "--model", "skipgram", "--filepath", small_text, "--min-count", "1",
                 "--dim", "4", "--epochs", "1", "--seed", "1", "--interact",
                 input="E.shape\nround(sim('ant', 'Ant'), 4)\n")
    assert result.exit_code == 0, result.output
    assert ">>> (12, 4)\n>>> 1.0\n" in result.stdout
    assert "sim(a, b)" in result.stderr  # the banner names the geometry helpers


BAD = [
    (["--window", "0"], ["--window", "0"]),
    (["--window", "-2"], ["--window"]),
    (["--negative", "-1"], ["--negative", "0 or more"]),
    (["--sample", "-1"], ["--sample", "0 or more"]),
    (["--sample", "nan"], ["--sample"]),
    (["--batch-size", "0"], ["--batch-size"]),
    (["--window", "100000000"], ["--window 100000000", "GB", "smaller --window"]),
    (["--val-fraction", "0.1"], ["--val-fraction", "next-word models", "skipgram"]),
    (["--context-window", "3"], ["--context-window", "does not apply", "skipgram"]),
    (["--min-count", "1000"], ["no word", "--min-count 1000"]),
    (["--min-count", "1"], ["too few words", "--sample 0.001 keeps about 5% of the text's 40 words",
                            "1.9 words per epoch", "use --sample 0"]),
]


@pytest.mark.parametrize("args, keywords", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_writes_nothing(run, tmp_path, small_text, one_line_error,
                                                  args, keywords):
    text = small_text
    if args == ["--min-count", "1"]:  # word2vec's subsampling would leave no text
        text = tmp_path / "tiny.txt"
        text.write_text("one two " * 20 + "\n", encoding="utf-8")
    result = run("train", "--model", "skipgram", "--filepath", text, *args)
    one_line_error(result, *keywords, code=1)
    assert not (tmp_path / "model.json").exists()


def test_skipgram_options_do_not_apply_to_the_embedding_model(run, small_text, one_line_error):
    for option in ("--window", "--negative", "--sample"):
        result = run("train", "--filepath", small_text, option, "3")
        one_line_error(result, option, "does not apply", "embedding", code=1)


def test_chuck_with_the_defaults_says_what_min_count_and_sample_leave(run, one_line_error):
    """The course's tongue twister: --min-count 5 leaves 'chuck' and 'wood', 16 of
    its 32 words, and subsampling keeps about 5% of those: said so, not '0.7 of 16'."""
    result = run("train", "--model", "skipgram", "--filepath", "chuck.txt")
    assert result.exit_code == 1
    line = result.stderr.splitlines()[-1]
    assert line.startswith("Error: too few words to train on: --min-count 5 leaves 16 of the "
                           "text's 32 words (only chuck and wood are seen 5 times or more), and "
                           "--sample 0.001 keeps about 5% of those, 0.7 words per epoch")
    assert line.endswith("use --sample 0 and a smaller --min-count (1 keeps every word)")


def test_no_negatives_pulls_every_vector_together(run):
    """--negative 0, the chapter's positive pairs only: nothing pushes words apart,
    so every pair of words ends up pointing the same way."""
    args = ("--model", "skipgram", "--filepath", "chuck.txt", "--min-count", "1", "--sample",
            "0", "--dim", "8", "--seed", "1", "--lr", "0.1", "--quiet")
    assert run("train", *args, "--negative", "0", "--epochs", "50").exit_code == 0
    together = tlm.load("model.json")
    assert together.config.negative == 0
    assert run("train", *args, "--epochs", "50", "--output", "neg.json").exit_code == 0
    apart = tlm.load("neg.json")

    def mean_cosine(E):
        unit = E / np.linalg.norm(E, axis=1, keepdims=True)
        cos = unit @ unit.T
        return cos[~np.eye(len(E), dtype=bool)].mean()

    assert mean_cosine(together.E) > 0.9
    assert mean_cosine(apart.E) < 0.5


def test_chuck_with_min_count_1_finishes_every_seed_skipping_an_empty_epoch(run):
    """Issue 19: on the 32-word twister, subsampling can leave no two neighbouring
    words in an epoch (seeds 1 and 5 of 6 did): the epoch is skipped with a note and
    the run finishes and saves; the model file loads with its skipped epochs."""
    skipped = 0
    for seed in range(1, 7):
        result = run("train", "--model", "skipgram", "--filepath", "chuck.txt",
                     "--min-count", "1", "--seed", str(seed))
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert lines[-1] == "Model saved to model.json" and len(lines) == 6
        for line in lines[:-1]:
            assert re.fullmatch(r"Epoch \d/5 (loss=\d+\.\d{4}|skipped: subsampling left no two "
                                r"neighbouring words in this epoch \(the text is short; "
                                r"--sample 0 keeps every word\))", line), line
        skipped += sum("skipped" in line for line in lines)
        history = tlm.load("model.json").history
        assert [e.epoch for e in history] == [1, 2, 3, 4, 5]
        assert all((e.loss is None) == (e.skipped is not None) for e in history)
    assert skipped > 0  # the case the test is about happened
