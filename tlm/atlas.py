"""The atlas: one offline web page about a learner's word vectors beside GloVe's.

`tlm explore` answers one question at a time in a terminal. The atlas puts
every answer on one page a learner can open from disk or an e-mail
attachment, with no server and no network: a card per source (what it is,
what it was trained on, its training curves), an interactive map of each
vocabulary (hover, zoom, a search box that lights up a word's nearest
neighbours), a neighbours box and an analogy box that compute in the page,
and every analysis of tlm/analyses/ (its registry) as a picture and a table,
every source side by side, each with its "what to look for".

The page is tlm/static/atlas.html.j2, a jinja2 template that escapes every
value by default; its CSS and script sit beside it. Everything is inline:
plotly's JavaScript (the interactive maps), the CSS, the page's script, the
pictures (PNG, drawn once each, 256 colours) and the unit vectors of the words the
page searches (its most frequent words, as many as SEARCH_BYTES allow, as int8 rows
in base64), so no request leaves the page. plotly's script goes in gzip-compressed
(2.0 MB in base64 instead of 4.8) and the browser unpacks it (DecompressionStream).

Every section is independent of the others: on Linux, forked worker processes
(one per core) draw them at once, and the page is the same as drawn one after
another (`build(..., workers=1)`).

    sources = load_sources(["emma.json"], ["glove-wiki-gigaword-50"])
    atlas = build(sources)            # an Atlas: the HTML text and its sections
    write(atlas, "emma-atlas.html")
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import functools
import gzip
import html
import io
import json
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure
from PIL import Image
from plotly.offline import get_plotlyjs
from threadpoolctl import threadpool_limits

from tlm import __version__, atlas_movie, compare, vectors, writing
from tlm.analyses import Analysis, registry
from tlm.analyses._base import Missing, pixels
from tlm.analyses.background import background
from tlm.analyses.categories import GROUPS
from tlm.analyses.loss import loss
from tlm.analyses.movie import ANALYSIS as MOVIE
from tlm.analyses.movie import movie
from tlm.errors import TlmError
from tlm.summary import summarize

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

    from tlm.models.base import Model

#: How many of each source's most frequent words the map shows (`-n`).
MAP_WORDS = 2000
PROJECTIONS = ("pca", "umap")
#: Three sources at the defaults must fit in this many bytes (plotly's script, gzipped
#: and in base64, is 2.0 MB of them).
SIZE_BUDGET = 6_000_000
#: The map writes the names of the group words and of this many most frequent words.
LABELLED = 30
#: Nearest words the search box and the neighbours box list.
NEAREST = 10
#: Bytes of int8 vector rows each source may put in the page for its search: every
#: word of a novel's vocabulary (6,772 x 32 = 217 kB for Emma), GloVe's 20,000 most
#: frequent words (50 dimensions), a 384-d table's 2,604. Never fewer than the mapped words.
SEARCH_BYTES = 1_000_000
#: The pictures' resolution (PNG: one drawing per figure; a scatter of thousands of
#: points would be a far larger SVG).
DPI = 100

#: Colours of the word groups on the map (matplotlib's tab10, which the pictures use too).
GROUP_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
OTHER_COLOUR = "#c9c9c9"

#: What some well-known sources are, for their cards.
ABOUT = {
    "glove-wiki-gigaword-50": "GloVe 6B, 50 dimensions: Stanford's vectors from Wikipedia 2014 "
    "and Gigaword 5 (6 billion tokens, 400,000 lower-case words), most frequent word first.",
    "word2vec-same-corpus": "gensim's own Word2Vec (skip-gram) trained on the first model's text "
    "with that model's settings: the fairest word2vec reference for it.",
    "word2vec-google-news-300": "word2vec, 300 dimensions, trained by Google on about 100 billion "
    "words of news (3 million words and phrases).",
}


@dataclass
class Source:
    """One column of the atlas: a label, its vectors (most frequent word first)
    and, for a tlm model, the model itself (settings, text, training curves)."""

    label: str
    vectors: KeyedVectors
    model: Model | None = None
    origin: str = ""  # the model file or the pretrained name/path it came from


@dataclass
class Section:
    """One part of the page: an id for links, a title, what to look for, and what
    the template shows (`kind`: sources, map, ask or analysis; `content`)."""

    id: str
    title: str
    look_for: str
    kind: str = "analysis"
    content: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Atlas:
    """The finished page and what is in it."""

    html: str
    sections: list[Section]

    @property
    def size(self) -> int:
        """Bytes of the page as written (UTF-8)."""
        return len(self.html.encode("utf-8"))


# -- sources --------------------------------------------------------------------------------
def load_sources(
    model_paths: Sequence[str | os.PathLike] = (),
    pretrained_names: Sequence[str] = (),
    report: Callable[[str], None] | None = None,
) -> list[Source]:
    """The models, then the pretrained vectors, as atlas sources. The first model
    is the one `word2vec-same-corpus` is trained beside; two model files both
    called model.json get labels 'model.json (embedding)' and 'model.json
    (embedding) #2', so every column and map can be told apart."""
    if not model_paths and not pretrained_names:
        raise TlmError("give at least one --model PATH or --pretrained NAME")
    loaded = compare.load_sources(model_paths, pretrained_names, report, need_vectors=True)
    n_models = len(model_paths)
    return [Source(label, source.vectors, source, origin) if i < n_models
            else Source(label, source, None, origin)
            for i, (label, source, origin) in enumerate(loaded)]


