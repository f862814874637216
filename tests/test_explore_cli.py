"""`tlm explore KIND` through click, and the explorer in the --interact shell:
tables side by side, --png pictures, words a source lacks, bad input."""

from __future__ import annotations

import dataclasses
import functools
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import plural_kv, royal_kv

import tlm
from tlm import interact
from tlm.errors import TlmError
from tlm.explore import PLURAL_PAIRS

PNG = b"\x89PNG\r\n\x1a\n"


def write_vectors(path: Path, words, vectors) -> Path:
    """A word2vec text file."""
    vectors = np.asarray(vectors, dtype=np.float32)
    lines = [f"{len(words)} {vectors.shape[1]}"]
    lines += [w + " " + " ".join(f"{x:.6f}" for x in v) for w, v in zip(words, vectors,
                                                                         strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def plural_file(tmp_path: Path) -> Path:
    """Vectors with a planted plural direction (s0 -> s0z, ...) and king/queen/man/woman."""
    kv, _ = plural_kv(noise=0.05)
    rng = np.random.default_rng(5)
    extra = ["king", "queen", "man", "woman", "one", "two", "three"]
    words = list(kv.index_to_key) + extra
    vectors = np.vstack([kv.vectors, rng.normal(size=(len(extra), kv.vector_size))])
    return write_vectors(tmp_path / "plural.txt", words, vectors)


PAIRS = [f"s{i}:s{i}z" for i in range(10)]


def test_directions_side_by_side_with_a_picture(run, plural_file, model_file, tmp_path):
    png = tmp_path / "plural.png"
    result = run("explore", "directions", *PAIRS, "--model", model_file,
                 "--pretrained", plural_file, "--pretrained", plural_file, "--png", png)
    # the chuck model has none of the words: named and left out; the two files side by side
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "plural.txt" in line)
    assert "plural.txt #2" in header
    consistency = next(line for line in result.stdout.splitlines()
                       if line.split()[:1] == ["consistency"] and "(" not in line)
    scores = [float(x) for x in consistency.split()[1:]]
    assert len(scores) == 2 and scores[0] == scores[1] > 0.95
    assert "model.json (embedding)" in result.stderr and "left out" in result.stderr
    assert png.read_bytes()[:8] == PNG
    assert "Picture saved to" in result.stderr


def test_without_png_only_the_table(run, plural_file, tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("explore", "norms", "--pretrained", plural_file)
    assert result.exit_code == 0 and "mean norm" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("args, expect", [
    (["norms"], "unit length?"),
    (["background", "-n", "100"], "cosine 99th percentile"),
    (["pairs", "king:queen", "man:woman"], "king:queen"),
    (["neighbors", "king", "king - man + woman", "-k", "3"], "random pairs average"),
    (["analogy", "man", "king", "woman", "-k", "3"], "rank of queen among candidates"),
    (["cos-vs-euclid", "king"], "rank by distance"),
    (["axes"], "x = man -> king"),
    (["numbers", "one", "two", "three"], "adjacent (one apart)"),
    (["categories", "--groups", "GROUPS"], "within first"),
    (["matrix", "-n", "3", "--dims", "4"], "3 words x 4 dimensions"),
    (["hubness", "-k", "3"], "skewness of N_k"),
    (["pca"], "components for 90% of the variance"),
    (["frequency"], "Spearman(rank, norm)"),
])
def test_every_kind_prints_and_draws(run, plural_file, tmp_path, args, expect):
    groups = tmp_path / "groups.txt"
    groups.write_text("first: s0 s1 s2\nsecond: f0 f1 f2\n", encoding="utf-8")
    args = [str(groups) if a == "GROUPS" else a for a in args]
    png = tmp_path / "x.png"
    result = run("explore", *args, "--pretrained", plural_file, "--png", png)
    assert result.exit_code == 0, result.output
    assert expect in result.stdout
    assert png.read_bytes()[:8] == PNG


def test_overlap_and_loss(run, plural_file, model_file, tmp_path):
    result = run("explore", "overlap", "--pretrained", plural_file, "--pretrained", plural_file,
                 "-k", "3", "--png", tmp_path / "o.png")
    assert result.exit_code == 0, result.stderr
    assert "mean Jaccard" in result.stdout and "1.000" in result.stdout
    result = run("explore", "loss", "--model", model_file, "--png", tmp_path / "l.png")
    assert result.exit_code == 0, result.stderr
    assert "loss per epoch" in result.stdout and len(result.stdout.splitlines()) == 2 + 5


def test_default_source_is_model_json(run, model_file):
    result = run("explore", "norms")
    assert result.exit_code == 0 and "model.json (embedding)" in result.stdout


def test_bad_input_is_one_line(run, plural_file, model_file, tmp_path, one_line_error, unchanged):
    one_line_error(run("explore", "neighbors", "nosuchword", "--pretrained", plural_file),
                   "no word 'nosuchword'")
    one_line_error(run("explore", "neighbors", "king", "-k", "500", "--pretrained", plural_file),
                   "too large")
    one_line_error(run("explore", "overlap", "--pretrained", plural_file), "two or more")
    one_line_error(run("explore", "loss", "--pretrained", plural_file), "tlm model file")
    one_line_error(run("explore", "directions", "x:y", "--pretrained", plural_file),
                   "at least 2 pairs")
    one_line_error(run("explore", "pairs", "kingqueen", "--pretrained", plural_file), "a:b")
    one_line_error(run("explore", "norms", "--model", tmp_path / "nope.json"), "not found")
    one_line_error(run("explore", "norms", "--pretrained", plural_file, "--png",
                       tmp_path / "no" / "x.png"), "does not exist")
    one_line_error(run("explore", "norms", "--pretrained", plural_file, "--png", tmp_path),
                   "folder")
    empty = tmp_path / "groups.txt"
    empty.write_text("lonely:\n", encoding="utf-8")
    one_line_error(run("explore", "categories", "--groups", empty, "--pretrained", plural_file),
                   "has no words")
    # --png never replaces something that is not a picture
    check = unchanged([model_file, plural_file])
    for victim, why in ((model_file, "is a tlm model file"), (plural_file, "not a PNG")):
        one_line_error(run("explore", "norms", "--pretrained", plural_file, "--png", victim),
                       why)
    check()


def test_png_replaces_an_old_picture_whole(run, plural_file, tmp_path):
    png = tmp_path / "x.png"
    assert run("explore", "norms", "--pretrained", plural_file, "--png", png).exit_code == 0
    first = png.read_bytes()
    result = run("explore", "pca", "--pretrained", plural_file, "--png", png)
    assert result.exit_code == 0 and png.read_bytes() != first
    assert png.read_bytes()[:8] == PNG
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".x.png")) == []


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs here")
def test_png_never_writes_a_special_file(run, plural_file, tmp_path, one_line_error):
    import os

    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    one_line_error(run("explore", "norms", "--pretrained", plural_file, "--png", fifo),
                   "not a regular file")


