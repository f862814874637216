"""Write a model's word vectors for other tools.

- word2vec text format: a "count dim" header, then one word and its numbers per
  line, most frequent word first. gensim (`KeyedVectors.load_word2vec_format`),
  the original word2vec tools and many others read it.
- TSV for TensorFlow's Embedding Projector (projector.tensorflow.org): a
  vectors file (numbers only, tab-separated, one row per word) and a metadata
  file beside it (one word per line, same order, no header) - load both with
  the projector's "Load" button to see the vectors in 3-D.

Files are written beside their destination and then renamed, so an existing
file is replaced whole or not at all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from tlm import modelfile
from tlm.errors import TlmError

if TYPE_CHECKING:
    from tlm.models.base import Model

FORMATS = ("word2vec", "tsv")


def metadata_path(path: str | os.PathLike) -> Path:
    """Where the Projector metadata goes: vectors.tsv -> vectors-metadata.tsv."""
    path = Path(path)
    return path.with_name(f"{path.stem}-metadata{path.suffix or '.tsv'}")


def _write_lines(lines: Iterable[str]) -> Callable[[BinaryIO], None]:
    def write(f: BinaryIO) -> None:
        f.writelines((line + "\n").encode("utf-8") for line in lines)

    return write


def export_word2vec(model: Model, path: str | os.PathLike) -> Path:
    """The model's vectors (every row of E, <unk> too) in word2vec text format,
    written by gensim's own `save_word2vec_format`."""
    path = Path(path)
    modelfile.check_output(path, replace="not-model")
    kv = model.word_vectors(unk=True)
    # gensim writes to the open temporary file's descriptor and leaves it open
    modelfile.atomic_write(path, lambda f: kv.save_word2vec_format(f.fileno(), binary=False))
    return path


def export_tsv(model: Model, path: str | os.PathLike) -> tuple[Path, Path]:
    """The vectors as TSV plus a metadata TSV (see `metadata_path`) for the
    Embedding Projector. Returns both paths."""
    path = Path(path)
    meta = metadata_path(path)
    modelfile.check_output(path, replace="not-model")
    if meta.is_dir():
        raise TlmError(f"the metadata file {meta} would replace a folder")
    modelfile.check_not_model(meta)
    kv = model.word_vectors(unk=True)
    # 9 significant digits: a float32 read back is the same float32
    rows = ("\t".join(f"{float(x):.9g}" for x in row) for row in kv.vectors)
    modelfile.atomic_write(path, _write_lines(rows))
    modelfile.atomic_write(meta, _write_lines(kv.index_to_key))
    return path, meta


def export(model: Model, path: str | os.PathLike, format: str = "word2vec") -> list[Path]:
    """`tlm export` as one call; returns the files written."""
    if format == "word2vec":
        return [export_word2vec(model, path)]
    if format == "tsv":
        return list(export_tsv(model, path))
    raise TlmError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
