"""tlm's one cache of converted vectors, on disk and in memory.

Reading GloVe's parquet index or a 300-dimensional word2vec file takes
seconds; reading back a plain array takes a fraction of one. So each source is
converted once into a folder under the user's cache (`cache_dir`: on Linux
``$XDG_CACHE_HOME/tlm``, by default ``~/.cache/tlm``)::

    words.json    the n words
    vectors.npy   the (n, d) float32 array, row i for word i (allow_pickle=False)
    counts.npy    how often each word was seen, when the source says so
                  (and any other array a source keeps, each a .npy)
    meta.json     what it was built from (the origin), each array's dtype and
                  shape, and SHA-256 checksums

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
import sys
import tempfile
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs
from gensim.models import KeyedVectors

try:
    import pwd  # the password database: Unix only
except ImportError:
    pwd = None

from tlm import paths
from tlm.errors import TlmError

#: Bump when the layout of a cache entry changes, so old entries are rebuilt.
CACHE_VERSION = 3
FORMAT = "tlm-vectors-cache"

_memo: dict[Hashable, KeyedVectors] = {}


# -- where ------------------------------------------------------------------------------------
def home() -> Path | None:
    """The user's home folder: $HOME when it is set and not empty, else the
    password database's entry, else None (then tlm keeps no cache on disk)."""
    if os.environ.get("HOME"):
        return Path(os.environ["HOME"])
    if pwd is None:
        return None
    try:
        folder = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:  # no entry for this user
        return None
    return Path(folder) if folder else None


def cache_dir() -> Path | None:
    """tlm's cache folder, where the operating system keeps a user's caches
    (platformdirs): on Linux and other Unix systems $XDG_CACHE_HOME/tlm, else
    ~/.cache/tlm; on macOS ~/Library/Caches/tlm; on Windows
    %LOCALAPPDATA%\\tlm\\Cache. None when there is no home folder to hold it.

    On Unix tlm reads the XDG rule itself rather than through platformdirs,
    which trusts $HOME even when it is empty (giving /.cache) and takes a
    relative $XDG_CACHE_HOME as it is; the XDG spec says to ignore a relative
    one (it would scatter caches over whatever folder tlm runs in), and an
    empty $HOME falls back to the password database.
    """
    if sys.platform in ("darwin", "win32"):
        return platformdirs.user_cache_path("tlm", appauthor=False)
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


@dataclass
class Entry:
    """What a cache entry holds: words, and arrays by name. "vectors" (n, d)
    float32 has row i for words[i]; a source may keep more ("counts", ...)."""

    words: list[str]
    arrays: dict[str, np.ndarray]


def read_entry(name: str, origin: Any) -> Entry | None:
    """The cache entry `name` if it was built from `origin` and is intact (every
    array of the recorded dtype, shape and checksum); None otherwise."""
    root = cache_dir()
    if root is None:
        return None
    folder = root / name
    try:  # every file through paths' checks: a FIFO, a device or a huge file is no entry
        meta = paths.read_json(folder / "meta.json", "cache entry")
        if not isinstance(meta, dict):
            return None
        if meta.get("format") != FORMAT or meta.get("version") != CACHE_VERSION:
            return None
        if meta.get("origin") != json.loads(json.dumps(origin)):  # compare as JSON sees it
            return None
        words_bytes = paths.read_bytes(folder / "words.json", "cache entry")
        if _sha256(words_bytes) != meta["words"]:
            return None
        words = json.loads(words_bytes.decode("utf-8"))
        if not isinstance(words, list) or not set(map(type, words)) <= {str}:  # one pass in C
            return None
        arrays = {}
        for key, spec in meta["arrays"].items():
            array = _load_npy(folder / f"{key}.npy", "cache entry")
            if (str(array.dtype) != spec["dtype"] or list(array.shape) != spec["shape"]
                    or _sha256(_bytes(array)) != spec["sha256"]):
                return None
            arrays[key] = array
    except (TlmError, OSError, ValueError, KeyError, TypeError, AttributeError,
            UnicodeDecodeError, RecursionError):
        return None  # a damaged or strange entry is rebuilt from the source
    vectors = arrays.get("vectors")
    if vectors is None or vectors.ndim != 2 or len(vectors) != len(words):
        return None
    return Entry(words, arrays)


