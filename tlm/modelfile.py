"""The model file: one JSON document, saved atomically, checked when loaded.

    {"format": "tlm-model", "version": 1, "type": "embedding",
     "config": {...}, "vocab": {"words": [...], "counts": [...]},
     "history": [{"epoch": 1, "loss": 2.35, ...}], "info": {...},
     "arrays": {"E": {"dtype": "float32", "shape": [11, 32], "data": [[...], ...]}, ...}}

Small arrays are nested lists a person can read; arrays with more than
`INLINE_LIMIT` numbers are base64 of little-endian float32 ("encoding":
"base64"), so a novel-sized model loads in a fraction of a second.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np

from tlm.errors import TlmError
from tlm.models import MODELS
from tlm.models.base import Model
from tlm.vocab import Vocab

FORMAT = "tlm-model"
VERSION = 1
INLINE_LIMIT = 4096


def encode_array(a: np.ndarray) -> dict[str, Any]:
    a = np.asarray(a, dtype=np.float32)
    out: dict[str, Any] = {"dtype": "float32", "shape": list(a.shape)}
    if a.size > INLINE_LIMIT:
        out["encoding"] = "base64"
        out["data"] = base64.b64encode(a.astype("<f4").tobytes()).decode("ascii")
    else:
        out["data"] = a.tolist()
    return out


def decode_array(d: dict[str, Any]) -> np.ndarray:
    shape = tuple(int(n) for n in d["shape"])
    if d.get("dtype", "float32") != "float32":
        raise ValueError(f"unsupported dtype {d.get('dtype')!r}")
    if d.get("encoding") == "base64":
        raw = base64.b64decode(d["data"], validate=True)
        a = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    else:
        a = np.asarray(d["data"], dtype=np.float32)
    return a.reshape(shape)


def to_dict(model: Model) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "type": model.type,
        "config": dataclasses.asdict(model.config),
        "vocab": {"words": model.vocab, "counts": model.counts},
        "history": model.history,
        "info": model.info,
        "arrays": {name: encode_array(model.arrays[name]) for name in model.array_names},
    }


def save(model: Model, path: str | os.PathLike) -> Path:
    """Write the model to `path` atomically (see `atomic_write`)."""
    text = json.dumps(to_dict(model), separators=(",", ":"))
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """`write(f)` fills a temporary binary file beside `path`, which is flushed to
    disk and renamed over `path`: an existing file is replaced whole or not at all.
    The new file keeps the permissions of the one it replaces. An OSError becomes
    a TlmError, and no temporary file is left behind."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise TlmError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private (0600)
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise TlmError(f"cannot write {path}: {e.strerror or e}") from None
        raise
    return path


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
    if kind not in MODELS:
        raise TlmError(f"{where} has an unknown model type {kind!r}")
    cls = MODELS[kind]
    try:
        fields = {f.name for f in dataclasses.fields(cls.Config)}
        config = cls.Config(**{k: v for k, v in d["config"].items() if k in fields})
        words = list(d["vocab"]["words"])
        if not all(isinstance(w, str) for w in words):
            raise ValueError("the vocabulary has entries that are not words")
        vocab = Vocab(words, [int(c) for c in d["vocab"]["counts"]])
        arrays = {name: decode_array(d["arrays"][name]) for name in cls.array_names}
        for name, a in arrays.items():
            if not np.isfinite(a).all():
                raise ValueError(f"array {name} holds NaN or infinite numbers")
        history, info = d.get("history") or [], d.get("info") or {}
        if not isinstance(history, list) or not all(
            isinstance(e, dict) and isinstance(e.get("epoch"), int)
            and isinstance(e.get("loss"), int | float) for e in history
        ):
            raise ValueError("the loss history is not a list of epochs")
        if not isinstance(info, dict):
            raise ValueError("info is not a mapping")
        return cls(vocab, config, arrays, history, info)
    except TlmError as e:
        raise TlmError(f"{where} is damaged: {e}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        detail = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise TlmError(f"{where} is damaged: {detail}") from None


def looks_like_model(head: bytes) -> bool:
    """Whether bytes start the way a tlm model file does (even a truncated one)."""
    return re.match(rb'\s*\{\s*"format"\s*:\s*"' + FORMAT.encode(), head) is not None


def check_output(path: Path, *, replace: Literal["model", "not-model"]) -> None:
    """Fail before any work, not after it, if `--output path` cannot be written:
    a folder, a missing or read-only folder, or a file that must not be replaced.
    `replace="model"` (train) may replace a tlm model or an empty file, never a text
    or anything else; `replace="not-model"` (export) may replace anything but a model."""
    if path.is_dir():
        example = f" such as {path}/model.json" if replace == "model" else ""
        raise TlmError(f"--output {path} is a folder; give a file name{example}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise TlmError(f"--output {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise TlmError(f"--output {path}: the folder {parent} is not writable")
    if replace == "not-model":
        check_not_model(path)
        return
    head = _head(path, f"--output {path}")
    if head is not None and head.strip() and not looks_like_model(head):
        raise TlmError(f"--output {path} exists and is not a tlm model file; not replacing it")


def check_not_model(path: Path) -> None:
    """An export never replaces a model file (`--output model.json` by mistake)."""
    head = _head(path, str(path))
    if head is not None and looks_like_model(head):
        raise TlmError(f"{path} is a tlm model file; not replacing it with an export")


def _head(path: Path, name: str) -> bytes | None:
    """The first bytes of the file at `path`, or None when there is no file."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            return f.read(256)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise TlmError(f"{name} cannot be read ({e.strerror}); not replacing it") from None


def load(path: str | os.PathLike) -> Model:
    """Read a model file, saying clearly what is wrong if it is not a good one."""
    path = Path(path)
    if not path.exists():
        raise TlmError(f"model file not found: {path} (train one with `tlm train`)")
    if path.is_dir():
        raise TlmError(f"{path} is a folder, not a model file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise TlmError(f"cannot read {path}: {e.strerror}") from None
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
        if looks_like_tlm and e.pos >= len(e.doc.rstrip()):
            raise TlmError(f"{path} is truncated: the model file ends part-way through") from None
        if looks_like_tlm:
            raise TlmError(
                f"{path} is damaged: not valid JSON at line {e.lineno} column {e.colno}"
            ) from None
        raise TlmError(f"{path} is not a tlm model file (not JSON)") from None
    return from_dict(d, str(path))
