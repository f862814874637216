"""tlm atlas: the offline page, built for a small model and small vector files
written here; its HTML, its data, its size, and bad input."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import itertools
import json
import os
import re
import shutil
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from conftest import cli_runner, write_vectors
from plotly.offline import get_plotlyjs

from tlm import atlas, explore
from tlm import cli as cli_module
from tlm.cli import cli
from tlm.cli.explore import explore as explore_group
from tlm.errors import TlmError
from tlm.modelfile import load

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Page(HTMLParser):
    """Reads a page strictly: every element closed in order, ids unique; keeps the
    src/href values, the section ids and the text of each <script>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.links: list[str] = []
        self.scripts: dict[str | None, str] = {}
        self.doctype = ""
        self._script: str | None = None
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"never closed: {self.stack}")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "section":
            self.sections.append(a.get("id"))
        for name in ("src", "href", "action", "poster", "data"):
            if a.get(name):
                self.links.append(a[name])
        if tag == "script":
            if "src" in a:
                self.problems.append(f"script with a src: {a['src']}")
            self._script = a.get("id")
            self.scripts.setdefault(self._script, "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None or (self.stack and self.stack[-1] == "script"):
            self.scripts[self._script] = self.scripts.get(self._script, "") + data


def small_vectors(folder: Path) -> Path:
    """40 words in 8 dimensions; king and queen point almost the same way."""
    rng = np.random.default_rng(0)
    words = ["the", "king", "queen", "dog", "cat", "wood", "chuck"] + [f"w{i}" for i in range(33)]
    vectors = rng.normal(size=(len(words), 8))
    vectors[2] = vectors[1] + 0.05 * rng.normal(size=8)
    return write_vectors(folder / "vectors.txt", words, vectors)


@pytest.fixture
def vectors_file(tmp_path: Path) -> Path:
    return small_vectors(tmp_path)


@dataclass
class Built:
    folder: Path
    model: Path
    vectors: Path
    result: Result
    text: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, trained: Path) -> Built:
    """`tlm atlas -n 5` for the tiny chuck model beside small_vectors, built once for
    the module, as on a terminal (so with its progress lines)."""
    folder = tmp_path_factory.mktemp("atlas")
    model = folder / "model.json"
    shutil.copyfile(trained, model)
    vectors = small_vectors(folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        mp.setattr(cli_module, "_progress_on_terminal", lambda: True)
        result = cli_runner().invoke(cli, ["atlas", "--model", "model.json", "--pretrained",
                                           "vectors.txt", "-n", "5", "--output", "atlas.html"])
    assert result.exit_code == 0, result.output + result.stderr
    return Built(folder, model, vectors, result, (folder / "atlas.html").read_text("utf-8"))


def test_page_for_a_model_beside_a_vectors_file(built):
    result, text = built.result, built.text
    size = len(text.encode("utf-8"))
    # the command says the size and every section it wrote
    first = result.stdout.splitlines()[0]
    match = re.fullmatch(r"Wrote atlas\.html \((\d+\.\d) MB\), (\d+) sections: (.*)", first)
    assert match, result.stdout
    assert float(match.group(1)) == pytest.approx(size / 1e6, abs=0.05)
    page = Page(text)
    assert page.problems == []
    assert page.doctype.lower() == "doctype html"
    assert len(page.ids) == len(set(page.ids)), "ids repeat"
    # every analysis of tlm explore is a section (loss: the training curves on the cards;
    # movie: a section of its own for a model trained with --snapshots, tests/test_movie.py;
    # loop-vs-matrix times the machine; softmax-gradient steps one model; positions and
    # attention only when a source is a transformer, tests/test_attention.py)
    analyses = set(explore_group.list_commands(None)) - {"loss", "movie", "loop-vs-matrix",
                                                        "softmax-gradient", "positions",
                                                        "attention"}
    assert page.sections[:3] == ["sources", "map", "ask"]
    assert set(page.sections[3:]) == analyses
    assert match.group(3).split(", ") == page.sections
    assert int(match.group(2)) == len(page.sections)
    assert text.count('class="look-for"') == len(page.sections)
    assert "training curves" in text
    # on a terminal, one progress line per section, in order
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    n = len(page.sections)
    assert progress == [f"[{i}/{n}] {name}" for i, name in enumerate(page.sections, 1)]
    # the tiny model lacks the notebook's words: notes, not a failed page
    assert "note, pairs: model.json (embedding): none of the word pairs" in result.stdout
    assert '<p class="note">model.json (embedding): none of the word pairs' in text
    # two cards, two maps, each with a search box
    assert text.count('class="card"') == 2
    for i in (0, 1):
        assert f'id="map-{i}"' in text and f'id="search-{i}"' in text
    assert "model.json (embedding)" in text and "vectors.txt" in text
    # the model's card says what tlm info says: its arrays, settings and text
    E = load(built.model).E
    assert f"<th>arrays</th><td>E {E.shape}, W" in text
    assert "<th>dimensions</th><td>32</td>" in text and "<th>dimensions</th><td>8</td>" in text
    assert "seed=1" in text and "chuck.txt" in text
    # every picture and script is inline: no src or href leaves the page
    assert all(link.startswith(("data:", "#")) for link in page.links), page.links
    assert "Plotly.newPlot" in page.scripts[None]
    plotly = gzip.decompress(base64.b64decode(page.scripts["plotly-gz"])).decode("utf-8")
    assert plotly == get_plotlyjs()  # plotly's own script, gzipped in the page
    assert "DecompressionStream" in page.scripts[None]


def test_page_carries_the_unit_vectors_of_the_words_it_searches(built):
    data = json.loads(Page(built.text).scripts["atlas-data"])
    sources = atlas.load_sources([built.model], [built.vectors])
    for source, s in zip(data["sources"], sources, strict=True):
        kv, words, mapped = s.vectors, source["words"], source["mapped"]
        # the map: the 5 most frequent, then the group words the source knows
        assert words[:5] == kv.index_to_key[:5]
        assert set(words[5:mapped]) == {w for g in atlas.word_groups().values() for w in g
                                        if w in kv} - set(words[:5])
        # the search: every word of these small vocabularies, each once
        assert sorted(words) == sorted(kv.index_to_key) and len(source["group"]) == mapped
        rows = np.frombuffer(base64.b64decode(source["vectors"]), dtype=np.int8)
        unit = atlas.dequantize(rows.reshape(len(words), source["dim"]))
        expected = np.stack([kv[w] / np.linalg.norm(kv[w]) for w in words])
        assert np.abs(unit @ unit.T - expected @ expected.T).max() < 0.01  # cosines
        norm = np.frombuffer(base64.b64decode(source["norm"]), dtype="<f2")
        np.testing.assert_allclose(norm, [np.linalg.norm(kv[w]) for w in words], rtol=1e-3)
        # the random-pair baseline the page prints under every neighbour list
        bg = explore.background(kv)
        assert source["background"] == {"mean": round(bg.cos_mean, 3),
                                        "p99": round(bg.cos_p99, 3)}
    glove_like = data["sources"][1]
    assert {"king", "queen", "dog", "cat"} <= set(glove_like["words"])
    assert glove_like["group"][glove_like["words"].index("king")] == 0  # royalty


def test_the_search_carries_as_many_int8_rows_as_its_budget_allows(tmp_path):
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(3000)]
    path = write_vectors(tmp_path / "wide.txt", words, rng.normal(size=(3000, 384)))
    kv = atlas.load_sources([], [path])[0].vectors
    data = atlas.map_data(kv, 20, {})
    source = atlas._source_data(atlas.Source("wide", kv), data, "pca")
    n = atlas.SEARCH_BYTES // 384  # 2,604 of the 3,000, most frequent first
    assert source["words"] == words[:n] and source["mapped"] == 20
    rows = np.frombuffer(base64.b64decode(source["vectors"]), dtype=np.int8)
    assert rows.size == n * 384  # a byte a number
    unit = atlas.dequantize(rows.reshape(n, 384))
    expected = kv.vectors[:n] / np.linalg.norm(kv.vectors[:n], axis=1, keepdims=True)
    assert np.abs(unit @ unit.T - expected @ expected.T).max() < 0.005
    # never fewer than the mapped words, whatever the budget
    assert atlas.search_words(kv, words[:50], limit=10) == words[:50]


