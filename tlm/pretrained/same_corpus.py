"""word2vec-same-corpus: gensim's own Word2Vec trained on a model's text.

The fairest word2vec reference offline, and the fairest judge of tlm's
skip-gram: the same text, read with the same transforms, trained with the
same settings (gensim's skip-gram, sg=1).

Which text is read. A model file records where its text came from, but a
model file can come from anyone, and "read whatever file the model names"
would let a handed-over model make tlm read any file on the machine. So tlm
reads only:

- text the user names: the source ``word2vec-same-corpus:chuck.txt`` (several
  as ``word2vec-same-corpus:a.txt,gutenberg:austen-emma.txt``), or
  ``word2vec(text='chuck.txt')`` in the shell; or
- a Gutenberg text the model records (``gutenberg:austen-emma.txt``), which
  is read through NLTK's corpus reader and can only be one of its texts; or
- a text that ships with tlm (``chuck.txt``) the model records: tlm reads its
  own copy, whatever folder the model names.

A model that records a local file asks for it by name, in one line. When the
text given is not the one the model was trained on (other files, or the file
changed since), the vectors are trained on the text given and `report` hears
that it does not match the model.

The result is a pure function of the text, the transforms, the settings and
gensim's version, so it is cached under exactly those (tlm's cache folder,
see cache.py), not beside the model.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gensim
from gensim.models import Word2Vec

from tlm.corpus import (
    CORPORA,
    apply_transforms,
    read_file,
    read_gutenberg,
    shipped,
    shipped_corpora,
    tokenize,
)
from tlm.errors import TlmError
from tlm.pretrained import cache

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

    from tlm.models.base import Model

SAME_CORPUS = "word2vec-same-corpus"

#: word2vec's own defaults, for models that lack these settings.
WORD2VEC_DEFAULTS = {"window": 5, "negative": 5, "sample": 1e-3, "alpha": 0.025}
#: gensim reads at most this many words per sentence.
SENTENCE_WORDS = 10000
GUTENBERG = "gutenberg:"


def named_text(source: str) -> list[str] | None:
    """The text named in a source `word2vec-same-corpus:a.txt,b.txt` (None if
    the source is plain `word2vec-same-corpus`)."""
    _, colon, rest = source.partition(":")
    if not colon:
        return None
    names = [n.strip() for n in rest.split(",") if n.strip()]
    if not names:
        raise TlmError(f"{SAME_CORPUS}: name the text after the colon ({SAME_CORPUS}:chuck.txt)")
    return names


def is_same_corpus(source: str) -> bool:
    return source == SAME_CORPUS or source.startswith(SAME_CORPUS + ":")


def word2vec_settings(model: Model) -> tuple[dict[str, Any], list[str]]:
    """gensim Word2Vec arguments matching `model`'s settings, and the names of
    the settings the model does not have (word2vec's defaults are used).

    The learning rate carries over only from a model whose rate decays linearly
    as word2vec's `alpha` does (skip-gram); an embedding model's --lr is a step
    on a batch mean and means something else.
    """
    cfg = model.config
    own = {n: getattr(cfg, n, None) for n in ("window", "negative", "sample")}
    own["alpha"] = cfg.lr if model.lr_schedule == "linear" else None
    settings: dict[str, Any] = {
        "vector_size": int(model.E.shape[1]),
        "min_count": int(cfg.min_count),
        "epochs": int(cfg.epochs),
        "seed": int(cfg.seed) if cfg.seed is not None else 1,
    }
    defaulted = []
    for name, default in WORD2VEC_DEFAULTS.items():
        value = own[name]
        if value is None:
            defaulted.append(name)
            value = default
        settings[name] = value
    return settings, defaulted


def _stable_hash(text: str) -> int:
    """gensim seeds each word's starting vector with hash(word + seed); Python's
    own hash changes between runs, this one does not."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little")


def _model_name(model_path: str | os.PathLike | None) -> str:
    return Path(model_path).name if model_path is not None else "the model"


def text_sources(model: Model, text: Sequence[str] | None,
                 model_path: str | os.PathLike | None = None) -> list[str]:
    """The sources to read: `text` as the user named it, else the Gutenberg
    texts the model records; a model that records a local file must have it named."""
    if text is not None:
        return [os.fspath(t) for t in text]
    recorded = model.info.get("sources") or []
    if not recorded:
        raise TlmError(
            f"{SAME_CORPUS}: {_model_name(model_path)} does not record its text; name it: "
            f"{SAME_CORPUS}:PATH"
        )
    recorded = [_own_copy(s) or s for s in map(str, recorded)]
    local = [s for s in recorded if not s.startswith(GUTENBERG) and _own_copy(s) is None]
    if local:
        names = ",".join(map(str, recorded))
        raise TlmError(
            f"{SAME_CORPUS} reads only text you name, and {_model_name(model_path)} was trained "
            f"on {', '.join(map(str, local))}: use {SAME_CORPUS}:{names} "
            f"(in the shell: word2vec(text={names!r}))"
        )
    return [str(s) for s in recorded]