# -- the map --------------------------------------------------------------------------------
@dataclass
class MapData:
    """What the page needs to draw one source's map (its search data: `_source_data`)."""

    words: list[str]  # the mapped words, most frequent first
    xy: np.ndarray  # (N, 2) their place on the map
    explained: tuple[float, float] | None  # share of variance on each PCA axis
    group: np.ndarray  # (N,) index into the groups, -1 for no group


def map_words(kv: KeyedVectors, n: int, extra: Sequence[str] = ()) -> list[str]:
    """The n most frequent words, then every word of `extra` the source knows
    (the word groups, so colouring by group means something even for a small model)."""
    words = list(kv.index_to_key[:n])
    chosen = set(words)
    for word in extra:
        key = vectors.find(kv, word)
        if key is not None and key not in chosen:
            words.append(key)
            chosen.add(key)
    return words


def project(unit: np.ndarray, method: str = "pca",
            seed: int = 0) -> tuple[np.ndarray, tuple[float, float] | None]:
    """(N, 2) map coordinates of the rows of `unit`, and for PCA the share of the
    variance each axis holds (a learner should know how much a 2-D map leaves out).

    PCA: each word at its coordinates along the two directions of largest
    variance (tlm/vectors.py's `pca`).
    """
    N, d = unit.shape
    if method == "umap":
        try:
            import umap
        except ImportError:
            raise TlmError(
                "--projection umap needs umap-learn (pip install umap-learn); "
                "or use --projection pca"
            ) from None
        if N < 4:
            raise TlmError(f"--projection umap needs at least 4 words to map, not {N}")
        reducer = umap.UMAP(n_components=2, metric="cosine", random_state=seed,
                            n_neighbors=min(15, N - 1))
        return reducer.fit_transform(unit).astype(np.float32), None
    if method != "pca":
        raise TlmError(f"unknown projection {method!r}: use one of {', '.join(PROJECTIONS)}")
    coords, shares = vectors.pca(unit, 2)  # (N, 2), the share of variance per axis
    shares = [*shares[:2].tolist(), 0.0, 0.0][:2]
    return coords.astype(np.float32), (shares[0], shares[1])


def map_data(kv: KeyedVectors, n: int, groups: dict[str, list[str]],
             projection: str = "pca") -> MapData:
    """The mapped words of one source, their places on the map and their groups."""
    extra = [w for members in groups.values() for w in members]
    words = map_words(kv, n, extra)
    raw = np.stack([kv[w] for w in words]).astype(np.float32)  # (N, d)
    norm = np.linalg.norm(raw, axis=1)  # (N,)
    unit = raw / np.maximum(norm, 1e-12)[:, None]  # (N, d)
    xy, explained = project(unit, projection)
    group_of = {}
    for g, members in enumerate(groups.values()):
        for w in members:
            key = vectors.find(kv, w)
            if key is not None:
                group_of.setdefault(key, g)
    group = np.array([group_of.get(w, -1) for w in words], dtype=np.int32)
    return MapData(words, xy, explained, group)


