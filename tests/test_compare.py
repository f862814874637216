"""Side-by-side tables: `tlm compare` and the shell's compare / compare_sim /
glove / word2vec, on a tiny model and a fake GloVe package; no network."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import kv_of

from tlm import modelfile
from tlm.compare import find, neighbors_columns, render_neighbors, render_similarity, similarities
from tlm.errors import TlmError
from tlm.interact import banner, interact, namespace

GLOVE_WORDS = ["the", "wood", "chuck", "would", "could", "tree", "king", "queen", "cat", "dog"]


def glove_vectors() -> np.ndarray:
    return np.random.default_rng(7).normal(size=(len(GLOVE_WORDS), 5)).astype(np.float32)


@pytest.fixture(autouse=True)
def fake_glove(offline_pretrained) -> Path:
    return offline_pretrained(GLOVE_WORDS, glove_vectors())


A = kv_of(["red", "green", "blue", "Sky"], [[1, 0], [0.8, 0.6], [0, 1], [0.1, 1]])
B = kv_of(["red", "blue", "navy"], [[1, 0], [0, 1], [0.2, 1]])


def column(table: str, col: int) -> list[str]:
    """The words in column `col` (0-based) of a neighbours table."""
    rows = table.splitlines()[2:]
    return [row.split()[1 + 2 * col] for row in rows if len(row.split()) > 1 + 2 * col]


def neighbors_table(word, sources, k=10):
    return render_neighbors(word, neighbors_columns(word, sources, k))


def similarity_table(a, b, sources):
    return render_similarity(a, b, similarities(a, b, sources), sources)


def test_the_library_returns_numbers_and_the_renderers_lay_them_out() -> None:
    columns = neighbors_columns("green", [("first", A), ("second", B)], k=2)
    assert columns["second"] is None  # B has no green
    assert columns["first"].words == [w for w, _ in A.most_similar("green", topn=2)]
    assert similarities("red", "blue", [("first", A)])["first"] == pytest.approx(
        float(A.similarity("red", "blue")))


# -- the tables -----------------------------------------------------------------------------------
def test_neighbors_table_has_one_column_per_source_in_order() -> None:
    table = neighbors_table("blue", [("first", A), ("second", B)], k=2)
    lines = table.splitlines()
    assert lines[0] == "nearest to 'blue'"
    assert lines[1].split() == ["first", "second"]
    assert len(lines) == 4  # title, labels, k rows
    assert column(table, 0) == [w for w, _ in A.most_similar("blue", topn=2)]
    assert column(table, 1) == [w for w, _ in B.most_similar("blue", topn=2)]
    first_score = float(lines[2].split()[2])
    assert first_score == pytest.approx(A.most_similar("blue", topn=1)[0][1], abs=1e-3)


def test_neighbors_table_marks_a_source_without_the_word() -> None:
    table = neighbors_table("green", [("first", A), ("second", B)], k=3)
    assert "(no 'green')" in table.splitlines()[2]
    assert len(table.splitlines()) == 5


def test_words_are_found_as_given_or_lower_cased() -> None:
    assert find(A, "Sky") == "Sky" and find(A, "RED") == "red"
    assert find(A, "sky") == "Sky" and find(A, "SKY") == "Sky" and find(B, "sky") is None
    assert neighbors_table("sky", [("first", A)], k=1).splitlines()[2].split()[1] == "blue"
    with pytest.raises(TlmError, match="no source has the word 'SKY'"):
        neighbors_table("SKY", [("second", B)], k=1)


def test_similarity_table_one_row_per_source() -> None:
    table = similarity_table("red", "blue", [("first", A), ("second", B)])
    lines = table.splitlines()
    assert lines[0] == "similarity('red', 'blue')"
    assert lines[1].split() == ["first", f"{A.similarity('red', 'blue'):.3f}"]
    assert lines[2].split() == ["second", f"{B.similarity('red', 'blue'):.3f}"]
    missing = similarity_table("red", "green", [("first", A), ("second", B)])
    assert "(no 'green')" in missing.splitlines()[2]


def test_a_word_no_source_knows_is_an_error_with_close_spellings() -> None:
    with pytest.raises(TlmError, match="no source has the word 'gren'.*green"):
        similarity_table("red", "gren", [("first", A)])
    with pytest.raises(TlmError, match="-k must be at least 1"):
        neighbors_table("red", [("first", A)], k=0)


# -- tlm compare ----------------------------------------------------------------------------------
def test_tlm_compare_with_glove_by_default(run, model_file: Path) -> None:
    result = run("compare", "--model", model_file, "wood", "chuck", "-k", "3")
    assert result.exit_code == 0, result.output + result.stderr
    tables = result.stdout.strip().split("\n\n")
    assert len(tables) == 2
    lines = tables[0].splitlines()
    assert lines[1].split() == ["model.json", "(embedding)", "glove-wiki-gigaword-50"]
    model = modelfile.load(model_file)
    glove = kv_of(GLOVE_WORDS, glove_vectors())
    assert column(tables[0], 0) == [w for w, _ in model.vectors.most_similar("wood", topn=3)]
    assert column(tables[0], 1) == [w for w, _ in glove.most_similar("wood", topn=3)]


def test_tlm_compare_similarity_pairs_and_other_sources(run, model_file: Path,
                                                        tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    kv_of(["wood", "chuck"], [[1, 0], [0.6, 0.8]]).save_word2vec_format(str(other))
    result = run("compare", "--model", model_file, "--similarity", "wood", "chuck",
                 "--pretrained", other, "--pretrained", "glove")
    assert result.exit_code == 0, result.output + result.stderr
    rows = result.stdout.splitlines()
    model = modelfile.load(model_file)
    assert rows[1].split()[-1] == f"{model.vectors.similarity('wood', 'chuck'):.3f}"
    assert rows[2].split() == ["other.txt", "0.600"]
    assert rows[3].split()[0] == "glove-wiki-gigaword-50"


def test_tlm_compare_word2vec_same_corpus(run, model_file: Path, trained: Path,
                                          one_line_error) -> None:
    text = trained.parent / "chuck.txt"  # what the model records
    result = run("compare", "--model", model_file, "wood", "-k", "2",
                 "--pretrained", f"word2vec-same-corpus:{text}")
    assert result.exit_code == 0, result.output + result.stderr
    assert "word2vec-same-corpus" in result.stdout.splitlines()[1]
    assert result.stderr.count("\n") == 1 and "window=5" in result.stderr  # no window: says so
    assert not list(model_file.parent.glob("model.*.kv"))  # nothing written beside the model

    # the text the model records is read only when the user names it
    line = one_line_error(run("compare", "--model", model_file, "wood",
                              "--pretrained", "word2vec-same-corpus"), "reads only text you name")
    assert f"word2vec-same-corpus:{text}" in line


def test_tlm_compare_mistakes_are_one_line(run, model_file: Path, one_line_error) -> None:
    one_line_error(run("compare", "--model", model_file, "--similarity", "wood"), "pairs", code=2)
    one_line_error(run("compare", "--model", model_file), "missing argument", code=2)
    one_line_error(run("compare", "--model", model_file, "xylophone"), "xylophone", code=1)
    one_line_error(run("compare", "--model", "nope.json", "wood"), "not found", code=1)
    one_line_error(run("compare", "--model", model_file, "wood", "--pretrained", "nope"),
                   "unknown vectors", code=1)


# -- the shell ------------------------------------------------------------------------------------
def test_shell_helpers(model_file: Path, capsys: pytest.CaptureFixture) -> None:
    model = modelfile.load(model_file)
    ns = namespace(model, model_path=str(model_file))
    assert not ns["glove"].loaded  # nothing loaded until it is used
    text = banner(model, ns)
    for name in ("glove", "word2vec()", "compare(word, k=10)", "compare_sim(a, b)"):
        assert name in text

    ns["compare"]("wood", k=2)
    table = capsys.readouterr().out
    assert table.splitlines()[1].split() == ["model.json", "(embedding)", "glove-wiki-gigaword-50"]
    assert ns["glove"].loaded

    with pytest.raises(TlmError, match=r"word2vec\(text="):  # the model's text must be named
        ns["word2vec"]()
    kv = ns["word2vec"](text=modelfile.load(model_file).info["sources"][0])
    assert kv is not None and "wood" in kv
    assert "window=5" in capsys.readouterr().out  # the settings word2vec had to assume
    ns["compare_sim"]("wood", "chuck")
    rows = capsys.readouterr().out.splitlines()
    labels = [row.split()[0] for row in rows[1:]]
    assert labels == ["model.json", "word2vec-same-corpus", "glove-wiki-gigaword-50"]
    assert rows[2].split()[-1] == f"{kv.similarity('wood', 'chuck'):.3f}"


def test_shell_mistakes_are_one_line(model_file: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "compare('xylophone')\n"
        "word2vec('word2vec-google-news-300')\n"
        "print('still here')\n"))
    interact(modelfile.load(model_file))
    out, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if "Error" in line]
    assert len(errors) == 2 and all(line.startswith("Error: ") for line in errors)
    assert "xylophone" in errors[0] and "cannot be downloaded" in errors[1]
    assert "Traceback" not in err and "still here" in out