def _own_copy(source: str) -> str | None:
    """tlm's own copy of a shipped text that `source` names (`chuck.txt`, or a
    `.../tlm/corpora/chuck.txt` recorded by any install), else None."""
    p = Path(source)
    if p.name in shipped_corpora() and p.parent.name == "corpora" and p.parent.parent.name == "tlm":
        return str(CORPORA / p.name)
    found = shipped(source)
    return str(found) if found is not None else None


def _read(sources: Sequence[str]) -> list[tuple[str, str]]:
    """(source, text) for each source: a file path or gutenberg:FILEID."""
    try:
        return [
            (s, read_gutenberg(s.removeprefix(GUTENBERG)) if s.startswith(GUTENBERG)
             else read_file(_own_copy(s) or s))
            for s in sources
        ]
    except TlmError as e:
        raise TlmError(f"{SAME_CORPUS} reads the model's text: {e}") from None


def _sentences(texts: list[tuple[str, str]], transforms: list[str]) -> list[list[str]]:
    documents = [apply_transforms(tokenize(text), transforms) for _, text in texts]
    # gensim reads at most 10000 words per sentence: cut documents into pieces that fit
    return [doc[i : i + SENTENCE_WORDS] for doc in documents
            for i in range(0, len(doc), SENTENCE_WORDS)]


def mismatch(model: Model, kv: KeyedVectors) -> str | None:
    """Why the text `kv` was trained on is not the model's text, or None.

    The model's vocabulary keeps each word's count in its training text. In
    the text given, each of its words must be there at least as often (the
    model may have held a part out), and exactly as often when nothing was held out.
    """
    held_out = bool(getattr(model.config, "val_fraction", 0))
    for word, count in zip(model.vocabulary.words, model.vocabulary.counts, strict=True):
        if word == "<unk>":
            continue
        seen = int(kv.get_vecattr(word, "count")) if word in kv else 0
        if seen < count or (seen != count and not held_out):
            return f"{word!r} is seen {seen} times in it, {count} in the model's training text"
    if not held_out:
        extra = len(kv) - sum(w != "<unk>" for w in model.vocabulary.words)
        if extra > 0:
            return f"it has {extra} words the model does not"
    return None


def load_same_corpus(
    model: Model,
    text: Sequence[str] | None = None,
    model_path: str | os.PathLike | None = None,
    report: Callable[[str], None] | None = None,
) -> KeyedVectors:
    """gensim's skip-gram Word2Vec (sg=1) trained on `text` (see the module's
    docstring for which text) with the model's transforms and settings.

    Cached under the text's checksum, the transforms, the settings and gensim's
    version. `report` hears which settings fell back to word2vec's defaults
    (when training) and when the text is not the model's.
    """
    sources = text_sources(model, text, model_path)
    texts = _read(sources)
    transforms = list(model.info.get("transforms") or [])
    settings, defaulted = word2vec_settings(model)
    origin = {
        "source": SAME_CORPUS,
        "text": [hashlib.sha256(t.encode("utf-8")).hexdigest() for _, t in texts],
        "transforms": transforms,
        "settings": settings,
        "gensim": gensim.__version__,
    }
    name = "same-corpus-" + hashlib.sha256(json.dumps(origin).encode()).hexdigest()[:16]

    def train() -> KeyedVectors:
        if defaulted and report is not None:
            report(
                f"{SAME_CORPUS}: using word2vec's defaults for what the {model.type} model does "
                "not set: " + ", ".join(f"{n}={settings[n]}" for n in defaulted)
            )
        sentences = _sentences(texts, transforms)
        return Word2Vec(sentences, sg=1, workers=1, hashfxn=_stable_hash, **settings).wv

    kv = cache.remember(("same-corpus", name), lambda: cache.cached(name, origin, train))
    why = mismatch(model, kv)
    if why is not None and report is not None:
        report(
            f"{SAME_CORPUS}: the text given ({', '.join(sources)}) is not the text "
            f"{_model_name(model_path)} was trained on ({why}); the vectors are trained on it "
            "as it is now"
        )
    return kv
