"""Write a model's word vectors for other tools.

- word2vec text format: a "count dim" header, then one word and its numbers per
  line, most frequent word first. gensim (`KeyedVectors.load_word2vec_format`),
  the original word2vec tools and many others read it.
- TSV for TensorFlow's Embedding Projector (projector.tensorflow.org): a
  vectors file (numbers only, tab-separated, one row per word) and a metadata
  file beside it (one word per line, same order, no header) - load both with
  the projector's "Load" button to see the vectors in 3-D.

Files are written beside their destination and then renamed, so an existing
file is replaced whole or not at all; and only with --force (a model file never).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from tlm import writing
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


def export_word2vec(
    model: Model, path: str | os.PathLike, force: bool = False, inputs: Sequence[str] = ()
) -> Path:
    """The model's vectors (every row of E, <unk> too) in word2vec text format,
    written by gensim's own `save_word2vec_format`. An existing file is replaced
    only with `force`, and never a model or one of `inputs`."""
    path = Path(path)
    writing.check_output(path, writing.EXPORT, inputs, force)
    spaced = [w for w in model.vocab if len(w.split()) != 1]
    if spaced:
        raise TlmError(
            f"the word {spaced[0]!r} has a space in it, which the word2vec text format "
            "cannot hold (a reader would split it); use --format tsv"
        )
    kv = model.word_vectors(unk=True)
    # gensim writes to the open temporary file's descriptor and leaves it open
    writing.atomic_write(path, lambda f: kv.save_word2vec_format(f.fileno(), binary=False),
                         writing.EXPORT, force)
    return path


def export_tsv(
    model: Model, path: str | os.PathLike, force: bool = False, inputs: Sequence[str] = ()
) -> tuple[Path, Path]:
    """The vectors as TSV plus a metadata TSV (see `metadata_path`) for the
    Embedding Projector. Returns both paths. Both are written before either
    replaces anything, so a failure part-way leaves both files as they were."""
    path = Path(path)
    meta = metadata_path(path)
    writing.check_output(path, writing.EXPORT, inputs, force)
    writing.check_output(meta, writing.EXPORT, inputs, force, option="the metadata file")
    broken = [w for w in model.vocab if "\t" in w or "\n" in w or "\r" in w]
    if broken:
        raise TlmError(f"the word {broken[0]!r} has a tab or line break, which a TSV cannot hold")
    kv = model.word_vectors(unk=True)
    # 9 significant digits: a float32 read back is the same float32
    rows = ("\t".join(f"{float(x):.9g}" for x in row) for row in kv.vectors)
    writing.atomic_write_all([(path, _write_lines(rows)), (meta, _write_lines(kv.index_to_key))],
                             writing.EXPORT, force)
    return path, meta


def export(
    model: Model, path: str | os.PathLike, format: str = "word2vec", force: bool = False,
    inputs: Sequence[str] = (),
) -> list[Path]:
    """`tlm export` as one call; returns the files written. An existing file is
    replaced only with `force`; a model file or one of `inputs` never is."""
    if format == "word2vec":
        return [export_word2vec(model, path, force, inputs)]
    if format == "tsv":
        return list(export_tsv(model, path, force, inputs))
    raise TlmError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