def plotly_text(text: str) -> str:
    """`text` as plotly shows it literally: plotly reads its own markup (`<a href>`,
    `<span style>`, entities such as `&#47;`) in titles, hover text and labels,
    so a file name or word goes in with &, < and > as entities (as atlas.js's
    `plain` does for the words)."""
    return html.escape(text, quote=False)


def map_figure(label: str, data: MapData, projection: str) -> dict:
    """A plotly figure of one map, as a JSON-ready dict: trace 0 every word,
    trace 1 the nearest words of a search, trace 2 the word searched. The page's
    script gives trace 0 its hover text and colours from the words and groups it
    has anyway (so they are not in the page twice)."""
    x, y = data.xy[:, 0].astype(np.float32), data.xy[:, 1].astype(np.float32)
    fig = go.Figure()
    fig.add_scatter(x=x, y=y, mode="markers", name="words",
                    hovertemplate="%{text}<extra></extra>", marker={"opacity": 0.8})
    fig.add_scatter(x=[], y=[], mode="markers+text", name="nearest", text=[],
                    textposition="top center", hovertemplate="%{text}<extra></extra>",
                    marker={"color": "rgba(0,0,0,0)", "size": 14,
                            "line": {"color": "#d62728", "width": 2}})
    fig.add_scatter(x=[], y=[], mode="markers+text", name="searched", text=[],
                    textposition="top center", textfont={"size": 15},
                    hovertemplate="%{text}<extra></extra>",
                    marker={"color": "#d62728", "size": 14, "symbol": "star"})
    shown, where = map_labels(data)  # trace 3: the names on the map (the page sets the text)
    fig.add_scatter(x=x[shown], y=y[shown], mode="text", name="labels", text=[],
                    textposition=where, textfont={"size": 10, "color": "#333"},
                    hoverinfo="skip")
    if data.explained is not None:
        axes = [f"PCA axis {i + 1} ({100 * s:.0f}% of the variance)"
                for i, s in enumerate(data.explained)]
    else:
        axes = [f"{projection.upper()} 1", f"{projection.upper()} 2"]
    fig.update_layout(
        title={"text": plotly_text(f"{label}: {len(data.words):,} words")}, height=560,
        showlegend=False,
        dragmode="pan", hovermode="closest", margin={"l": 50, "r": 20, "t": 50, "b": 50},
        xaxis={"title": {"text": axes[0]}, "zeroline": False},
        yaxis={"title": {"text": axes[1]}, "zeroline": False},
        plot_bgcolor="white",
    )
    return json.loads(fig.to_json())


#: The plot area the map's labels are placed for (pixels: a map panel at its narrowest,
#: 40rem, less plotly's margins; a wider map only spreads them) and a label's size
#: (10 px text: about 6 px a character, 14 px a line).
LABEL_AREA = (570.0, 460.0)
CHAR_PX, LINE_PX = 6.0, 14.0


def map_labels(data: MapData) -> tuple[np.ndarray, list[str]]:
    """The rows whose names the map writes, and where (plotly's textposition): the
    group words, then the LABELLED most frequent words (a static view, a screenshot
    or a print, still says which is which). Each goes above its point, else below,
    right or left, the first place where its box overlaps no name already written;
    a name with no free place is left to the hover."""
    rows = np.arange(len(data.words))
    wanted = [*rows[data.group >= 0], *rows[(rows < LABELLED) & (data.group < 0)]]
    W, H = LABEL_AREA
    lo, hi = data.xy.min(axis=0), data.xy.max(axis=0)  # (2,) each
    pad = 0.05 * np.maximum(hi - lo, 1e-9)
    px = (data.xy - (lo - pad)) / (hi - lo + 2 * pad) * [W, H]  # (N, 2), y up
    placed: list[tuple[float, float, float, float]] = []
    shown, where = [], []
    for r in wanted:
        w, h = CHAR_PX * len(data.words[r]) + 2, LINE_PX
        x, y = px[r]
        for name, cx, cy in (("top center", 0, h / 2 + 2), ("bottom center", 0, -h / 2 - 2),
                             ("middle right", w / 2 + 4, 0), ("middle left", -w / 2 - 4, 0)):
            box = (x + cx - w / 2, y + cy - h / 2, x + cx + w / 2, y + cy + h / 2)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= W and box[3] <= H
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3]
                                  and b[1] < box[3] for b in placed):
                placed.append(box)
                shown.append(r)
                where.append(name)
                break
    return np.array(shown, dtype=np.int64), where


