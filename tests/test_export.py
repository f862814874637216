"""`tlm export`: word2vec text that gensim loads back to the same vectors, and
TSV plus metadata for the Embedding Projector; files are never half-written
and a model file is never replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

from tlm import export, modelfile
from tlm.errors import TlmError


def test_word2vec_export_loads_back_to_the_same_vectors(run, model_file: Path) -> None:
    result = run("export", "--model", model_file, "--format", "word2vec", "--output", "v.txt")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Wrote v.txt"
    model = modelfile.load(model_file)
    kv = KeyedVectors.load_word2vec_format(str(model_file.parent / "v.txt"))
    assert sorted(kv.index_to_key) == sorted(model.vocab)
    for word in model.vocab:
        np.testing.assert_array_equal(kv[word], model.E[model.word_to_idx[word]])
    counts = [model.word_counts[model.word_to_idx[w]] for w in kv.index_to_key]
    assert counts == sorted(counts, reverse=True)  # most frequent first, as word2vec writes


def test_default_format_and_output(run, model_file: Path) -> None:
    result = run("export", "--model", model_file)
    assert result.exit_code == 0, result.output
    header = (model_file.parent / "vectors.txt").read_text().splitlines()[0]
    assert header == f"{len(modelfile.load(model_file).vocab)} 32"


def test_tsv_export_for_the_projector(run, model_file: Path) -> None:
    result = run("export", "--model", model_file, "--format", "tsv", "--output", "emb.tsv")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Wrote emb.tsv and emb-metadata.tsv"
    model = modelfile.load(model_file)
    vectors = np.loadtxt(model_file.parent / "emb.tsv", delimiter="\t", dtype=np.float32)
    words = (model_file.parent / "emb-metadata.tsv").read_text().splitlines()
    assert vectors.shape == model.E.shape and len(words) == len(model.vocab)
    assert sorted(words) == sorted(model.vocab)  # one word per line, no header
    for row, word in zip(vectors, words, strict=True):
        np.testing.assert_array_equal(row, model.E[model.word_to_idx[word]])


def test_help_says_where_the_metadata_goes(run) -> None:
    result = run("export", "--help")
    assert "vectors-metadata.tsv" in result.output and "projector" in result.output.lower()


def test_export_never_replaces_a_model(run, model_file: Path, one_line_error, unchanged) -> None:
    check = unchanged([model_file])
    one_line_error(run("export", "--model", model_file, "--output", model_file),
                   "tlm model file", "not replacing", code=1)
    check()


def test_tsv_metadata_never_replaces_a_model(run, model_file: Path, one_line_error,
                                             unchanged) -> None:
    meta = model_file.parent / "emb-metadata.tsv"
    meta.write_bytes(model_file.read_bytes())  # a model saved under an unlucky name
    check = unchanged([model_file, meta])
    one_line_error(run("export", "--model", model_file, "--format", "tsv", "--output", "emb.tsv"),
                   "emb-metadata.tsv", "not replacing", code=1)
    check()


def test_bad_destinations_are_one_line(run, model_file: Path, one_line_error, unchanged,
                                       tmp_path: Path) -> None:
    check = unchanged([model_file])
    one_line_error(run("export", "--model", model_file, "--output", tmp_path / "no" / "v.txt"),
                   "does not exist", code=1)
    one_line_error(run("export", "--model", model_file, "--output", tmp_path), "folder", code=1)
    one_line_error(run("export", "--model", model_file, "--format", "glove"), "glove", code=2)
    one_line_error(run("export", "--model", tmp_path / "none.json"), "not found", code=1)
    check()


def test_export_replaces_an_older_export_whole(model_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "v.txt"
    out.write_text("an older export\n")
    model = modelfile.load(model_file)
    with pytest.raises(TlmError, match="exists; not replacing it.*--force"):
        export.export(model, out, "word2vec")
    assert out.read_text() == "an older export\n"
    assert export.export(model, out, "word2vec", force=True) == [out]
    assert out.read_text().startswith(f"{len(model.vocab)} ")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left
