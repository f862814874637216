"""Real signals sent to a real `tlm` process (the console script's own entry
point, in a subprocess): Ctrl-C at start-up, in training, twice, and during the
save of a model big enough for the save to take a moment; SIGKILL during a save;
SIGTERM (what `kill` sends) in training, in its save and in another command.
Every Ctrl-C ends with one line on stderr and exit 130, and no model is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CHUCK_TEXT, REPO, digest

import tlm

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ENTRY = "from tlm.console import tlm; tlm()"  # what the installed `tlm` script runs


def spawn(*args: str | Path, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-c", ENTRY, *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_line(proc: subprocess.Popen, start: str, timeout: float = 60) -> list[str]:
    """Read stdout until a line starts with `start`; returns the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(start):
            return lines
    proc.kill()
    raise AssertionError(f"no line {start!r}: {lines} {proc.stderr.read()}")


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def one_line(err: str, *words: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture
def chuck(tmp_path: Path) -> Path:
    path = tmp_path / "chuck.txt"
    path.write_text(CHUCK_TEXT)
    return path


@pytest.fixture
def many_words(tmp_path: Path) -> Path:
    """A text of 15,000 different words: a skip-gram of 2 x 15,000 x 200 numbers
    is a 32 MB file, which takes a moment to encode, write and flush."""
    path = tmp_path / "words.txt"
    words = [f"w{i}" for i in range(15_000)]
    path.write_text(" ".join(words + words[::-1]) + "\n")
    return path


BIG_SKIPGRAM = ["--model", "skipgram", "--dim", "200", "--epochs", "1", "--window", "1",
                "--negative", "1", "--sample", "0", "--min-count", "1", "--seed", "1"]


def test_ctrl_c_while_starting(tmp_path, chuck):
    """SIGINT as soon as numpy is being loaded (the imports): one line, exit 130.
    (Should numpy come later, the signal lands in the command: one line, 130 too.)"""
    proc = spawn("train", "--filepath", chuck, "--epochs", "100000", cwd=tmp_path)
    maps = Path(f"/proc/{proc.pid}/maps")
    if not maps.exists():
        proc.kill()
        pytest.skip("needs /proc to see the imports happen")
    deadline = time.monotonic() + 30
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if "numpy" in maps.read_text():
                break
        except OSError:
            pass
        time.sleep(0.001)
    proc.send_signal(signal.SIGINT)
    code, out, err = finish(proc)
    assert code == 130, (code, err)
    one_line(err, "Interrupted")


def test_ctrl_c_in_training_then_again(tmp_path, chuck, trained):
    """Two Ctrl-C in training: one line, exit 130, and the existing model untouched."""
    out = tmp_path / "model.json"
    out.write_bytes(trained.read_bytes())
    before = digest(out)
    proc = spawn("train", "--filepath", chuck, "--epochs", "100000", "--output", out,
                 cwd=tmp_path)
    wait_for_line(proc, "Epoch 3/")
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    code, _, err = finish(proc)
    assert code == 130
    one_line(err, "Interrupted")
    assert digest(out) == before
    partial = tmp_path / "model.partial.json"
    if partial.exists():  # the second Ctrl-C came after the loop had stopped: it waited
        assert "model.partial.json" in err
        assert tlm.load(partial).history


def test_ctrl_c_during_the_final_save_finishes_the_save(tmp_path, many_words):
    out = tmp_path / "big.json"
    proc = spawn("train", "--filepath", many_words, *BIG_SKIPGRAM, "--output", out,
                 cwd=tmp_path)
    wait_for_line(proc, "Epoch 1/1")  # training is over; the save begins
    proc.send_signal(signal.SIGINT)
    code, stdout, err = finish(proc)
    assert code == 130, err
    one_line(err, "Interrupted", "the save finished first")
    assert f"Model saved to {out}" in stdout
    model = tlm.load(out)
    assert model.E.shape == (15_000, 200) and len(model.history) == 1


def test_sigterm_in_training_is_ctrl_c(tmp_path, chuck):
    """`kill` in training: the model trained so far is saved, one line, exit 130."""
    out = tmp_path / "model.json"
    proc = spawn("train", "--filepath", chuck, "--epochs", "100000", "--output", out,
                 cwd=tmp_path)
    wait_for_line(proc, "Epoch 3/")
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc)
    assert code == 130, err
    one_line(err, "Interrupted", "saved the model trained so far", str(out))
    assert len(tlm.load(out).history) >= 3
    assert not list(tmp_path.glob(".*.tmp"))


def test_sigterm_during_the_final_save_finishes_the_save(tmp_path, many_words):
    out = tmp_path / "big.json"
    proc = spawn("train", "--filepath", many_words, *BIG_SKIPGRAM, "--output", out,
                 cwd=tmp_path)
    wait_for_line(proc, "Epoch 1/1")
    proc.send_signal(signal.SIGTERM)
    code, stdout, err = finish(proc)
    assert code == 130, err
    one_line(err, "Interrupted", "the save finished first")
    assert tlm.load(out).E.shape == (15_000, 200)
    assert not list(tmp_path.glob(".*.tmp"))


def test_sigterm_outside_training_ends_quietly_with_143(tmp_path, trained):
    """Elsewhere SIGTERM ends the command as a shell expects, 128 + 15, with no
    traceback: here `generate` streaming a long text."""
    proc = spawn("generate", "--model", trained, "--length", "100000000", cwd=tmp_path)
    assert proc.stdout.read(1000)
    proc.send_signal(signal.SIGTERM)
    code, _, err = finish(proc)
    assert code == 143, err
    assert err == ""


def test_sigkill_during_a_save_leaves_the_old_model(tmp_path, many_words, trained):
    out = tmp_path / "big.json"
    out.write_bytes(trained.read_bytes())
    before = digest(out)
    proc = spawn("train", "--filepath", many_words, *BIG_SKIPGRAM, "--output", out,
                 cwd=tmp_path)
    wait_for_line(proc, "Epoch 1/1")
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".big.json.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.001)
    proc.kill()
    proc.communicate(timeout=60)
    assert digest(out) == before
    assert json.loads(out.read_text())["format"] == "tlm-model"
    tlm.load(out)


def test_the_console_scripts_set_the_handler_before_the_heavy_imports():
    """`tlm` and `wp` start in tlm/console.py, which imports neither numpy nor click
    before its Ctrl-C handler is set."""
    import tomllib

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"tlm": "tlm.console:tlm", "wp": "tlm.console:wp"}
    probe = ("import sys, tlm.console; "
             "print(sorted(m for m in ('numpy', 'click') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)), check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes on Linux")
def test_ctrl_c_while_workers_draw_the_atlas(tmp_path, trained):
    """Ctrl-C reaches the whole foreground process group, workers too: one line,
    exit 130, no page, and no worker left behind."""
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "atlas", "--model", str(trained), "--output", "a.html"],
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(REPO)), start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 60
    workers: list[str] = []
    while not workers and time.monotonic() < deadline and proc.poll() is None:
        workers = children.read_text().split() if children.exists() else []
        time.sleep(0.02)
    assert workers, "no worker process started"
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    code, out, err = finish(proc)
    assert code == 130, (out, err, workers)
    one_line(err, "Interrupted", "a.html was not written")
    assert not (tmp_path / "a.html").exists()
    time.sleep(0.5)
    assert [w for w in workers if Path(f"/proc/{w}").exists()] == []