def test_quantized_rows_keep_each_direction():
    rng = np.random.default_rng(6)
    U = rng.normal(size=(200, 32))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    q = atlas.quantize(U)
    assert q.dtype == np.int8 and np.all(np.abs(q).max(axis=1) == 127)
    assert np.abs(atlas.dequantize(q) - U).max() < 0.02


def test_pca_map_keeps_the_two_largest_directions():
    rng = np.random.default_rng(1)
    # spread 2 along one direction, 1 along another, nothing along the other four
    basis = np.linalg.qr(rng.normal(size=(6, 6)))[0]
    plane = rng.normal(size=(300, 2)) * [2.0, 1.0]
    X = plane @ basis[:, :2].T + 5.0  # (300, 6), shifted away from the origin
    xy, shares = atlas.project(X.astype(np.float32))
    assert sum(shares) == pytest.approx(1.0, abs=1e-5)
    assert shares[0] > 0.7 and shares[1] > 0.1
    # a map that is a rotation or reflection of the plane keeps every distance
    def distances(P):
        return np.linalg.norm(P[:, None] - P[None], axis=-1)

    np.testing.assert_allclose(distances(xy), distances(plane - plane.mean(0)), atol=1e-3)


def test_three_sources_at_the_defaults_fit_the_size_budget(tmp_path, monkeypatch):
    from tlm.analyses import _base

    monkeypatch.setattr(_base, "SCALE", 1.0)  # the real pictures: the real size
    monkeypatch.setattr(atlas, "DPI", 100)
    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(25000)]
    glove_like = write_vectors(tmp_path / "a.txt", words, rng.normal(size=(25000, 50)))
    novel = write_vectors(tmp_path / "b.txt", words[:7000], rng.normal(size=(7000, 32)))
    page = atlas.build(atlas.load_sources([], [glove_like, novel, novel]))
    data = json.loads(Page(page.html).scripts["atlas-data"])
    assert [s["mapped"] for s in data["sources"]] == [atlas.MAP_WORDS] * 3
    assert [len(s["words"]) for s in data["sources"]] == [20000, 7000, 7000]
    assert page.size < atlas.SIZE_BUDGET, page.size


