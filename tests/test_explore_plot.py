"""Every explore picture (tlm/plot.py): drawn from two sources, written to a PNG
that opens, with the expected number of panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tests.test_explore import clustered_kv, make_kv, model_with_counts, plural_kv  # noqa: E402
from tlm import explore as ex  # noqa: E402
from tlm import plot  # noqa: E402


@pytest.fixture(scope="module")
def two():
    """Two small tables that know the plural pairs, the groups' and the number words."""
    kv, pairs = plural_kv(noise=0.3)
    rng = np.random.default_rng(1)
    extra = ["king", "queen", "man", "woman", "one", "two", "three", "four"]
    words = list(kv.index_to_key) + extra
    a = make_kv(words, np.vstack([kv.vectors, rng.normal(size=(len(extra), kv.vector_size))]))
    b = make_kv(words, a.vectors + 0.5 * rng.normal(size=a.vectors.shape))
    return {"a": a, "b": b}, pairs


CASES = {
    # name: (analysis on one table, panels for two sources)
    "norms": (ex.norms, 4),
    "background": (lambda kv: ex.background(kv, n=500), 4),
    "pairs": (lambda kv: ex.pairs(kv, ["king:queen", "man:woman", "one:two"]), 2),
    "neighbors": (lambda kv: [ex.neighbors(kv, "king", k=5), ex.neighbors(kv, "one", k=5)], 4),
    "analogy": (lambda kv: ex.analogy(kv, "man", "king", "woman", expected="queen"), 2),
    "cos_vs_euclid": (lambda kv: ex.cos_vs_euclid(kv, "king - man + woman", n=3), 2),
    "axes": (lambda kv: ex.axes(kv), 4),
    "directions": (None, 3),
    "numbers": (ex.numbers, 2),
    "matrix": (lambda kv: ex.matrix(kv, n=6, dims=10), 2),
    "hubness": (lambda kv: ex.hubness(kv, k=3), 2),
    "pca": (ex.pca, 2),
    "frequency": (ex.frequency, 2),
}


def check_png(fig, path, panels):
    assert plot.panels(fig) == panels
    fig.savefig(path, dpi=40)  # small: the test is about the panels, not the pixels
    plt.close(fig)
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 50 and image.shape[1] > 50
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name", list(CASES))
def test_each_picture_has_a_panel_per_source(name, two, tmp_path):
    sources, pairs = two
    analyse, panels = CASES[name]
    if analyse is None:
        analyse = lambda kv: ex.directions(kv, pairs)  # noqa: E731
    results = {label: analyse(kv) for label, kv in sources.items()}
    fig = getattr(plot, name)(results)
    check_png(fig, tmp_path / f"{name}.png", panels)
    assert plot.PLOTS[type(next(iter(results.values())) if name != "neighbors"
                           else results["a"][0])] is getattr(plot, name)  # plot() finds it


def test_one_result_is_one_source(two, tmp_path):
    sources, pairs = two
    check_png(plot.directions(ex.directions(sources["a"], pairs)), tmp_path / "d.png", 2)
    check_png(plot.norms(ex.norms(sources["a"])), tmp_path / "n.png", 2)


def test_categories_overlap_and_loss_pictures(tmp_path):
    kv = clustered_kv()
    groups = {"a": ["a0", "a1", "a2"], "b": ["b0", "b1", "b2"], "c": ["c0", "c1"]}
    r = {"x": ex.categories(kv, groups), "y": ex.categories(kv, groups),
         "z": ex.categories(kv, groups)}
    check_png(plot.categories(r), tmp_path / "c.png", 6)
    check_png(plot.overlap(ex.overlap({"x": kv, "y": kv, "z": kv}, k=3)), tmp_path / "o.png", 2)
    check_png(plot.loss({"m": ex.loss(model_with_counts())}), tmp_path / "l.png", 1)


def test_titles_name_the_sources(two):
    sources, pairs = two
    fig = plot.directions({label: ex.directions(kv, pairs) for label, kv in sources.items()})
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("a: consistency") for t in titles)
    assert any(t.startswith("b: consistency") for t in titles)
    plt.close(fig)


def test_plot_draws_any_result_by_its_kind(two):
    sources, pairs = two
    fig = plot.plot({label: ex.numbers(kv) for label, kv in sources.items()})
    assert plot.panels(fig) == 2 and "adjacent" in fig.axes[0].get_title()
    plt.close(fig)
    fig = plot.plot({"a": [ex.neighbors(sources["a"], "king", k=3)]})
    assert plot.panels(fig) == 1 and "nearest to 'king'" in fig.axes[0].get_title()
    plt.close(fig)


def test_plot_refuses_what_it_cannot_draw():
    with pytest.raises(TypeError, match="no picture"):
        plot.plot({"a": 3})
