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
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from gensim.models import KeyedVectors

from tlm import modelfile, paths
from tlm.errors import TlmError
from tlm.pretrained import cache

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


#: Bounds on what a word2vec header may make tlm allocate: a GPT-3-sized table has
#: 12,288 dimensions; Google News' 3,000,000 x 300 float32 is 3.6 GB.
MAX_DIM = 1 << 16
MAX_VECTOR_BYTES = 6 << 30
#: The longest word (in bytes) a row may start with, and the longest text a number
#: may take ("-1.2345678901234567e-05" and its space): with the header they bound
#: how many bytes an honest file can inflate to.
MAX_WORD_BYTES = 4096
MAX_NUMBER_BYTES = 32
#: A value this large is no embedding: its square overflows float32 (1e30 does).
MAX_ABS_VALUE = 1e15


def _header(path: Path, kind: str) -> tuple[int, int, int]:
    """The (rows, dimensions, length in bytes) of a word2vec header, checked against what tlm
    may allocate and (for a plain file) what the file's size can hold."""
    with _open(path) as f:
        first = f.readline(64)
    fields = first.split()
    if len(fields) != 2 or not all(f.isdigit() and len(f) <= 40 for f in fields):
        raise TlmError(f"{path}: the header {first[:40]!r} is not 'rows dimensions'")
    count, dim = int(fields[0]), int(fields[1])
    if count < 1 or not 1 <= dim <= MAX_DIM:
        raise TlmError(f"{path}: the header declares {count} rows of {dim} numbers; "
                       f"a vectors file has at least 1 row of 1 to {MAX_DIM} numbers")
    if count * dim * 4 > MAX_VECTOR_BYTES:
        raise TlmError(f"{path}: the header declares {count} x {dim} numbers, "
                       f"{count * dim * 4 / 2**30:.0f} GB as float32; tlm reads up to "
                       f"{MAX_VECTOR_BYTES / 2**30:.0f} GB")
    if path.suffix not in (".gz", ".bz2"):
        row = 4 * dim + 2 if kind == "word2vec-binary" else 2 * dim + 1  # the least a row takes
        most = path.stat().st_size // row
        if count > most:
            raise TlmError(f"{path}: the header declares {count} rows of {dim} numbers, but "
                           f"its {path.stat().st_size} bytes hold at most {most}")
    return count, dim, len(first)


def _glove_shape(path: Path) -> tuple[int, int]:
    """The rows and dimensions of a GloVe text file (no header): its lines up to
    the last that is not blank, and the numbers after the word on the first,
    read in bounded pieces (a file larger than any table tlm holds is refused)."""
    with _open(path) as f:
        first = f.readline(MAX_WORD_BYTES + MAX_NUMBER_BYTES * MAX_DIM)
        dim = len(first.split()) - 1
        limit = MAX_VECTOR_BYTES // 4 // max(dim, 1) * (MAX_WORD_BYTES + MAX_NUMBER_BYTES * dim)
        breaks, seen, last = first.count(b"\n"), len(first), first
        while chunk := f.read(1 << 20):
            seen += len(chunk)
            if seen > limit:
                raise TlmError(f"{path} is larger than any table of {dim} numbers a row "
                               "that tlm holds; not reading on")
            breaks += chunk.count(b"\n")
            last = chunk
    text_end = len(last.rstrip(b"\r\n \t"))
    blank = last[text_end:].count(b"\n")  # line breaks after the last word or number
    return breaks - blank + 1, dim


class _Feeder(threading.Thread):
    """Copies a file (decompressed) into a pipe for gensim to read, stopping at
    `cap` bytes: no more than the header's rows can honestly take, so a gzip
    bomb or an endless row ends with an error instead of filling the memory."""

    def __init__(self, path: Path, cap: int, write_fd: int, header: bytes = b""):
        super().__init__(daemon=True)
        self.path, self.cap, self.write_fd, self.header = path, cap, write_fd, header
        self.over = False
        self.error: BaseException | None = None
        self.sent = 0  # bytes of the file passed on (the header given to gensim not counted)
        self.breaks = 0  # line breaks among them
        self.last = b""  # the last piece, for the blank lines at the end

    def run(self) -> None:
        try:
            with _open(self.path) as f, os.fdopen(self.write_fd, "wb") as pipe:
                pipe.write(self.header)
                while chunk := f.read(1 << 20):
                    if self.sent + len(chunk) > self.cap:
                        self.over = True
                        return
                    pipe.write(chunk)
                    self.sent += len(chunk)
                    self.breaks += chunk.count(b"\n")
                    self.last = chunk
        except BrokenPipeError:
            pass  # gensim stopped reading (done, or gave up on a garbled row)
        except BaseException as e:  # a damaged .gz: said by the reader below
            self.error = e