def _load_npy(path: str | os.PathLike, what: str = "array file") -> np.ndarray:
    """The array in a regular .npy file, never a pickle, read only as far as the
    file holds it: the header's shape is checked against the file's size before
    anything is allocated. The file is mapped, not copied (GloVe's 80 MB are
    read from the page cache as they are used), copy-on-write: the array can be
    changed in memory and the file stays as it is. A cache entry is replaced by
    renaming a new folder into place, never rewritten, so the mapped file
    cannot change under the array."""
    path = paths.input_file(path, what)
    try:
        mapped = np.load(path, mmap_mode="c", allow_pickle=False)
        return mapped.view(np.ndarray)  # a plain array over the mapping
    except (ValueError, OSError, EOFError) as e:  # a short file, a bad header, a pickle
        raise TlmError(f"{path} is not a good {what}: {e}") from None


def _bytes(array: np.ndarray) -> np.ndarray:
    """The array's bytes, without a copy when it is contiguous (also when it is empty)."""
    return np.ascontiguousarray(array).reshape(-1).view(np.uint8)


def write_entry(name: str, origin: Any, entry: Entry) -> None:
    """Store `entry` as the cache entry `name` built from `origin`.

    Best effort: a cache that cannot be written (no home, a read-only or full
    disk) only makes the next load slower. The entry is written in a hidden
    folder beside it and renamed into place, so a reader sees all of it or none.
    """
    root = cache_dir()
    if root is None:
        return
    words = json.dumps(list(entry.words), ensure_ascii=False).encode("utf-8")
    arrays = {key: np.ascontiguousarray(a) for key, a in entry.arrays.items()}
    meta = {
        "format": FORMAT, "version": CACHE_VERSION, "origin": origin, "words": _sha256(words),
        "arrays": {
            key: {"dtype": str(a.dtype), "shape": list(a.shape), "sha256": _sha256(_bytes(a))}
            for key, a in arrays.items()
        },
    }
    try:
        root.mkdir(parents=True, exist_ok=True)
        paths.remove_stale(root, name)  # left by a writer that was killed
        tmp = Path(tempfile.mkdtemp(prefix=paths.temporary_prefix(name), dir=root))
        try:
            for key, array in arrays.items():
                np.save(tmp / f"{key}.npy", array, allow_pickle=False)
            (tmp / "words.json").write_bytes(words)
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            _swap_in(tmp, root / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass


def cached_entry(name: str, origin: Any, build: Callable[[], Entry]) -> Entry:
    """The entry built from `origin`: from the cache when it holds it, else
    `build()` it and store it."""
    entry = read_entry(name, origin)
    if entry is None:
        entry = build()
        write_entry(name, origin, entry)
    return entry


def make(words: list[str], vectors: np.ndarray, counts: np.ndarray | None = None) -> KeyedVectors:
    """A gensim KeyedVectors with row i of `vectors` for `words[i]`.

    The three attributes are set directly: gensim's `add_vectors` checks each
    key in a Python loop and copies the array (seconds for GloVe's 400,000 words).
    """
    kv = KeyedVectors(vectors.shape[1], count=0, dtype=np.float32)
    return fill(kv, words, vectors, counts)


def fill(kv: KeyedVectors, words: list[str], vectors: np.ndarray,
         counts: np.ndarray | None = None) -> KeyedVectors:
    """Give an empty KeyedVectors (or subclass) its words, vectors and counts."""
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


def _entry_of(kv: KeyedVectors) -> Entry:
    arrays = {"vectors": np.asarray(kv.vectors, dtype=np.float32)}
    counts = counts_of(kv)
    if counts is not None:
        arrays["counts"] = counts
    return Entry(list(kv.index_to_key), arrays)


def read(name: str, origin: Any) -> KeyedVectors | None:
    """The cached vectors called `name` if they were built from `origin` and are intact."""
    entry = read_entry(name, origin)
    if entry is None:
        return None
    return make(entry.words, entry.arrays["vectors"], entry.arrays.get("counts"))


def write(name: str, origin: Any, kv: KeyedVectors) -> None:
    """Store `kv` (its words, vectors and counts) as the cache entry `name`."""
    write_entry(name, origin, _entry_of(kv))


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
