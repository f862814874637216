"""Every analysis's picture (its file's `draw`) from two sources: a panel per source
(and per measure), each titled. Each kind is written to a PNG once, by the `tlm
explore --png` tests (tests/test_explore_cli.py)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import clustered_kv, kv_of, model_with_counts, plural_kv

from tlm import analyses
from tlm import explore as ex


@pytest.fixture(scope="module")
def two():
    """Two small tables that know the plural pairs, the groups' and the number words."""
    kv, pairs = plural_kv(noise=0.3)
    rng = np.random.default_rng(1)
    extra = ["king", "queen", "man", "woman", "one", "two", "three", "four"]
    words = list(kv.index_to_key) + extra
    a = kv_of(words, np.vstack([kv.vectors, rng.normal(size=(len(extra), kv.vector_size))]))
    b = kv_of(words, a.vectors + 0.5 * rng.normal(size=a.vectors.shape))
    return {"a": a, "b": b}, pairs


CASES = {
    # name: (analysis on one table, panels for two sources)
    "norms": (ex.norms, 4),
    "background": (lambda kv: ex.background(kv, n=500), 4),
    "pairs": (lambda kv: ex.pairs(kv, ["king:queen", "man:woman", "one:two"]), 2),
    "neighbors": (lambda kv: [ex.neighbors(kv, "king", k=5), ex.neighbors(kv, "one", k=5)], 4),
    "analogy": (lambda kv: ex.analogy(kv, "man", "king", "woman", expected="queen"), 4),
    "cos_vs_euclid": (lambda kv: ex.cos_vs_euclid(kv, "king - man + woman", n=3), 2),
    "axes": (lambda kv: ex.axes(kv), 4),
    "directions": (None, 3),
    "numbers": (ex.numbers, 2),
    "matrix": (lambda kv: ex.matrix(kv, n=6, dims=10), 2),
    "hubness": (lambda kv: ex.hubness(kv, k=3), 2),
    "pca": (ex.pca, 2),
    "frequency": (ex.frequency, 2),
}


def draw(name, results):
    return analyses.get(name).draw(results)


def check_png(fig, path, panels):
    """The panels a picture has. Drawing it is left to tests/test_explore_cli.py,
    whose `--png` runs write every kind's picture to a PNG once."""
    assert analyses.panels(fig) == panels
    assert all(ax.get_title() for ax in fig.axes if ax.get_label() != "<colorbar>")


@pytest.mark.parametrize("name", list(CASES))
def test_each_picture_has_a_panel_per_source(name, two, tmp_path):
    sources, pairs = two
    analyse, panels = CASES[name]
    if analyse is None:
        analyse = lambda kv: ex.directions(kv, pairs)  # noqa: E731
    results = {label: analyse(kv) for label, kv in sources.items()}
    fig = draw(name, results)
    check_png(fig, tmp_path / f"{name}.png", panels)
    assert analyses.draw(results).axes[0].get_title() == fig.axes[0].get_title()  # by kind


def test_one_result_is_one_source(two, tmp_path):
    sources, pairs = two
    check_png(draw("directions", ex.directions(sources["a"], pairs)), tmp_path / "d.png", 2)
    check_png(draw("norms", ex.norms(sources["a"])), tmp_path / "n.png", 2)


def test_categories_overlap_and_loss_pictures(tmp_path):
    kv = clustered_kv()
    groups = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"], "c": ["c0", "c1"]}
    r = {"x": ex.categories(kv, groups), "y": ex.categories(kv, groups),
         "z": ex.categories(kv, groups)}
    check_png(draw("categories", r), tmp_path / "c.png", 6)
    check_png(draw("overlap", ex.overlap({"x": kv, "y": kv, "z": kv}, k=3)), tmp_path / "o.png",
              2)
    check_png(draw("loss", {"m": ex.loss(model_with_counts())}), tmp_path / "l.png", 1)


def test_titles_name_the_sources(two):
    sources, pairs = two
    fig = draw("directions", {label: ex.directions(kv, pairs) for label, kv in sources.items()})
    titles = [" ".join(ax.get_title().split()) for ax in fig.axes]  # wrapped to fit
    assert any(t.startswith("a: consistency") for t in titles)
    assert any(t.startswith("b: consistency") for t in titles)