def test_two_models_of_the_same_name_get_two_labels(tmp_path, trained):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = [tmp_path / d / "model.json" for d in ("a", "b")]
    for p in paths:
        p.write_bytes(trained.read_bytes())
    labels = [s.label for s in atlas.load_sources(paths)]
    assert labels == ["model.json (embedding)", "model.json (embedding) #2"]


def test_words_in_a_source_cannot_end_the_script_and_no_progress_off_a_terminal(run, tmp_path):
    words = ["</script><script>alert(1)</script>", "a&b", "plain"]
    write_vectors(tmp_path / "odd.txt", words, np.eye(3))
    result = run("atlas", "--pretrained", "odd.txt", "--output", "atlas.html")
    assert result.exit_code == 0, result.stderr
    assert not any(line.startswith("[") for line in result.stderr.splitlines())
    parsed = Page((tmp_path / "atlas.html").read_text("utf-8"))
    assert parsed.problems == []
    assert json.loads(parsed.scripts["atlas-data"])["sources"][0]["words"][0] == words[0]


# -- bad input ---------------------------------------------------------------------------------
def test_not_a_model(run, tmp_path, one_line_error):
    (tmp_path / "notes.txt").write_text("just some notes\n")
    result = run("atlas", "--model", "notes.txt", "--output", "atlas.html")
    one_line_error(result, "notes.txt", "not a tlm model")
    assert not (tmp_path / "atlas.html").exists()


def test_output_that_is_a_model_is_never_replaced(run, model_file, one_line_error, unchanged):
    same = unchanged([model_file])
    result = run("atlas", "--model", model_file, "--output", model_file)
    one_line_error(result, "model.json", "model")
    same()


def test_output_that_is_another_model_is_never_replaced(run, model_file, trained, tmp_path,
                                                        one_line_error, unchanged):
    other = tmp_path / "other.json"
    other.write_bytes(trained.read_bytes())
    same = unchanged([model_file, other])
    result = run("atlas", "--model", model_file, "--output", other)
    one_line_error(result, "other.json", "model")
    same()


def test_output_that_is_a_source_is_never_replaced(run, vectors_file, one_line_error, unchanged):
    same = unchanged([vectors_file])
    result = run("atlas", "--pretrained", vectors_file, "--output", vectors_file)
    one_line_error(result, "vectors.txt", "input")
    same()


