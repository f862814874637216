"""Vector files that lie (issue class: tracebacks from values at the edge, vector
files): headers that declare more than tlm may allocate or the file holds, rows
fewer or more than the header says, numbers whose squares overflow, a gzip
bomb. Each is one TlmError that says what is wrong, quickly, with no
MemoryError, no hang, and nothing accepted that the file does not hold."""

from __future__ import annotations

import gzip
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from tlm.errors import TlmError
from tlm.pretrained import files

pytestmark = pytest.mark.usefixtures("no_hang")


def binary_rows(words: list[str], dim: int) -> bytes:
    return b"".join(w.encode() + b" " + struct.pack(f"<{dim}f", *range(dim)) + b"\n"
                    for w in words)


# (file name, its bytes, words that must be in the message)
CASES = [
    ("rows.txt", b"1000000000 3\nking 1 2 3\n", ["1000000000 x 3", "GB"]),
    ("rows100.txt", b"100 3\nking 1 2 3\n", ["100 rows", "hold at most"]),
    ("rows12.txt", b"1000000000000 3\nking 1 2 3\n", ["1000000000000 x 3", "GB"]),
    ("dim0.txt", b"2 0\nking\nqueen\n", ["0 numbers"]),
    ("dim12.txt", b"2 1000000000000\nking 1\n", ["1000000000000 numbers"]),
    ("digits.txt", b"12345678901234567890123 3\nking 1 2 3\n", ["header"]),
    ("fewer.txt", b"3 3\nking 1 2 3\nqueen 4 5 6\n", ["garbled"]),
    ("fewer-gz.txt.gz", gzip.compress(b"3 3\nking 1 2 3\nqueen 4 5 6\n"), ["garbled"]),
    ("more.txt", b"1 3\nking 1 2 3\nqueen 4 5 6\n", ["more rows", "header"]),
    ("short-row.txt", b"3 3\nking 1 2 3\nqueen 4 5\nman 7 8 9\n", ["garbled"]),
    ("long-row.txt", b"2 3\nking 1 2 3 4\nqueen 4 5 6\n", ["garbled"]),
    ("huge.txt", b"2 3\nking 1e30 2 3\nqueen 4 5 6\n", ["1e+30", "overflow"]),
    ("huge-glove.txt", b"king 1e30 2 3\nqueen 4 5 6\n", ["overflow"]),
    ("more.bin", b"1 3\n" + binary_rows(["king", "queen"], 3), ["more rows"]),
    ("fewer.bin", b"3 3\n" + binary_rows(["king", "queen"], 3), ["hold at most"]),
    ("fewer-gz.bin.gz", gzip.compress(b"3 3\n" + binary_rows(["king", "queen"], 3)), ["garbled"]),
    ("bomb.txt.gz", gzip.compress(b"3 4\nking " + b"0" * (64 << 20)), ["more than its header"]),
]


@pytest.mark.parametrize(("name", "data", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_lying_vectors_file_is_one_clear_error(tmp_path: Path, name, data, words) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    start = time.perf_counter()
    with pytest.raises(TlmError) as error:
        files.read_vector_file(path)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("name", ["ok.txt", "ok.txt.gz", "ok.bin", "glove.txt", "glove.txt.gz"])
def test_honest_files_still_read(tmp_path: Path, name: str) -> None:
    words = ["king", "queen", "man"]
    if name.startswith("glove"):
        data = b"king 1 2 3\nqueen 4 5 6\nman 7 8 9\n\n\n"  # blank lines at the end are fine
    elif name.endswith(".bin"):
        data = b"3 3\n" + binary_rows(words, 3)
    else:
        data = b"3 3\nking 1 2 3\nqueen 4 5 6\nman 7 8 9\n"
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path = tmp_path / name
    path.write_bytes(data)
    kv = files.read_vector_file(path)
    assert kv.index_to_key == words
    assert kv.vectors.shape == (3, 3) and np.isfinite(kv.vectors).all()
