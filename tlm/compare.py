"""Nearest neighbours and similarities side by side, one column per source.

One model's neighbours of 'happy' say little on their own. Beside the
neighbours from word2vec trained on the same novel, and from GloVe trained on
six billion words, they show what the method and the amount of text change.
Every source is a gensim KeyedVectors (see tlm/pretrained/) asked through
tlm/vectors.py; these functions return the numbers, and `render_neighbors` /
`render_similarity` lay them out (tlm/table.py) for `tlm compare` and the shell.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlm import modelfile, pretrained, table
from tlm.errors import TlmError
from tlm.vectors import SPELLING_SEARCH, Nearest, find, neighbors, sim
from tlm.vocab import spelling_hint

if TYPE_CHECKING:
    from tlm.models.base import Model

#: (label, vectors) pairs: a name and its KeyedVectors.
Sources = list[tuple[str, Any]]


def neighbors_columns(word: str, sources: Sources, k: int = 10) -> dict[str, Nearest | None]:
    """{label: the k nearest words to `word` (tlm/vectors.py's `neighbors`), or None
    for a source without the word}, one entry per source in order."""
    if not isinstance(k, int) or k < 1:
        raise TlmError(f"-k must be at least 1, not {k}")
    _check_known(word, sources)
    columns: dict[str, Nearest | None] = {}
    for label, kv in sources:
        key = find(kv, word)
        columns[label] = None if key is None else neighbors(kv, key, min(k, len(kv) - 1))
    return columns


def render_neighbors(word: str, columns: dict[str, Nearest | None]) -> str:
    """The neighbours of `word` side by side, one column per source."""
    cells = {label: [f"(no {word!r})"] if near is None else table.scored_cells(near)
             for label, near in columns.items()}
    return f"nearest to {word!r}\n" + table.side_by_side(cells)


def similarities(a: str, b: str, sources: Sources) -> dict[str, float | None]:
    """{label: the cosine similarity of `a` and `b`, or None for a source lacking one}."""
    _check_known(a, sources)
    _check_known(b, sources)
    out: dict[str, float | None] = {}
    for label, kv in sources:
        ka, kb = find(kv, a), find(kv, b)
        out[label] = None if ka is None or kb is None else sim(kv, ka, kb)
    return out


def render_similarity(a: str, b: str, values: dict[str, float | None],
                      sources: Sources | None = None) -> str:
    """One row per source: the similarity, or which word the source lacks."""
    kvs = dict(sources or [])
    rows = []
    for label, value in values.items():
        if value is None and label in kvs:
            lacking = " or ".join(repr(w) for w in (a, b) if find(kvs[label], w) is None)
            rows.append([label, f"-  (no {lacking})"])
        else:
            rows.append([label, table.score(value)])
    return f"similarity({a!r}, {b!r})\n" + table.grid(None, rows, indent="  ")


def _check_known(word: str, sources: Sources) -> None:
    """A word that no source knows is a mistake worth one clear line."""
    if any(find(kv, word) is not None for _, kv in sources):
        return
    label, first = sources[0]
    words = first.index_to_key[:SPELLING_SEARCH]
    hint = spelling_hint(word.lower(), words, f"closest in {label}")
    raise TlmError(f"no source has the word {word!r}{hint}")


def model_label(model: Model, model_path: str | os.PathLike | None = None) -> str:
    where = Path(model_path).name if model_path is not None else "this model"
    return f"{where} ({model.type})"


def sources_for(
    model: Model,
    model_path: str | os.PathLike | None = None,
    pretrained_names: Sequence[str] = (pretrained.GLOVE,),
    report: Callable[[str], None] | None = None,
) -> Sources:
    """The model's own vectors, then each pretrained source in the order given."""
    sources: Sources = [(model_label(model, model_path), model.vectors)]
    for name in pretrained_names:
        kv = pretrained.load(name, model=model, model_path=model_path, report=report)
        sources.append((pretrained.describe(name), kv))
    return sources


def load_sources(
    model_paths: Sequence[str | os.PathLike] = (),
    pretrained_names: Sequence[str] = (),
    report: Callable[[str], None] | None = None,
    need_vectors: bool = False,
) -> list[tuple[str, Any, str]]:
    """(label, source, origin) for each model file, then each pretrained name:
    the source is the tlm Model or the KeyedVectors, the origin the path or name
    given. The first model is the one word2vec-same-corpus is trained beside. The
    same label twice ('model.json (embedding)') becomes '... #2', so every column
    can be told apart. `need_vectors`: a model without word vectors (the count
    model) is an error as soon as it is loaded."""
    sources: list[tuple[str, Any, str]] = []
    labels: set[str] = set()

    def add(label: str, source: Any, origin: str | os.PathLike) -> None:
        name, n = label, 2
        while name in labels:  # the same source twice still gets two columns
            name, n = f"{label} #{n}", n + 1
        labels.add(name)
        sources.append((name, source, str(origin)))

    models: list[tuple[Model, str | os.PathLike]] = []
    for path in model_paths:
        model = modelfile.load(path)
        if need_vectors:
            model.vectors  # noqa: B018 (raises TlmError for a model without word vectors)
        models.append((model, path))
        add(model_label(model, path), model, path)
    first_model, first_path = models[0] if models else (None, None)
    for name in pretrained_names:
        kv = pretrained.load(name, model=first_model, model_path=first_path, report=report)
        add(pretrained.describe(name), kv, name)
    return sources