# -- the shell --------------------------------------------------------------------------------
def test_shell_notation_vec_and_neighbors(model_file):
    model = tlm.load(model_file)
    ns = interact.namespace(model)
    np.testing.assert_allclose(ns["vec"]("wood - chuck + a"),
                               model.E[model.word_to_idx["wood"]] - model.E[
                                   model.word_to_idx["chuck"]] + model.E[model.word_to_idx["a"]],
                               rtol=1e-6)
    near = ns["neighbors"]("wood - chuck + a", k=3)
    assert len(near.words) == 3 and not {"wood", "chuck", "a"} & set(near.words)
    assert "random pairs here" in repr(near)
    assert ns["neighbors"](ns["vec"]("wood"), k=1).words == ["wood"]


def test_shell_explore_fills_in_the_model(model_file, tmp_path, capsys):
    from tlm import explore as ex

    model = tlm.load(model_file)
    ns = interact.namespace(model)
    explore = ns["explore"]
    r = explore.norms()
    assert r.norms.shape == (len(model.vectors),)
    other = ex.norms(model.vectors)
    np.testing.assert_allclose(explore.norms(vectors=model.vectors).norms, other.norms)
    assert explore.loss().loss.shape == (len(model.history),)
    assert np.allclose(explore.overlap(model.vectors, k=2).jaccard, 1)
    fig = ns["plot"](explore.pca())
    assert ex.panels(fig) == 1
    with pytest.raises(TlmError, match="nosuch"):  # the shell prints it as one line
        explore.neighbors("nosuch")


