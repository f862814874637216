"""What every analysis file shares: its description, its result's base, checks, drawing.

An analysis file (tlm/analyses/norms.py, ...) holds everything about one
question: its result dataclass, its computation, its text, its picture and an
`ANALYSIS = Analysis(...)` that names them, with its title, what to look for,
its command-line arguments and options, and what the atlas runs. The option
defaults are the computation's own keyword defaults (read from its signature),
so each is written once.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib
import numpy as np
from matplotlib import font_manager, ticker
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from tlm.errors import TlmError
from tlm.table import grid
from tlm.vectors import Source, find, keyed_vectors


@dataclass(frozen=True)
class Option:
    """A keyword of the computation offered on the command line as `flag`
    (default `--name`). Its default is the computation's."""

    name: str
    help: str = ""
    flag: str | None = None
    type: Any = int  # int, float, str, or bool for a flag
    metavar: str | None = None
    flags: tuple[str, ...] = ()  # more names for it (-n as well as --pairs)
    convert: Callable[[Any], Any] | None = None  # e.g. a file name -> its groups
    multiple: bool = False  # repeatable: a tuple of values


@dataclass(frozen=True)
class Argument:
    """A positional argument: one value, or words (`many`: zero or more, passed
    as a tuple, the default when none is given). `pairs` reads 'a:b' words."""

    name: str
    many: bool = False
    metavar: str | None = None
    pairs: bool = False
    required: bool = False


@dataclass(frozen=True)
class Analysis:
    """One analysis: everything the command, the shell and the atlas need."""

    name: str  # the `tlm explore` subcommand and the shell's explore.<name with _>
    order: int  # its place in the atlas and in listings
    question: str  # the notebook's question it answers
    title: str  # the atlas section's title
    look_for: str  # what to look for, in the atlas
    compute: Callable[..., Any]
    render: Callable[[Mapping[str, Any]], str]
    draw: Callable[[Mapping[str, Any]], Figure]
    result: type
    arguments: tuple[Argument, ...] = ()
    options: tuple[Option, ...] = ()
    atlas: Mapping[str, Any] = field(default_factory=dict)  # the atlas's arguments
    each: str | None = None  # an argument of many values run one at a time (neighbours)
    across: bool = False  # one result across all sources (overlap), not one per source
    in_atlas: bool = True  # a section of its own in the atlas
    #: result -> a matplotlib animation (the movie): `tlm explore NAME --gif FILE` writes it
    animate: Callable[[Any], Any] | None = None
    #: only for tlm models of this type ('transformer'): the atlas has the section only
    #: when one of its sources is one
    model_type: str | None = None

    def __post_init__(self) -> None:
        if not getattr(self.draw, "__wrapped_by_tlm__", False):
            object.__setattr__(self, "draw", styled(self.draw))

    @property
    def python_name(self) -> str:
        return self.name.replace("-", "_")


class Result:
    """Base of every result: prints as the table `tlm explore` shows."""

    def __repr__(self) -> str:
        module = sys.modules[type(self).__module__]
        return module.ANALYSIS.render({"vectors": self})


# -- checks --------------------------------------------------------------------------------
def check_size(source: Source, at_least: int, what: str) -> None:
    n = len(keyed_vectors(source))
    if n < at_least:
        raise TlmError(f"{what} needs at least {at_least} words; these vectors have {n}")


def pairs_of(words: Sequence[tuple[str, str]] | Sequence[str]) -> list[tuple[str, str]]:
    """Pairs given as ('a', 'b') tuples or as 'a:b' strings."""
    pairs = []
    for p in words:
        if isinstance(p, str):
            a, sep, b = p.partition(":")
            if not sep or not a or not b:
                raise TlmError(f"a word pair is written a:b (e.g. king:queen), not {p!r}")
            pairs.append((a, b))
        else:
            a, b = p
            pairs.append((a, b))
    return pairs


