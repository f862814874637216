"""The model file: one JSON document, saved atomically, checked when loaded.

    {"format": "tlm-model", "version": 1, "type": "embedding",
     "config": {...}, "vocab": {"words": [...], "counts": [...]},
     "history": [{"epoch": 1, "loss": 2.35, ...}], "info": {...},
     "arrays": {"E": {"dtype": "float32", "shape": [11, 32], "data": [[...], ...]}, ...}}

Small arrays are nested lists a person can read; arrays with more than
`INLINE_LIMIT` numbers are base64 of little-endian float32 (or int32/int64 for
integer arrays; "encoding": "base64"), so a novel-sized model loads in a
fraction of a second. A sparse matrix (the count model's counts) is its
compressed-column parts: {"sparse": "csc", "shape": [V, K], "data": ARRAY,
"indices": ARRAY, "indptr": ARRAY}: JSON, never a pickle.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from tlm import paths, schema
from tlm.errors import TlmError
from tlm.models import MODELS, model_class
from tlm.models.base import Model
from tlm.vocab import Vocab

if TYPE_CHECKING:
    import scipy.sparse

FORMAT = "tlm-model"
VERSION = 1
INLINE_LIMIT = 4096
#: Model files are read whole; larger ones are refused (Emma's skip-gram is ~10 MB).
MAX_MODEL_BYTES = 1 << 32


def encode_array(a: np.ndarray | scipy.sparse.spmatrix) -> dict[str, Any]:
    """An array as JSON: float32, or an integer type kept as it is (int32, int64);
    nested lists when small, base64 when large. A scipy sparse matrix (the count
    model's counts) is stored as its compressed-column parts, each an array."""
    if schema.is_sparse(a):
        a = a.tocsc()
        return {"sparse": "csc", "shape": list(a.shape), "data": encode_array(a.data),
                "indices": encode_array(a.indices), "indptr": encode_array(a.indptr)}
    a = np.asarray(a)
    dtype = a.dtype.name if a.dtype.name in schema.DTYPES else "float32"
    a = a.astype(schema.DTYPES[dtype])
    out: dict[str, Any] = {"dtype": dtype, "shape": list(a.shape)}
    if a.size > INLINE_LIMIT:
        out["encoding"] = "base64"
        out["data"] = base64.b64encode(a.tobytes()).decode("ascii")
    else:
        out["data"] = a.tolist()
    return out


def to_dict(model: Model) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "type": model.type,
        "config": dataclasses.asdict(model.config),
        "vocab": {"words": model.vocab, "counts": model.word_counts},
        "history": [entry.to_dict() for entry in model.history],
        "info": model.info,
        "arrays": {name: encode_array(model.arrays[name]) for name in model.array_names},
        "checksum": schema.checksum(model.vocab, model.word_counts, model.arrays),
    }


def save(model: Model, path: str | os.PathLike) -> Path:
    """Write the model to `path` atomically (see `atomic_write`)."""
    text = json.dumps(to_dict(model), separators=(",", ":"))
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """`write(f)` fills a temporary binary file beside `path`, which is flushed to
    disk and renamed over `path`: an existing file is replaced whole or not at all.
    A symbolic link is written through (the file it points to is replaced), and a
    device or FIFO is never replaced. The new file keeps the permissions of the
    one it replaces. An OSError becomes a TlmError, and no temporary file is left."""
    return atomic_write_all([(path, write)])[0]


def atomic_write_all(writes: Sequence[tuple[str | os.PathLike, Callable[[BinaryIO], None]]]
                     ) -> list[Path]:
    """`atomic_write` for files that belong together (the TSV pair): each is written
    to its temporary file first, and only when all are complete are they renamed
    into place, so a failure while writing (a full disk) changes none of them."""
    done: list[tuple[str, Path]] = []
    current = Path(writes[0][0])
    try:
        for path, write in writes:
            current = _target(Path(path))
            done.append((_write_temporary(current, write), current))
        for tmp, current in done:
            os.replace(tmp, current)
    except BaseException as e:
        for tmp, _ in done:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise TlmError(f"cannot write {current}: {e.strerror or e}") from None
        raise
    return [target for _, target in done]


