"""The shell opened by --interact: what it binds, its banner, and the standard
console reading commands piped to it (stdin is not a terminal in tests)."""

from __future__ import annotations

import io
import sys

import numpy as np

import tlm
from tlm import interact


def test_namespace_binds_the_model_and_numpy(model_file):
    model = tlm.load(model_file)
    ns = interact.namespace(model, text="wood chuck")
    assert ns["model"] is model and ns["np"] is np
    assert ns["E"] is model.E and ns["W"] is model.W and ns["b"] is model.b
    assert ns["vocab"] == model.vocab and ns["word_to_idx"] == model.word_to_idx
    assert ns["text"] == "wood chuck"


def test_banner_says_what_is_there(model_file):
    model = tlm.load(model_file)
    text = interact.banner(model, interact.namespace(model, text="x"))
    assert "an embedding model with 11 words and 32 dimensions" in text
    assert "E (11, 32)" in text and "W (32, 11)" in text
    for name in ("model", "np", "vocab", "word_to_idx", "text"):
        assert name in text
    without = interact.banner(model, interact.namespace(model)).splitlines()
    text_lines = [line for line in text.splitlines() if line.split()[:1] == ["text"]]
    assert len(text_lines) == 1 and text_lines[0] not in without  # only when there is text


def test_standard_console_runs_piped_commands(model_file, monkeypatch, capsys):
    model = tlm.load(model_file)
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "model.E.shape\n"
        "E[word_to_idx['chuck']].shape\n"
        "for w in vocab[:2]:\n    print(w)\n\n"
        "x = 1 +\n"   # a mistake is reported by the console, and it keeps going
        "print('still here')\n"))
    interact.interact(model)
    out, err = capsys.readouterr()
    assert "(11, 32)" in out and "(32,)" in out
    assert "a\nall" in out
    assert "SyntaxError" in err and "still here" in out
    assert "tlm shell" in err


def test_the_courses_calls_work_in_the_shell(model_file, monkeypatch, capsys):
    model = tlm.load(model_file)
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "h, p = model._forward(['how', 'much'])\n"
        "print(h.shape, p.shape, round(float(p.sum()), 4))\n"
        "model._forward(['how', 'muhc'])\n"   # an unseen word: one line, not a traceback
        "bool((onehot('chuck') @ model.E == vec('chuck')).all())\n"
        "abs(sim(vec('wood'), vec('chuck')) - sim('wood', 'chuck')) < 1e-6\n"  # vectors work too
        "print('still here')\n"))
    interact.interact(model)
    out, err = capsys.readouterr()
    assert f"(32,) ({len(model.vocab)},) 1.0" in out
    assert out.count(">>> True") == 2 and "still here" in out
    assert "Error: the model has never seen the word 'muhc'; closest: much\n" in err
    assert "Traceback" not in err
    assert "model._forward(['chuck', 'wood'])" in err  # the banner shows the call with words


def test_lazy_vectors_load_on_first_use(offline_pretrained):
    words = ["the", "king", "queen", "man", "woman", "prince", "cat", "dog", "wood", "chuck"]
    vectors = np.random.default_rng(0).normal(size=(len(words), 6)).astype(np.float32)
    offline_pretrained(words, vectors)
    lazy = interact.LazyVectors()
    assert "loads on first use" in repr(lazy)
    assert not hasattr(lazy, "_repr_html_")  # IPython's display probe: no load
    assert not lazy.loaded and "most_similar" not in dir(lazy)
    assert lazy.most_similar("king", topn=1)[0][0] in words
    assert "most_similar" in dir(lazy)
    assert lazy.loaded and "10 words x 6 dims" in repr(lazy)
    assert "queen" in lazy and len(lazy) == 10
    np.testing.assert_array_equal(lazy["cat"], vectors[words.index("cat")])