def test_shell_runs_the_notation_piped(model_file, monkeypatch, capsys):
    model = tlm.load(model_file)
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "neighbors('wood - chuck + a', k=2)\n"
        "explore.neighbors('nosuch')\n"
        "vec('wood').shape\n"
        "explore.directions(['wood:would', 'chuck:could'])\n"))
    interact.interact(model)
    out, err = capsys.readouterr()
    assert "(random pairs here: mean" in out and "(32,)" in out
    assert "consistency" in out
    assert "Error: the model has never seen the word 'nosuch'" in err
    assert "Traceback" not in err
    assert "vec(" in err  # the banner names the notation


def test_the_wp_shell_has_the_explorer_too():
    kv = royal_kv()
    ns = interact.vectors_namespace(kv, "royal.txt")
    assert ns["neighbors"]("king - man + woman", k=1).words == ["queen"]
    np.testing.assert_allclose(ns["vec"]("king - man + woman"), kv["queen"])
    assert ns["explore"].directions(["man:king", "woman:queen"]).consistency == pytest.approx(1)
    assert "explore.norms()" in interact.vectors_banner(kv, "royal.txt", ns)


def test_the_readme_python_example_runs_as_written(offline_pretrained, tmp_path, monkeypatch,
                                                   repo, capsys):
    """The README's tlm.explore example, on a small stand-in for the GloVe package."""
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    start = readme.index("```python\nimport tlm\nimport tlm.explore as ex")
    code = readme[start + len("```python\n"):readme.index("```", start + 10)]
    rng = np.random.default_rng(0)
    words = ["king", "man", "woman", "queen", "daughter", "prince", "throne"]
    words += [w for pair in PLURAL_PAIRS for w in pair] + [f"w{i}" for i in range(50)]
    words = list(dict.fromkeys(words))
    offline_pretrained(words, rng.normal(size=(len(words), 10)))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    plt.close("all")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("random pairs: mean cosine ") and len(out) == 3
    assert out[2].startswith("plural consistency ")
    assert (tmp_path / "plural.png").read_bytes()[:8] == PNG


def test_explore_help_lists_every_analysis_file_without_importing_one(run):
    import subprocess
    import sys

    from tlm.analyses import registry

    result = run("explore", "--help")
    assert result.exit_code == 0
    for name, analysis in registry().items():  # a command per file, its question as help
        assert name in result.stdout
        assert analysis.question[:30] in " ".join(result.stdout.split())
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tlm.cli import cli\n"
        "assert CliRunner().invoke(cli, ['explore', '--help']).exit_code == 0\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'matplotlib'})\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_an_analysis_runs_with_blas_on_one_thread(run, plural_file, monkeypatch):
    """`tlm explore` holds BLAS to one thread while the analysis runs (its products
    are small; a second BLAS thread spins on a busy machine), and lets it go after."""
    from threadpoolctl import threadpool_info

    from tlm.analyses import norms

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    seen = []
    compute = norms.ANALYSIS.compute

    @functools.wraps(compute)
    def recording(*args, **kwargs):
        seen.append(blas_threads())
        return compute(*args, **kwargs)

    monkeypatch.setattr(norms, "ANALYSIS", dataclasses.replace(norms.ANALYSIS, compute=recording))
    before = blas_threads()
    result = run("explore", "norms", "--pretrained", plural_file)
    assert result.exit_code == 0, result.output
    assert seen == [[1] * len(before)] and blas_threads() == before
