"""Issue 20, class 2: model files with values at the edge. Whatever a hand-edited
model file holds, `tlm info` and `tlm generate` end in one line: the model's
summary and text, or `Error: ...` naming the field. Never a traceback."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import cli_runner
from tlm.cli import cli


def set_config(key: str, value) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["config"][key] = value
    return change


def drop_config(key: str) -> Callable[[dict], None]:
    return lambda d: d["config"].pop(key, None)


def set_array(name: str, **fields) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["arrays"][name].update(fields)
    return change


def history_value(key: str, value) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["history"][0][key] = value
    return change


def word(i: int, w: str) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["vocab"]["words"][i] = w
    return change


def count(value) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["vocab"]["counts"][0] = value
    return change


def laplace(k) -> Callable[[dict], None]:
    def change(d: dict) -> None:
        d["config"].update(smoothing="laplace", add_k=k)
    return change


def dense_for_sparse(d: dict) -> None:
    shape = d["arrays"]["ngram_counts"]["shape"]
    n = shape[0] * shape[1]
    d["arrays"]["ngram_counts"] = {"dtype": "float32", "shape": shape,
                                   "data": base64.b64encode(bytes(4 * n)).decode(),
                                   "encoding": "base64"}


def sparse_for_dense(d: dict) -> None:
    d["arrays"]["E"] = {"sparse": "csc", "shape": d["arrays"]["E"]["shape"],
                        "data": {"shape": [0], "data": []},
                        "indices": {"shape": [0], "dtype": "int32", "data": []},
                        "indptr": {"shape": [33], "dtype": "int32", "data": [0] * 33}}


def dims(n: int) -> Callable[[dict], None]:
    return set_array("b", shape=[1] * (n - 1) + [11])


# (which model, what is changed, a word the error must hold; None: it must load)
CASES = [
    ("embedding", set_config("lr", 10**400), "lr"),
    ("embedding", set_config("val_fraction", 10**400), "val_fraction"),
    ("embedding", set_config("lr", 2**1024), "lr"),
    ("embedding", set_config("dim", 10**400), "dim"),
    ("embedding", set_config("seed", 10**400), "seed"),
    ("embedding", set_config("epochs", 10**30), "epochs"),
    ("embedding", set_config("batch_size", 2**64), "batch_size"),
    ("embedding", history_value("loss", 10**400), "loss"),
    ("embedding", history_value("seconds", 10**400), "seconds"),
    ("embedding", history_value("epoch", 10**400), "epoch"),
    ("embedding", count(2**64), "counts"),
    ("embedding", count(10**400), "counts"),
    ("embedding", set_array("b", shape=[10**400]), "shape"),
    ("embedding", set_array("E", shape=[10**400, 0]), "shape"),
    ("embedding", set_array("E", shape=[2**63, 2]), "shape"),
    ("embedding", dims(70), "shape"),
    ("embedding", dims(33), "shape"),
    ("embedding", dims(2), "shape"),
    ("embedding", sparse_for_dense, "E"),
    ("count", dense_for_sparse, "ngram_counts"),
    ("count", drop_config("epochs"), None),          # a count model has no epochs at all
    ("count", laplace(1e308), None),     # a huge but finite add-k: every word alike
    ("count", laplace(10**400), "add_k"),
    ("count", laplace(2.0**-1074), None),  # the smallest float above 0
    ("count", set_config("context_window", 10**400), "context_window"),
    ("embedding", word(0, "\ud800"), "surrogate"),    # no UTF-8 text can hold it
    ("embedding", word(0, "a\udfffb"), "surrogate"),
    ("embedding", word(0, "\x1b]52;c;aGk=\x07"), None),  # loads; printed visibly (below)
]


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    text = folder / "chuck.txt"
    text.write_text("how much wood would a wood chuck chuck if a wood chuck could chuck "
                    "wood\n" * 2)
    out = {}
    for kind in ("embedding", "count"):
        out[kind] = folder / f"{kind}.json"
        epochs = ["--epochs", "2"] if kind == "embedding" else []
        result = cli_runner().invoke(cli, ["train", "--model", kind, "--filepath", str(text),
                                           "--seed", "1", *epochs, "--quiet",
                                           "--output", str(out[kind])])
        assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize(("kind", "change", "word"), CASES)
def test_info_and_generate_on_an_edited_model(models, tmp_path, kind, change, word):
    d = json.loads(models[kind].read_text())
    d.pop("checksum")  # as from an older tlm: every field is checked on its own
    change(d)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(d))
    for command in (["info"], ["generate", "--length", "5", "--seed", "1"]):
        result = cli_runner().invoke(cli, [*command, "--model", str(path)])
        everything = result.output + result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command, repr(result.exception))
        if word is None:
            assert result.exit_code == 0, everything
            assert "\x1b" not in everything  # the escape is shown, not sent
            continue
        assert result.exit_code == 1, everything
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), everything
        assert word in lines[0], lines[0]
        lines[0].encode("utf-8")  # printable