def known_pairs(source: Source, pairs: Sequence[tuple[str, str]] | Sequence[str]
                ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the pairs with both words in the table, as its keys; the others)."""
    kept, missing = [], []
    for a, b in pairs_of(pairs):
        ka, kb = find(source, a), find(source, b)
        if ka is None or kb is None:
            missing.append((a, b))
        else:
            kept.append((ka, kb))
    return kept, missing


def model_of(source: Source, model_type: str, what: str) -> Any:
    """The tlm model `source` is, if it is one of `model_type`; else the one-line
    error that says what `what` needs."""
    found = getattr(source, "type", None)
    if found == model_type:
        return source
    article = "an" if isinstance(found, str) and found[:1] in "aeiou" else "a"
    given = f"{article} {found} model" if isinstance(found, str) else "pretrained vectors"
    raise TlmError(f"{what} needs a tlm {model_type} model (tlm train --model {model_type}), "
                   f"not {given}")


# -- text ----------------------------------------------------------------------------------
def missing_lines(results: Mapping[str, Any], attr: str = "missing") -> str:
    lines = []
    for label, r in results.items():
        missing = getattr(r, attr, None)
        if missing:
            words = ", ".join(":".join(m) if isinstance(m, tuple) else m for m in missing)
            lines.append(f"{label} lacks: {words}")
    return "\n".join(lines)


def join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table under a heading line: left-aligned columns, indented two spaces."""
    return grid(header, rows, indent="  ")


def summary(title: str, results: Mapping[str, Any],
            rows: Sequence[tuple[str, Callable[[Any], str]]]) -> str:
    """One row per measure, one column per source."""
    body = [[name, *(fn(r) for r in results.values())] for name, fn in rows]
    return f"{title}\n{grid(['', *results], body, indent='  ')}"


# -- pictures ------------------------------------------------------------------------------
#: tlm's own drawing settings: matplotlib's defaults, whatever the user's matplotlibrc
#: says (text.usetex with no LaTeX, a font that is not installed, ...), with every
#: label plain text (a word holding `$` or `\\` is not mathematics).
STYLE = {k: v for k, v in matplotlib.rcParamsDefault.items()
         if k not in ("backend", "backend_fallback", "interactive", "webagg.port")}
STYLE.update({"text.usetex": False, "text.parse_math": False, "font.family": ["DejaVu Sans"],
              "axes.formatter.use_mathtext": False})


@functools.cache
def _drawable() -> frozenset[int]:
    """The code points tlm's font (DejaVu Sans, shipped with matplotlib) can draw."""
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"),
                                 fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())


def plain(text: str) -> str:
    """Text as tlm draws it: a character the font cannot draw (or a control
    character) written as its code point, <U+4E2D>, never as a box."""
    if text.isascii() and text.isprintable():  # the font draws every printable ASCII character
        return text
    drawable = _drawable()
    return "".join(c if (ord(c) in drawable and c.isprintable()) or c == "\n"
                   else f"<U+{ord(c):04X}>" for c in text)


class _PlainFormatter(ticker.Formatter):
    """A tick formatter whose labels go through `plain`."""

    def __init__(self, inner: ticker.Formatter) -> None:
        self.inner = inner

    def __call__(self, x: float, pos: int | None = None) -> str:
        return plain(self.inner(x, pos))

    def set_locs(self, locs: Any) -> None:
        self.inner.set_locs(locs)

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)


def _texts(artist: Any) -> Iterator[Text]:
    """Every text of a figure but its tick labels (which `_PlainFormatter` makes
    plain as they are drawn): `findobj` would make every tick of every axis
    first, which cost a figure more time than its layout."""
    if isinstance(artist, Text):
        yield artist
    if isinstance(artist, Axis):
        yield from (artist.label, artist.offsetText)
        return
    for child in artist.get_children():
        yield from _texts(child)