def _target(path: Path) -> Path:
    """The file a write to `path` replaces: through a symbolic link, never a device."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():
        raise TlmError(f"{path} is not a regular file; not replacing it")
    return path


def _write_temporary(path: Path, write: Callable[[BinaryIO], None]) -> str:
    """A complete, flushed temporary file beside `path` holding what `write` wrote.
    A temporary left by an earlier, killed save of `path` is removed first."""
    paths.remove_stale(path.parent, path.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=paths.temporary_prefix(path.name), suffix=".tmp",
                                   dir=path.parent)
    except OSError as e:
        raise TlmError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private (0600)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _file_mode(path: Path) -> int:
    """The permissions of the file being replaced, or the usual ones for a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def from_dict(d: Any, where: str = "model") -> Model:
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise TlmError(f"{where} is not a tlm model file")
    version = d.get("version")
    if not isinstance(version, int) or version < 1:
        raise TlmError(f"{where} has an invalid format version {version!r}")
    if version > VERSION:
        raise TlmError(
            f"{where} was written by a newer tlm (format version {version}; this tlm reads "
            f"up to {VERSION}): upgrade tlm to load it"
        )
    kind = d.get("type")
    if not isinstance(kind, str):
        raise TlmError(f"{where} is damaged: type must be the name of a model type "
                       f"({', '.join(MODELS)}), not {json.dumps(kind)[:40]}")
    if kind not in MODELS:
        raise TlmError(f"{where} has an unknown model type {kind!r}")
    cls = model_class(kind, d["config"] if isinstance(d.get("config"), dict) else {})
    try:  # every field is checked for its type and range (see tlm/schema.py)
        config = schema.config(cls, d.get("config"))
        words, counts = schema.vocab(d.get("vocab"))
        arrays_in = d.get("arrays")
        if not isinstance(arrays_in, dict):
            raise TlmError("arrays must be a JSON object of named arrays")
        names = cls.names_for(config)
        missing = [name for name in names if name not in arrays_in]
        if missing:
            raise TlmError(f"missing arrays: {', '.join(missing)}")
        arrays = {name: schema.array(name, arrays_in[name]) for name in names}
        history, info = schema.history(d.get("history")), schema.info(d.get("info"))
        schema.check_checksum(d.get("checksum"), words, counts, arrays)
        return cls(Vocab(words, counts), config, arrays, history, info)
    except TlmError as e:
        raise TlmError(f"{where} is damaged: {e}") from None


def looks_like_model(data: bytes) -> bool:
    """Whether bytes are, or were cut from, a tlm model file: JSON whose "format" is
    tlm's, with the keys in any order (the marker is searched for anywhere, so a
    truncated file is recognised too)."""
    return re.search(rb'"format"\s*:\s*"' + FORMAT.encode() + rb'"', data) is not None


def is_model_file(path: Path) -> bool:
    """Whether the regular file at `path` is (or was, before it was cut) a tlm model."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as e:
        raise TlmError(f"{path} cannot be read ({e.strerror}); not replacing it") from None
    if looks_like_model(data[:256]):  # tlm writes "format" first: no need to parse it all
        return True
    try:
        d = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return looks_like_model(data)
    return isinstance(d, dict) and d.get("format") == FORMAT


def check_model_output(
    path: Path, inputs: Sequence[str | os.PathLike] = (), option: str = "--output"
) -> Path:
    """Fail before training, not after it, if the model cannot be saved to `--output
    path` (see `paths.check_output`). It may replace a tlm model or an empty file,
    never a text or anything else, and never one of `inputs`. Returns the file to write."""
    target = paths.check_output(path, option)
    if target.is_file() and target.read_bytes().strip() and not is_model_file(target):
        raise TlmError(f"{option} {path} exists and is not a tlm model file; not replacing it")
    _not_an_input(path, inputs, option)
    return target


def check_export_output(
    path: Path, force: bool = False, inputs: Sequence[str | os.PathLike] = (),
    option: str = "--output",
) -> Path:
    """Fail before writing anything if an export cannot go to `path`: it writes a new
    file, replaces an existing one only with `force`, and never replaces a tlm model
    or one of `inputs`. Returns the file to write."""
    target = paths.check_output(path, option)
    if target.exists() and is_model_file(target):
        raise TlmError(f"{path} is a tlm model file; not replacing it with an export")
    _not_an_input(path, inputs, option)
    if target.exists():
        if not force:
            raise TlmError(f"{option} {path} exists; not replacing it (add --force to replace it)")
    return target


def _not_an_input(
    path: Path, inputs: Sequence[str | os.PathLike], option: str = "--output"
) -> None:
    for source in inputs:
        if paths.same_file(path, source):
            raise TlmError(f"{option} {path} is an input of this command; not replacing it")


def load(path: str | os.PathLike) -> Model:
    """Read a model file, saying clearly what is wrong if it is not a good one."""
    path = Path(path)
    data = paths.read_bytes(
        path, "model file", MAX_MODEL_BYTES,
        missing=f"model file not found: {path} (train one with `tlm train`)",
    )
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as some editors save
        data = data[3:]
    if not data.strip():
        raise TlmError(f"{path} is empty, not a tlm model file")
    looks_like_tlm = looks_like_model(data)
    try:
        d = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        if looks_like_tlm and e.end >= len(data.rstrip()) - 3:  # cut inside a character
            raise TlmError(f"{path} is truncated: the model file ends part-way through") from None
        raise TlmError(f"{path} is not a tlm model file (not UTF-8 JSON)") from None
    except json.JSONDecodeError as e:
        # a whole model file is one JSON object, so it ends with "}"
        if looks_like_tlm and (e.pos >= len(e.doc.rstrip()) or not e.doc.rstrip().endswith("}")):
            raise TlmError(f"{path} is truncated: the model file ends part-way through") from None
        if looks_like_tlm:
            raise TlmError(
                f"{path} is damaged: not valid JSON at line {e.lineno} column {e.colno}"
            ) from None
        raise TlmError(f"{path} is not a tlm model file (not JSON)") from None
    except RecursionError:
        raise TlmError(f"{path} is damaged: its JSON is nested too deep") from None
    except ValueError as e:  # e.g. an integer of more than 4300 digits
        raise TlmError(f"{path} is damaged: {e}") from None
    return from_dict(d, str(path))
