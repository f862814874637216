"""Cache entries that lie (issue class: model folders and caches that lie): a
metadata file that is a FIFO or a link to an endless device, JSON nested past
Python's parser, a word list that holds something other than words, an array
whose header claims more than the file holds. Each is no entry: the source is
read again and the entry rebuilt, with no hang, no MemoryError, no traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tlm import pretrained

WORDS = ["the", "king", "queen", "man", "woman"]
VECTORS = np.arange(len(WORDS) * 4, dtype=np.float32).reshape(len(WORDS), 4)


def fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def endless(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def nested(path: Path) -> None:
    path.write_text("[" * 100_000 + "]" * 100_000)


def huge_header(path: Path) -> None:
    """A .npy header that claims 10^12 rows over the few bytes the file has."""
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    header = data[:header_end].replace(b"(5, 4)", b"(1000000000000, 4)")
    path.write_bytes(header + data[header_end:])


def json_of(value: object) -> Callable[[Path], None]:
    return lambda path: path.write_text(json.dumps(value))


# (the file of the entry, what is done to it)
LIES = [
    ("meta.json", fifo),
    ("meta.json", endless),
    ("meta.json", nested),
    ("meta.json", json_of(["not", "a", "dict"])),
    ("words.json", fifo),
    ("words.json", endless),
    ("vectors.npy", fifo),
    ("vectors.npy", endless),
    ("vectors.npy", huge_header),
]


@pytest.fixture
def entry(offline_pretrained, tmp_path: Path) -> Path:
    offline_pretrained(WORDS, VECTORS)
    pretrained.load()
    pretrained.cache.forget()
    return tmp_path / "cache" / "tlm" / pretrained.GLOVE


pytestmark = pytest.mark.usefixtures("no_hang")


@pytest.mark.parametrize(("name", "lie"), LIES, ids=[f"{n}-{f.__name__}" for n, f in LIES])
def test_a_lying_cache_entry_is_rebuilt(entry: Path, name: str, lie) -> None:
    lie(entry / name)
    kv = pretrained.load()
    assert kv.index_to_key == WORDS
    np.testing.assert_array_equal(kv.vectors, VECTORS)
    assert (entry / name).is_file() and not (entry / name).is_symlink()  # rebuilt


def test_words_that_are_not_strings(entry: Path) -> None:
    words = entry / "words.json"
    meta = json.loads((entry / "meta.json").read_text())
    lying = json.dumps([["a", "list"], *WORDS[1:]]).encode()
    words.write_bytes(lying)
    import hashlib

    meta["words"] = hashlib.sha256(lying).hexdigest()  # the checksum agrees: still no entry
    (entry / "meta.json").write_text(json.dumps(meta))
    assert pretrained.load().index_to_key == WORDS
