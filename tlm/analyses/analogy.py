"""man is to king as woman is to what?

The notebook's answer: the words of highest cosine with b - a + c on the raw
vectors, a, b and c left out (tlm/vectors.py's `analogy`, the same list as
`neighbors('king - man + woman')`). Beside it: where an expected answer ranks,
whether the result is closer to it than to b itself, and the angle between
the offsets b - a and d - c.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.patches import Patch

from tlm.analyses._base import (
    Analysis,
    Argument,
    Option,
    Result,
    figure,
    join,
    label_points,
    mapping,
    summary,
)
from tlm.table import score, scored_cells, side_by_side
from tlm.vectors import Source, check_k, find, key, keyed_vectors, lookup, row, unit
from tlm.vectors import analogy as solve

#: Candidates the expected answer is ranked among (the notebook's list around king/queen).
ANALOGY_CANDIDATES = (
    "queen", "princess", "king", "woman", "man", "prince", "monarch", "lady", "girl", "throne",
)
#: The notebook's landmark words of §8b, in its four groups ("source" is the
#: question's own a, b and c): where each sits on the histogram of every cosine.
LANDMARKS = {
    "royalty": ("queen", "princess", "prince", "empress", "emperor", "monarch", "duchess",
                "duke"),
    "power": ("ruler", "sovereign", "lord", "leader", "chief"),
    "unrelated": ("dog", "computer"),
}
#: Words in the top-20 bar chart (§8a).
TOP = 20
#: The answer each of the notebook's questions expects, when none is given.
EXPECTED = {("man", "king", "woman"): "queen"}


@dataclass(repr=False)
class Analogy(Result):
    """a is to b as c is to ?: the words nearest to b - a + c (the raw vectors)."""

    a: str
    b: str
    c: str
    expected: str | None
    words: list[str]  # nearest to the result, a, b and c left out
    scores: np.ndarray  # (k,)
    rank: int | None  # of the expected word among the whole vocabulary (a, b, c left out)
    candidates: list[str]
    candidate_scores: np.ndarray  # (C,) the result's cosine with each candidate
    candidate_rank: int | None  # of the expected word among the candidates
    cos_expected: float | None  # cos(result, expected)
    cos_b: float  # cos(result, b): is the "answer" just b again?
    angle: float | None  # degrees between b - a and expected - c
    all_cos: np.ndarray  # (V,) the result's cosine with every word (the histogram)
    landmarks: dict[str, float]  # a, b, c, expected, the top word and LANDMARKS: their cosine
    group_of: dict[str, str] = field(default_factory=dict)  # landmark -> its group
    top: list[tuple[str, float]] = field(default_factory=list)  # TOP nearest, a, b, c included


def analogy(
    vectors: Source,
    a: str,
    b: str,
    c: str,
    expected: str | None = None,
    candidates: Sequence[str] = (),
    k: int = 10,
) -> Analogy:
    """a is to b as c is to what? The k words nearest (by cosine) to
    r = b - a + c, a, b and c left out (tlm/vectors.py's `analogy`), with the
    rank of an expected answer d (default: EXPECTED's, queen for man king
    woman) among all words and among `candidates`, cos(r, d), cos(r, b), and
    the angle between the offsets b - a and d - c."""
    kv = keyed_vectors(vectors)
    near = solve(vectors, a, b, c, k)
    check_k(k, kv)
    ka, kb, kc = (key(vectors, w) for w in (a, b, c))
    if expected is None:
        expected = EXPECTED.get((ka.lower(), kb.lower(), kc.lower()))
    kd = key(vectors, expected) if expected is not None else None
    all_cos = near.all_cos  # (V,)
    idx = [row(kv, w) for w in (ka, kb, kc)]
    cands, _ = lookup(kv, candidates or [w for w in ANALOGY_CANDIDATES if find(kv, w)])
    if kd is not None and kd not in cands:
        cands.append(kd)
    cand_scores = np.array([float(all_cos[row(kv, w)]) for w in cands])
    rank = cand_rank = cos_d = angle = None
    if kd is not None:
        d = row(kv, kd)
        cos_d = float(all_cos[d])
        others = np.delete(all_cos, idx) if d not in idx else all_cos
        rank = int(np.sum(others > cos_d)) + 1
        cand_rank = int(np.sum(cand_scores > cos_d)) + 1
        off1 = kv.vectors[idx[1]] - kv.vectors[idx[0]]
        off2 = kv.vectors[d] - kv.vectors[idx[2]]
        cosine = float(unit(off1) @ unit(off2))
        angle = float(np.degrees(np.arccos(np.clip(cosine, -1, 1))))
    marks = {w: float(all_cos[row(kv, w)]) for w in (ka, kb, kc)}
    if kd is not None:
        marks[kd] = cos_d
    marks[near.words[0]] = near.scores[0]
    group_of = dict.fromkeys((ka, kb, kc), "source")
    for group, words in LANDMARKS.items():
        for w in words:
            k_ = find(kv, w)
            if k_ is not None and k_ not in group_of:
                group_of[k_] = group
                marks[k_] = float(all_cos[row(kv, k_)])
    order = np.argsort(-all_cos)[:TOP]  # the notebook's chart keeps a, b and c
    top = [(kv.index_to_key[i], float(all_cos[i])) for i in order]
    return Analogy(
        ka, kb, kc, kd, near.words, near.scores, rank, cands, cand_scores, cand_rank, cos_d,
        float(all_cos[idx[1]]), angle, all_cos, marks, group_of, top,
    )


def render(results: Mapping[str, Analogy]) -> str:
    first = next(iter(results.values()))
    question = f"{first.a} is to {first.b} as {first.c} is to ?"
    cells = {label: scored_cells(zip(r.words, r.scores, strict=True))
             for label, r in results.items()}
    parts = [f"{question}  (the words of highest cosine with b - a + c; a, b and c "
             f"left out)\n" + side_by_side(cells)]
    if first.expected is not None:
        d = first.expected
        parts.append(summary(f"summary (expected {d!r})", results, [
            (f"cos(result, {d})", lambda r: score(r.cos_expected)),
            (f"cos(result, {first.b})", lambda r: score(r.cos_b)),
            (f"rank of {d} among all words", lambda r: score(r.rank, "d")),
            (f"rank of {d} among candidates", lambda r: (
                f"{r.candidate_rank} of {len(r.candidates)}" if r.candidate_rank else "-")),
            (f"angle({first.b}-{first.a}, {d}-{first.c})", lambda r: score(r.angle, ".1f") + "°"),
        ]))
        lists = {tuple(r.candidates) for r in results.values()}
        if len(lists) == 1:
            parts.append("candidates: " + ", ".join(first.candidates))
        else:  # each source ranks among the candidates it has
            parts.append("\n".join(f"{label} candidates: {', '.join(r.candidates)}"
                                   for label, r in results.items()))
    return join(*parts)


#: The landmark groups' colours (the source words gold, as in the bar chart).
GROUP_COLOURS = {"source": "#e0a500", "royalty": "tab:brown", "power": "tab:purple",
                 "unrelated": "0.45"}


def draw(results: Analogy | Mapping[str, Analogy]):
    """Per source: the TOP words nearest to b - a + c as bars, the expected word
    red and a, b, c gold, with its rank and cosines in the corner (§8a); under it
    the result's cosine with every word, each landmark word marked (§8b)."""
    results = mapping(results)
    fig, axs = figure(2, len(results), width=5, height=4.4)
    for col, (label, r) in enumerate(results.items()):
        ax = axs[0, col]
        words = [w for w, _ in r.top]
        colours = ["tab:red" if w == r.expected else GROUP_COLOURS["source"]
                   if w in (r.a, r.b, r.c) else "tab:blue" for w in words]
        ax.barh(words, [s for _, s in r.top], color=colours)
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=6)
        ax.set(title=f"{label}: nearest to {r.b} - {r.a} + {r.c}", xlabel="cosine")
        if r.expected is not None:
            rank = r.rank if r.rank is not None else "-"
            ax.text(0.98, 0.02, f"{r.expected} rank: {rank}\ncos({r.expected}) = "
                    f"{r.cos_expected:.3f}\ncos({r.b}) = {r.cos_b:.3f}", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=7,
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "lightgray"})
        ax = axs[1, col]
        ax.hist(r.all_cos, bins=80, color="lightgray")
        ax.set(title=f"{label}: every word's cosine", xlabel="cosine with the result",
               ylabel="words", yscale="log")
        top = ax.get_ylim()[1]
        heights = {g: top * f for g, f in zip(GROUP_COLOURS, (0.5, 0.12, 0.03, 0.008),
                                              strict=True)}
        for group, colour in GROUP_COLOURS.items():
            marked = [w for w, g in r.group_of.items() if g == group]
            for w in marked:
                ax.axvline(r.landmarks[w], color=colour, lw=0.8)
            label_points(ax, marked, np.array([[r.landmarks[w], heights[group]] for w in marked]
                                              ).reshape(-1, 2), fontsize=6, color=colour, keep=True)
    handles = [Patch(color=c, label=g if g != "source" else "source words")
               for g, c in GROUP_COLOURS.items()]
    handles.insert(1, Patch(color="tab:red", label="expected (bars)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=7, frameon=False)
    return fig


ANALYSIS = Analysis(
    name="analogy",
    order=5,
    question=__doc__.splitlines()[0],
    title='man is to king as woman is to ?',
    look_for=("Is queen the answer, and is the result closer to queen than to king itself "
              "(cos(result, b))? The histogram shows how far above the crowd the top word is."),
    compute=analogy,
    render=render,
    draw=draw,
    result=Analogy,
    arguments=(Argument("a"), Argument("b"), Argument("c")),
    options=(Option("expected", "The answer you expect (default: the notebook's for its "
                    "question, queen for man king woman).", type=str, metavar="D"),
             Option("candidates", "Rank the expected word among these (repeatable; default "
                    "a list around king/queen).", flag="--candidate", type=str,
                    metavar="WORD", multiple=True),
             Option("k", "How many words.", flag="-k")),
    atlas={"a": "man", "b": "king", "c": "woman"},
)
