"""Read text (files, NLTK's Gutenberg corpus), split it into word tokens, transform.

Tokenizing is NLTK's word-punct rule (`\\w+|[^\\w\\s]+`): words and runs of
punctuation become separate tokens, and no downloaded NLTK data is needed.
Transforms run in the order given, so `-t lower -t alpha` lower-cases and then
keeps only alphabetic tokens.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tlm.errors import TlmError

Tokens = list[str]

TRANSFORMS: dict[str, Callable[[Tokens], Tokens]] = {
    "lower": lambda tokens: [t.lower() for t in tokens],
    "alpha": lambda tokens: [t for t in tokens if t.isalpha()],
}


def tokenize(text: str) -> Tokens:
    """Split text into words and punctuation, as NLTK's `wordpunct_tokenize`."""
    from nltk.tokenize import wordpunct_tokenize

    return wordpunct_tokenize(text)


def apply_transforms(tokens: Tokens, names: Sequence[str]) -> Tokens:
    for name in names:
        if name not in TRANSFORMS:
            raise TlmError(f"unknown transform {name!r}; choose from {', '.join(TRANSFORMS)}")
        tokens = TRANSFORMS[name](tokens)
    return tokens


def read_file(path: str | os.PathLike) -> str:
    """The text of a UTF-8 file, or a TlmError saying why it cannot be used."""
    p = Path(path)
    if not p.exists():
        raise TlmError(f"file not found: {p}")
    if p.is_dir():
        raise TlmError(f"{p} is a folder, not a text file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise TlmError(f"cannot read {p}: {e.strerror}") from None
    if b"\x00" in data[:65536]:
        raise TlmError(f"{p} is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TlmError(
            f"{p} is not UTF-8 text; convert it first (e.g. iconv -f latin1 -t utf-8)"
        ) from None


def gutenberg_reader():
    """NLTK's Gutenberg corpus reader, or a TlmError saying how to install it.

    Never downloads: offline that would hang or fail slowly.
    """
    import nltk.data
    from nltk.corpus.reader import PlaintextCorpusReader

    try:
        root = nltk.data.find("corpora/gutenberg")
    except LookupError:
        raise TlmError(
            "NLTK's Gutenberg corpus is not installed: run `python -m nltk.downloader gutenberg`, "
            "or set NLTK_DATA to a folder that has corpora/gutenberg/*.txt"
        ) from None
    return PlaintextCorpusReader(root, r"(?!\.).*\.txt", encoding="latin1")


def read_gutenberg(fileid: str) -> str:
    reader = gutenberg_reader()
    ids = reader.fileids()
    if fileid not in ids:
        available = ", ".join(ids) or f"none (the folder {reader.root} has no .txt files)"
        raise TlmError(f"unknown Gutenberg file {fileid!r}; available: {available}")
    return reader.raw(fileid)


@dataclass
class Corpus:
    """Documents as token lists, plus where they came from."""

    documents: list[Tokens]
    sources: list[str]

    @property
    def n_tokens(self) -> int:
        return sum(len(d) for d in self.documents)

    def tokens(self) -> Tokens:
        return [t for d in self.documents for t in d]


def load_corpus(
    filepaths: Sequence[str | os.PathLike] = (),
    gutenberg: Sequence[str] = (),
    transforms: Sequence[str] = (),
) -> Corpus:
    """Read every source, tokenize and transform it. Each source is one document,
    so no context window spans two files."""
    if not filepaths and not gutenberg:
        raise TlmError("no text given: use --filepath PATH or --gutenberg FILEID")
    for name in transforms:  # fail before reading a whole novel
        apply_transforms([], [name])
    texts = [(str(p), read_file(p)) for p in filepaths]
    texts += [(f"gutenberg:{g}", read_gutenberg(g)) for g in gutenberg]
    documents, sources = [], []
    for source, text in texts:
        tokens = apply_transforms(tokenize(text), transforms)
        if not tokens:
            why = "is empty" if not text.strip() else "has no tokens left after the transforms"
            raise TlmError(f"{source} {why}")
        documents.append(tokens)
        sources.append(source)
    return Corpus(documents, sources)
