"""Issue 20, class 0: text from a file never drives the terminal. Words, tokens,
file names and model fields are printed with control characters made visible
(tlm/terminal.py), by every command that prints them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import cli_runner, write_vectors
from tlm.cli import cli
from tlm.terminal import visible, visible_word

# (text, what it is shown as)
SHOWN = [
    ("wood", "wood"),
    ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),          # retitles the window
    ("\x1b]52;c;aGk=\x07", "\\x1b]52;c;aGk=\\x07"),      # OSC 52: writes the clipboard
    ("\x1b[2J", "\\x1b[2J"),                             # clears the screen
    ("\x9b31m", "\\x9b31m"),                             # C1 CSI
    ("a\rb", "a\\rb"),                                   # overwrites the line
    ("\x7f", "\\x7f"),
    ("evil\u202etxt", "evil\\u202etxt"),                 # turns the line around
    ("\u200b", "\\u200b"),                               # zero width
    ("\ud800", "\\ud800"),                               # a lone surrogate: printable now
    ("caf\u00e9 \u0436 \U0001f600", "caf\u00e9 \u0436 \U0001f600"),  # letters and emoji stay
    ("back\\slash", "back\\slash"),
]


@pytest.mark.parametrize(("text", "shown"), SHOWN)
def test_visible(text, shown):
    assert visible(text) == shown
    visible(text).encode("utf-8")


def test_tlm_lines_stay_and_a_word_shows_its_line_breaks():
    assert visible("a\nb\tc") == "a\nb\tc"
    assert visible_word("a\nb") == "a\\nb"


HOSTILE = "\x1b]52;c;aGk=\x07"


@pytest.fixture
def hostile_model(tmp_path, trained):
    d = json.loads(trained.read_text())
    d.pop("checksum")
    d["vocab"]["words"] = [HOSTILE if w == "wood" else w for w in d["vocab"]["words"]]
    d["info"]["note"] = "\x1b[2J"
    d["info"]["sources"] = ["\x1b]0;title\x07.txt"]
    path = tmp_path / "m\x1b[31m.json"
    path.write_text(json.dumps(d))
    return path


@pytest.mark.parametrize("command", [
    ["info"],
    ["generate", "--length", "200", "--seed", "1", "--temperature", "0"],
    ["generate", "--length", "200", "--seed", "1", "--prompt", "chuck"],
    ["compare", "chuck", "--pretrained", "{model}"],
    ["explore", "neighbors", "chuck"],
    ["explore", "norms"],
    ["export", "--output", "{tmp}/out.txt"],
    ["generate", "--prompt", "\x1b]0;x\x07", "--length", "2"],
])
def test_no_escape_reaches_the_terminal(hostile_model, tmp_path, command):
    args = [a.format(model=hostile_model, tmp=tmp_path) for a in command]
    result = cli_runner().invoke(cli, [*args, "--model", str(hostile_model)])
    everything = result.output + result.stderr
    assert "\x1b" not in everything and "\x07" not in everything, everything
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_wp_shows_a_hostile_word(tmp_path):
    from tlm.wp import cli as wp

    words = ["king", HOSTILE, "queen"]
    path = write_vectors(tmp_path / "v.txt", words, np.eye(3) + 0.1)
    result = cli_runner().invoke(wp, ["--vectors", str(path), "similar", "king"])
    assert result.exit_code == 0, result.output + result.stderr
    assert "\\x1b]52" in result.output and "\x1b" not in result.output