# -- pictures and text -----------------------------------------------------------------------
def figure(fig: Figure, alt: str, table: str) -> dict[str, str]:
    """A picture for the template: the figure drawn once, as an inline PNG, and
    the numbers beside it. Its colours are reduced to a 256-colour palette (a
    colour map has 256 entries anyway): a third of the bytes of full colour."""
    image = Image.fromarray(pixels(fig, dpi=DPI)).convert("RGB")  # (H, W, 3)
    png = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(png, format="png")
    src = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")
    return {"alt": alt, "src": src, "table": table}


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' that could end it."""
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _static(name: str) -> str:
    return resources.files("tlm").joinpath("static", name).read_text(encoding="utf-8")


# -- the sections ----------------------------------------------------------------------------
def card(source: Source) -> dict[str, Any]:
    """A card: what the source is, its vocabulary and dimensions, and for a tlm
    model its settings, its text and its training curves (the `loss` analysis)."""
    kv = source.vectors
    facts: list[tuple[str, Any]] = []
    out: dict[str, Any] = {"label": source.label, "facts": facts, "curves": None, "note": None}
    if source.model is not None:
        s = summarize(source.model)  # what `tlm info` shows
        facts.append(("type", f"tlm {s.type} model"))
        facts.append(("file", source.origin))
        facts.append(("vocabulary", f"{s.words:,} words"))
        facts.append(("dimensions", s.dimensions))
        facts.append(("arrays", ", ".join(f"{n} {shape}" for n, shape in s.arrays.items())))
        if s.info.get("sources"):
            facts.append(("text", ", ".join(map(str, s.info["sources"]))))
        if s.info.get("tokens"):
            facts.append(("tokens", f"{int(s.info['tokens']):,}"))
        facts.append(("transforms", ", ".join(s.info.get("transforms") or []) or "none"))
        facts.append(("settings", ", ".join(f"{k}={v}" for k, v in s.settings.items())))
        try:
            curves = {source.label: loss(source.model)}
        except TlmError as e:
            out["note"] = str(e)
        else:
            analysis = registry()["loss"]
            out["curves"] = figure(analysis.draw(curves), "training curves",
                                   analysis.render(curves))
    else:
        facts.append(("type", "pretrained vectors"))
        facts.append(("source", source.origin))
        facts.append(("vocabulary", f"{len(kv):,} words"))
        facts.append(("dimensions", kv.vector_size))
        about = ABOUT.get(source.label)
        if about:
            facts.append(("about", about))
    return out


def sources_section(sources: Sequence[Source]) -> Section:
    return Section("sources", "The sources", (
        "How many words and dimensions each source has, and how much text it saw: a novel "
        "is about 160,000 words, GloVe saw 6 billion. Does the held-out loss fall with the "
        "training loss, or turn back up (overfitting)?"),
        "sources", {"cards": [card(s) for s in sources]})


def map_section(maps: Sequence[MapData], n: int,
                projection: str, groups: dict[str, list[str]]) -> Section:
    how = "PCA of the unit-length vectors" if projection == "pca" else "UMAP (cosine)"
    return Section("map", "The map", (
        f"Each dot is a word ({how}; the {n:,} most frequent words of each source plus "
        "the word groups' words it knows). Do words of a group sit together? Search a word: "
        "are its nearest neighbours (in all dimensions, red rings) also near it on the map? "
        "The group words and the most frequent are named on the map where a name has room "
        "(the others in the hover). "
        "The search looks through the mapped words and the source's next most frequent "
        "ones (every word of a small vocabulary; each answer says how many)."),
        "map", {"maps": maps, "groups": list(groups), "colours": GROUP_COLOURS,
                "other": OTHER_COLOUR})


def movie_section(sources: Sequence[Source]) -> Section:
    """The training movie of each model trained with --snapshots (tlm/atlas_movie.py)."""
    movies = [atlas_movie.page_data(movie(s.model, label=s.label), GROUP_COLOURS, OTHER_COLOUR)
              for s in sources if s.model is not None and s.model.snapshots is not None]
    return Section("movie", "The training movie", MOVIE.look_for, "movie", {
        "movies": movies, "data": _json_for_script(movies), "js": _static("atlas-movie.js")})