def test_output_folder(run, model_file, tmp_path, one_line_error):
    (tmp_path / "pages").mkdir()
    one_line_error(run("atlas", "--model", model_file, "--output", "pages"), "folder")


def test_output_that_is_a_fifo_is_never_opened(run, model_file, tmp_path, one_line_error):
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    one_line_error(run("atlas", "--model", model_file, "--output", fifo), "pipe.html")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_model_without_vectors(run, chuck, one_line_error, tmp_path):
    assert run("train", "--model", "count", "--filepath", chuck, "--output", "count.json",
               "--quiet").exit_code == 0
    result = run("atlas", "--model", "count.json", "--output", "atlas.html")
    one_line_error(result, "count model has no word vectors")
    assert not (tmp_path / "atlas.html").exists()


def test_unknown_source(run, model_file, offline_pretrained, one_line_error, tmp_path):
    result = run("atlas", "--model", model_file, "--pretrained", "glove-wiki-gigaword-5000",
                 "--output", "atlas.html")
    one_line_error(result, "unknown vectors", "glove-wiki-gigaword-5000")
    assert not (tmp_path / "atlas.html").exists()


def test_no_source(run, one_line_error):
    one_line_error(run("atlas", "--output", "atlas.html"), "--model", "--pretrained")


def test_missing_model(run, one_line_error):
    one_line_error(run("atlas", "--model", "nowhere.json"), "not found", "nowhere.json")


def test_umap_without_umap_learn(run, model_file, one_line_error):
    if importlib.util.find_spec("umap") is not None:
        pytest.skip("umap-learn is installed, so --projection umap works")
    result = run("atlas", "--model", model_file, "--projection", "umap")
    one_line_error(result, "umap-learn", "--projection pca")


def test_interrupt_writes_nothing(run, model_file, tmp_path, monkeypatch, unchanged):
    old = tmp_path / "atlas.html"
    old.write_text('<!DOCTYPE html><meta name="generator" content="tlm 0.1.0 atlas">'
                   "<title>the last atlas</title>\n")
    same = unchanged([old])

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(atlas, "build", interrupted)
    result = run("atlas", "--model", model_file, "--output", old)
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == [f"Interrupted: {old} was not written"]
    same()


def test_n_must_be_positive(model_file):
    with pytest.raises(TlmError, match="-n"):
        atlas.build(atlas.load_sources([model_file]), n=0)


def test_sections_drawn_by_worker_processes_make_the_same_page(built):
    sources = atlas.load_sources([built.model], [built.vectors])
    lines: list[str] = []
    alone = atlas.build(sources, n=5, workers=1)
    together = atlas.build(sources, n=5, workers=2, report=lines.append)
    assert together.html == alone.html
    names = [s.id for s in together.sections]
    assert lines == [f"[{i}/{len(names)}] {name}" for i, name in enumerate(names, 1)]


def test_map_names_never_overlap_and_group_words_come_first():
    rng = np.random.default_rng(7)
    words = [f"word{i}" for i in range(300)]
    xy = rng.normal(size=(300, 2)) * 0.1  # a crowded map
    group = np.full(300, -1)
    group[100:140] = 0
    data = atlas.MapData(words, xy, None, group)
    rows, where = atlas.map_labels(data)
    assert 0 < len(rows) < 40 + atlas.LABELLED  # some names have no room: left to the hover
    assert all(100 <= r < 140 for r in rows[:5])  # group words placed first
    W, H = atlas.LABEL_AREA
    lo, hi = xy.min(0), xy.max(0)
    pad = 0.05 * (hi - lo)
    px = (xy - (lo - pad)) / (hi - lo + 2 * pad) * [W, H]
    offsets = {"top center": (0, 9), "bottom center": (0, -9), "middle right": (1, 0),
               "middle left": (-1, 0)}
    boxes = []
    for r, name in zip(rows, where, strict=True):
        w = atlas.CHAR_PX * len(words[r]) + 2
        dx, dy = offsets[name]
        cx = px[r, 0] + dx * (w / 2 + 4)
        cy = px[r, 1] + dy
        boxes.append((cx - w / 2, cy - 7, cx + w / 2, cy + 7))
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] - 1e-6
                    and b[1] < a[3] - 1e-6), (a, b)
