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
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm import paths, schema, writing
from tlm.errors import TlmError
from tlm.models import MODELS, model_class
from tlm.models.base import Model
from tlm.snapshots import Snapshots
from tlm.vocab import Vocab

if TYPE_CHECKING:
    import scipy.sparse

FORMAT = paths.MODEL_FORMAT
MODEL = writing.MODEL
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
    d = {
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
    if model.snapshots is not None:  # tlm train --snapshots N (tlm/snapshots.py)
        d["snapshots"] = model.snapshots.to_dict()
    return d


def save(model: Model, path: str | os.PathLike) -> Path:
    """Write the model to `path` atomically (tlm/writing.py)."""
    text = json.dumps(to_dict(model), separators=(",", ":"))
    # the rule again at the rename: a file put there while training ran is kept
    return writing.atomic_write(path, lambda f: f.write(text.encode("utf-8")), MODEL)


def rescue(model: Model, path: str | os.PathLike) -> Path | None:
    """When saving to `path` failed: the model in a new file named after it, in the
    current folder or else the system's temporary folder (writing.write_new)."""
    text = json.dumps(to_dict(model), separators=(",", ":"))
    return writing.write_new(Path(path).name, lambda f: f.write(text.encode("utf-8")),
                             [os.getcwd(), tempfile.gettempdir()])


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
        model = cls(Vocab(words, counts), config, arrays, history, info)
        if d.get("snapshots") is not None and model.has_vectors:
            model.snapshots = Snapshots.from_dict(d["snapshots"], *model.E.shape)
        return model
    except TlmError as e:
        raise TlmError(f"{where} is damaged: {e}") from None




def check_model_output(
    path: Path, inputs: Sequence[str | os.PathLike] = (), option: str = "--output"
) -> Path:
    """Fail before training, not after it, if the model cannot be saved to `--output
    path` (tlm/writing.py's rule: it may replace a tlm model or an empty file, never
    a text or anything else, and never one of `inputs`). `save` checks again at the
    moment of writing. Returns the file to write."""
    return writing.check_output(path, MODEL, inputs, option=option)


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
    looks_like_tlm = paths.looks_like_model(data)
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
