"""Next-word models side by side: `tlm compare-lm`.

Every model is scored on the same held-out text by the one perplexity
(tlm/perplexity.py), next to what it cost: its training time and its number
of parameters, and a sample of what it writes. This is the comparison the
course makes between the count model and the embedding model.

A count model's "parameters" are the counts it stores (the non-zero entries
of every order's table); an embedding model's are the numbers in its arrays.
The training time is the sum of the epochs' times in the model's history
(each with its held-out scoring, when there was one).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse

from tlm import modelfile, table
from tlm.corpus import load_corpus
from tlm.errors import TlmError
from tlm.generate import check_length, generate
from tlm.models.base import Model
from tlm.perplexity import Perplexity, perplexity
from tlm.train import split_documents


@dataclass
class LanguageModelScore:
    label: str               # the file's name
    description: str         # the model type and the settings that tell models apart
    perplexity: Perplexity
    train_seconds: float     # the sum of the epochs' times in its history
    parameters: int
    sample: str              # or the error that stopped generation


def parameters(model: Model) -> int:
    """The numbers a model learnt: its float arrays' entries, a sparse table's
    non-zero counts (the word ids naming the contexts are not counted)."""
    total = 0
    for a in model.arrays.values():
        if scipy.sparse.issparse(a):
            total += a.nnz
        elif np.issubdtype(a.dtype, np.floating):
            total += a.size
    return total


def describe(model: Model) -> str:
    """`count C=2 kneser-ney`, `embedding C=2 d=32 mean`, `embedding ... concat H=128`."""
    c = model.config
    words = [model.type, f"C={c.context_window}"]
    if model.type == "count":
        words.append(c.smoothing + (f" k={c.add_k:g}" if c.smoothing == "laplace" else ""))
    elif model.type == "transformer":
        words += [f"d={c.dim}", f"L={c.layers}", f"H={c.heads}", c.positions]
        words += ["tied"] if c.tie else []
    else:
        words += [f"d={c.dim}", c.combine] + ([f"H={c.hidden}"] if c.hidden else [])
    return " ".join(words)


def held_out_documents(
    model: Model, filepaths: Sequence[str | os.PathLike], gutenberg: Sequence[str],
    last: float | None,
) -> list[np.ndarray]:
    """The held-out text read with the model's transforms and encoded with its
    vocabulary; with `last`, only that last share of it (as --val-fraction holds out)."""
    corpus = load_corpus(filepaths, gutenberg, model.info.get("transforms", []))
    documents = corpus.documents
    if last is not None:
        documents = split_documents(documents, last)[1]
    return [model.vocabulary.encode(doc) for doc in documents]


def compare_lm(
    model_paths: Sequence[str | os.PathLike],
    filepaths: Sequence[str | os.PathLike] = (),
    gutenberg: Sequence[str] = (),
    last: float | None = None,
    length: int = 12,
    seed: int = 1,
) -> list[LanguageModelScore]:
    """`tlm compare-lm` as one call: one score per model, in the order given."""
    if not model_paths:
        raise TlmError("give at least one --model")
    if not filepaths and not gutenberg:
        raise TlmError("give the held-out text: --filepath or --gutenberg")
    if last is not None and not 0 < last < 1:
        raise TlmError(f"--last must be between 0 and 1 (a share of the text), not {last}")
    check_length(length)  # each sample is held whole, for the table
    scores = []
    for path in model_paths:
        model = modelfile.load(path)
        if not model.predicts_next_word:
            raise TlmError(f"{path} is a {model.type} model: it has no next-word probabilities")
        try:
            p = perplexity(model, held_out_documents(model, filepaths, gutenberg, last))
        except TlmError as e:
            raise TlmError(f"{path}: the held-out text: {e}") from None
        try:
            sample = generate(model, length=length, seed=seed)
        except TlmError as e:  # an unsmoothed count model can reach a context it never saw
            sample = f"(stopped: {e})"
        seconds = sum(float(entry.get("seconds", 0.0)) for entry in model.history)
        scores.append(LanguageModelScore(Path(path).name, describe(model), p, seconds,
                                         parameters(model), sample))
    return scores


def render(scores: Sequence[LanguageModelScore]) -> str:
    """`tlm compare-lm`'s text: a table, then one sample per model."""
    header = ["model", "", "perplexity", "scored", "train s", "parameters"]
    rows = []
    for s in scores:
        ppl = f"{s.perplexity.perplexity:.1f}"
        if s.perplexity.impossible:
            ppl += f" ({s.perplexity.impossible} p=0)"
        rows.append([s.label, s.description, ppl, str(s.perplexity.scored),
                     f"{s.train_seconds:.1f}", f"{s.parameters:,}"])
    lines = [table.grid(header, rows, right=(2, 3, 4, 5))]
    if scores:
        p = scores[0].perplexity
        lines.append(f"held-out: {p.tokens} words; scored: the words with a full context "
                     f"whose target is in the model's vocabulary (not <unk>)")
    if any(s.perplexity.impossible for s in scores):
        lines.append("inf (n p=0): n held-out words were never seen after their context by "
                     "an unsmoothed count model")
    lines.append("")
    lines += [f"{s.label}: {s.sample}" for s in scores]
    return "\n".join(lines)