def test_plot_draws_any_result_by_its_kind(two):
    sources, pairs = two
    fig = analyses.draw({label: ex.numbers(kv) for label, kv in sources.items()})
    assert analyses.panels(fig) == 2 and "adjacent" in fig.axes[0].get_title()
    fig = analyses.draw({"a": [ex.neighbors(sources["a"], "king", k=3)]})
    assert analyses.panels(fig) == 1
    assert "nearest to 'king'" in " ".join(fig.axes[0].get_title().split())  # wrapped to fit


def test_plot_refuses_what_it_cannot_draw():
    with pytest.raises(TypeError, match="no analysis makes"):
        analyses.draw({"a": 3})


def test_neighbours_grid_keeps_rows_and_columns_in_order(two, monkeypatch):
    """One row per query word, one column per source, in the order given, even
    when the first source lacks the first word: its cell says what is missing."""
    import importlib

    cli_explore = importlib.import_module("tlm.cli.explore")

    sources, _ = two
    a = sources["a"]
    words = [w for w in a.index_to_key if w != "king"]
    lacking = kv_of(words, np.stack([a[w] for w in words]))
    drawn = {}
    monkeypatch.setattr(cli_explore, "picture", lambda png, draw: drawn.setdefault("fig", draw()))
    sources = {"lacks-king": lacking, "a": a, "b": sources["b"]}
    cli_explore.run_analysis(analyses.get("neighbors"), sources, None,
                             {"query": ("king", "one"), "k": 3})
    fig = drawn["fig"]
    titles = [" ".join(ax.get_title().split()) for ax in fig.axes]  # wrapped to fit  # row by row
    assert titles == ["lacks-king: nearest to 'king'", "a: nearest to 'king'",
                      "b: nearest to 'king'", "lacks-king: nearest to 'one'",
                      "a: nearest to 'one'", "b: nearest to 'one'"]
    empty = [t.get_text() for t in fig.axes[0].texts]
    assert any("king" in t for t in empty)
    assert not fig.axes[0].patches and fig.axes[3].patches  # no bars where nothing was found


def test_analogy_chart_keeps_the_source_words_and_marks_every_landmark(two):
    sources, _ = two
    kv = sources["a"]
    r = ex.analogy(kv, "man", "king", "woman", expected="queen")
    words = [w for w, _ in r.top]
    assert len(words) == 20 and [s for _, s in r.top] == sorted((s for _, s in r.top),
                                                                reverse=True)
    assert r.group_of["king"] == "source" and r.group_of["queen"] == "royalty"
    fig = draw("analogy", {"a": r})
    corner = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("queen rank: ") and "cos(king)" in t for t in corner)
    bars = {p.get_facecolor() for p in fig.axes[0].patches}
    assert len(bars) >= 2 or "queen" not in words  # queen red, the source words gold


def test_heatmap_scale_fits_the_values_and_writes_them():
    from tlm.analyses import _base

    lo, hi, cmap = _base.scale_of(np.array([[1.0, 0.77], [0.99, 1.0]]))
    assert (lo, hi, cmap) == (0.77, 0.99, "viridis")  # a diagonal of ones left out
    lo, hi, _ = _base.scale_of(np.array([[0.65, 0.1], [0.2, 0.5]]))
    assert (lo, hi) == (0.1, 0.65)  # a meaningful diagonal kept
    assert _base.scale_of(np.array([[0.5, -0.2], [-0.1, 0.3]]))[:2] == (-0.5, 0.5)
    fig, axs = _base.figure(1, 2)
    _base.heatmap(fig, axs[0, 0], np.full((3, 3), 0.25), list("abc"), "small")
    _base.heatmap(fig, axs[0, 1], np.zeros((21, 21)), [str(i) for i in range(21)], "large")
    assert [t.get_text() for t in axs[0, 0].texts] == [".25"] * 9
    assert len(axs[0, 1].texts) == 0
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert bars[0].get_ylabel() == "cosine, scale -0.25 to 0.75"  # one value: +-0.5 around it