def ask_section(sources: Sequence[Source], n: int) -> Section:
    return Section("ask", "Neighbours and analogies, in the page", (
        "Ask every source the same question. The page carries the vectors of each "
        f"source's most frequent words (at least the {n:,} mapped; every word of a small "
        f"vocabulary, GloVe's {SEARCH_BYTES // 50:,} most frequent), so a rare word may be "
        "missing here that tlm explore finds; each answer says what it searched."), "ask")


def _run(analysis: Analysis, source: Source) -> Any:
    """One analysis on one source with the atlas's arguments; for an analysis run
    once per value (neighbours of each word), the values the source has."""
    on = source.model if source.model is not None else source.vectors
    args = dict(analysis.atlas)
    if analysis.each is None:
        return analysis.compute(on, **args)
    values = args.pop(analysis.each)
    if not any(vectors.find(source.vectors, v) for v in values):
        raise TlmError(f"none of {', '.join(values)} is in these vectors")
    return [analysis.compute(on, v, **args) if vectors.find(source.vectors, v)
            else Missing(v, f"{source.label} lacks {v!r}") for v in values]  # a row per value


def analysis_section(analysis: Analysis, sources: Sequence[Source]) -> Section:
    """Run one analysis on every source, side by side: the picture, the table
    and a note for each source it cannot use (a word it lacks, too few words)."""
    notes: list[str] = []
    results: Any = None
    if analysis.across:
        try:
            if len(sources) < 2:
                raise TlmError(f"{analysis.name} compares two or more sources; this page has one")
            results = analysis.compute({s.label: s.vectors for s in sources}, **analysis.atlas)
        except TlmError as e:
            notes.append(str(e))
    else:
        results = {}
        for s in sources:
            try:
                results[s.label] = _run(analysis, s)
            except TlmError as e:
                notes.append(f"{s.label}: {e}")
    content: dict[str, Any] = {"terminal": _terminal(analysis, sources), "figure": None}
    if results:
        if analysis.each is not None:
            table = "\n\n".join(f"{label}: nearest to {r.query!r}\n{r!r}"
                                for label, found in results.items() for r in found
                                if not isinstance(r, Missing))
        elif analysis.across:
            table = analysis.render({"vectors": results})
        else:
            table = analysis.render(results)
        content["figure"] = figure(analysis.draw(results), analysis.title, table)
    return Section(analysis.name, analysis.title, analysis.look_for, "analysis", content, notes)


def _terminal(analysis: Analysis, sources: Sequence[Source]) -> str:
    flags = " ".join(f"--model {s.origin}" if s.model is not None else f"--pretrained {s.origin}"
                     for s in sources)
    words = []
    for arg in analysis.arguments:
        if arg.name in analysis.atlas:
            value = analysis.atlas[arg.name]
            words += list(value) if isinstance(value, list | tuple) else [str(value)]
    for opt in analysis.options:
        if opt.name in analysis.atlas:
            words += [opt.flag or f"--{opt.name.replace('_', '-')}", str(analysis.atlas[opt.name])]
    args = "".join(f" {w}" for w in words)
    return f"tlm explore {analysis.name}{args} {flags} --png {analysis.name}.png"


def applies(analysis: Analysis, sources: Sequence[Source]) -> bool:
    """Whether the page has a section for `analysis`: always, unless it is only for
    one type of tlm model (the transformer's positions and attention) and no source
    is one."""
    return analysis.model_type is None or any(
        s.model is not None and s.model.type == analysis.model_type for s in sources)


