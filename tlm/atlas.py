"""The atlas: one offline web page about a learner's word vectors beside GloVe's.

`tlm explore` answers one question at a time in a terminal. The atlas puts
every answer on one page a learner can open from disk or an e-mail
attachment, with no server and no network: a card per source (what it is,
what it was trained on, its training curves), an interactive map of each
vocabulary (hover, zoom, a search box that lights up a word's nearest
neighbours), a neighbours box and an analogy box that compute in the page,
and the explorer's analyses as pictures and tables, every source side by
side, each with a short "what to look for".

Everything is inline: plotly's JavaScript (the interactive maps), the CSS,
the page's own script, the matplotlib pictures (SVG or PNG as data) and the
vectors of the mapped words (base64 float32; float16 above 100 dimensions), so
no request leaves the page.

    sources = load_sources(["emma.json"], ["glove-wiki-gigaword-50"])
    atlas = build(sources)            # an Atlas: the HTML text and its sections
    write(atlas, "emma-atlas.html")
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import json
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm.errors import TlmError

if TYPE_CHECKING:
    from gensim.models import KeyedVectors
    from matplotlib.figure import Figure

    from tlm.models.base import Model

#: How many of each source's most frequent words the map shows (`-n`).
MAP_WORDS = 2000
PROJECTIONS = ("pca", "umap")
#: Two sources at the defaults must fit in this many bytes (plotly's script alone is 4.8 MB).
SIZE_BUDGET = 8_000_000
#: Nearest words the search box and the neighbours box list.
NEAREST = 10
#: Vectors with more dimensions than this go into the page as float16, not float32
#: (a 384-d token table's 2,000 rows are 3 MB in float32); cosines stay good to ~1e-3.
FLOAT32_DIMS = 100

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
    """One part of the page: an id for links, a title, and its HTML."""

    id: str
    title: str
    html: str
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
    from tlm import compare

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
    """What the page needs to draw one source's map and answer questions about it."""

    words: list[str]  # the mapped words, most frequent first
    unit: np.ndarray  # (N, d) their vectors, unit length
    xy: np.ndarray  # (N, 2) their place on the map
    explained: tuple[float, float] | None  # share of variance on each PCA axis
    group: np.ndarray  # (N,) index into the groups, -1 for no group
    norm: np.ndarray  # (N,) length of each (raw) vector


def map_words(kv: KeyedVectors, n: int, extra: Sequence[str] = ()) -> list[str]:
    """The n most frequent words, then every word of `extra` the source knows
    (the word groups, so colouring by group means something even for a small model)."""
    words = list(kv.index_to_key[:n])
    chosen = set(words)
    for word in extra:
        key = _find(kv, word)
        if key is not None and key not in chosen:
            words.append(key)
            chosen.add(key)
    return words


def _find(kv: KeyedVectors, word: str) -> str | None:
    from tlm.geometry import find

    return find(kv, word)