def _plain_number(x: float, pos: int | None = None) -> str:
    """A log axis's tick as a learner writes it: 100,000 (not 1e+05), 0.01."""
    return f"{x:,.0f}" if x >= 1 and x == round(x) else f"{x:g}"


def finish(fig: Figure) -> Figure:
    """Every text of a drawn figure made plain (`plain`, no mathematics, no LaTeX),
    and the word labels of scatters (`label_points`) that would sit on one another
    moved to a free place near their point, or hidden (and counted) when none is."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            inner = axis.get_major_formatter()
            if isinstance(inner, ticker.LogFormatterMathtext):  # 10^5 as 100,000, not mathematics
                inner = ticker.FuncFormatter(_plain_number)
            if not isinstance(inner, _PlainFormatter):
                axis.set_major_formatter(_PlainFormatter(inner))
    for t in _texts(fig):
        t.set_text(plain(t.get_text()))
        t.set_usetex(False)
        t.set_parse_math(False)
    _fit_titles(fig, _canvas(fig).get_renderer(), estimate=True)  # most need no second layout
    renderer = _layout(fig)  # where every panel and text goes: no drawing needed
    if _fit_titles(fig, renderer):
        renderer = _layout(fig)  # the wrapped titles take more height
    if any(getattr(t, "_tlm_label", False) for ax in fig.axes for t in ax.texts):
        _declutter(fig, renderer)
    fig._tlm_laid_out = True  # `save` draws it as placed, without a layout of its own
    return fig


def wrap(text: str, width: int) -> str:
    """Text on lines of at most `width` characters, broken between words; a word
    longer than a line is cut, but never inside a <U+XXXX> (see `plain`)."""
    pieces = []
    for word in text.split():
        units = re.findall(r"<U\+[0-9A-F]+>|.", word)
        chunk = ""
        for u in units:
            if chunk and len(chunk) + len(u) > width:
                pieces.append(chunk)
                chunk = ""
            chunk += u
        pieces.append(chunk)
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(piece)
    return "\n".join(lines)


#: Before the layout, a panel's width is guessed as this share of its grid cell (the
#: rest goes to tick labels; the second with a colour bar beside it); the layout then
#: checks the guess. Measured on the atlas's figures: 0.66-0.83 and 0.52-0.70.
PANEL_SHARE = (0.72, 0.62)


def _fit_titles(fig: Figure, renderer: Any, estimate: bool = False) -> bool:
    """Titles and axis labels wider than their panel wrapped onto more lines (a long
    source name, 'hf:sentence-transformers/all-MiniLM-L6-v2: row norms'), so
    neighbouring panels' titles never run into each other or off the canvas. Whether
    any was wrapped (the layout then changes). `estimate`: before any layout, with
    each panel's width guessed from its grid cell (a text's width needs no layout),
    so that most figures are laid out once."""
    wrapped = False
    for ax in fig.axes:
        if estimate:
            spec = ax.get_subplotspec()
            if spec is None or ax.get_label() == "<colorbar>":
                continue
            columns = spec.colspan.stop - spec.colspan.start
            share = PANEL_SHARE[1 if getattr(ax, "_colorbars", None) else 0]
            width = fig.bbox.width * share * columns / spec.get_gridspec().ncols
        else:
            width = ax.get_window_extent(renderer).width
        for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label):
            shown = t.get_text()
            text = getattr(t, "_tlm_one_line", shown)  # as written, before a wrap of ours
            if not text or ("\n" in text and text == shown):  # its author broke it
                continue
            w = t.get_window_extent(renderer).width
            if w > width:
                longest = max(len(line) for line in shown.split("\n"))
                t.set_text(wrap(text, max(12, int(longest * width / w) - 2)))
                t._tlm_one_line = text
                wrapped = True
    return wrapped


def label_points(ax: Any, words: Sequence[str], xy: np.ndarray, fontsize: float = 7,
                 keep: bool = False, **kw: Any) -> None:
    """Words beside their points. `finish` moves a label that would overlap
    another text or leave the panel to the first free place around its point
    (PLACES, then further out with a line to the point) and hides it only when
    none is free, saying in the panel how many it hid. `keep` labels (landmark
    words) are placed before all others; give the most important first."""
    for w, (x, y) in zip(words, xy, strict=True):
        t = ax.annotate(w, (x, y), xytext=(3, 2), textcoords="offset points",
                        fontsize=fontsize, bbox={"boxstyle": "square,pad=0.05", "lw": 0,
                                                 "facecolor": "white", "alpha": 0.7}, **kw)
        t.set_in_layout(False)
        t._tlm_label = "keep" if keep else True


def _around(distance: float) -> list[tuple[tuple[float, float], str, str]]:
    """Eight places `distance` points from a point (right, above, left, below and
    the diagonals), each aligned so the label's near side faces the point."""
    out = []
    for k in (0, 2, 4, 6, 1, 3, 5, 7):
        angle = k * np.pi / 4
        dx, dy = np.cos(angle), np.sin(angle)
        ha = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        va = "bottom" if dy > 0.3 else "top" if dy < -0.3 else "center"
        out.append(((round(distance * dx, 1), round(distance * dy, 1)), ha, va))
    return out


