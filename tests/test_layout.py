"""Text on text: every analysis drawn with four sources with long names, at the
real size. No two text boxes of a figure may overlap and none may leave the
canvas (matplotlib gives every text's window extent once the figure is laid out)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import kv_of
from tiny_transformer import tiny

from tlm import analyses, atlas
from tlm.analyses import _base
from tlm.analyses.analogy import ANALOGY_CANDIDATES
from tlm.analyses.axes import AXIS_WORDS
from tlm.analyses.categories import GROUPS
from tlm.analyses.directions import PLURAL_PAIRS
from tlm.analyses.numbers import NUMBER_WORDS
from tlm.analyses.pairs import DEFAULT_PAIRS
from tlm.errors import TlmError

LABELS = ("emma-embedding-model.json", "emma-skipgram-model.json",
          "glove-wiki-gigaword-50", "hf:sentence-transformers/all-MiniLM-L6-v2")


def _words() -> list[str]:
    words: list[str] = []
    for group in GROUPS.values():
        words += group
    for a, b in list(PLURAL_PAIRS) + [tuple(p.split(":")) if isinstance(p, str) else p
                                      for p in DEFAULT_PAIRS]:
        words += [a, b]
    words += list(NUMBER_WORDS) + list(ANALOGY_CANDIDATES) + ["happy", "man", "woman"]
    for w in AXIS_WORDS:
        words += list(w) if isinstance(w, tuple) else [w]
    words += ["$x^2$", "back\\slash", "中文", "extraordinarily-long-hyphenated-word"]
    seen = list(dict.fromkeys(words))
    return seen + [f"filler{i}" for i in range(400)]


@pytest.fixture(scope="module")
def four():
    words = _words()
    rng = np.random.default_rng(3)
    base = rng.normal(size=(len(words), 40))
    return [atlas.Source(label, kv_of(words, base + s * rng.normal(size=base.shape)))
            for s, label in enumerate(LABELS)]


def text_boxes(fig):
    """(text, window extent) of every visible, non-empty text the figure draws."""
    renderer = _base._renderer(fig)
    ticks = {}
    for ax in fig.axes:
        if not ax.get_visible():  # a hidden panel draws no ticks
            continue
        for axis in (ax.xaxis, ax.yaxis):
            for t in axis._update_ticks():  # the ticks drawn, labels set
                for label in (t.label1, t.label2):
                    ticks[id(label)] = label
    every = [t for t in fig.findobj(lambda a: isinstance(a, _base.Text))
             if not any(t is tick.label1 or t is tick.label2
                        for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                        for tick in axis.majorTicks + axis.minorTicks)]
    texts = every + list(ticks.values())
    out = []
    for t in texts:
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible()):
            out.append((t.get_text(), t.get_window_extent(renderer)))
    return out


def overlaps(fig, slack: float = 1.0):
    """The pairs of texts that overlap (by more than `slack` pixels each way) and
    the texts that leave the canvas."""
    boxes = text_boxes(fig)
    W, H = fig.canvas.get_width_height()
    bad = [f"off the canvas: {s!r}" for s, e in boxes
           if e.x0 < -slack or e.y0 < -slack or e.x1 > W + slack or e.y1 > H + slack]
    for (s1, e1), (s2, e2) in itertools.combinations(boxes, 2):
        dx = min(e1.x1, e2.x1) - max(e1.x0, e2.x0)
        dy = min(e1.y1, e2.y1) - max(e1.y0, e2.y0)
        if dx > slack and dy > slack:
            bad.append(f"{s1!r} on {s2!r}")
    return bad


def drawn(analysis, sources):
    if analysis.across:
        return analysis.draw(analysis.compute({s.label: s.vectors for s in sources},
                                              **analysis.atlas))
    results = {}
    for s in sources:
        try:
            results[s.label] = atlas._run(analysis, s)
        except TlmError:
            pass
    return analysis.draw(results)


@pytest.mark.parametrize("name", [n for n, a in analyses.registry().items()
                                  if a.in_atlas and a.model_type is None])
def test_no_text_on_text(name, four, monkeypatch):
    monkeypatch.setattr(_base, "SCALE", 1.0)
    fig = drawn(analyses.get(name), four)
    assert overlaps(fig) == []


def test_the_check_finds_text_on_text():
    fig, axs = _base.figure(1, 1)
    axs[0, 0].set_title("a title")
    axs[0, 0].text(0.5, 1.0, "on the title", transform=axs[0, 0].transAxes, va="bottom",
                   ha="center")
    axs[0, 0].text(-1.0, 0.5, "off the canvas", transform=axs[0, 0].transAxes)
    bad = overlaps(fig)
    assert any("on the title" in b for b in bad) and any("off the canvas" in b for b in bad)


#: A sentence as long as the transformer's default window allows a learner to type.
SENTENCE = ("she could not think of it without being very sorry for her poor father who "
            "had always been extraordinarily fond of miss taylor")


@pytest.fixture(scope="module")
def transformers():
    """Transformers at the default size (d 128, 4 heads, 2 blocks, window 64), one per
    scheme, with long file names and the words of SENTENCE."""
    words = sorted(set(SENTENCE.split()))
    return {f"austen-four-novels-transformer-{p}-seed1.json":
            tiny(dtype=np.float32, words=words, positions=p, dim=128, heads=4, hidden=16,
                 context_window=64)
            for p in ("sinusoidal", "rope", "alibi", "learned")}


def test_no_text_on_text_in_the_transformer_positions(transformers, monkeypatch):
    monkeypatch.setattr(_base, "SCALE", 1.0)
    a = analyses.get("positions")  # every scheme, one row each, side by side
    assert overlaps(a.draw({label: a.compute(m) for label, m in transformers.items()})) == []


@pytest.mark.parametrize("words", [6, 64])
def test_no_text_on_text_in_attention_maps(words, transformers, monkeypatch):
    monkeypatch.setattr(_base, "SCALE", 1.0)
    a = analyses.get("attention")
    sentence = (SENTENCE.split() * 4)[:words]
    (label, model), *_ = transformers.items()
    fig = a.draw({label: a.compute(model, sentence), "tr.json": a.compute(model, sentence[:5])})
    assert overlaps(fig) == []


def test_a_crowded_label_is_moved_and_a_landmark_is_never_hidden():
    fig, axs = _base.figure(1, 1)
    ax = axs[0, 0]
    ax.set(xlim=(0, 1), ylim=(0, 1))
    rng = np.random.default_rng(0)
    crowd = 0.5 + 0.01 * rng.normal(size=(40, 2))  # 40 points on one spot
    _base.label_points(ax, [f"word{i}" for i in range(40)], crowd)
    _base.label_points(ax, ["queen 0.86, 2.8"], np.array([[0.5, 0.5]]), keep=True)
    _base.finish(fig)
    labels = [t for t in ax.texts if getattr(t, "_tlm_label", False)]
    queen = next(t for t in labels if t.get_text().startswith("queen"))
    assert queen.get_visible()  # placed first, though given last
    shown = [t for t in labels if t.get_visible()]
    assert len(shown) > 4  # more than the four places right beside the point
    moved = [t for t in shown if abs(t.xyann[0]) > 3 or abs(t.xyann[1]) > 2]
    assert moved and any(t.arrow_patch is not None for t in ax.texts if t.get_text() == "")
    hidden = len(labels) - len(shown)
    assert hidden > 0 and f"{hidden} labels hidden (no room)" in [t.get_text() for t in ax.texts]
    assert overlaps(fig) == []


def test_every_landmark_of_cos_vs_euclid_is_labelled(four, monkeypatch):
    monkeypatch.setattr(_base, "SCALE", 1.0)
    analysis = analyses.get("cos-vs-euclid")
    results = {s.label: analysis.compute(s.vectors, "king - man + woman") for s in four}
    fig = analysis.draw(results)
    keep = [t for ax in fig.axes for t in ax.texts if getattr(t, "_tlm_label", None) == "keep"]
    assert len(keep) >= 4 * 10 and all(t.get_visible() for t in keep)
    assert overlaps(fig) == []
