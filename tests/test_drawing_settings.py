"""Issue 20's drawing class: tlm draws with its own settings whatever the user's
matplotlib configuration, every label is plain text (a `$` or `\\` in a word is
not mathematics), a character the font cannot draw is written as its code point
(never a box), and matplotlib's glyph warning never reaches the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pytest
from conftest import kv_of, write_vectors

from tlm import explore as ex
from tlm.analyses import _base, get

#: Words a hostile vocabulary may hold: mathematics, TeX, scripts the font lacks.
WORDS = ["$x^2$", "\\frac{a}{b}", "a$b", "$", "\\", "_x_", "^", "%", "{}", "$\\alpha$",
         "中文", "日本", "🙂", "\u0800", "x\u200by", "king"]

#: User configurations tlm's pictures must not depend on (a matplotlibrc's lines).
RC = [
    {"text.usetex": True},  # and no LaTeX installed
    {"axes.formatter.use_mathtext": True},
    {"font.family": ["no-such-font"]},
    {"text.parse_math": True, "text.usetex": True, "font.size": 1},
    {"axes.titlesize": 60, "xtick.labelsize": 50},
]


def hostile_kv():
    rng = np.random.default_rng(0)
    words = WORDS + [f"w{i}" for i in range(60)]
    return kv_of(words, rng.normal(size=(len(words), 12)))


def drawn_texts(fig):
    renderer = _base._renderer(fig)  # lays out: every tick label made
    texts = [t for t in fig.findobj(_base.Text) if t.get_visible() and t.get_text()]
    return renderer, texts


@pytest.mark.parametrize("word", WORDS)
def test_every_label_is_plain_text(word, tmp_path):
    kv = hostile_kv()
    fig = get("neighbors").draw({"a$b\\c": [ex.neighbors(kv, word, k=8)]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph warning would fail here
        _base.save(fig, tmp_path / "n.png")
    _, texts = drawn_texts(fig)
    assert all(not t.get_usetex() and not t.get_parse_math() for t in texts)
    shown = " ".join(" ".join(t.get_text().split()) for t in texts)  # titles wrap
    assert "nearest to" in shown and "a$b\\c" in shown
    assert "\u4e2d" not in shown and "\U0001f642" not in shown
    if word == "中文":
        assert "<U+4E2D>" in shown and "<U+6587>" in shown
    assert (tmp_path / "n.png").stat().st_size > 1000


@pytest.mark.parametrize("rc", RC, ids=lambda rc: ",".join(rc))
def test_users_matplotlib_settings_do_not_reach_the_picture(rc, tmp_path):
    kv = hostile_kv()
    with matplotlib.rc_context(rc):
        fig = get("numbers").draw({"v": ex.numbers(kv, ["king", "$x^2$", "中文", "w1"])})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _base.save(fig, tmp_path / "m.png")
        _, texts = drawn_texts(fig)
    assert all(not t.get_usetex() for t in texts)
    assert {t.get_fontsize() for t in texts} - {1} == {t.get_fontsize() for t in texts}


def test_plain_writes_what_the_font_lacks_as_code_points():
    assert _base.plain("$x$ \\a") == "$x$ \\a"
    assert _base.plain("中🙂") == "<U+4E2D><U+1F642>"
    assert _base.plain("a\x1b]0;t\x07") == "a<U+001B>]0;t<U+0007>"
    assert _base.plain("café") == "café"


def tlm_command(*args, env=None, cwd=None):
    code = "from tlm.console import tlm; tlm()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=120)


@pytest.mark.parametrize("env, rc", [({"MPLBACKEND": "bogus"}, ""),
                                     ({}, "text.usetex: True\nfont.family: no-such-font\n")],
                         ids=["MPLBACKEND=bogus", "matplotlibrc-usetex"])
def test_the_command_draws_whatever_the_configuration(env, rc, tmp_path):
    words = ["king", "queen", "$x$", "\\frac", "中文"] + [f"w{i}" for i in range(20)]
    vectors = write_vectors(tmp_path / "v.txt", words,
                            np.random.default_rng(0).normal(size=(len(words), 8)))
    if rc:
        (tmp_path / "matplotlibrc").write_text(rc)
    r = tlm_command("explore", "neighbors", "king", "$x$", "中文", "--pretrained", str(vectors),
                    "--png", "n.png", env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "Glyph" not in r.stderr
    assert (tmp_path / "n.png").stat().st_size > 1000


def test_the_backend_list_is_matplotlibs():
    """console.BACKENDS is a copy (so checking MPLBACKEND imports no matplotlib):
    it must be the registry's list of the installed matplotlib."""
    from matplotlib.backends.registry import backend_registry

    from tlm import console
    assert set(console.BACKENDS) == {b.lower() for b in backend_registry.list_builtin()}


@pytest.mark.parametrize("name, kept", [
    ("agg", True), ("QtAgg", True), ("bogus", False), ("module://missing", False),
    ("module://", False), ("module://tlm.no_such_module", False), ("module://os.path.x", False),
    ("module://matplotlib.backends.backend_agg", True)])
def test_a_backend_that_cannot_load_is_replaced_by_agg(name, kept, monkeypatch):
    from tlm import console
    monkeypatch.setenv("MPLBACKEND", name)
    console._matplotlib_backend()
    assert os.environ["MPLBACKEND"] == (name if kept else "agg")


def test_the_shells_plot_returns_the_figure_when_the_backend_fails(capsys, monkeypatch):
    """MPLBACKEND=module://os.path names a module that is no backend: matplotlib
    fails when it first needs one; plot() says so in one line and returns the figure."""
    import matplotlib.pyplot as plt

    from tlm.interact import show
    kv = kv_of(["king", "queen", "man", "woman"], np.eye(4))
    result = {"v": [ex.neighbors(kv, "king", k=2)]}
    monkeypatch.setattr(matplotlib, "get_backend",
                        lambda: (_ for _ in ()).throw(AttributeError("no FigureCanvas")))
    fig = show(result)
    plt.close("all")
    assert fig.axes
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "cannot load its backend" in out


def test_a_log_axis_writes_plain_numbers():
    fig, axs = _base.figure(1, 1)
    axs[0, 0].plot([1, 300000], [1, 2])
    axs[0, 0].set_xscale("log")
    _base.finish(fig)
    _base._renderer(fig)
    labels = {t.get_text() for t in axs[0, 0].get_xticklabels() if t.get_text()}
    assert "10,000" in labels and not any("e" in t or "^" in t for t in labels), labels
