"""What each field of a model file must hold, checked when the file is loaded.

A model file is JSON that a person may edit by hand, so every field is checked
for its type and range before the model is built, and a wrong one is named
(`config.context_window must be a whole number, not 1.5`) instead of failing
later with a traceback. The settings are checked against the model's own
`Config` dataclass (the type of each field, then the model's `validate()`),
so a new model type is checked without any code here.

A checksum of the words, counts and arrays (SHA-256) is stored on saving and
checked on loading: a flipped byte inside the base64 of an array, or a
vocabulary changed by hand, is reported rather than loaded as a different
model. Files written before the checksum existed still load.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import math
import re
import sys
import types
import typing
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from tlm.corpus import TRANSFORMS
from tlm.errors import TlmError

if TYPE_CHECKING:
    import scipy.sparse

FLOAT32_MAX = float(np.finfo(np.float32).max)
FLOAT_MAX = sys.float_info.max
#: Every whole number in a model file is below this in size (numpy's int64).
INT_LIMIT = 2**63
#: The most dimensions an array in a model file may have (numpy allows 64).
MAX_DIMENSIONS = 8
_SURROGATE = re.compile("[\ud800-\udfff]")
#: The number types an array may hold, and their little-endian layout in base64.
DTYPES = {"float32": "<f4", "int32": "<i4", "int64": "<i8"}


def _describe(hint: Any) -> str:
    """A type annotation in words: int -> 'a whole number'."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(map(repr, args))
    return {int: "a whole number", float: "a number", str: "text", bool: "true or false",
            type(None): "null"}.get(hint, getattr(hint, "__name__", str(hint)))


