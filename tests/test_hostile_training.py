"""Issue 20, class 1: what happens to a training run's output while it trains.
Ctrl-C (and SIGTERM, which a training run takes as Ctrl-C) saves the model
trained so far; a save that cannot be made is said in one line with exit 130
(interrupted) or 1; the output folder vanishing mid-run is never exit 0."""

from __future__ import annotations

import errno
import os
import shutil
import signal
from pathlib import Path

import pytest

import tlm
from tlm import writing

LONG = "how much wood would a wood chuck chuck if a wood chuck could chuck wood\n" * 40


@pytest.fixture
def text(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(LONG)
    return path


def signal_after_first_batch(monkeypatch, signum):
    """Send `signum` to this process from inside the first training batch."""
    from tlm import train

    real = train.train
    sent = []

    def train_and_signal(*args, on_batch=None, **kwargs):
        def batch(progress):
            if not sent:
                sent.append(signum)
                os.kill(os.getpid(), signum)
            if on_batch is not None:
                on_batch(progress)
        return real(*args, on_batch=batch, **kwargs)

    monkeypatch.setattr(train, "train", train_and_signal)


def full_disk(monkeypatch):
    """No space anywhere: neither beside --output nor for a rescued copy."""
    def no_space(path, write):
        raise writing.TlmError(f"cannot write {path}: {os.strerror(errno.ENOSPC)}")
    monkeypatch.setattr(writing, "_write_temporary", no_space)
    monkeypatch.setattr(writing, "write_new", lambda name, write, folders: None)


# (the signal, is the disk full, an old model at --output, the exit code, words of the line)
CASES = [
    (signal.SIGINT, True, False, 130, ["could not be saved", "No space left", "nothing was"]),
    (signal.SIGINT, True, True, 130, ["could not be saved", "as it was"]),
    (signal.SIGTERM, True, False, 130, ["could not be saved"]),
    (signal.SIGTERM, False, False, 130, ["saved the model trained so far"]),
    (signal.SIGTERM, False, True, 130, ["model.partial.json", "unchanged"]),
    (signal.SIGINT, False, False, 130, ["saved the model trained so far"]),
]


@pytest.mark.parametrize(("signum", "disk_full", "old", "code", "words"), CASES)
def test_a_signal_while_training(run, text, tmp_path, monkeypatch, model_file, one_line_error,
                                 signum, disk_full, old, code, words):
    if not old:
        model_file.unlink()
    before = model_file.read_bytes() if old else None
    signal_after_first_batch(monkeypatch, signum)
    if disk_full:
        full_disk(monkeypatch)
    result = run("train", "--filepath", text, "--epochs", "3", "--batch-size", "8", "--quiet",
                 "--output", "model.json")
    line = one_line_error(result, *words, code=code)
    assert "Traceback" not in line
    if old:
        assert model_file.read_bytes() == before
    if not disk_full and not old:
        assert model_file.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL or callable(
        signal.getsignal(signal.SIGTERM))


def refused_in(folder, monkeypatch):
    """What a folder made read-only gives (root ignores the mode itself): EACCES for
    a new file there, from the one call that creates it."""
    real = writing.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real(*args, dir=dir, **kwargs)
    monkeypatch.setattr(writing.tempfile, "mkstemp", mkstemp)


def after_first_epoch(monkeypatch, action):
    from tlm import train

    real = train.train

    def train_then(*args, on_epoch=None, **kwargs):
        def epoch(model, entry):
            if entry.epoch == 1:
                action()
        return real(*args, on_epoch=epoch, **kwargs)
    monkeypatch.setattr(train, "train", train_then)


# what happens to the output folder once training has begun: removed, made read-only
FOLDER_CASES = {
    "removed": lambda out, mp: shutil.rmtree(out),
    "read-only": lambda out, mp: refused_in(out, mp),
    "replaced by a file": lambda out, mp: (shutil.rmtree(out), out.write_text("mine\n")),
}


@pytest.mark.parametrize("what", FOLDER_CASES)
def test_the_output_folder_fails_mid_training(run, text, tmp_path, monkeypatch, one_line_error,
                                              what):
    """The save fails (one line, exit 1), and the trained model is not lost: it is
    kept in a new file in the current folder, which the line names."""
    out = tmp_path / "runs"
    out.mkdir()
    after_first_epoch(monkeypatch, lambda: FOLDER_CASES[what](out, monkeypatch))
    result = run("train", "--filepath", text, "--epochs", "2", "--quiet",
                 "--output", out / "model.json")
    line = one_line_error(result, "cannot write", "model.json", "kept in", code=1)
    rescued = list(tmp_path.glob("model.rescued-*.json"))
    assert len(rescued) == 1 and str(rescued[0].name) in line
    assert len(tlm.load(rescued[0]).history) == 2
    if what == "replaced by a file":
        assert out.read_text() == "mine\n"


def test_nowhere_to_keep_the_model_says_so(run, text, tmp_path, monkeypatch, one_line_error):
    out = tmp_path / "runs"
    out.mkdir()
    full_disk(monkeypatch)
    result = run("train", "--filepath", text, "--epochs", "1", "--quiet",
                 "--output", out / "model.json")
    one_line_error(result, "No space left", "could not be kept anywhere", code=1)


def test_interrupted_and_the_folder_gone_keeps_the_model(run, text, tmp_path, monkeypatch,
                                                        one_line_error):
    out = tmp_path / "runs"
    out.mkdir()
    signal_after_first_batch(monkeypatch, signal.SIGINT)
    refused_in(out, monkeypatch)
    result = run("train", "--filepath", text, "--epochs", "3", "--batch-size", "8", "--quiet",
                 "--output", out / "model.json")
    line = one_line_error(result, "Interrupted", "could not be saved", "kept in", code=130)
    rescued = list(tmp_path.glob("model.rescued-*.json"))
    assert len(rescued) == 1 and rescued[0].name in line
    tlm.load(rescued[0])


def test_a_rescued_copy_replaces_nothing(tmp_path):
    """write_new creates; an existing file of any name stays as it was, a system
    folder or one that refuses is passed over, and none that takes it is None."""
    (tmp_path / "a").mkdir()
    mine = tmp_path / "a" / "model.json"
    mine.write_text("mine")
    got = writing.write_new("model.json", lambda f: f.write(b"new"),
                            ["/proc", tmp_path / "nope", tmp_path / "a"])
    assert got.parent == tmp_path / "a" and got.read_bytes() == b"new"
    assert mine.read_text() == "mine"
    assert writing.write_new("m.json", lambda f: f.write(b"x"), ["/proc", tmp_path / "no"]) is None


def test_six_trainings_on_one_output(tmp_path, chuck):
    """Six `tlm train` processes at once on one --output: each ends 0, one model is
    left (the last save, whole), and no partial file or temporary."""
    import json
    import subprocess
    import sys

    from tests.conftest import REPO

    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", "from tlm.console import tlm; tlm()",
                               "train", "--filepath", str(chuck), "--epochs", "2", "--quiet",
                               "--seed", str(i), "--output", "model.json"],
                              cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
             for i in range(6)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chuck.txt", "model.json"]
    assert json.loads((tmp_path / "model.json").read_text())["format"] == "tlm-model"


def test_sigterm_during_a_save_leaves_no_temporary(tmp_path):
    """Outside training, SIGTERM unwinds as SystemExit(143) (tlm/console.py): the save
    under way removes its half-written temporary and the old file stays."""
    from tlm import console

    old = signal.signal(signal.SIGTERM, console._terminated)
    target = tmp_path / "vectors.txt"
    target.write_text("the old file\n")

    def write(f):
        f.write(b"x" * 1_000_000)
        os.kill(os.getpid(), signal.SIGTERM)
        f.write(b"never")

    try:
        with pytest.raises(SystemExit) as stopped:
            writing.atomic_write(target, write, writing.EXPORT, force=True)
    finally:
        signal.signal(signal.SIGTERM, old)
    assert stopped.value.code == 143
    assert target.read_text() == "the old file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.txt"]
