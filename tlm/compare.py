"""Nearest neighbours and similarities side by side, one column per source.

One model's neighbours of 'happy' say little on their own. Beside the
neighbours from word2vec trained on the same novel, and from GloVe trained on
six billion words, they show what the method and the amount of text change.
Every source is a gensim KeyedVectors (see tlm/pretrained/), so the tables
only need `most_similar` and `similarity`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlm import pretrained
from tlm.errors import TlmError
from tlm.geometry import SPELLING_SEARCH, find
from tlm.vocab import spelling_hint

if TYPE_CHECKING:

    from tlm.models.base import Model

#: (label, vectors) pairs: a name and its KeyedVectors.
Sources = list[tuple[str, Any]]


def _cell_width(cells: Sequence[str], label: str) -> int:
    return max([len(label), *(len(c) for c in cells)])


def neighbors_table(word: str, sources: Sources, k: int = 10) -> str:
    """The k nearest words to `word` by cosine similarity, one column per source."""
    if k < 1:
        raise TlmError(f"-k must be at least 1, not {k}")
    _check_known(word, sources)
    columns: list[list[str]] = []
    for _, kv in sources:
        key = find(kv, word)
        if key is None:
            columns.append([f"(no {word!r})"])
            continue
        near = kv.most_similar(key, topn=k)
        width = max(len(w) for w, _ in near) if near else 0
        columns.append([f"{w:<{width}}  {s:.3f}" for w, s in near])
    widths = [_cell_width(col, label) for col, (label, _) in zip(columns, sources, strict=True)]
    lines = [f"nearest to {word!r}"]
    labels = [label for label, _ in sources]
    lines.append("    " + "   ".join(f"{lb:<{w}}" for lb, w in zip(labels, widths, strict=True)))
    for i in range(max(len(c) for c in columns)):
        cells = [col[i] if i < len(col) else "" for col in columns]
        row = "   ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True))
        lines.append(f"{i + 1:>2}  {row}".rstrip())
    return "\n".join(lines)


def similarity_table(a: str, b: str, sources: Sources) -> str:
    """The cosine similarity of `a` and `b`, one row per source."""
    _check_known(a, sources)
    _check_known(b, sources)
    width = max(len(label) for label, _ in sources)
    lines = [f"similarity({a!r}, {b!r})"]
    for label, kv in sources:
        ka, kb = find(kv, a), find(kv, b)
        if ka is None or kb is None:
            missing = " or ".join(repr(w) for w, k in ((a, ka), (b, kb)) if k is None)
            value = f"-  (no {missing})"
        else:
            value = f"{float(kv.similarity(ka, kb)):.3f}"
        lines.append(f"  {label:<{width}}  {value}")
    return "\n".join(lines)


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
    from tlm import modelfile

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
