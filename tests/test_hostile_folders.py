"""Issue 20, class 3: tables and folders that hold nothing. A table of rows with no
numbers, a model whose vectors have no dimensions, a gensim-data folder with no
data in it: one line and a non-zero exit, never a map of nothing and exit 0."""

from __future__ import annotations

import json

import pytest

from tlm.pretrained import gensim_data


def rows_of_nothing(tmp, n=10):
    lines = [f"{n} 0"] + [f"w{i}" for i in range(n)]
    (tmp / "t.txt").write_text("\n".join(lines) + "\n")
    return ["--pretrained", str(tmp / "t.txt")]


def no_rows(tmp):
    (tmp / "t.txt").write_text("0 50\n")
    return ["--pretrained", str(tmp / "t.txt")]


def header_only_glove(tmp):
    (tmp / "t.txt").write_text("w0\nw1\nw2\n")  # GloVe rows with no numbers
    return ["--pretrained", str(tmp / "t.txt")]


def model_of_no_dimensions(tmp, trained):
    d = json.loads(trained.read_text())
    d.pop("checksum")
    d["config"]["dim"] = 0
    for name in d["arrays"]:
        d["arrays"][name] = {"shape": [0] * len(d["arrays"][name]["shape"]), "data": []}
    (tmp / "m0.json").write_text(json.dumps(d))
    return ["--model", str(tmp / "m0.json")]


def empty_gensim_folder(tmp, monkeypatch):
    (tmp / "gensim-data" / "word2vec-google-news-300").mkdir(parents=True)
    monkeypatch.setenv("GENSIM_DATA_DIR", str(tmp / "gensim-data"))
    return ["--pretrained", "word2vec-google-news-300"]


def gensim_folder_with_only_a_subfolder(tmp, monkeypatch):
    (tmp / "gensim-data" / "glove-twitter-25" / "part").mkdir(parents=True)
    monkeypatch.setenv("GENSIM_DATA_DIR", str(tmp / "gensim-data"))
    return ["--pretrained", "glove-twitter-25"]


def empty_gensim_file(tmp, monkeypatch):
    folder = tmp / "gensim-data" / "glove-twitter-25"
    folder.mkdir(parents=True)
    (folder / "glove-twitter-25.gz").write_bytes(b"")
    monkeypatch.setenv("GENSIM_DATA_DIR", str(tmp / "gensim-data"))
    return ["--pretrained", "glove-twitter-25"]


# (what is handed, words the line must hold)
CASES = [
    (lambda tmp, trained, mp: rows_of_nothing(tmp), ["10 rows of 0 numbers"]),
    (lambda tmp, trained, mp: rows_of_nothing(tmp, 1), ["0 numbers"]),
    (lambda tmp, trained, mp: no_rows(tmp), ["0 rows"]),
    (lambda tmp, trained, mp: header_only_glove(tmp), ["t.txt"]),
    (lambda tmp, trained, mp: model_of_no_dimensions(tmp, trained), ["dim"]),
    (lambda tmp, trained, mp: empty_gensim_folder(tmp, mp), ["holds no data file"]),
    (lambda tmp, trained, mp: gensim_folder_with_only_a_subfolder(tmp, mp),
     ["holds no data file"]),
    (lambda tmp, trained, mp: empty_gensim_file(tmp, mp), ["glove-twitter-25"]),
]


@pytest.mark.parametrize("command", [["explore", "norms"], ["atlas", "--output", "a.html"]])
@pytest.mark.parametrize(("make", "words"), CASES)
def test_nothing_to_show_is_an_error(run, trained, tmp_path, monkeypatch, one_line_error,
                                     make, words, command):
    monkeypatch.setattr(gensim_data.network, "reachable", lambda *a, **k: False)
    given = make(tmp_path, trained, monkeypatch)
    one_line_error(run(*command, *given), *words)
    assert not (tmp_path / "a.html").exists()