def project(unit: np.ndarray, method: str = "pca",
            seed: int = 0) -> tuple[np.ndarray, tuple[float, float] | None]:
    """(N, 2) map coordinates of the rows of `unit`, and for PCA the share of the
    variance each axis holds (a learner should know how much a 2-D map leaves out).

    PCA: centre the rows, take the two directions of largest variance from the
    SVD Xc = U S Vt, and place each word at its coordinates along them: Xc @ Vt[:2].T.
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
    centred = unit - unit.mean(axis=0)  # (N, d)
    _, S, Vt = np.linalg.svd(centred, full_matrices=False)  # S: (min(N, d),)
    xy = np.zeros((N, 2), dtype=np.float32)
    k = min(2, Vt.shape[0])
    xy[:, :k] = centred @ Vt[:k].T  # (N, k)
    variance = S**2
    total = float(variance.sum())
    shares = [float(v / total) if total > 0 else 0.0 for v in variance[:2]]
    shares += [0.0] * (2 - len(shares))
    return xy, (shares[0], shares[1])


def map_data(kv: KeyedVectors, n: int, groups: dict[str, list[str]],
             projection: str = "pca") -> MapData:
    """The mapped words of one source, their unit vectors, map places and colours."""
    extra = [w for members in groups.values() for w in members]
    words = map_words(kv, n, extra)
    raw = np.stack([kv[w] for w in words]).astype(np.float32)  # (N, d)
    norm = np.linalg.norm(raw, axis=1)  # (N,)
    unit = raw / np.maximum(norm, 1e-12)[:, None]  # (N, d)
    xy, explained = project(unit, projection)
    group_of = {}
    for g, members in enumerate(groups.values()):
        for w in members:
            key = _find(kv, w)
            if key is not None:
                group_of.setdefault(key, g)
    group = np.array([group_of.get(w, -1) for w in words], dtype=np.int32)
    return MapData(words, unit, xy, explained, group, norm)


def map_figure(label: str, data: MapData, projection: str) -> dict:
    """A plotly figure of one map, as a JSON-ready dict: trace 0 every word,
    trace 1 the nearest words of a search, trace 2 the word searched. The page's
    script gives trace 0 its hover text and colours from the words and groups it
    has anyway (so they are not in the page twice)."""
    import plotly.graph_objects as go

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
    if data.explained is not None:
        axes = [f"PCA axis {i + 1} ({100 * s:.0f}% of the variance)"
                for i, s in enumerate(data.explained)]
    else:
        axes = [f"{projection.upper()} 1", f"{projection.upper()} 2"]
    fig.update_layout(
        title={"text": f"{label}: {len(data.words):,} words"}, height=560, showlegend=False,
        dragmode="pan", hovermode="closest", margin={"l": 50, "r": 20, "t": 50, "b": 50},
        xaxis={"title": {"text": axes[0]}, "zeroline": False},
        yaxis={"title": {"text": axes[1]}, "zeroline": False},
        plot_bgcolor="white",
    )
    return json.loads(fig.to_json())


# -- pictures and text -----------------------------------------------------------------------
def figure_html(fig: Figure, alt: str) -> str:
    """A matplotlib figure as an inline image: SVG (sharp at any zoom, its text
    stays text) or PNG, whichever is smaller (a scatter of thousands of points
    is a large SVG)."""
    import matplotlib.pyplot as plt

    svg, png = io.BytesIO(), io.BytesIO()
    with _svg_text_as_text(), warnings.catch_warnings():
        # a token table's words come in every script; a glyph the font lacks is a box
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(svg, format="svg", bbox_inches="tight")
        fig.savefig(png, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    if svg.tell() <= png.tell():
        data, kind = svg.getvalue(), "image/svg+xml"
    else:
        data, kind = png.getvalue(), "image/png"
    b64 = base64.b64encode(data).decode("ascii")
    return f'<img class="figure" alt="{_e(alt)}" src="data:{kind};base64,{b64}">'


def _svg_text_as_text():
    import matplotlib

    return matplotlib.rc_context({"svg.fonttype": "none"})


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' that could end it."""
    text = json.dumps(data, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _static(name: str) -> str:
    return resources.files("tlm").joinpath("static", name).read_text(encoding="utf-8")


# -- the sections ----------------------------------------------------------------------------
def card(source: Source) -> str:
    """A card: what the source is, its vocabulary and dimensions, and for a tlm
    model its settings, its text and its training curves."""
    kv = source.vectors
    rows: list[tuple[str, Any]] = []
    body = ""
    if source.model is not None:
        from tlm.summary import summarize

        facts = summarize(source.model)  # what `tlm info` shows
        rows.append(("type", f"tlm {facts.type} model"))
        rows.append(("file", source.origin))
        rows.append(("vocabulary", f"{facts.words:,} words"))
        rows.append(("dimensions", facts.dimensions))
        rows.append(("arrays", ", ".join(f"{n} {shape}" for n, shape in facts.arrays.items())))
        if facts.info.get("sources"):
            rows.append(("text", ", ".join(map(str, facts.info["sources"]))))
        if facts.info.get("tokens"):
            rows.append(("tokens", f"{int(facts.info['tokens']):,}"))
        rows.append(("transforms", ", ".join(facts.info.get("transforms") or []) or "none"))
        rows.append(("settings", ", ".join(f"{k}={v}" for k, v in facts.settings.items())))
        body = _curves(source)
    else:
        rows.append(("type", "pretrained vectors"))
        rows.append(("source", source.origin))
        rows.append(("vocabulary", f"{len(kv):,} words"))
        rows.append(("dimensions", kv.vector_size))
        about = ABOUT.get(source.label)
        if about:
            rows.append(("about", about))
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return (f'<article class="card"><h3>{_e(source.label)}</h3>'
            f'<table class="facts">{table}</table>{body}</article>')


def _curves(source: Source) -> str:
    """The training curves (the explorer's `loss`): loss and held-out loss per epoch."""
    from tlm import explore, explore_text, plot

    try:
        result = {source.label: explore.loss(source.model)}
    except TlmError as e:
        return f'<p class="note">{_e(e)}.</p>'
    return (figure_html(plot.loss(result), "training curves")
            + f"<details><summary>the numbers</summary><pre>{_e(explore_text.render(result))}"
            "</pre></details>")


def _look_for(text: str) -> str:
    return f'<p class="look-for"><strong>What to look for.</strong> {_e(text)}</p>'


def sources_section(sources: Sequence[Source]) -> Section:
    cards = "".join(card(s) for s in sources)
    body = _look_for(
        "How many words and dimensions each source has, and how much text it saw: a novel "
        "is about 160,000 words, GloVe saw 6 billion. Does the held-out loss fall with the "
        "training loss, or turn back up (overfitting)?"
    ) + f'<div class="cards">{cards}</div>'
    return Section("sources", "The sources", body)


def map_section(maps: Sequence[MapData], n: int,
                projection: str, groups: dict[str, list[str]]) -> Section:
    how = "PCA of the unit-length vectors" if projection == "pca" else "UMAP (cosine)"
    legend = "".join(
        f'<span class="swatch" style="background:{GROUP_COLOURS[g % len(GROUP_COLOURS)]}">'
        f"</span>{_e(name)} " for g, name in enumerate(groups))
    panels = []
    for i, m in enumerate(maps):
        panels.append(
            f'<div class="map-panel"><div class="map-tools">'
            f'<label>find a word <input type="search" id="search-{i}" class="search" '
            f'data-source="{i}" placeholder="e.g. {_e(m.words[0])}" autocomplete="off"></label>'
            f'<label>colour by <select class="colour-by" data-source="{i}">'
            f'<option value="group">word group</option>'
            f'<option value="rank">frequency rank</option>'
            f'<option value="norm">vector length</option></select></label></div>'
            f'<div class="map" id="map-{i}"></div>'
            f'<div class="near" id="near-{i}" aria-live="polite"></div></div>'
        )
    body = _look_for(
        f"Each dot is a word ({how}; the {n:,} most frequent words of each source plus "
        "the word groups' words it knows). Do words of a group sit together? Search a word: "
        "are its nearest neighbours (in all dimensions, red rings) also near it on the map?"
    ) + f'<p class="legend">{legend}<span class="swatch" style="background:{OTHER_COLOUR}">' \
        f'</span>other words. Drag to pan, scroll to zoom, double-click to reset.</p>' \
        + f'<div class="maps">{"".join(panels)}</div>'
    return Section("map", "The map", body)


def ask_section(sources: Sequence[Source], n: int) -> Section:
    body = _look_for(
        "Ask every source the same question. The page only knows the mapped words (the "
        f"{n:,} most frequent of each source and the group words), so a rare word may be "
        "missing here that tlm explore finds."
    ) + (
        '<form class="ask" id="ask-neighbours" onsubmit="return false">'
        '<label>nearest words to <input type="search" id="neighbours-word" '
        'autocomplete="off" placeholder="a word"></label></form>'
        '<div id="neighbours-answer" class="side-by-side" aria-live="polite"></div>'
        '<form class="ask" id="ask-analogy" onsubmit="return false">'
        '<input type="search" id="analogy-a" value="man" aria-label="a"> is to '
        '<input type="search" id="analogy-b" value="king" aria-label="b"> as '
        '<input type="search" id="analogy-c" value="woman" aria-label="c"> is to ? '
        '(the nearest words to b - a + c, leaving out a, b and c)</form>'
        '<div id="analogy-answer" class="side-by-side" aria-live="polite"></div>'
    )
    return Section("ask", "Neighbours and analogies, in the page", body)


# -- the explorer's analyses -------------------------------------------------------------------
#: Words the neighbours section asks every source about.
NEIGHBOR_WORDS = ("happy", "king", "woman")
#: Words sampled for hubness (tlm explore hubness samples 20,000; the page keeps to 5,000).
HUBNESS_SAMPLE = 5000


@dataclass
class Analysis:
    """One analysis of tlm/explore.py as a section of the page: what a learner
    should look for, how to run it in a terminal, and how to run it on one source
    (`run`), or on all sources at once (`run_all`, for `overlap`)."""

    kind: str  # the `tlm explore` subcommand
    title: str
    look_for: str
    run: Callable[[Source], Any] | None = None
    run_all: Callable[[dict[str, Any]], Any] | None = None
    args: str = ""  # the subcommand's arguments, for the terminal line


def _analyses() -> list[Analysis]:
    from tlm import explore as ex

    def neighbors(s: Source) -> list:
        found = [ex.neighbors(s.vectors, w) for w in NEIGHBOR_WORDS if _find(s.vectors, w)]
        if not found:
            raise TlmError(f"none of {', '.join(NEIGHBOR_WORDS)} is in these vectors")
        return found

    def overlap(vectors: dict[str, Any]) -> Any:
        if len(vectors) < 2:
            raise TlmError("overlap compares two or more sources; this page has one")
        return ex.overlap(vectors)

    return [
        Analysis("norms", "Vector lengths",
                 "Are the vectors unit length (GloVe's are not, nor are a trained model's)? "
                 "Is the cloud centred on the origin, or shifted along some dimensions?",
                 lambda s: ex.norms(s.vectors)),
        Analysis("background", "Random pairs: the baseline",
                 "What cosine do two random words get? Every similarity below must stand out "
                 "from this: a small model's random pairs can average 0.8, GloVe's about 0.1.",
                 lambda s: ex.background(s.vectors)),
        Analysis("pairs", "Word pairs against the baseline",
                 "Do related pairs (king-queen, dog-cat) beat unrelated ones (king-banana)? "
                 "The percentile says how many random pairs score lower.",
                 lambda s: ex.pairs(s.vectors)),
        Analysis("neighbors", "Nearest neighbours",
                 "Are the neighbours related in meaning, or merely frequent? Compare each bar "
                 "with the dashed line: a neighbour at the random-pair level means little.",
                 neighbors, args=" ".join(NEIGHBOR_WORDS)),
        Analysis("analogy", "man is to king as woman is to ?",
                 "Is queen the answer, and is the result closer to queen than to king itself "
                 "(cos(result, b))? The histogram shows how far above the crowd the top word is.",
                 lambda s: ex.analogy(s.vectors, "man", "king", "woman", expected="queen"),
                 args="man king woman --expected queen"),
        Analysis("cos-vs-euclid", "Cosine against Euclidean distance",
                 "Cosine ignores length, distance does not. Which words does one measure call "
                 "near and the other far? Often the frequent words with long vectors.",
                 lambda s: ex.cos_vs_euclid(s.vectors, "happy"), args="happy"),
        Analysis("axes", "Royalty and gender as two directions",
                 "On the man-to-king axis do the royal words sit to the right, and on the "
                 "man-to-woman axis the female words up? Raw and unit-length views differ.",
                 lambda s: ex.axes(s.vectors)),
        Analysis("directions", "Is 'plural' one direction?",
                 "If cat-to-cats, dog-to-dogs, ... all point the same way the heatmap is red and "
                 "the consistency score is well above that of random offsets.",
                 lambda s: ex.directions(s.vectors)),
        Analysis("numbers", "one, two, ..., ten",
                 "Are numbers close in value close in space (a warm band along the diagonal)? "
                 "Compare the adjacent and the distant mean.",
                 lambda s: ex.numbers(s.vectors)),
        Analysis("categories", "Word groups",
                 "Is the diagonal (within a group) warmer than the rest (between groups)? "
                 "Do the groups' words form clusters on the 2-D PCA?",
                 lambda s: ex.categories(s.vectors)),
        Analysis("matrix", "A slice of the matrix",
                 "Twenty random words by the first dimensions: no single dimension means "
                 "'royalty' or 'plural'; meaning is spread over all of them.",
                 lambda s: ex.matrix(s.vectors)),
        Analysis("hubness", "Hubs: everyone's neighbour",
                 f"How often each word (of a sample of {HUBNESS_SAMPLE:,}) is among the others' "
                 "10 nearest. A long right tail (large skewness) means a few hubs crowd every "
                 "neighbour list.",
                 lambda s: ex.hubness(s.vectors, sample=HUBNESS_SAMPLE),
                 args=f"--sample {HUBNESS_SAMPLE}"),
        Analysis("pca", "How many directions matter",
                 "Does the variance fall off quickly (a few strong directions) or slowly? Does "
                 "centring drop the random-pair cosine (anisotropy: one common direction)?",
                 lambda s: ex.pca(s.vectors)),
        Analysis("overlap", "Do the sources agree?",
                 "How many of a word's 10 nearest neighbours do two sources share (Jaccard), "
                 "and do they rank random pairs alike (Spearman)?",
                 run_all=overlap),
        Analysis("frequency", "Frequency against length",
                 "Do frequent words get longer or shorter vectors? A strong correlation means "
                 "length carries frequency, one more reason to compare by cosine.",
                 lambda s: ex.frequency(s.model if s.model is not None else s.vectors)),
    ]


def analysis_section(analysis: Analysis, sources: Sequence[Source]) -> Section:
    """Run one analysis on every source, side by side: the picture, the table
    and a note for each source it cannot use (a word it lacks, too few words)."""
    from tlm import explore_text, plot

    notes: list[str] = []
    results: Any = None
    if analysis.run_all is not None:
        try:
            results = analysis.run_all({s.label: s.vectors for s in sources})
        except TlmError as e:
            notes.append(str(e))
    else:
        results = {}
        for s in sources:
            try:
                results[s.label] = analysis.run(s)
            except TlmError as e:
                notes.append(f"{s.label}: {e}")
    body = _look_for(analysis.look_for) + _terminal(analysis, sources)
    if results:
        if analysis.kind == "neighbors":
            table = "\n\n".join(explore_text.neighbors_list(n) for found in results.values()
                                 for n in found)
        else:
            table = explore_text.render(results)
        body += figure_html(plot.plot(results), analysis.title)
        body += f"<details><summary>the numbers</summary><pre>{_e(table)}</pre></details>"
    body += "".join(f'<p class="note">{_e(n)}</p>' for n in notes)
    return Section(analysis.kind, analysis.title, body, notes)


def _terminal(analysis: Analysis, sources: Sequence[Source]) -> str:
    flags = " ".join(f"--model {s.origin}" if s.model is not None else f"--pretrained {s.origin}"
                     for s in sources)
    args = f" {analysis.args}" if analysis.args else ""
    line = f"tlm explore {analysis.kind}{args} {flags} --png {analysis.kind}.png"
    return f'<p class="terminal">In a terminal: <code>{_e(line)}</code></p>'


# -- the page --------------------------------------------------------------------------------
def build(
    sources: Sequence[Source],
    projection: str = "pca",
    n: int = MAP_WORDS,
    report: Callable[[str], None] | None = None,
) -> Atlas:
    """The whole page for these sources; `report` gets one line per section as it goes."""
    if not sources:
        raise TlmError("the atlas needs at least one source")
    if not isinstance(n, int) or n < 1:
        raise TlmError(f"-n must be at least 1, not {n!r}")
    if projection not in PROJECTIONS:
        raise TlmError(f"unknown projection {projection!r}: use one of {', '.join(PROJECTIONS)}")
    import matplotlib

    matplotlib.use("Agg")  # the pictures go into the page, never to a window
    say = report or (lambda line: None)
    groups = word_groups()
    steps: list[tuple[str, Callable[[], Section]]] = []
    maps: list[MapData] = []

    def the_map() -> Section:
        maps.extend(map_data(s.vectors, n, groups, projection) for s in sources)
        return map_section(maps, n, projection, groups)

    steps.append(("sources", lambda: sources_section(sources)))
    steps.append(("map", the_map))
    steps.append(("ask", lambda: ask_section(sources, n)))
    for analysis in _analyses():
        steps.append((analysis.kind, lambda a=analysis: analysis_section(a, sources)))
    sections = []
    for i, (name, make) in enumerate(steps, 1):
        say(f"[{i}/{len(steps)}] {name}")
        sections.append(make())
    data = {
        "nearest": NEAREST,
        "groups": list(groups),
        "colours": list(GROUP_COLOURS),
        "other": OTHER_COLOUR,
        "sources": [_source_data(s, m, projection) for s, m in zip(sources, maps, strict=True)],
    }
    page = _page(sources, sections, data)
    return Atlas(page, sections)


def _source_data(source: Source, m: MapData, projection: str) -> dict[str, Any]:
    from tlm.explore import background

    N, d = m.unit.shape
    try:
        bg = background(source.vectors)
        baseline = {"mean": round(bg.cos_mean, 3), "p99": round(bg.cos_p99, 3)}
    except TlmError:  # fewer than two words
        baseline = None
    return {
        "label": source.label,
        "background": baseline,
        "words": m.words,
        "dim": d,
        "dtype": _dtype(d),
        "vectors": base64.b64encode(m.unit.astype(_dtype(d)).tobytes()).decode("ascii"),
        "group": m.group.tolist(),
        "norm": [round(float(x), 4) for x in m.norm],
        "figure": map_figure(source.label, m, projection),
    }


def _dtype(dim: int) -> str:
    """How the page stores unit vectors of `dim` dimensions: little-endian float32,
    or float16 for wide tables."""
    return "<f4" if dim <= FLOAT32_DIMS else "<f2"


def _page(sources: Sequence[Source], sections: Sequence[Section], data: dict) -> str:
    from plotly.offline import get_plotlyjs

    from tlm import __version__

    labels = ", ".join(s.label for s in sources)
    nav = " · ".join(f'<a href="#{s.id}">{_e(s.title)}</a>' for s in sections)
    parts = "".join(
        f'<section id="{s.id}"><h2>{_e(s.title)}</h2>{s.html}</section>' for s in sections)
    today = datetime.date.today().isoformat()
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="tlm {_e(__version__)} atlas">'
        f"<title>tlm atlas: {_e(labels)}</title>"
        f"<style>{_static('atlas.css')}</style>"
        f"<script>{get_plotlyjs()}</script></head>"
        f"<body><header><h1>An atlas of {_e(labels)}</h1>"
        f'<p class="made">Made by <code>tlm atlas</code> on {today}. This page works offline: '
        f"everything it shows is inside this one file.</p><nav>{nav}</nav></header>"
        f"<main>{parts}</main>"
        f'<script type="application/json" id="atlas-data">{_json_for_script(data)}</script>'
        f"<script>{_static('atlas.js')}</script></body></html>\n"
    )


def word_groups() -> dict[str, list[str]]:
    """The explorer's word groups (royalty, animals, ...), which colour the maps."""
    from tlm.explore import GROUPS

    return {name: list(words) for name, words in GROUPS.items()}


def check_output(output: str | os.PathLike, inputs: Sequence[str | os.PathLike] = ()) -> Path:
    """Fail before any work if the page cannot go to `output`: a folder, a missing
    folder, a special file, a model file or one of the page's own sources. An
    older page (or any other file) is replaced. Returns the file to write."""
    from tlm import writing

    return writing.check_output(Path(output), writing.EXPORT, inputs, force=True)


def write(atlas: Atlas, output: str | os.PathLike) -> Path:
    """Write the page atomically: an existing file is replaced whole or not at all."""
    from tlm.writing import atomic_write

    text = atlas.html.encode("utf-8")
    return atomic_write(output, lambda f: f.write(text))
