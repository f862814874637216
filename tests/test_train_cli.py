"""`tlm train` through the command line: what it prints and saves, reproducibility,
the shell afterwards, Ctrl-C, and every kind of bad input (one line, non-zero exit,
no traceback, no file damaged)."""

from __future__ import annotations

import io
import itertools
import math
import os
import re
import signal
from pathlib import Path
from types import SimpleNamespace

import click
import numpy as np
import pytest

import tlm
import tlm.cli
import tlm.train
from tlm.corpus import CORPORA, load_corpus
from tlm.errors import TlmError
from tlm.history import Epoch
from tlm.model import EmbeddingModel
from tlm.models import MODELS
from tlm.models.skipgram import SkipGramModel
from tlm.train import Progress

SHIPPED_CHUCK = CORPORA / "chuck.txt"
EPOCH_LINE = re.compile(r"Epoch (\d+)/(\d+) loss=(\d+\.\d{4})")
VAL_LINE = re.compile(
    r"Epoch (\d+)/(\d+) loss=(\d+\.\d{4}) val_loss=(\d+\.\d{4}) val_ppl=(\d+\.\d)"
)


# -- what a good run does ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["chuck.txt", "corpora/chuck.txt"])
def test_the_courses_chuck_gives_the_eleven_words(run, path, chuck_words):
    """`tlm train --filepath chuck.txt` (the course) or `corpora/chuck.txt` (the README)
    from a folder that has neither: tlm's own text, said on one line -> model.json,
    the 11 words and nothing else (no word was folded into <unk>)."""
    result = run("train", "--filepath", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [EPOCH_LINE.fullmatch(line) is not None for line in lines[:-1]] == [True] * 5
    assert [int(EPOCH_LINE.fullmatch(line)[1]) for line in lines[:-1]] == [1, 2, 3, 4, 5]
    assert lines[-1] == "Model saved to model.json"
    assert result.stderr == "using tlm's corpora/chuck.txt\n"

    model = tlm.load("model.json")
    assert model.vocab == chuck_words
    assert model.E.shape == (11, 32)
    assert model.W.shape == (32, 11)
    assert model.b.shape == (11,)
    assert model.word_to_idx["chuck"] == 2
    assert model.word_counts[model.word_to_idx["wood"]] == 8
    assert model.info["tokens"] == 32
    assert model.info["sources"] == [str(SHIPPED_CHUCK)]  # where it can be read again


def test_a_file_of_that_name_wins_and_quiet_says_nothing(run, chuck):
    chuck.write_text("one two three four five six\n", encoding="utf-8")  # ./chuck.txt
    result = run("train", "--filepath", "chuck.txt", "--quiet")
    assert result.exit_code == 0 and result.output == "" and result.stderr == ""
    assert tlm.load("model.json").info["sources"] == ["chuck.txt"]
    (Path("corpora")).mkdir()
    result = run("train", "--filepath", "corpora/chuck.txt", "--quiet", "--output", "m.json")
    assert result.exit_code == 0 and result.stderr == ""  # tlm's own text, said by no one


def test_a_missing_file_names_the_shipped_texts(run, one_line_error):
    line = one_line_error(run("train", "--filepath", "chuk.txt"), "not found: chuk.txt")
    assert "texts that ship with tlm: chuck.txt" in line and "--filepath chuck.txt" in line
    one_line_error(run("train", "--filepath", "elsewhere/chuck.txt"), "not found", "chuck.txt")


def test_the_corpora_are_package_data(repo):
    """A non-editable install has them too: pyproject lists them as package data."""
    assert SHIPPED_CHUCK.parent == repo / "tlm" / "corpora"
    assert '"corpora/*.txt"' in (repo / "pyproject.toml").read_text()


def test_fixture_text_is_the_shipped_corpus(chuck_text):
    """The tests' own chuck text is tlm's (so they test the same thing)."""
    assert SHIPPED_CHUCK.read_text(encoding="utf-8").split() == chuck_text.split()


def test_loss_falls_on_chuck(run, chuck):
    # 30 examples: an epoch is one SGD step at the default batch size
    result = run("train", "--filepath", chuck, "--epochs", "20", "--seed", "0", "--output",
                 "m.json")
    assert result.exit_code == 0, result.output
    losses = [float(m[3]) for m in map(EPOCH_LINE.fullmatch, result.stdout.splitlines()[:-1])]
    assert len(losses) == 20
    assert losses[-1] < 0.8 * losses[0]
    # the file keeps the same history
    history = tlm.load("m.json").history
    assert [round(e["loss"], 4) for e in history] == losses


def test_same_seed_same_model_different_seed_different_model(run, chuck):
    for name, seed in [("a.json", 7), ("b.json", 7), ("c.json", 8)]:
        result = run("train", "--filepath", chuck, "--seed", seed, "--output", name, "--quiet")
        assert result.exit_code == 0, result.output
    a, b, c = (tlm.load(n) for n in ("a.json", "b.json", "c.json"))
    for name in a.array_names:
        assert np.array_equal(a.arrays[name], b.arrays[name])
        assert not np.array_equal(a.arrays[name], c.arrays[name]) or name == "b"
    assert not np.array_equal(a.E, c.E)
    assert [e["loss"] for e in a.history] == [e["loss"] for e in b.history]
    assert a.config.seed == 7


def test_seed_is_recorded_when_not_given(run, chuck):
    assert run("train", "--filepath", chuck, "--quiet").exit_code == 0
    seed = tlm.load("model.json").config.seed
    assert isinstance(seed, int) and seed >= 0
    # and the recorded seed repeats the run exactly
    assert run("train", "--filepath", chuck, "--seed", seed, "--output", "again.json",
               "--quiet").exit_code == 0
    assert np.array_equal(tlm.load("model.json").E, tlm.load("again.json").E)


def test_settings_reach_the_model(run, chuck):
    result = run("train", "--filepath", chuck, "--dim", "6", "--context-window", "3",
                 "--epochs", "2", "--lr", "0.05", "--batch-size", "5", "--seed", "4", "--quiet")
    assert result.exit_code == 0, result.output
    model = tlm.load("model.json")
    assert model.E.shape == (11, 6) and model.W.shape == (6, 11)
    c = model.config
    assert (c.dim, c.context_window, c.epochs, c.lr, c.batch_size, c.seed) == (6, 3, 2, 0.05, 5, 4)
    assert len(model.history) == 2


def test_quiet_prints_nothing(run, chuck):
    result = run("train", "--filepath", chuck, "--quiet")
    assert result.exit_code == 0
    assert result.output == "" and result.stderr == ""
    assert Path("model.json").is_file()


def test_val_fraction_reports_held_out_loss_and_perplexity(run, tmp_path, chuck_text):
    text = tmp_path / "long.txt"
    text.write_text(chuck_text * 4, encoding="utf-8")
    result = run("train", "--filepath", text, "--val-fraction", "0.25", "--epochs", "3",
                 "--seed", "1", "--output", "v.json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    matches = [VAL_LINE.fullmatch(line) for line in lines[:-2]]
    assert all(matches) and len(matches) == 3, lines
    entry = tlm.load("v.json").history[-1]
    assert lines[-2] == (f"Held out: val_loss over {entry['val_scored']} positions; "
                         f"{entry['val_unknown']} whose next word is not in the training "
                         "part's vocabulary are not scored")
    for m in matches:
        assert float(m[5]) == pytest.approx(math.exp(float(m[4])), rel=1e-3, abs=0.06)
    history = tlm.load("v.json").history
    assert all("val_loss" in e and "val_ppl" in e for e in history)


def test_vocabulary_comes_from_the_training_part_alone(tmp_path, chuck_text):
    text = tmp_path / "t.txt"
    text.write_text(chuck_text * 3 + "zebra chuck wood giraffe wood chuck\n", encoding="utf-8")
    result = tlm.train.fit("embedding", [str(text)], val_fraction=0.05, epochs=1, seed=1)
    model = result.model  # 102 words; the last 5 are held out: "chuck wood giraffe wood chuck"
    assert "zebra" in model.vocab and "giraffe" not in model.vocab
    assert "<unk>" not in model.vocab  # no training word was rare
    entry = result.history[-1]
    assert (entry.val_scored, entry.val_unknown) == (2, 1)  # 'giraffe' is unknown


def test_val_ppl_is_what_tlm_evaluate_says_on_the_same_held_out_text(run, tmp_path, chuck_text):
    tokens = (chuck_text * 3 + "a zebra could chuck wood\n").split()
    (tmp_path / "t.txt").write_text(" ".join(tokens), encoding="utf-8")
    result = run("train", "--filepath", "t.txt", "--val-fraction", "0.2", "--epochs", "3",
                 "--min-count", "2", "--seed", "1", "--output", "v.json")
    assert result.exit_code == 0, result.output
    last = VAL_LINE.fullmatch(result.stdout.splitlines()[-3])
    cut = len(tokens) - round(0.2 * len(tokens))
    (tmp_path / "held.txt").write_text(" ".join(tokens[cut:]), encoding="utf-8")

    scored = run("evaluate", "--model", "v.json", "--filepath", "held.txt", "--no-analogies")
    assert scored.exit_code == 0, scored.output
    assert f"perplexity {last[5]} (mean loss {last[4]}) over" in scored.stdout
    entry = tlm.load("v.json").history[-1]
    assert f"over {entry['val_scored']} of {len(tokens) - cut} held-out tokens" in scored.stdout
    assert f"not scored: {entry['val_unknown']} outside" in scored.stdout
    assert entry["val_unknown"] > 0  # 'zebra', seen once, is <unk>, and is not scored


def test_held_out_part_is_the_end_of_the_text():
    docs = [np.arange(6), np.arange(10, 14)]                # 10 tokens in two documents
    train, val = tlm.train.split_documents(docs, 0.3)      # the last 3 tokens are held out
    assert [d.tolist() for d in train] == [[0, 1, 2, 3, 4, 5], [10]]
    assert [d.tolist() for d in val] == [[11, 12, 13]]
    train, val = tlm.train.split_documents(docs, 0.0)
    assert [d.tolist() for d in train] == [d.tolist() for d in docs] and val == []


def test_two_files_are_two_documents(run, tmp_path):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("a b c d", encoding="utf-8")
    two.write_text("e f g", encoding="utf-8")
    result = run("train", "--filepath", one, "--filepath", two, "--epochs", "1", "--quiet")
    assert result.exit_code == 0, result.output
    model = tlm.load("model.json")
    assert model.vocab == [*"abcdefg"]
    assert model.info["sources"] == [str(one), str(two)]
    # no context spans the two files: 4-2 + 3-2 = 3 examples, not 7-2 = 5
    documents = [model.vocabulary.encode(list("abcd")), model.vocabulary.encode(list("efg"))]
    assert len(model.prepare(documents)[1]) == 3


def test_interact_after_training(run, chuck):
    result = run("train", "--filepath", chuck, "--interact",
                 input="model.E.shape\nprint(W.shape, b.shape)\nvocab[:3]\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[5] == "Model saved to model.json"
    assert lines[6:9] == [">>> (11, 32)", ">>> (32, 11) (11,)", ">>> ['a', 'all', 'chuck']"]
    assert "tlm shell" in result.stderr  # the banner (the console writes it to stderr)


def test_no_progress_bar_when_output_is_not_a_terminal(run, chuck, monkeypatch):
    # a clock that jumps 10 s at every reading, so the bar would be due at once
    clock = itertools.count(0.0, 10.0)
    monkeypatch.setattr(tlm.cli, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    result = run("train", "--filepath", chuck, "--batch-size", "2", "--seed", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(EPOCH_LINE.fullmatch(line) for line in lines[:-1]), lines
    assert lines[-1] == "Model saved to model.json" and len(lines) == 6
    assert not any(ch in result.output for ch in "#%[]\r\x1b")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_on_a_terminal_is_clicks_for_the_whole_run_and_is_wiped(monkeypatch):
    clock = iter([0.0, 30.0, 31.0, 40.0, 41.0, 42.0])
    monkeypatch.setattr(tlm.cli, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    screen = Terminal()
    with tlm.cli.TrainingOutput(file=screen) as out:  # started at 0 s
        out.update(Progress(2, 4, 50, 100))    # 3/8 of the run
        out.update(Progress(2, 4, 100, 100))   # half
        out.epoch_line(SimpleNamespace(config=SimpleNamespace(epochs=4)), Epoch(2, 1.5))
    text = screen.getvalue()
    assert "Epoch 2/4 [#######-------------]  37%" in text  # click's bar
    assert "\x1b[?25l [" not in text  # never a bar without its epoch
    assert "Epoch 2/4 [##########----------]" in text and "50%" in text
    assert "elapsed 00:30" in text and "elapsed 00:31" in text  # the whole run's time
    assert "\r\x1b[2KEpoch 2/4 loss=1.5000\n" in text  # the bar wiped for the epoch line
    assert text.endswith("\r\x1b[2K\x1b[?25h")  # wiped at the end, the cursor shown again


def test_no_bar_when_not_a_terminal():
    screen = io.StringIO()
    with tlm.cli.TrainingOutput(file=screen) as out:
        out.update(Progress(2, 4, 50, 100))
        out.epoch_line(SimpleNamespace(config=SimpleNamespace(epochs=4)), Epoch(2, 1.5))
    assert screen.getvalue() == "Epoch 2/4 loss=1.5000\n"


def test_fit_prints_nothing_and_reports_through_callbacks(chuck, capsys):
    epochs, batches = [], []
    result = tlm.train.fit("embedding", [str(chuck)], transforms=["lower"], epochs=2, seed=3,
                           dim=4, batch_size=8, on_epoch=lambda m, e: epochs.append((m, e)),
                           on_batch=batches.append)
    assert capsys.readouterr() == ("", "")
    assert result.epochs_done == 2 and not result.interrupted
    assert [e["epoch"] for _, e in epochs] == [1, 2] and epochs[0][0] is result.model
    assert [e for _, e in epochs] == result.history
    n = batches[0].total  # 30 examples: batches of 8, 8, 8, 6 per epoch
    assert [(b.epoch, b.done) for b in batches] == [
        (1, 8), (1, 16), (1, 24), (1, n), (2, 8), (2, 16), (2, 24), (2, n)]
    assert batches[-1].fraction == 1.0 and batches[3].fraction == 0.5
    assert result.model.E.shape == (11, 4)
    assert result.model.info["transforms"] == ["lower"]


# -- Ctrl-C ------------------------------------------------------------------------------


def interrupt_in_epoch_3(monkeypatch) -> list[int]:
    """Send a real SIGINT to this process in the 20th step (epoch 3 at batch size 4)."""
    calls: list[int] = []
    step = EmbeddingModel._step

    def interrupted_step(self, *batch, lr):
        calls.append(len(batch[0]))
        if len(calls) == 20:  # 8 batches of at most 4 per epoch: this is in epoch 3
            os.kill(os.getpid(), signal.SIGINT)
        return step(self, *batch, lr=lr)

    monkeypatch.setattr(EmbeddingModel, "_step", interrupted_step)
    return calls


def test_ctrl_c_keeps_the_model_trained_so_far(run, chuck, tmp_path, monkeypatch,
                                               one_line_error):
    previous_handler = signal.getsignal(signal.SIGINT)
    calls = interrupt_in_epoch_3(monkeypatch)
    out = tmp_path / "new.json"
    result = run("train", "--filepath", chuck, "--batch-size", "4", "--epochs", "5",
                 "--seed", "3", "--output", out)

    line = one_line_error(result, "interrupted", str(out), "2 of 5", code=130)
    assert "saved" in line and "and 16 of 30 examples of epoch 3" in line
    assert len(calls) == 20  # stopped right after the batch it was in
    assert signal.getsignal(signal.SIGINT) is previous_handler
    assert [EPOCH_LINE.fullmatch(x)[1] for x in result.stdout.splitlines()] == ["1", "2"]
    assert "Model saved" not in result.stdout

    kept = tlm.load(out)  # the arrays hold 4 batches of epoch 3, and the history says so
    assert [e["epoch"] for e in kept.history] == [1, 2, 3]
    part = kept.history[-1]
    assert (part["interrupted_after"], part["of"]) == (16, 30)
    assert not any("interrupted_after" in e for e in kept.history[:2])
    assert kept.config.seed == 3
    untrained = EmbeddingModel.init_arrays(11, kept.config, tlm.train.random_streams(3)[0])
    assert not np.allclose(kept.E, untrained["E"])  # the 20 steps are in it
    info = run("info", "--model", out).stdout
    assert "Epoch 3/5 loss=" in info and "(interrupted after 16 of 30 examples)" in info


def test_ctrl_c_never_replaces_an_existing_model(run, chuck, model_file, monkeypatch,
                                                 one_line_error, unchanged):
    """An interrupted run saves beside an existing --output (model.partial.json)."""
    still = unchanged([model_file])
    interrupt_in_epoch_3(monkeypatch)
    result = run("train", "--filepath", chuck, "--batch-size", "4", "--epochs", "5",
                 "--seed", "3", "--output", model_file)
    partial = model_file.with_name("model.partial.json")
    one_line_error(result, "interrupted", "2 of 5", str(partial), f"{model_file} is unchanged",
                   code=130)
    info = run("info", "--model", partial).stdout
    assert "epochs=5" in info and "Epoch 2/5" in info and "Epoch 4/5" not in info
    partial.unlink()  # (unchanged() also checks that nothing else appeared)
    still()


def test_a_partial_file_that_is_not_a_model_is_named_before_training(run, chuck, model_file,
                                                                     one_line_error):
    model_file.with_name("model.partial.json").write_text("my notes\n")
    one_line_error(run("train", "--filepath", chuck, "--output", model_file),
                   "the file for an interrupted run", "model.partial.json", "not a tlm model")


def test_initial_arrays_and_training_draw_from_separate_streams(chuck):
    init, training = tlm.train.random_streams(7)
    assert not np.allclose(init.random(8), training.random(8))
    again_init, again_training = tlm.train.random_streams(7)  # and each is repeatable
    init, training = tlm.train.random_streams(7)
    assert np.array_equal(init.random(8), again_init.random(8))
    assert np.array_equal(training.random(8), again_training.random(8))
    corpus = load_corpus([str(chuck)], [], [])
    model, _ = tlm.train.build_model("skipgram", corpus, {"seed": 7, "min_count": 1})
    expected = SkipGramModel.init_arrays(11, model.config, tlm.train.random_streams(7)[0])
    np.testing.assert_array_equal(model.E, expected["E"])  # from the first stream


# -- bad input ---------------------------------------------------------------------------


def write_bad_inputs(folder: Path) -> dict[str, Path]:
    files = {
        "empty": folder / "empty.txt",
        "blank": folder / "blank.txt",
        "binary": folder / "image.png",
        "latin1": folder / "latin1.txt",
        "punct": folder / "punct.txt",
        "short": folder / "short.txt",
        "folder": folder / "texts",
    }
    files["empty"].write_bytes(b"")
    files["blank"].write_text("  \n\n\t \n", encoding="utf-8")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01" + bytes(range(256)))
    files["latin1"].write_bytes("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e".encode("latin-1"))
    files["punct"].write_text("!!! ... ??? --", encoding="utf-8")
    files["short"].write_text("how much", encoding="utf-8")
    files["folder"].mkdir()
    return files


BAD_TRAIN = [
    # (id, arguments after `train`, key words of the error line)
    ("missing file", ["--filepath", "{tmp}/no-such.txt"], ["not found", "no-such.txt"]),
    ("empty file", ["--filepath", "{empty}"], ["empty.txt", "empty"]),
    ("blank file", ["--filepath", "{blank}"], ["blank.txt", "empty"]),
    ("binary file", ["--filepath", "{binary}"], ["image.png", "binary"]),
    ("folder", ["--filepath", "{folder}"], ["texts", "folder"]),
    ("not UTF-8", ["--filepath", "{latin1}"], ["latin1.txt", "UTF-8"]),
    ("one good one bad", ["--filepath", "{chuck}", "--filepath", "{binary}"], ["binary"]),
    ("nothing left", ["--filepath", "{punct}", "-t", "alpha"], ["punct.txt", "no tokens"]),
    ("no text", [], ["--filepath", "--gutenberg"]),
    ("unknown transform", ["--filepath", "{chuck}", "-t", "upper"], ["transform", "upper"]),
    ("unknown model", ["--filepath", "{chuck}", "--model", "gpt"], ["--model", "gpt"]),
    ("shorter than window", ["--filepath", "{short}"], ["too short", "2 words", "context"]),
    ("window too big", ["--filepath", "{chuck}", "--context-window", "40"],
     ["too short", "32 words", "--context-window 40"]),
    ("val too short", ["--filepath", "{chuck}", "--val-fraction", "0.05"],
     ["held-out", "too short"]),
    ("epochs 0", ["--filepath", "{chuck}", "--epochs", "0"], ["--epochs", "positive"]),
    ("epochs -1", ["--filepath", "{chuck}", "--epochs", "-1"], ["--epochs", "positive"]),
    ("dim 0", ["--filepath", "{chuck}", "--dim", "0"], ["--dim", "positive"]),
    ("dim -5", ["--filepath", "{chuck}", "--dim", "-5"], ["--dim", "positive"]),
    ("lr 0", ["--filepath", "{chuck}", "--lr", "0"], ["--lr", "positive"]),
    ("lr -0.1", ["--filepath", "{chuck}", "--lr", "-0.1"], ["--lr", "positive"]),
    ("lr nan", ["--filepath", "{chuck}", "--lr", "nan"], ["--lr", "positive"]),
    ("lr inf", ["--filepath", "{chuck}", "--lr", "inf"], ["--lr", "positive"]),
    ("batch 0", ["--filepath", "{chuck}", "--batch-size", "0"], ["--batch-size", "positive"]),
    ("batch -8", ["--filepath", "{chuck}", "--batch-size", "-8"], ["--batch-size", "positive"]),
    ("window 0", ["--filepath", "{chuck}", "--context-window", "0"],
     ["--context-window", "positive"]),
    ("window -2", ["--filepath", "{chuck}", "--context-window", "-2"],
     ["--context-window", "positive"]),
    ("min-count 0", ["--filepath", "{chuck}", "--min-count", "0"], ["--min-count", "positive"]),
    ("min-count too high", ["--filepath", "{chuck}", "--min-count", "100"], ["--min-count 100"]),
    ("val-fraction 1", ["--filepath", "{chuck}", "--val-fraction", "1"], ["--val-fraction"]),
    ("val-fraction 1.5", ["--filepath", "{chuck}", "--val-fraction", "1.5"], ["--val-fraction"]),
    ("val-fraction -0.1", ["--filepath", "{chuck}", "--val-fraction", "-0.1"], ["--val-fraction"]),
    ("val-fraction nan", ["--filepath", "{chuck}", "--val-fraction", "nan"], ["--val-fraction"]),
    ("val-fraction word", ["--filepath", "{chuck}", "--val-fraction", "half"],
     ["--val-fraction", "half"]),
    ("epochs word", ["--filepath", "{chuck}", "--epochs", "many"], ["--epochs", "many"]),
    ("seed -1", ["--filepath", "{chuck}", "--seed", "-1"], ["--seed"]),
    ("huge dim", ["--filepath", "{chuck}", "--dim", "100000000000000000000"], ["dim"]),
    ("unknown option", ["--filepath", "{chuck}", "--colour", "red"], ["--colour"]),
    ("output is a folder", ["--filepath", "{chuck}", "--output", "{folder}"],
     ["--output", "folder"]),
    ("output folder missing", ["--filepath", "{chuck}", "--output", "{tmp}/nowhere/m.json"],
     ["--output", "does not exist"]),
    ("output is the text", ["--filepath", "{chuck}", "--output", "{chuck}"],
     ["--output", "an input of this command"]),
]


@pytest.mark.parametrize(
    "args, keywords", [c[1:] for c in BAD_TRAIN], ids=[c[0] for c in BAD_TRAIN]
)
def test_bad_train_input(run, tmp_path, chuck, model_file, one_line_error, unchanged,
                         args, keywords):
    files = write_bad_inputs(tmp_path)
    names = {k: str(v) for k, v in files.items()} | {"chuck": str(chuck), "tmp": str(tmp_path)}
    argv = [a.format(**names) for a in args]
    if "--output" not in argv:
        argv += ["--output", str(model_file)]
    still = unchanged([model_file, chuck, *[f for f in files.values() if f.is_file()]])
    result = run("train", *argv)
    one_line_error(result, *keywords)
    still()


@pytest.mark.filterwarnings("error")  # a numpy RuntimeWarning would be a second stderr line
@pytest.mark.parametrize("lr", ["1e30", "1e5", "1e38"])
def test_learning_rate_that_blows_up(run, chuck, model_file, one_line_error, unchanged, lr):
    still = unchanged([model_file])
    result = run("train", "--filepath", chuck, "--lr", lr, "--epochs", "20", "--seed", "1",
                 "--output", model_file)
    line = one_line_error(result, "loss", "learning rate", "--lr")
    assert "nan" in line or "inf" in line
    still()


def test_blow_up_in_the_last_step_is_not_saved(run, chuck, tmp_path, one_line_error):
    """A step can overflow the arrays after computing a finite loss; if it was the
    last one, nothing would notice before saving a model full of inf/NaN."""
    result = run("train", "--filepath", chuck, "--lr", "1e38", "--epochs", "1", "--seed", "1",
                 "--output", "new.json")
    one_line_error(result, "learning rate")
    assert not (tmp_path / "new.json").exists()


def test_option_that_does_not_apply_to_the_model(run, chuck, model_file, one_line_error,
                                                 unchanged):
    # the library names the option and the model
    with pytest.raises(TlmError, match="--negative does not apply to the embedding model"):
        tlm.train.fit("embedding", [str(chuck)], negative=5)
    # through the command line: every `tlm train` option that some model has no setting for
    command = tlm.cli.cli.commands["train"]
    general = {"filepaths", "gutenberg", "transforms", "model_type", "output", "interact", "quiet",
               "snapshots"}  # --snapshots: any model with vectors (tests/test_snapshots.py)
    pairs = []
    for param in command.params:
        if not isinstance(param, click.Option) or param.name in general:
            continue
        value = param.type.choices[0] if isinstance(param.type, click.Choice) else "3"
        given = [] if param.is_flag else [value]  # a flag (--tie) takes no value
        for kind, cls in MODELS.items():
            if kind == "embedding" and param.name in ("combine", "hidden"):
                continue  # --combine concat or --hidden: the mlp; --combine mean: the course's
            if param.name not in cls.Config.__dataclass_fields__:
                pairs.append((kind, param.opts[-1], given))
    for kind, option, given in pairs:
        still = unchanged([model_file])
        result = run("train", "--filepath", chuck, "--model", kind, option, *given,
                     "--output", model_file)
        one_line_error(result, option, "does not apply", kind)
        still()


def test_no_output_file_on_failure(run, tmp_path, one_line_error):
    """A run that fails writes nothing, not even an empty model.json."""
    result = run("train", "--filepath", tmp_path / "missing.txt")
    one_line_error(result, "not found")
    assert not (tmp_path / "model.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_library_errors_are_tlm_errors(chuck):
    with pytest.raises(TlmError, match="--epochs"):
        tlm.train.fit("embedding", [str(chuck)], epochs=0)
    with pytest.raises(TlmError, match="unknown model"):
        tlm.train.fit("gpt", [str(chuck)])


def test_usage_errors_are_one_line(run, one_line_error):
    one_line_error(run("--no-such-option"), "--no-such-option", code=2)
    one_line_error(run("no-such-command"), "no-such-command", code=2)
    one_line_error(run("train", "--epochs"), "--epochs", code=2)


def _commands(group: click.Group, name: str):
    for sub, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, f"{name} {sub}")
        else:
            yield f"{name} {sub}", command


def test_help_shows_every_options_default():
    """Every option of every command says its default in --help: shown by click, or
    'default' in its help text. Flags (off) and repeatable options (none) need not."""
    from tlm.cli import cli
    from tlm.wp import cli as wp

    silent = []
    for name, command in [*_commands(cli, "tlm"), *_commands(wp, "wp"), ("wp", wp)]:
        for option in command.params:
            if not isinstance(option, click.Option) or option.is_flag or option.multiple:
                continue
            if not (option.show_default or "default" in (option.help or "").lower()):
                silent.append(f"{name} {option.opts[-1]}")
    assert silent == []


def test_train_help_has_the_learning_rate_and_batch_defaults(run):
    text = " ".join(run("train", "--help").stdout.split())
    assert ("embedding default 3/256 = 0.0117, or 0.15 on a text with fewer examples than one "
            "batch, which is trained one example at a time") in text
    assert "skipgram 0.025, decaying linearly" in text
    assert "default: embedding 256, skipgram 2048" in text


def test_python_m_tlm_lists_the_commands_in_a_learners_order_whole():
    """Issue 19: `python -m tlm` is `tlm`; its help lists train, generate, info first,
    each description its whole first sentence (none cut off with "...")."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "tlm", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: tlm ")
    commands = done.stdout.split("Commands:\n")[1]
    names = [line.split()[0] for line in commands.splitlines() if line[:3].strip()]
    assert names == list(tlm.cli.ORDER)
    assert "..." not in commands
    assert "Summarise a model: type, vocabulary, arrays, settings, loss history." in " ".join(
        commands.split())


def test_transform_help_says_what_each_does(run):
    text = " ".join(run("train", "--help").stdout.split())
    assert "lower makes every word lower case" in text and "alpha drops every word" in text


def test_a_model_file_is_not_a_text_to_train_on(run, chuck, one_line_error, unchanged):
    """Issue 19: `--output chuck.txt` in a folder without chuck.txt writes a model
    named chuck.txt; training on it again is a one-line error, not 896 JSON words."""
    assert run("train", "--filepath", "chuck.txt", "--output", "m.txt", "--quiet").exit_code == 0
    still = unchanged([Path("m.txt")])
    one_line_error(run("train", "--filepath", "m.txt"), "m.txt", "tlm model file",
                   "not a text")
    assert not Path("model.json").exists()
    still()
