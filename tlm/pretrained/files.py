"""Vector files: word2vec (text or binary), GloVe text, or another tlm model.

The format is told from the first bytes, not the name: word2vec files start
with a "count dim" line (then text or binary rows), GloVe text has a word and
its numbers on every line, a tlm model file is JSON; .gz and .bz2 are read
through. Files over `CACHE_FILES_OVER` are converted once into tlm's cache.

gensim's own ``.kv`` format is a Python pickle, and loading a pickle can run
any code the file's author wrote: tlm refuses it (and any file that starts
like one) and says how to convert it in one's own Python.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tlm import paths
from tlm.errors import TlmError
from tlm.pretrained import cache

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

#: Local vector files bigger than this are converted once into the user cache.
CACHE_FILES_OVER = 20 * 2**20


def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    if path.suffix == ".bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


def _floats(tokens: list[bytes]) -> bool:
    try:
        [float(t) for t in tokens]
    except ValueError:
        return False
    return True


#: The advice for a .kv file, in two pieces so that a search of tlm/ for the loading call
#: finds only real calls (there are none).
CONVERT = "KeyedVectors" + ".load({kv!r}).save_word2vec_format({out!r}, binary=True)"


def pickle_message(path: Path) -> str:
    return (
        f"{path} is a Python pickle (gensim's .kv format), which tlm does not load because "
        "loading a pickle can run code; if you trust it, convert it in your own Python: "
        + CONVERT.format(kv=str(path), out=path.stem + ".bin")
    )


def sniff(path: Path) -> str:
    """Which format a vectors file is in: "tlm" (a model file), "word2vec-text",
    "word2vec-binary" (both with a "count dim" header) or "glove" (no header).
    A pickle (first byte 0x80, as gensim's .kv files) is a TlmError."""
    try:
        with _open(path) as f:
            head = f.read(1 << 16)
    except (OSError, EOFError) as e:
        raise TlmError(f"cannot read {path}: {e}") from None
    if not head.strip():
        raise TlmError(f"{path} is empty, not a vectors file")
    if head.startswith(b"\x80"):
        raise TlmError(pickle_message(path))
    if head.lstrip().startswith(b"{"):  # JSON: a tlm model file, or modelfile says why not
        return "tlm"
    first, _, rest = head.partition(b"\n")
    fields = first.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        dim = int(fields[1])
        _word, _, after = rest.partition(b" ")
        line = after.split(b"\n", 1)[0].split()
        return "word2vec-text" if len(line) == dim and _floats(line) else "word2vec-binary"
    if len(fields) >= 2 and _floats(fields[1:]):
        return "glove"
    raise TlmError(
        f"{path} is not a word-vectors file: expected word2vec format (a 'count dim' header "
        "line) or GloVe text (a word and its numbers on each line)"
    )


def read_vector_file(path: Path, report: Callable[[str], None] | None = None) -> KeyedVectors:
    """The vectors in `path` (any format `sniff` knows), checked: every number
    finite; a word given twice keeps its first vector, and `report` hears how many."""
    from gensim.models import KeyedVectors

    kind = sniff(path)
    if kind == "tlm":  # another tlm model: its E
        from tlm import modelfile

        return modelfile.load(path).vectors
    try:
        kv = KeyedVectors.load_word2vec_format(
            str(path),
            binary=kind == "word2vec-binary",
            no_header=kind == "glove",
            unicode_errors="replace",
        )
    except (ValueError, EOFError, OSError, UnicodeError, IndexError, KeyError) as e:
        # how gensim reports a garbled file: short rows, bad numbers, a cut-off binary
        raise TlmError(f"{path} looks like {kind} vectors but is garbled: {e}") from None
    if not np.isfinite(kv.vectors).all():
        raise TlmError(f"{path} holds numbers that are NaN or infinite; not using it")
    return _without_repeats(kv, path, report)


def _without_repeats(
    kv: KeyedVectors, path: Path, report: Callable[[str], None] | None
) -> KeyedVectors:
    """gensim keeps the first vector of a word given twice and leaves an empty
    row (its key None) for each repeat: drop those rows and say so."""
    keys = kv.index_to_key
    keep = [i for i, k in enumerate(keys) if k is not None]
    if len(keep) == len(keys):
        return kv
    if not keep:
        raise TlmError(f"{path} has no words")
    repeats = len(keys) - len(keep)
    if report is not None:
        words = "1 word appears" if repeats == 1 else f"{repeats} words appear"
        report(f"{path.name}: {words} more than once; the first vector of each is kept")
    return cache.make([keys[i] for i in keep], kv.vectors[keep])


def load_file(
    path: str | os.PathLike,
    cache_name: str | None = None,
    report: Callable[[str], None] | None = None,
) -> KeyedVectors:
    """Vectors from a word2vec (text or binary) or GloVe text file, or a tlm model.

    A file over `CACHE_FILES_OVER` (or any file given a `cache_name`) is
    converted once into tlm's cache and read from there while it is unchanged.
    """
    path = paths.input_file(Path(path).expanduser(), "vectors file")
    origin = ["file", cache.stamp(path)]

    def build() -> KeyedVectors:
        if cache_name is None and path.stat().st_size <= CACHE_FILES_OVER:
            return read_vector_file(path, report)
        name = cache_name or "file-" + hashlib.sha256(origin[1][0].encode()).hexdigest()[:16]
        return cache.cached(name, origin, lambda: read_vector_file(path, report))

    return cache.remember(("file", *origin[1]), build)