#: Where a point's label may go (offset in points, alignment), tried in this order:
#: right above, left above, right below, left below; then further out, with a line.
PLACES = (((3, 2), "left", "bottom"), ((-3, 2), "right", "bottom"),
          ((3, -2), "left", "top"), ((-3, -2), "right", "top"))
FURTHER = (*_around(12), *_around(22), *_around(34))
#: Pixels kept clear between two labels (so 'duke princess' never reads 'dukeprincess').
LABEL_GAP = 2


def _declutter(fig: Figure, renderer: Any) -> None:
    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        placed = [t.get_window_extent(renderer) for t in ax.texts
                  if not getattr(t, "_tlm_label", False) and t.get_visible() and t.get_text()]
        labels = [t for t in ax.texts if getattr(t, "_tlm_label", False)]
        labels.sort(key=lambda t: t._tlm_label != "keep")  # landmarks first, else in order
        hidden, shown = [], []
        for t in labels:
            for place in (*PLACES, *FURTHER):
                e = _try_place(t, place, renderer)
                inside = (e.x0 >= box.x0 and e.x1 <= box.x1 and e.y0 >= box.y0
                          and e.y1 <= box.y1)
                if inside and not any(e.padded(LABEL_GAP).overlaps(p) for p in placed):
                    placed.append(e)
                    shown.append((t, e, place))
                    break
            else:
                t.set_visible(False)
                hidden.append(t)
        if hidden:
            _hidden_note(ax, len(hidden), placed, shown, renderer)
        for t, _, place in shown:
            if t.get_visible() and place not in PLACES:  # far from its point: a line to it
                _leader(ax, t, place)


def _try_place(t: Any, place: tuple[tuple[float, float], str, str], renderer: Any) -> Any:
    offset, ha, va = place
    t.set_position(offset)
    t.set_ha(ha)
    t.set_va(va)
    return t.get_window_extent(renderer)


def _leader(ax: Any, t: Any, place: tuple[tuple[float, float], str, str]) -> None:
    """A thin line from a moved label's near side to its point (an annotation
    with no text, so it is no text box of its own)."""
    line = ax.annotate("", t.xy, xytext=place[0], textcoords="offset points",
                       arrowprops={"arrowstyle": "-", "lw": 0.5, "color": t.get_color(),
                                   "shrinkA": 0, "shrinkB": 2})
    line.set_in_layout(False)


