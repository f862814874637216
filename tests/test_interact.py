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


# -- every helper takes what the banner shows; one line for a mistake --------------------------
GLOVE_WORDS = ["the", "king", "queen", "man", "woman", "prince", "cat", "dog", "wood", "chuck"]


def piped(monkeypatch, capsys, ns, banner, lines: str) -> tuple[str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    interact.start(ns, banner)
    return capsys.readouterr()


def test_helpers_take_vectors_and_a_wrong_argument_is_one_line(model_file, offline_pretrained,
                                                               monkeypatch, capsys):
    vectors = np.random.default_rng(3).normal(size=(len(GLOVE_WORDS), 50)).astype(np.float32)
    offline_pretrained(GLOVE_WORDS, vectors)
    model = tlm.load(model_file)
    ns = interact.namespace(model)
    out, err = piped(monkeypatch, capsys, ns, interact.banner(model, ns), (
        "analogy('man', 'king', 'woman', vectors=glove)[0][0] in vocab\n"
        "len(neighbors('king', k=3, vectors=glove))\n"
        "neighbors('king', kk=3)\n"
        "neighbors(glove['king'] - glove['man'] + glove['woman'], k=5)\n"
        "explore.background(glove).cos.shape\n"
        "print('still here')\n"))
    assert ">>> False" in out and ">>> 3" in out and "(5000,)" in out and "still here" in out
    lines = [line for line in err.splitlines() if line.startswith(("Error", ">>> Error"))]
    assert len(lines) == 2 and "Traceback" not in err
    assert "kk" in lines[0] and "neighbors(x, k=10)" in lines[0]
    # the query has 50 numbers, the model 32: said that way round
    assert "a vector of 32 numbers (as these vectors have), not one of 50" in lines[1]


def test_explore_takes_a_table_first_as_in_python(offline_pretrained):
    from tlm import explore as ex

    kv = interact.LazyVectors()
    offline_pretrained(GLOVE_WORDS, np.random.default_rng(1).normal(size=(10, 6)))
    ns = interact.vectors_namespace(kv.load(), "glove-wiki-gigaword-50")
    shell = ns["explore"].background(ns["glove"])
    assert np.array_equal(shell.cos, ex.background(ns["glove"]).cos)
    assert ns["explore"].background(ns["glove"], 10).cos.shape == (10,)  # n after the table
    assert ns["explore"].background(n=10).cos.shape == (10,)


def test_a_word_spelt_otherwise_says_which_word_was_used(trained_lower, monkeypatch, capsys):
    model = tlm.load(trained_lower)  # -t lower: 'how', not 'How'
    ns = interact.namespace(model)
    out, err = piped(monkeypatch, capsys, ns, "", (
        "wi = model.word_to_idx\n"
        "E[wi['How']]\n"
        "vec('How').shape\n"
        "'how' in wi and isinstance(wi, dict)\n"))
    assert "Error: 'How' is not in the vocabulary; did you mean 'how'?" in err
    assert "Traceback" not in err
    assert "(used 'how': the vectors have no 'How')" in out
    assert ">>> True" in out
    try:
        model.word_to_idx["How"]
    except KeyError as e:  # still a KeyError for code that catches one
        assert "did you mean 'how'" in str(e)
