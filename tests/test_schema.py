"""Hand-edited model files: every field is checked for its type and range when
the file is loaded, the wrong field is named in one line (no traceback, no numpy
warning), and a checksum catches changed arrays and words."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

import tlm
from tlm import modelfile, schema
from tlm.errors import TlmError


def edit(d: dict, path: str, value) -> None:
    """Set d[a][b][0]... from "a.b.0"; the value "DELETE" removes the key."""
    *keys, last = [int(k) if k.isdigit() else k for k in path.split(".")]
    for k in keys:
        d = d[k]
    if value == "DELETE":
        del d[last]
    else:
        d[last] = value


INF = float("inf")

# (name, field path, new value, key words of the error)
FIELDS = [
    ("count Infinity", "vocab.counts.0", INF, ["vocab.counts[0]", "Infinity"]),
    ("count negative", "vocab.counts.0", -3, ["vocab.counts[0]"]),
    ("counts all zero", "vocab.counts", "ZEROS", ["vocab.counts", "all 0"]),
    ("shape Infinity", "arrays.E.shape.0", INF, ["arrays.E.shape"]),
    ("shape text", "arrays.b.shape", "12", ["arrays.b.shape"]),
    ("type a list", "type", ["embedding"], ["type must be the name of a model type"]),
    ("val_loss without val_ppl", "history.0.val_loss", 2.0, ["history[0]", "val_ppl"]),
    ("val_loss text", "history.0.val_loss", "x", ["history[0].val_loss", "number"]),
    ("loss text", "history.0.loss", "low", ["history[0].loss"]),
    ("epoch 0", "history.0.epoch", 0, ["history[0].epoch"]),
    ("history entry a number", "history.0", 5, ["history[0]"]),
    ("context_window 1.5", "config.context_window", 1.5, ["config.context_window",
                                                          "whole number"]),
    ("context_window null", "config.context_window", None, ["config.context_window"]),
    ("context_window text", "config.context_window", "x", ["config.context_window"]),
    ("context_window -1", "config.context_window", -1, ["config", "context-window"]),
    ("min_count text", "config.min_count", "x", ["config.min_count"]),
    ("seed a float", "config.seed", 1.5, ["config.seed"]),
    ("config a list", "config", [1], ["config must be a JSON object"]),
    ("transforms 5", "info.transforms", 5, ["info.transforms"]),
    ("transforms unknown", "info.transforms", ["upper"], ["info.transforms", "upper"]),
    ("sources 5", "info.sources", 5, ["info.sources"]),
    ("sources [5]", "info.sources", [5], ["info.sources"]),
    ("tokens -1", "info.tokens", -1, ["info.tokens"]),
    ("info a list", "info", [], ["info must be a JSON object"]),
    ("words a string", "vocab.words", "abcdefghijk", ["vocab.words", "list"]),
    ("word a number", "vocab.words.0", 7, ["vocab.words[0]"]),
    ("word twice", "vocab.words.1", "WORD0", ["twice"]),
    ("inline 1e39", "arrays.b.data.0", 1e39, ["arrays.b", "float32"]),
    ("inline text", "arrays.b.data.0", "x", ["arrays.b.data"]),
    ("inline ragged", "arrays.E.data.0", [1.0], ["arrays.E.data"]),
    ("dtype", "arrays.b.dtype", "float64", ["arrays.b.dtype"]),
    ("encoding", "arrays.b.encoding", "hex", ["arrays.b.encoding"]),
    ("checksum a number", "checksum", 5, ["checksum"]),
    ("checksum wrong", "checksum", "sha256:00", ["checksum"]),
]


@pytest.mark.filterwarnings("error")  # a numpy warning would be a second line
@pytest.mark.parametrize("name, field, value, words", FIELDS, ids=[f[0] for f in FIELDS])
def test_a_wrong_field_is_named(run, one_line_error, model_file, name, field, value, words):
    d = json.loads(model_file.read_text())
    if value == "ZEROS":
        value = [0] * len(d["vocab"]["counts"])
    if value == "WORD0":
        value = d["vocab"]["words"][0]
    edit(d, field, value)
    model_file.write_text(json.dumps(d))
    for command in ("info", "generate"):
        one_line_error(run(command, "--model", model_file), model_file.name, "damaged", *words)


def test_deep_nesting_and_huge_integers(run, one_line_error, model_file):
    text = model_file.read_text()
    deep = model_file.with_name("deep.json")
    deep.write_text(text[:-1] + ',"x":' + "[" * 100_000 + "]" * 100_000 + "}")
    one_line_error(run("info", "--model", deep), "nested too deep")
    d = json.loads(text)
    big = model_file.with_name("big.json")
    big.write_text(json.dumps(d).replace('"epochs": 5', '"epochs": ' + "9" * 5000))
    one_line_error(run("info", "--model", big), "damaged", "digits")


@pytest.fixture
def base64_model(run, chuck, tmp_path) -> Path:
    """A model whose E and W are base64 (more than INLINE_LIMIT numbers each)."""
    out = tmp_path / "wide.json"
    result = run("train", "--filepath", chuck, "--dim", "400", "--epochs", "1", "--seed", "1",
                 "--output", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text())["arrays"]["E"]["encoding"] == "base64"
    return out


def flip(data: str, i: int) -> str:
    """The base64 text with one byte of what it encodes changed."""
    raw = bytearray(base64.b64decode(data))
    raw[i] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("name, change", [
    ("a flipped byte in E", lambda d: edit(d, "arrays.E.data", flip(d["arrays"]["E"]["data"], 7))),
    ("a flipped byte in W", lambda d: edit(d, "arrays.W.data",
                                           flip(d["arrays"]["W"]["data"], 4000))),
    ("a word changed", lambda d: edit(d, "vocab.words.2", "zzz")),
    ("a count changed", lambda d: edit(d, "vocab.counts.2", 99)),
])
def test_the_checksum_catches_changes(base64_model, name, change: Callable[[dict], None]):
    d = json.loads(base64_model.read_text())
    change(d)
    base64_model.write_text(json.dumps(d))
    with pytest.raises(TlmError, match="checksum"):
        tlm.load(base64_model)


def test_a_cut_base64_array_is_named(base64_model):
    d = json.loads(base64_model.read_text())
    d["arrays"]["E"]["data"] = d["arrays"]["E"]["data"][:-8]
    base64_model.write_text(json.dumps(d))
    with pytest.raises(TlmError, match="arrays.E.data has .* base64 characters"):
        tlm.load(base64_model)


def test_a_file_without_a_checksum_still_loads(model_file):
    d = json.loads(model_file.read_text())
    del d["checksum"]
    model_file.write_text(json.dumps(d))
    assert tlm.load(model_file).vocab == d["vocab"]["words"]


def test_settings_the_config_does_not_know_are_ignored(model_file):
    d = json.loads(model_file.read_text())
    before = tlm.load(model_file)
    d["config"]["a_setting_from_a_newer_tlm"] = "x"
    model_file.write_text(json.dumps(d))
    model = tlm.load(model_file)
    assert not hasattr(model.config, "a_setting_from_a_newer_tlm")
    assert model.config == before.config and (model.E == before.E).all()


def test_the_checksum_is_saved_and_checked(model_file):
    model = modelfile.load(model_file)
    d = json.loads(model_file.read_text())
    assert d["checksum"] == schema.checksum(model.vocab, model.word_counts, model.arrays)


@pytest.mark.parametrize("hint, good, bad", [
    (int, [0, 5, -2], [1.5, True, None, "1"]),
    (float, [0, 1.5, -2], [float("inf"), float("nan"), True, "1"]),
    (float | None, [None, 1.0], ["x"]),
    (int | None, [None, 3], [3.0]),
    (str, ["x"], [1]),
])
def test_matches_reads_the_annotations(hint, good, bad):
    assert all(schema.matches(v, hint) for v in good)
    assert not any(schema.matches(v, hint) for v in bad)