def _rows_fed(feeder: _Feeder, kind: str, kv: KeyedVectors, dim: int, header_bytes: int) -> int:
    """How many rows the file held, at least: for text its lines up to the last
    that is not blank; for binary, the rows gensim read plus one for each whole
    row's worth of bytes beyond them."""
    if kind != "word2vec-binary":
        text_end = len(feeder.last.rstrip(b"\r\n \t"))
        header_lines = 0 if kind == "glove" else 1
        return feeder.breaks - feeder.last[text_end:].count(b"\n") + 1 - header_lines
    read = sum(len(str(w).encode()) + 2 + 4 * dim for w in kv.index_to_key)  # a newline each
    beyond = feeder.sent - header_bytes - read
    return len(kv) + max(beyond, 0) // (4 * dim + 2)


def read_vector_file(path: Path, report: Callable[[str], None] | None = None) -> KeyedVectors:
    """The vectors in `path` (any format `sniff` knows), checked: the header
    against what tlm may allocate and the file holds, the rows against the
    header (no more, no fewer), every number finite and of a sane size; a word
    given twice keeps its first vector, and `report` hears how many.

    gensim's reader does the parsing. It reads from a pipe that a thread fills
    from the file (decompressed), so what the file may make tlm read is bounded."""
    kind = sniff(path)
    if kind == "tlm":  # another tlm model: its E
        return modelfile.load(path).vectors
    header = b""
    if kind == "glove":  # no header: count the rows first, and give gensim one
        count, dim = _glove_shape(path)
        header, header_bytes = f"{count} {dim}\n".encode(), 0
    else:
        count, dim, header_bytes = _header(path, kind)
    per_row = MAX_WORD_BYTES + (4 * dim + 1 if kind == "word2vec-binary"
                                else MAX_NUMBER_BYTES * dim)
    read_fd, write_fd = os.pipe()
    feeder = _Feeder(path, 64 + count * per_row, write_fd, header)
    feeder.start()
    try:
        kv = KeyedVectors.load_word2vec_format(
            read_fd, binary=kind == "word2vec-binary", unicode_errors="replace"
        )
    except (ValueError, EOFError, OSError, UnicodeError, IndexError, KeyError) as e:
        # how gensim reports a garbled file: short rows, bad numbers, a cut-off binary
        if feeder.over:
            raise TlmError(f"{path} holds more than its header's {count} rows of {dim} numbers "
                           "can take (a damaged or hostile file); not reading on") from None
        raise TlmError(f"{path} looks like {kind} vectors but is garbled: "
                       f"{feeder.error or e}") from None
    finally:
        os.close(read_fd)
        feeder.join(5)
    if feeder.error is not None:
        raise TlmError(f"cannot read {path}: {feeder.error}")
    if feeder.over:
        raise TlmError(f"{path} holds more than its header's {count} rows of {dim} numbers "
                       "can take (a damaged or hostile file); not reading on")
    if _rows_fed(feeder, kind, kv, dim, header_bytes) > count:
        raise TlmError(f"{path} has more rows than its header's {count}; a damaged file?")
    if not np.isfinite(kv.vectors).all():
        raise TlmError(f"{path} holds numbers that are NaN or infinite; not using it")
    if len(kv.vectors) and np.abs(kv.vectors).max() > MAX_ABS_VALUE:
        raise TlmError(f"{path} holds numbers as large as {np.abs(kv.vectors).max():.3g}, "
                       "whose squares overflow; not word vectors")
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
    path = paths.input_file(paths.expand_user(path), "vectors file")
    origin = ["file", cache.stamp(path)]

    def build() -> KeyedVectors:
        if cache_name is None and path.stat().st_size <= CACHE_FILES_OVER:
            return read_vector_file(path, report)
        name = cache_name or "file-" + hashlib.sha256(origin[1][0].encode()).hexdigest()[:16]
        return cache.cached(name, origin, lambda: read_vector_file(path, report))

    return cache.remember(("file", *origin[1]), build)