# -- the page --------------------------------------------------------------------------------
def default_workers() -> int:
    """Worker processes for the sections: one per core (at most 4) on Linux, where
    a forked worker shares the sources with this process instead of copying them;
    elsewhere none (the sections are drawn one after another here)."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


#: The sections that take longest to draw (about 1-2 s each for three sources, as
#: benchmarks/atlas_speed.py shows): the workers start them first.
SLOWEST = frozenset({"hubness", "categories", "neighbors", "cos-vs-euclid", "movie"})
#: The steps a forked worker runs, by number (inherited at the fork, never pickled).
_STEPS: list[tuple[str, Callable[[], Section]]] = []


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the parent (which ends it) and runs BLAS on one
    thread: the workers already use every core."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held at the fork
    threadpool_limits(1, user_api="blas")


def _step(i: int) -> Section:
    return _STEPS[i][1]()


def build(
    sources: Sequence[Source],
    projection: str = "pca",
    n: int = MAP_WORDS,
    report: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Atlas:
    """The whole page for these sources; `report` gets one line per section as it goes.

    Every section but the map is independent of the others: with `workers` above
    1 (default: `default_workers()`), forked processes draw them at once, and the
    page is the same as drawn one after another (`workers=1`)."""
    if not sources:
        raise TlmError("the atlas needs at least one source")
    if not isinstance(n, int) or n < 1:
        raise TlmError(f"-n must be at least 1, not {n!r}")
    if projection not in PROJECTIONS:
        raise TlmError(f"unknown projection {projection!r}: use one of {', '.join(PROJECTIONS)}")
    say = report or (lambda line: None)
    groups = word_groups()
    steps: list[tuple[str, Callable[[], Section]]] = []
    maps: list[MapData] = []

    def the_map() -> Section:
        maps.extend(map_data(s.vectors, n, groups, projection) for s in sources)
        return map_section(maps, n, projection, groups)

    steps.append(("sources", lambda: sources_section(sources)))
    steps.append(("map", the_map))
    if any(s.model is not None and s.model.snapshots is not None for s in sources):
        steps.append(("movie", lambda: movie_section(sources)))
    steps.append(("ask", lambda: ask_section(sources, n)))
    for analysis in registry().values():
        if analysis.in_atlas and applies(analysis, sources):
            steps.append((analysis.name, lambda a=analysis: analysis_section(a, sources)))
    workers = default_workers() if workers is None else workers
    first = {i: make() for i, (name, make) in enumerate(steps) if name == "map"}  # fills `maps`
    rest = [i for i in range(len(steps)) if i not in first]
    sections = []
    with _pool(steps, workers) as run:
        made = run(rest)  # in order; worker processes start on them now
        data = {  # meanwhile, what the page's script needs (made here, while workers draw)
            "nearest": NEAREST,
            "groups": list(groups),
            "colours": list(GROUP_COLOURS),
            "other": OTHER_COLOUR,
            "sources": [_source_data(s, m, projection)
                        for s, m in zip(sources, maps, strict=True)],
        }
        _plotly_gzipped()
        for i, (name, _) in enumerate(steps):
            say(f"[{i + 1}/{len(steps)}] {name}")
            sections.append(first[i] if i in first else next(made))
    page = _page(sources, sections, data)
    return Atlas(page, sections)


@contextlib.contextmanager
def _pool(steps: list[tuple[str, Callable[[], Section]]],
          workers: int) -> Iterator[Callable[[list[int]], Iterator[Section]]]:
    """A function making the sections of the given step numbers, in order: here, one
    after another (workers=1), or in forked worker processes."""
    if workers <= 1:
        yield lambda numbers: (steps[i][1]() for i in numbers)
        return
    _STEPS[:] = steps
    # Ctrl-C held back while the workers are forked (one arriving mid-fork would
    # end a half-made worker with a traceback); it ends the page right after.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = multiprocessing.get_context("fork").Pool(workers, _worker_start)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    def in_order(numbers: list[int]) -> Iterator[Section]:
        # the slowest sections start first, so no worker is left with one at the end
        started = {i: pool.apply_async(_step, (i,))
                   for i in sorted(numbers, key=lambda i: steps[i][0] not in SLOWEST)}
        return (started[i].get() for i in numbers)

    try:
        with pool:
            yield in_order
    finally:
        _STEPS.clear()


def search_words(kv: KeyedVectors, mapped: Sequence[str], limit: int | None = None) -> list[str]:
    """The words whose vectors the page carries for its search: the mapped words
    (the map's rows, in its order), then the source's next most frequent words
    until their int8 rows fill `limit` bytes (default SEARCH_BYTES) or the
    vocabulary ends."""
    limit = SEARCH_BYTES if limit is None else limit
    wanted = max(len(mapped), limit // max(kv.vector_size, 1))
    words, chosen = list(mapped), set(mapped)
    for word in kv.index_to_key:
        if len(words) >= wanted:
            break
        if word not in chosen:
            words.append(word)
            chosen.add(word)
    return words


def quantize(unit: np.ndarray) -> np.ndarray:
    """(N, d) int8 rows pointing where the rows of `unit` point: each row scaled so
    its largest entry is +-127, then rounded. The page divides each row by its
    length again, so no scale is stored. A cosine is then within about 0.005 of
    the exact one (the largest error over 125,000 pairs of random 32-50-d rows;
    0.008 at 8 dimensions, 0.002 at 384)."""
    peak = np.maximum(np.abs(unit).max(axis=1, keepdims=True), 1e-12)  # (N, 1)
    return np.rint(unit * (127 / peak)).astype(np.int8)  # (N, d)


def dequantize(rows: np.ndarray) -> np.ndarray:
    """The unit rows the page computes with from `quantize`'s int8 rows (as atlas.js does)."""
    q = rows.astype(np.float32)  # (N, d)
    return q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)


