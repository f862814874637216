"""tlm's one cache of converted vectors, on disk and in memory.

Reading GloVe's parquet index or a 300-dimensional word2vec file takes
seconds; reading back a plain array takes a fraction of one. So each source is
converted once into a folder under the user's cache (``$XDG_CACHE_HOME/tlm``,
by default ``~/.cache/tlm``)::

    vectors.npy   the (n, d) float32 array, read with allow_pickle=False
    words.json    the n words, row i of the array is the vector of word i
    counts.npy    how often each word was seen, when the source says so
    meta.json     what it was built from (the origin) and SHA-256 checksums

Nothing in it can run code when read (gensim's own ``.kv`` format is a
pickle, which tlm never loads). An entry is served only when its origin is
the one asked for and every checksum and shape agrees; anything else (an old
format, a damaged or half-written entry) is rebuilt from the source.

In memory, `remember` keeps each source loaded once per process.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm import paths

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

#: Bump when the layout of a cache entry changes, so old entries are rebuilt.
CACHE_VERSION = 2
FORMAT = "tlm-vectors-cache"

_memo: dict[Hashable, KeyedVectors] = {}


# -- where ------------------------------------------------------------------------------------
def home() -> Path | None:
    """The user's home folder: $HOME when it is set and not empty, else the
    password database's entry, else None (then tlm keeps no cache on disk)."""
    if os.environ.get("HOME"):
        return Path(os.environ["HOME"])
    try:
        import pwd

        folder = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):
        return None
    return Path(folder) if folder else None


def cache_dir() -> Path | None:
    """tlm's cache folder: $XDG_CACHE_HOME/tlm, else ~/.cache/tlm, else None.

    As the XDG spec says, a relative $XDG_CACHE_HOME is ignored (it would
    scatter caches over whatever folder tlm happens to run in).
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "tlm"
    folder = home()
    return folder / ".cache" / "tlm" if folder is not None else None


def stamp(path: Path) -> list:
    """Which file, of what size, changed when: the origin of a file's vectors."""
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


# -- in memory --------------------------------------------------------------------------------
def remember(key: Hashable, build: Callable[[], KeyedVectors]) -> KeyedVectors:
    """The vectors `build()` gives, built once per process for each `key`."""
    if key not in _memo:
        _memo[key] = build()
    return _memo[key]


def forget() -> None:
    """Drop every source this process remembers (the tests start afresh)."""
    _memo.clear()


# -- on disk ----------------------------------------------------------------------------------
def _sha256(data: bytes | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def read(name: str, origin: Any) -> KeyedVectors | None:
    """The cached vectors called `name` if they were built from `origin` and are
    intact; None otherwise (no cache, another origin, damaged)."""
    folder = cache_dir()
    if folder is None:
        return None
    folder = folder / name
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("version") != CACHE_VERSION:
            return None
        if meta.get("origin") != json.loads(json.dumps(origin)):  # compare as JSON sees it
            return None
        words_bytes = (folder / "words.json").read_bytes()
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
        counts = None
        if "counts" in meta["sha256"]:
            counts = np.load(folder / "counts.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # json.JSONDecodeError and a damaged .npy are ValueErrors
    sums = meta["sha256"]
    if (
        vectors.dtype != np.float32
        or vectors.ndim != 2
        or list(vectors.shape) != meta.get("shape")
        or _sha256(words_bytes) != sums.get("words")
        or _sha256(memoryview(np.ascontiguousarray(vectors)).cast("B")) != sums.get("vectors")
        or (counts is not None and _sha256(counts.tobytes()) != sums.get("counts"))
    ):
        return None
    try:
        words = json.loads(words_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return make(words, vectors, counts)


def make(words: list[str], vectors: np.ndarray, counts: np.ndarray | None = None) -> KeyedVectors:
    """A gensim KeyedVectors with row i of `vectors` for `words[i]`.

    The three attributes are set directly: gensim's `add_vectors` checks each
    key in a Python loop and copies the array (seconds for GloVe's 400,000 words).
    """
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vectors.shape[1], count=0, dtype=np.float32)
    kv.vectors = np.asarray(vectors, dtype=np.float32)
    kv.index_to_key = list(words)
    kv.key_to_index = dict(zip(kv.index_to_key, range(len(kv.index_to_key)), strict=True))
    if counts is not None:
        kv.allocate_vecattrs(["count"], [np.int64])
        kv.expandos["count"][:] = counts
    return kv


def counts_of(kv: KeyedVectors) -> np.ndarray | None:
    """How often each word of `kv` was seen, when its source said so."""
    counts = kv.expandos.get("count")
    if counts is None or len(counts) != len(kv) or not np.any(counts):
        return None
    return np.asarray(counts, dtype=np.int64)


def write(name: str, origin: Any, kv: KeyedVectors) -> None:
    """Store `kv` as the cache entry `name` built from `origin`.

    Best effort: a cache that cannot be written (no home, a read-only or full
    disk) only makes the next load slower. The entry is written in a hidden
    folder beside it and renamed into place, so a reader sees all of it or none.
    """
    root = cache_dir()
    if root is None:
        return
    vectors = np.ascontiguousarray(kv.vectors, dtype=np.float32)
    words = json.dumps(list(kv.index_to_key), ensure_ascii=False).encode("utf-8")
    counts = counts_of(kv)
    sums = {"vectors": _sha256(memoryview(vectors).cast("B")), "words": _sha256(words)}
    if counts is not None:
        sums["counts"] = _sha256(counts.tobytes())
    meta = {"format": FORMAT, "version": CACHE_VERSION, "origin": origin,
            "shape": list(vectors.shape), "sha256": sums}
    try:
        root.mkdir(parents=True, exist_ok=True)
        paths.remove_stale(root, name)  # left by a writer that was killed
        tmp = Path(tempfile.mkdtemp(prefix=paths.temporary_prefix(name), dir=root))
        try:
            np.save(tmp / "vectors.npy", vectors, allow_pickle=False)
            (tmp / "words.json").write_bytes(words)
            if counts is not None:
                np.save(tmp / "counts.npy", counts, allow_pickle=False)
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            _swap_in(tmp, root / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass


def _swap_in(new: Path, folder: Path) -> None:
    """Put the folder `new` at `folder`, moving an old one out of the way first."""
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=paths.temporary_prefix(folder.name), dir=folder.parent))
        os.replace(folder, old / "entry")
    try:
        os.replace(new, folder)
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def cached(name: str, origin: Any, build: Callable[[], KeyedVectors]) -> KeyedVectors:
    """The vectors built from `origin`: from the cache entry `name` when it holds
    them, else `build()` them and store them there."""
    kv = read(name, origin)
    if kv is None:
        kv = build()
        write(name, origin, kv)
    return kv