def _hidden_note(ax: Any, n: int, placed: list[Any], shown: list[tuple[Any, Any, Any]],
                 renderer: Any) -> None:
    """'n labels hidden' in the first corner of the panel where it overlaps no text;
    when every corner is taken, in the lower right, hiding the labels under it
    that are not landmarks (and counting them)."""
    corners = ((0.99, 0.01, "right", "bottom"), (0.99, 0.99, "right", "top"),
               (0.01, 0.01, "left", "bottom"), (0.01, 0.99, "left", "top"))
    note = ax.text(0, 0, "", fontsize=6, color="0.35", transform=ax.transAxes,
                   bbox={"boxstyle": "square,pad=0.1", "lw": 0, "facecolor": "white",
                         "alpha": 0.8})
    note.set_in_layout(False)

    def put(x: float, y: float, ha: str, va: str, n: int) -> Any:
        note.set_text(f"{n} label{'s' * (n != 1)} hidden (no room)")
        note.set_position((x, y))
        note.set_ha(ha)
        note.set_va(va)
        return note.get_window_extent(renderer)

    for corner in corners:
        if not any(put(*corner, n).overlaps(p) for p in placed):
            return
    e = put(*corners[0], n + len(shown))  # as wide as it can get
    under = [t for t, box, _ in shown if box.overlaps(e) and t._tlm_label != "keep"]
    for t in under:
        t.set_visible(False)
    put(*corners[0], n + len(under))


def _canvas(fig: Figure) -> FigureCanvasAgg:
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas


def _layout(fig: Figure) -> Any:
    """The figure's constrained layout run on an Agg canvas (panels placed, view
    limits settled, nothing drawn), and its renderer: enough to measure the texts
    `finish` moves (titles, point labels) and the panels they must stay in.
    (A legend is placed only when drawn: `_renderer` measures every text.)"""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    return fig.canvas.get_renderer()


def _renderer(fig: Figure) -> Any:
    """The figure laid out (constrained layout run) on an Agg canvas, and its renderer:
    every text's window extent is then where the picture draws it."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """matplotlib's warnings that would reach a learner's terminal: a glyph the font
    lacks (tlm draws those as <U+XXXX>), and a layout given up for labels too long
    for their panel (the picture is still drawn, its labels wrapped or hidden)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        yield


def styled(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """`draw` run with tlm's own settings (STYLE), its figure finished (`finish`)."""

    @functools.wraps(draw)
    def drawing(*args: Any, **kwargs: Any) -> Figure:
        with matplotlib.rc_context(STYLE), quiet():
            return finish(draw(*args, **kwargs))

    drawing.__wrapped_by_tlm__ = True  # type: ignore[attr-defined]
    return drawing


def save(fig: Figure, file: Any, dpi: int = 100) -> None:
    """Write a figure as PNG with tlm's own settings, whatever the user's matplotlibrc;
    matplotlib's missing-glyph warning never reaches the terminal."""
    with matplotlib.rc_context(STYLE), quiet():
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        if getattr(fig, "_tlm_laid_out", False):  # `finish` placed everything: keep it so
            fig.set_layout_engine("none")
        fig.savefig(file, format="png", dpi=dpi)


def pixels(fig: Figure, dpi: int = 100) -> np.ndarray:
    """The figure drawn as `save` draws it, as an (H, W, 4) RGBA array (no PNG
    written and read back: the atlas reduces the colours itself)."""
    with matplotlib.rc_context(STYLE), quiet():
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        if getattr(fig, "_tlm_laid_out", False):
            fig.set_layout_engine("none")
        fig.set_dpi(dpi)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()


#: Inches per panel; `scale` below 1 draws smaller (the tests draw at 0.4).
SCALE = 1.0
#: At most this many points are drawn in a scatter of every word (a seeded sample).
SCATTER_POINTS = 20000


def figure(rows: int, cols: int, width: float = 4.2, height: float = 3.4) -> tuple[Figure, Any]:
    """A Figure (no pyplot: nothing is shown or kept open) and its (rows, cols) panels."""
    fig = Figure(figsize=(width * cols * SCALE, height * rows * SCALE), layout="constrained")
    axs = fig.subplots(rows, cols, squeeze=False)
    return fig, axs


def mapping(results: Any) -> dict[str, Any]:
    """{label: result} from one result (labelled 'vectors') or a mapping."""
    if isinstance(results, Result):
        return {"vectors": results}
    if isinstance(results, Sequence) and not isinstance(results, str):
        return {"vectors": list(results)}
    return dict(results)


@dataclass
class Missing:
    """A cell of a grid (a row per query, a column per source) that a source
    cannot fill: its query and why (a word it lacks)."""

    query: str
    why: str


def fill(text: str, width: int = 40) -> str:
    """Text wrapped to lines of at most `width` characters."""
    return textwrap.fill(text, width)


def legend_below(fig: Figure, axs: Any, fontsize: float = 8) -> None:
    """One legend for the whole figure, under its panels, never on the bars or
    lines it explains (the first panel's entries; every panel draws the same)."""
    for ax in np.ravel(axs):
        handles, names = ax.get_legend_handles_labels()
        if handles:
            fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 3),
                       fontsize=fontsize, frameon=False)
            return


