"""Issue 20, class 1: outputs a user did not ask to lose. Every command that writes
refuses a file of another kind (without --force), a system file however it is
named, and says so in one line before any work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEXT = "how much wood would a wood chuck chuck\n"

# (command and its options before --output, where --output points, key words)
# The target is made by `make(tmp_path)`: a text, a link to a text, a system file.
COMMANDS = {
    "atlas": ["atlas", "--model", "model.json"],
    "export": ["export", "--model", "model.json"],
    "train": ["train", "--filepath", "chuck.txt", "--epochs", "1", "--quiet"],
    "png": ["explore", "norms", "--model", "model.json"],
}


def text(tmp: Path) -> str:
    (tmp / "mine.txt").write_text(TEXT)
    return "mine.txt"


def link_to_text(tmp: Path) -> str:
    (tmp / "mine.txt").write_text(TEXT)
    (tmp / "page.html").symlink_to(tmp / "mine.txt")
    return "page.html"


def link_to_stdout(tmp: Path) -> str:
    (tmp / "out.txt").symlink_to("/proc/self/fd/1")
    return "out.txt"


def link_chain_through_dev(tmp: Path) -> str:
    (tmp / "a").symlink_to("/dev/stdout")
    (tmp / "b").symlink_to(tmp / "a")
    return "b"


CASES = [
    ("atlas", text, ["mine.txt", "not a tlm atlas page", "--force"]),
    ("atlas", link_to_text, ["page.html", "not a tlm atlas page"]),
    ("atlas", lambda tmp: "/proc/self/fd/1", ["system file"]),
    ("atlas", lambda tmp: "/dev/stdout", ["system file"]),
    ("atlas", link_to_stdout, ["system file", "/proc/self/fd/1"]),
    ("atlas", lambda tmp: "model.json", ["model file"]),
    ("export", lambda tmp: "/proc/self/fd/1", ["system file"]),
    ("export", link_chain_through_dev, ["system file", "/dev/stdout"]),
    ("export", lambda tmp: "/dev/fd/1", ["system file"]),
    ("train", lambda tmp: "/proc/self/fd/1", ["system file"]),
    ("train", link_to_stdout, ["system file"]),
    ("train", link_to_text, ["not a tlm model file"]),
    ("png", lambda tmp: "/proc/self/fd/2", ["system file"]),
    ("png", text, ["not a PNG picture"]),
]


@pytest.mark.parametrize(("command", "make", "words"), CASES)
def test_refused_before_the_work(run, model_file, chuck, tmp_path, one_line_error,
                                 command, make, words):
    target = make(tmp_path)
    keep = [p for p in tmp_path.iterdir() if p.is_file() and not p.is_symlink()]
    before = {p: p.read_bytes() for p in keep}
    option = "--png" if command == "png" else "--output"
    one_line_error(run(*COMMANDS[command], option, target), *words)
    for p, data in before.items():
        assert p.read_bytes() == data
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


def test_atlas_force_replaces_a_text_and_a_page_replaces_a_page(run, model_file, tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text(TEXT)
    result = run("atlas", "--model", model_file, "--output", mine, "--force", "-n", "20")
    assert result.exit_code == 0, result.output + result.stderr
    assert mine.read_text().startswith("<!DOCTYPE html>")
    again = run("atlas", "--model", model_file, "--output", mine, "-n", "20")  # no --force
    assert again.exit_code == 0, again.stderr


def test_dev_shm_is_an_ordinary_folder():
    from tlm import writing

    if not os.path.isdir("/dev/shm") or not os.access("/dev/shm", os.W_OK):
        pytest.skip("no writable /dev/shm")
    path = Path("/dev/shm") / f"tlm-test-{os.getpid()}.txt"
    try:
        writing.atomic_write(path, lambda f: f.write(b"x"), writing.EXPORT)
        assert path.read_bytes() == b"x"
    finally:
        path.unlink(missing_ok=True)