def _source_data(source: Source, m: MapData, projection: str) -> dict[str, Any]:
    kv = source.vectors
    words = search_words(kv, m.words)
    raw = np.stack([kv[w] for w in words]).astype(np.float32)  # (S, d)
    norm = np.linalg.norm(raw, axis=1)  # (S,)
    unit = raw / np.maximum(norm, 1e-12)[:, None]  # (S, d)
    try:
        bg = background(kv)
        baseline = {"mean": round(bg.cos_mean, 3), "p99": round(bg.cos_p99, 3)}
    except TlmError:  # fewer than two words
        baseline = None
    return {
        "label": source.label,
        "background": baseline,
        "words": words,  # the first `mapped` are the map's points, in its order
        "mapped": len(m.words),
        "vocabulary": len(kv),  # the search says how many of them it saw
        "dim": kv.vector_size,
        "vectors": base64.b64encode(quantize(unit).tobytes()).decode("ascii"),  # (S, d) int8
        "norm": base64.b64encode(norm.astype("<f2").tobytes()).decode("ascii"),  # (S,) float16
        "group": m.group.tolist(),
        "labelled": map_labels(m)[0].tolist(),
        "figure": map_figure(source.label, m, projection),
    }


def _page(sources: Sequence[Source], sections: Sequence[Section], data: dict) -> str:
    """The page from its template (escaping every value), its CSS and its script."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             loader=jinja2.PackageLoader("tlm", "static"))
    return env.get_template("atlas.html.j2").render(
        version=__version__, labels=", ".join(s.label for s in sources),
        today=datetime.date.today().isoformat(), sections=sections, css=_static("atlas.css"),
        plotly=_plotly_gzipped(), data=_json_for_script(data), js=_static("atlas.js")) + "\n"


@functools.cache
def _plotly_gzipped() -> str:
    """plotly's script, gzip-compressed, in base64 (2.0 MB instead of 4.8 MB): the page
    unpacks it with the browser's own DecompressionStream before its scripts run."""
    script = get_plotlyjs().encode("utf-8")
    return base64.b64encode(gzip.compress(script, compresslevel=6, mtime=0)).decode("ascii")


def word_groups() -> dict[str, list[str]]:
    """The explorer's word groups (royalty, animals, ...), which colour the maps."""
    return {name: list(words) for name, words in GROUPS.items()}


def check_output(output: str | os.PathLike, inputs: Sequence[str | os.PathLike] = (),
                 force: bool = False) -> Path:
    """Fail before any work if the page cannot go to `output`: a folder, a missing
    folder, a special file, a model file, one of the page's own sources, or (unless
    `force`) any existing file that is not an earlier atlas page. Returns the file
    to write."""
    return writing.check_output(Path(output), writing.ATLAS, inputs, force=force)


def write(atlas: Atlas, output: str | os.PathLike, force: bool = False) -> Path:
    """Write the page atomically: an existing file is replaced whole or not at all,
    and only if the rule (tlm/writing.py) still allows it at the rename."""
    text = atlas.html.encode("utf-8")
    return writing.atomic_write(output, lambda f: f.write(text), writing.ATLAS, force)