def scale_of(M: np.ndarray) -> tuple[float, float, str]:
    """(low, high, colour map) fitted to the values shown: a diverging map centred
    on 0 when they have both signs, else a sequential one from their least to their
    most, so 0.77-0.99 and 0.01-0.14 are told apart as well as -1..1. A square
    matrix's diagonal of ones (a word with itself) is left out of the fit."""
    shown = M
    if (M.ndim == 2 and M.shape[0] == M.shape[1] and M.shape[0] > 1
            and np.allclose(np.diag(M), 1, atol=1e-3)):
        shown = M[~np.eye(M.shape[0], dtype=bool)]
    finite = shown[np.isfinite(shown)]
    if finite.size == 0:
        return 0.0, 1.0, "viridis"
    lo, hi = float(finite.min()), float(finite.max())
    if lo < 0 < hi:
        lim = max(-lo, hi)
        return -lim, lim, "RdBu_r"
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi, "viridis"


#: Heatmaps of at most this many rows and columns have each value written in its cell.
VALUES_UP_TO = 20


def heatmap(fig: Figure, ax: Any, M: np.ndarray, labels: Sequence[str], title: str,
            ylabels: Sequence[str] | None = None, what: str = "cosine") -> None:
    """M as colours on a scale fitted to it (named in the colour bar's label), its
    value written in each cell when it has at most VALUES_UP_TO rows and columns."""
    lo, hi, cmap = scale_of(M)
    image = ax.imshow(M, cmap=cmap, vmin=lo, vmax=hi)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ylabels = labels if ylabels is None else ylabels
    ax.set_yticks(range(len(ylabels)), ylabels, fontsize=7)
    ax.set_title(title)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(f"{what}, scale {lo:.2f} to {hi:.2f}", fontsize=7)
    bar.ax.tick_params(labelsize=7)
    rows, cols = M.shape
    if rows <= VALUES_UP_TO and cols <= VALUES_UP_TO:
        size = 7 if max(rows, cols) <= 10 else 5
        for i in range(rows):
            for j in range(cols):
                if np.isfinite(M[i, j]):
                    r, g, b, _ = image.cmap(image.norm(M[i, j]))
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                    ax.text(j, i, f"{M[i, j]:.2f}".replace("0.", ".", 1), ha="center",
                            va="center", fontsize=size, color="white" if dark else "black")


def sample(n: int) -> np.ndarray:
    """The indices of at most SCATTER_POINTS of n points (seeded)."""
    idx = np.arange(n)
    if n > SCATTER_POINTS:
        idx = np.random.default_rng(0).choice(n, SCATTER_POINTS, replace=False)
    return idx


def panels(fig: Figure) -> int:
    """How many panels a figure has (colour bars are not panels)."""
    return sum(1 for ax in fig.axes if ax.get_label() != "<colorbar>")
