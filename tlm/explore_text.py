"""The tables `tlm explore` prints: one column (or block) per source.

`render(results)` takes one result of tlm/explore.py, or a mapping
{source label: result} of the same kind, and returns plain text; the shell
shows a result the same way. Nothing here computes anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from tlm import explore as ex


def _f(x: float | None, fmt: str = ".3f") -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    return format(x, fmt)


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> str:
    """Left-aligned columns, two spaces apart."""
    table = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in table]
    return "\n".join(indent + line for line in lines)


def _summary(title: str, results: Mapping[str, Any], rows: Sequence[tuple[str, Callable]]) -> str:
    """One row per measure, one column per source."""
    header = ["", *results]
    body = [[name, *(fn(r) for r in results.values())] for name, fn in rows]
    return f"{title}\n{_grid(header, body)}"


def _missing(results: Mapping[str, Any], attr: str = "missing") -> str:
    lines = []
    for label, r in results.items():
        missing = getattr(r, attr, None)
        if missing:
            words = ", ".join(":".join(m) if isinstance(m, tuple) else m for m in missing)
            lines.append(f"{label} lacks: {words}")
    return "\n".join(lines)


def _join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def norms(results: Mapping[str, ex.Norms]) -> str:
    return _summary("row norms |E[i]| and per-dimension means", results, [
        ("mean norm", lambda r: _f(r.mean)),
        ("std", lambda r: _f(r.std)),
        ("min", lambda r: _f(r.min)),
        ("max", lambda r: _f(r.max)),
        ("unit length?", lambda r: "yes" if r.unit_length else "no"),
        ("|mean vector| / mean norm", lambda r: _f(r.centre_ratio)),
        ("centred?", lambda r: "yes" if r.centred else "no"),
        ("dimensions", lambda r: str(len(r.dim_means))),
        ("words", lambda r: str(len(r.norms))),
    ])


def background(results: Mapping[str, ex.Background]) -> str:
    return _summary("random pairs of distinct words", results, [
        ("pairs", lambda r: str(len(r.cos))),
        ("cosine mean", lambda r: _f(r.cos_mean)),
        ("cosine std", lambda r: _f(r.cos_std)),
        ("cosine 99th percentile", lambda r: _f(r.cos_p99)),
        ("distance mean", lambda r: _f(r.euclid_mean)),
        ("distance std", lambda r: _f(r.euclid_std)),
    ])


def pairs(results: Mapping[str, ex.Pairs]) -> str:
    order: list[tuple[str, str]] = []
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for label, r in results.items():
        for (a, b), c, e, p in zip(r.pairs, r.cos, r.euclid, r.percentile, strict=True):
            key = (a.lower(), b.lower())
            if key not in cells:
                order.append(key)
                cells[key] = {}
            cells[key][label] = f"{c:6.3f} {e:6.2f} {p:5.1f}%"
    rows = [[f"{a}:{b}", *(cells[(a, b)].get(lb, "-") for lb in results)] for a, b in order]
    bg = [f"{label}: random pairs average {r.background.cos_mean:.3f} "
          f"(99th percentile {r.background.cos_p99:.3f})" for label, r in results.items()]
    return _join(
        "cosine, distance, and the share of random pairs whose cosine is lower\n"
        + _grid(["pair", *results], rows),
        "\n".join(bg), _missing(results))


def neighbors(results: Mapping[str, ex.Neighbors]) -> str:
    first = next(iter(results.values()))
    columns = [[f"{w}  {s:.3f}" for w, s in zip(r.words, r.scores, strict=True)]
               for r in results.values()]
    n = max(len(c) for c in columns)
    rows = [[str(i + 1), *(c[i] if i < len(c) else "" for c in columns)] for i in range(n)]
    notes = [f"{label}: random pairs average {r.background_mean:.3f}, "
             f"99th percentile {r.background_p99:.3f}" for label, r in results.items()]
    left = [f"{label} left out: {', '.join(r.left_out)}"
            for label, r in results.items() if r.left_out and len(r.left_out) > 1]
    return (f"nearest to {first.query!r}\n" + _grid(["", *results], rows) + "\n"
            + "\n".join(notes + left))


def neighbors_list(r: ex.Neighbors) -> str:
    """One source's neighbours as the shell shows them: word and cosine per line,
    then where random pairs of the same table stand."""
    width = max((len(w) for w in r.words), default=0)
    lines = [f"{w:<{width}}  {s:.3f}" for w, s in zip(r.words, r.scores, strict=True)]
    lines.append(f"(random pairs here: mean {r.background_mean:.3f}, "
                 f"99th percentile {r.background_p99:.3f})")
    return "\n".join(lines)


def analogy(results: Mapping[str, ex.Analogy]) -> str:
    first = next(iter(results.values()))
    question = f"{first.a} is to {first.b} as {first.c} is to ?"
    columns = [[f"{w}  {s:.3f}" for w, s in zip(r.words, r.scores, strict=True)]
               for r in results.values()]
    n = max(len(c) for c in columns)
    rows = [[str(i + 1), *(c[i] if i < len(c) else "" for c in columns)] for i in range(n)]
    parts = [f"{question}  (nearest to b - a + c, on unit vectors)\n"
             + _grid(["", *results], rows)]
    if first.expected is not None:
        d = first.expected
        parts.append(_summary(f"summary (expected {d!r})", results, [
            (f"cos(result, {d})", lambda r: _f(r.cos_expected)),
            (f"cos(result, {first.b})", lambda r: _f(r.cos_b)),
            (f"rank of {d} among all words", lambda r: _f(r.rank, "d")),
            (f"rank of {d} among candidates", lambda r: (
                f"{r.candidate_rank} of {len(r.candidates)}" if r.candidate_rank else "-")),
            (f"angle({first.b}-{first.a}, {d}-{first.c})", lambda r: _f(r.angle, ".1f") + "°"),
        ]))
        parts.append("candidates: " + ", ".join(first.candidates))
    return _join(*parts)


def cos_vs_euclid(results: Mapping[str, ex.CosEuclid]) -> str:
    parts = []
    for label, r in results.items():
        rows = [[w, str(c), str(e)] for w, c, e in r.disagree]
        parts.append(f"{label}: where cosine and distance from {r.query!r} disagree most\n"
                     + _grid(["word", "rank by cosine", "rank by distance"], rows))
    return _join(*parts)


def axes(results: Mapping[str, ex.Axes]) -> str:
    first = next(iter(results.values()))
    (xa, xb), (ya, yb) = first.x_axis, first.y_axis
    order = list(dict.fromkeys(w.lower() for r in results.values() for w in r.words))
    cells: dict[str, dict[str, str]] = {w: {} for w in order}
    for label, r in results.items():
        for w, (x, y), (ux, uy) in zip(r.words, r.raw, r.unit, strict=True):
            cells[w.lower()][label] = f"{x:6.2f} {y:6.2f} | {ux:5.2f} {uy:5.2f}"
    rows = [[w, *(cells[w].get(lb, "-") for lb in results)] for w in order]
    return _join(
        f"x = {xa} -> {xb}, y = {ya} -> {yb}: raw x y | unit-length x y\n"
        + _grid(["word", *results], rows), _missing(results))


def directions(results: Mapping[str, ex.Directions]) -> str:
    parts = [_summary("consistency of the offsets (mean cosine between them)", results, [
        ("consistency", lambda r: _f(r.consistency)),
        ("random offsets", lambda r: _f(r.random_consistency)),
        ("pairs used", lambda r: str(len(r.pairs))),
    ])]
    order = list(dict.fromkeys(f"{a}:{b}".lower() for r in results.values() for a, b in r.pairs))
    cells: dict[str, dict[str, str]] = {p: {} for p in order}
    for label, r in results.items():
        for (a, b), m in zip(r.pairs, r.to_mean, strict=True):
            cells[f"{a}:{b}".lower()][label] = _f(m)
    rows = [[p, *(cells[p].get(lb, "-") for lb in results)] for p in order]
    parts.append("each offset against the mean direction (cosine)\n"
                 + _grid(["pair", *results], rows))
    return _join(*parts, _missing(results))


def _square(words: Sequence[str], M: np.ndarray) -> str:
    rows = [[w, *(f"{x:5.2f}" for x in row)] for w, row in zip(words, M, strict=True)]
    return _grid(["", *(w[:5] for w in words)], rows)


def numbers(results: Mapping[str, ex.Numbers]) -> str:
    first = next(iter(results.values()))
    parts = [_summary("are neighbours in value neighbours in space?", results, [
        ("adjacent (one apart)", lambda r: _f(r.adjacent)),
        (f"distant ({first.far} or more apart)", lambda r: _f(r.distant)),
    ])]
    parts += [f"{label}: cosine matrix\n{_square(r.words, r.matrix)}"
              for label, r in results.items()]
    return _join(*parts, _missing(results))


def categories(results: Mapping[str, ex.Categories]) -> str:
    names = list(dict.fromkeys(g for r in results.values() for g in r.groups))

    def within(group: str) -> Callable:
        def cell(r: ex.Categories) -> str:
            if group not in r.groups:
                return "-"
            return _f(r.matrix[list(r.groups).index(group)] [list(r.groups).index(group)])
        return cell

    rows = [(f"within {g}", within(g)) for g in names]
    rows += [("mean within", lambda r: _f(r.within)), ("mean between", lambda r: _f(r.between))]
    empty = [f"{label}: no known words in {', '.join(r.empty_groups)}"
             for label, r in results.items() if r.empty_groups]
    return _join(_summary("mean cosine within and between groups", results, rows),
                 "\n".join(empty), _missing(results))


def matrix(results: Mapping[str, ex.Matrix], shown: int = 8) -> str:
    parts = []
    for label, r in results.items():
        D = r.values.shape[1]
        rows = [[w, *(f"{x:6.2f}" for x in row[:shown])] for w, row in zip(r.words, r.values,
                                                                              strict=True)]
        parts.append(f"{label}: {len(r.words)} words x {D} dimensions "
                     f"(the first {min(shown, D)} shown)\n"
                     + _grid(["", *(str(i) for i in range(min(shown, D)))], rows))
    return _join(*parts)


def hubness(results: Mapping[str, ex.Hubness]) -> str:
    parts = [_summary("hubness: N_k, how often a word is among the others' k nearest", results, [
        ("k", lambda r: str(r.k)),
        ("words", lambda r: f"{len(r.words)}{' (a sample)' if r.sampled else ''}"),
        ("skewness of N_k", lambda r: _f(r.skewness, ".2f")),
        ("largest N_k", lambda r: str(int(r.counts.max()))),
        ("words never a neighbour", lambda r: str(int((r.counts == 0).sum()))),
    ])]
    n = max(len(r.hubs) for r in results.values())
    rows = [[str(i + 1), *(f"{r.hubs[i][0]}  {r.hubs[i][1]}" if i < len(r.hubs) else ""
                           for r in results.values())] for i in range(n)]
    parts.append("the biggest hubs\n" + _grid(["", *results], rows))
    return _join(*parts)


def pca(results: Mapping[str, ex.PCA], shown: int = 10) -> str:
    rows = [
        ("components for 90% of the variance", lambda r: f"{r.n90} of {len(r.explained)}"),
        ("random-pair cosine", lambda r: _f(r.cos_raw)),
        ("... after centring", lambda r: _f(r.cos_centred)),
    ]
    for i in range(min(shown, max(len(r.explained) for r in results.values()))):
        rows.append((f"component {i + 1}", lambda r, i=i: (
            f"{100 * r.explained[i]:.1f}%" if i < len(r.explained) else "-")))
    return _summary("principal components (share of variance)", results, rows)


def overlap(results: Mapping[str, ex.Overlap]) -> str:
    parts = []
    for r in results.values():
        header = ["", *r.labels]
        jac = [[a, *(f"{x:.3f}" for x in row)] for a, row in zip(r.labels, r.jaccard,
                                                                  strict=True)]
        rho = [[a, *(f"{x:.3f}" for x in row)] for a, row in zip(r.labels, r.spearman,
                                                                 strict=True)]
        parts.append(
            f"{r.shared} words shared; {len(r.words)} of them compared, k={r.k}\n"
            f"mean Jaccard overlap of the k nearest words\n{_grid(header, jac)}\n"
            f"Spearman correlation of random pairs' cosines\n{_grid(header, rho)}")
    return _join(*parts)


def frequency(results: Mapping[str, ex.Frequency]) -> str:
    bands = [(1, 100), (101, 1000), (1001, 10000), (10001, None)]

    def band(lo: int, hi: int | None) -> Callable:
        def cell(r: ex.Frequency) -> str:
            mask = (r.ranks >= lo) & (r.ranks <= (hi or r.ranks.max()))
            return _f(float(r.norms[mask].mean())) if mask.any() else "-"
        return cell

    rows = [("ranks from", lambda r: "the model's counts" if r.ranks_from == "counts"
             else "file order"),
            ("Spearman(rank, norm)", lambda r: _f(r.spearman))]
    rows += [(f"mean norm, ranks {lo}-{hi or 'end'}", band(lo, hi)) for lo, hi in bands]
    return _summary("frequency rank against vector length", results, rows)


def loss(results: Mapping[str, ex.Loss]) -> str:
    n = max(len(r.epochs) for r in results.values())
    rows = []
    for i in range(n):
        cells = []
        for r in results.values():
            if i >= len(r.loss):
                cells.append("")
                continue
            val = "" if np.isnan(r.val_loss[i]) else f" val {r.val_loss[i]:.4f}"
            cells.append(f"{r.loss[i]:.4f}{val}")
        rows.append([str(i + 1), *cells])
    return "loss per epoch\n" + _grid(["epoch", *results], rows)


RENDERERS: dict[type, Callable[[Mapping[str, Any]], str]] = {
    ex.Norms: norms, ex.Background: background, ex.Pairs: pairs, ex.Neighbors: neighbors,
    ex.Analogy: analogy, ex.CosEuclid: cos_vs_euclid, ex.Axes: axes,
    ex.Directions: directions, ex.Numbers: numbers, ex.Categories: categories,
    ex.Matrix: matrix, ex.Hubness: hubness, ex.PCA: pca, ex.Overlap: overlap,
    ex.Frequency: frequency, ex.Loss: loss,
}


def render(results: ex.Result | Mapping[str, ex.Result]) -> str:
    """The text of one result, or of {label: result} side by side."""
    if isinstance(results, ex.Neighbors):
        return neighbors_list(results)
    if isinstance(results, ex.Result):
        results = {"vectors": results}
    kinds = {type(r) for r in results.values()}
    if len(kinds) != 1:
        raise TypeError("render takes results of one kind")
    return RENDERERS[kinds.pop()](results)