def matches(value: Any, hint: Any) -> bool:
    """Whether a JSON value fits a type annotation (a float must be finite)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, a) for a in args)
    if origin is Literal:
        return value in args
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:  # a whole number fits a 64-bit integer (numpy's, a seed's, a count's)
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) < INT_LIMIT
    if hint is float:  # a number fits a float: finite, and an integer no larger than one
        if isinstance(value, int) and not isinstance(value, bool):
            return abs(value) <= FLOAT_MAX
        return isinstance(value, float) and math.isfinite(value)
    if hint is str:
        return isinstance(value, str)
    return True  # a type this check does not know: the model's validate() has the last word


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TlmError(f"{name} must be a JSON object, not {_json(value)}")
    return value


def _json(value: Any) -> str:
    """A value as the file shows it (Infinity, "x", [5]), cut short."""
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def config(cls: type, value: Any) -> Any:
    """The model's Config from the file's "config": each field of the Config
    dataclass that the file has must fit the field's type, then the Config's own
    `validate()` checks the ranges. Fields the file lacks (older files) take the
    value that meant (`Config.absent`) or else their defaults; keys the Config does
    not know are ignored (newer settings)."""
    value = _mapping(value, "config")
    hints = typing.get_type_hints(cls.Config)
    given = {}
    for f in dataclasses.fields(cls.Config):
        if f.name not in value:
            if f.name in cls.Config.absent:  # a file from before the setting existed
                given[f.name] = cls.Config.absent[f.name]
            continue
        if not matches(value[f.name], hints[f.name]):
            raise TlmError(f"config.{f.name} must be {_describe(hints[f.name])}, "
                           f"not {_json(value[f.name])}")
        given[f.name] = value[f.name]
    made = cls.Config(**given)
    try:
        made.validate()
    except TlmError as e:
        raise TlmError(f"its config fails the training checks: {e}") from None
    return made


def vocab(value: Any) -> tuple[list[str], list[int]]:
    """The words (distinct, non-empty text) and their counts (whole numbers >= 0)."""
    value = _mapping(value, "vocab")
    words, counts = value.get("words"), value.get("counts")
    if not isinstance(words, list):
        raise TlmError(f"vocab.words must be a list of words, not {_json(words)}")
    if not isinstance(counts, list):
        raise TlmError(f"vocab.counts must be a list of whole numbers, not {_json(counts)}")
    for i, w in enumerate(words):
        if not isinstance(w, str) or not w:
            raise TlmError(f"vocab.words[{i}] must be a word, not {_json(w)}")
        if _SURROGATE.search(w):  # JSON's \ud800 alone: no text file or terminal can hold it
            raise TlmError(f"vocab.words[{i}] holds a lone surrogate ({_json(w)}), which is not "
                           "a character")
    seen: set[str] = set()
    for w in words:
        if w in seen:
            raise TlmError(f"vocab.words has {w!r} twice")
        seen.add(w)
    if len(counts) != len(words):
        raise TlmError(f"the vocabulary has {len(words)} words but {len(counts)} counts")
    for i, c in enumerate(counts):
        if not matches(c, int) or c < 0:
            raise TlmError(f"vocab.counts[{i}] must be a whole number 0 or more, not {_json(c)}")
    if words and not any(counts):
        raise TlmError("vocab.counts are all 0: a trained model has seen its words")
    return words, counts


def array(name: str, value: Any) -> np.ndarray | scipy.sparse.csc_matrix:
    """One array: a shape of whole numbers, float32 (or int32/int64) numbers given
    inline (nested lists) or as base64 of their little-endian bytes, as many as
    the shape needs, all finite. Or a sparse matrix: its compressed-column parts
    `data`, `indices`, `indptr`, each such an array, that scipy finds consistent."""
    where = f"arrays.{name}"
    value = _mapping(value, where)
    if "sparse" in value:
        return sparse(name, value)
    shape = value.get("shape")
    if not isinstance(shape, list) or not all(matches(n, int) and n >= 0 for n in shape):
        raise TlmError(f"{where}.shape must be a list of whole numbers 0 or more, "
                       f"not {_json(shape)}")
    if len(shape) > MAX_DIMENSIONS:
        raise TlmError(f"{where}.shape has {len(shape)} dimensions; a model's arrays have at "
                       f"most {MAX_DIMENSIONS}")
    dtype = value.get("dtype", "float32")
    if dtype not in DTYPES:
        raise TlmError(f"{where}.dtype must be one of {', '.join(DTYPES)}, not {_json(dtype)}")
    size, itemsize = math.prod(shape), np.dtype(DTYPES[dtype]).itemsize
    data, encoding = value.get("data"), value.get("encoding")
    if encoding == "base64":
        if not isinstance(data, str):
            raise TlmError(f"{where}.data must be base64 text, not {_json(data)}")
        needed = 4 * -(-itemsize * size // 3)  # whole numbers: a shape may be any size
        if len(data) != needed:
            raise TlmError(f"{where}.data has {len(data)} base64 characters; the shape "
                           f"{_json(shape)} needs {_json(needed)}")
        try:
            raw = base64.b64decode(data, validate=True)
        except ValueError:
            raise TlmError(f"{where}.data is not valid base64") from None
        a = np.frombuffer(raw, dtype=DTYPES[dtype]).astype(dtype)
    elif encoding is None:
        try:
            a64 = np.asarray(data, dtype=np.float64)
        except (TypeError, ValueError):
            raise TlmError(f"{where}.data must be nested lists of numbers") from None
        if a64.shape != tuple(shape):
            raise TlmError(f"{where}.data has shape {list(a64.shape)}, not the {shape} it states")
        if not np.isfinite(a64).all() or (a64.size and np.abs(a64).max() > FLOAT32_MAX):
            raise TlmError(f"{where} holds NaN, infinite or out-of-float32-range numbers")
        if dtype != "float32" and (a64 != np.round(a64)).any():
            raise TlmError(f"{where} holds numbers that are not whole ({dtype})")
        a = a64.astype(dtype)
    else:
        raise TlmError(f"{where}.encoding must be \"base64\" or absent, not {_json(encoding)}")
    if a.size != size:
        raise TlmError(f"{where} has {a.size} numbers; the shape {shape} needs {size}")
    if not np.isfinite(a).all():
        raise TlmError(f"array {name} holds NaN or infinite numbers")
    return a.reshape(shape)


def is_sparse(a: Any) -> bool:
    """Whether `a` is a scipy sparse matrix (without importing scipy: if it is not
    loaded, nothing is one; an embedding model's file then loads without it)."""
    return "scipy.sparse" in sys.modules and sys.modules["scipy.sparse"].issparse(a)


def sparse(name: str, value: dict[str, Any]) -> scipy.sparse.csc_matrix:
    """A sparse (rows, columns) matrix in compressed-column form."""
    where = f"arrays.{name}"
    if value["sparse"] != "csc":
        raise TlmError(f"{where}.sparse must be \"csc\", not {_json(value['sparse'])}")
    shape = value.get("shape")
    if not (isinstance(shape, list) and len(shape) == 2
            and all(matches(n, int) and n >= 0 for n in shape)):
        raise TlmError(f"{where}.shape must be two whole numbers 0 or more, not {_json(shape)}")
    parts = []
    for part in ("data", "indices", "indptr"):
        a = array(f"{name}.{part}", value.get(part))
        if a.ndim != 1:
            raise TlmError(f"{where}.{part} must be one-dimensional")
        parts.append(a)
    try:
        import scipy.sparse

        m = scipy.sparse.csc_matrix(tuple(parts), shape=tuple(shape))
        m.check_format(full_check=True)  # row indices in range, column pointers in order
    except ValueError as e:
        raise TlmError(f"{where} is not a consistent sparse matrix: {e}") from None
    return m


def history(value: Any) -> list[dict[str, Any]]:
    """One entry per epoch: `epoch` a whole number from 1, `loss` a number (null in
    an epoch `skipped` for want of examples);
    `val_loss` and `val_ppl` together or not at all (either may be Infinity: an
    unsmoothed count model); other values numbers or text."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise TlmError(f"history must be a list of epochs, not {_json(value)}")
    for i, entry in enumerate(value):
        where = f"history[{i}]"
        entry = _mapping(entry, where)
        if not matches(entry.get("epoch"), int) or entry["epoch"] < 1:
            raise TlmError(f"{where}.epoch must be a whole number from 1, "
                           f"not {_json(entry.get('epoch'))}")
        if "loss" not in entry:
            raise TlmError(f"{where} has no loss")
        if entry["loss"] is None and not isinstance(entry.get("skipped"), str):
            raise TlmError(f"{where}.loss must be a number (or null for a skipped epoch)")
        for key, v in entry.items():
            if key == "loss" and v is None:
                continue  # a skipped epoch: nothing was trained
            if key in ("val_loss", "val_ppl") and v == math.inf:
                continue  # an unsmoothed count model gave some held-out word p = 0
            if key in ("loss", "val_loss", "val_ppl") and not matches(v, float):
                raise TlmError(f"{where}.{key} must be a number, not {_json(v)}")
            if not (v is None or matches(v, float) or isinstance(v, str)):
                raise TlmError(f"{where}.{key} must be a number or text, not {_json(v)}")
        if ("val_loss" in entry) != ("val_ppl" in entry):
            have, lacks = ("val_loss", "val_ppl") if "val_loss" in entry else ("val_ppl",
                                                                             "val_loss")
            raise TlmError(f"{where} has {have} but no {lacks}")
    return value


def info(value: Any) -> dict[str, Any]:
    """Where the text came from: `sources` and `transforms` lists of text (each
    transform one tlm knows), `tokens` a whole number; other keys a value or a list."""
    if value is None:
        return {}
    value = _mapping(value, "info")
    for key in ("sources", "transforms"):
        if key in value and not (isinstance(value[key], list)
                                 and all(isinstance(s, str) for s in value[key])):
            raise TlmError(f"info.{key} must be a list of text, not {_json(value[key])}")
    for name in value.get("transforms", []):
        if name not in TRANSFORMS:
            raise TlmError(f"info.transforms has {name!r}, not one of {', '.join(TRANSFORMS)}")
    if "tokens" in value and not (matches(value["tokens"], int) and value["tokens"] >= 0):
        raise TlmError(
            f"info.tokens must be a whole number 0 or more, not {_json(value['tokens'])}"
        )
    scalar = (str, int, float, bool, type(None))
    for key, v in value.items():
        ok = isinstance(v, scalar) or (isinstance(v, list) and all(isinstance(x, scalar)
                                                                    for x in v))
        if not ok or (isinstance(v, float) and not math.isfinite(v)):
            raise TlmError(f"info.{key} must be a value or a list of values, not {_json(v)}")
    return value


def checksum(words: list[str], counts: list[int], arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of the words, counts and arrays (names, shapes, float32 bytes)."""
    h = hashlib.sha256()
    h.update(json.dumps([words, counts], ensure_ascii=False).encode("utf-8"))
    for name, a in arrays.items():
        h.update(json.dumps([name, list(a.shape)]).encode("ascii"))
        if is_sparse(a):  # its parts, each in its own number type
            a = a.tocsc()
            for part in (a.data, a.indices, a.indptr):
                h.update(np.ascontiguousarray(part, dtype=DTYPES[part.dtype.name]).tobytes())
        elif a.dtype.name in ("int32", "int64"):
            h.update(np.ascontiguousarray(a, dtype=DTYPES[a.dtype.name]).tobytes())
        else:
            h.update(np.ascontiguousarray(a, dtype="<f4").tobytes())
    return "sha256:" + h.hexdigest()


def check_checksum(stored: Any, words: list[str], counts: list[int],
                   arrays: dict[str, np.ndarray]) -> None:
    """A stored checksum must match (a file without one, from an older tlm, passes)."""
    if stored is None:
        return
    if not isinstance(stored, str):
        raise TlmError(f"checksum must be text, not {_json(stored)}")
    if stored != checksum(words, counts, arrays):
        raise TlmError(
            "its words, counts or arrays do not match the checksum saved with them "
            "(the file was changed after tlm wrote it)"
        )
