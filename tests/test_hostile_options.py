"""Issue 20, classes 2 and 4: options at their edges. Every value a user can type
ends in one line (a usage error naming the option, or `Error:` naming it and,
for what cannot fit in memory, the limit), or it works, within the memory it
needs: a long text is streamed, a large sample is computed in blocks."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import write_vectors
from tlm.analyses import hubness

BIG = "99999999999999999999"

# (the command, words the one line must hold; None: it must work; or an int: the exit code
# of a run that works and is cut short by a closed pipe)
CASES = [
    (["explore", "background", "-n", str(10**9), "--pretrained", "{vectors}"],
     ["-n 1000000000", "GB", "limit"]),
    (["explore", "background", "-n", str(10**30), "--pretrained", "{vectors}"], ["-n", "limit"]),
    (["explore", "background", "--seed", "-1", "--pretrained", "{vectors}"], ["--seed"]),
    (["explore", "background", "--seed", str(2**32), "--pretrained", "{vectors}"], ["--seed"]),
    (["explore", "matrix", "--seed", "-5", "--pretrained", "{vectors}"], ["--seed"]),
    (["explore", "hubness", "--seed", "-1", "--pretrained", "{vectors}"], ["--seed"]),
    (["explore", "directions", "--seed", "-3", "--pretrained", "{vectors}"], ["--seed"]),
    (["explore", "hubness", "--sample", "400000", "--pretrained", "{small}"], None),  # 50 words
    (["explore", "hubness", "--sample", "400000", "--pretrained", "{many}"],
     ["--sample 400000", "at most"]),
    (["explore", "hubness", "-k", BIG, "--pretrained", "{small}"], ["k must be"]),
    (["explore", "matrix", "-n", str(10**9), "--dims", str(10**9), "--pretrained", "{vectors}"],
     None),
    (["explore", "matrix", "-n", BIG, "--dims", BIG, "--pretrained", "{vectors}"], None),
    (["explore", "background", "-n", "1000", "--seed", "0", "--pretrained", "{vectors}"], None),
    (["explore", "neighbors", "w1", "-k", BIG, "--pretrained", "{vectors}"], ["too large"]),
    (["explore", "overlap", "-k", BIG, "--pretrained", "{vectors}", "--pretrained", "{vectors2}"],
     ["too large"]),
    (["explore", "cos-vs-euclid", "w1", "-n", BIG, "--pretrained", "{vectors}"], None),
    (["generate", "--model", "{model}", "--temperature", "inf", "--seed", "1"], None),
    (["generate", "--model", "{model}", "--temperature", "1e308", "--seed", "1"], None),
    (["generate", "--model", "{model}", "--temperature", "nan"], ["--temperature"]),
    (["generate", "--model", "{model}", "--length", BIG, "--interact"], ["--length", "limit"]),
    (["generate", "--model", "{model}", "--top-k", BIG, "--seed", "1"], None),
    (["compare-lm", "--model", "{model}", "--filepath", "{chuck}", "--length", BIG],
     ["--length", "limit"]),
    (["compare-lm", "--model", "{model}", "--filepath", "{chuck}", "--seed", "-1"], ["--seed"]),
    (["train", "--model", "count", "--smoothing", "laplace", "--add-k", "1e308",
      "--filepath", "{chuck}", "--output", "c.json", "--quiet"], None),
    (["train", "--model", "count", "--smoothing", "laplace", "--add-k", "inf",
      "--filepath", "{chuck}", "--output", "c.json"], ["--add-k"]),
    (["train", "--filepath", "{chuck}", "--epochs", BIG], ["--epochs", "2^63"]),
    (["train", "--filepath", "{chuck}", "--batch-size", BIG], ["--batch-size", "2^63"]),
    (["train", "--filepath", "{chuck}", "--dim", BIG], ["--dim"]),
    (["train", "--filepath", "{chuck}", "--lr", "1e308", "--epochs", "1", "--quiet"],
     ["learning rate 1e+308", "too large"]),
    (["train", "--filepath", "{chuck}", "--val-fraction", "1e-320", "--epochs", "1", "--quiet"],
     ["--val-fraction 1e-320"]),
]


@pytest.fixture
def files(tmp_path, chuck, model_file) -> dict[str, str]:
    rng = np.random.default_rng(0)
    vectors = write_vectors(tmp_path / "v.txt", [f"w{i}" for i in range(300)],
                            rng.normal(size=(300, 8)))
    vectors2 = write_vectors(tmp_path / "v2.txt", [f"w{i}" for i in range(300)],
                             rng.normal(size=(300, 8)))
    many = write_vectors(tmp_path / "many.txt", [f"w{i}" for i in range(120)],
                         rng.normal(size=(120, 4)))
    small = write_vectors(tmp_path / "small.txt", [f"w{i}" for i in range(50)],
                          rng.normal(size=(50, 4)))
    return {"vectors": str(vectors), "small": str(small), "vectors2": str(vectors2),
            "many": str(many), "chuck": str(chuck), "model": str(model_file)}


@pytest.mark.parametrize(("args", "words"), CASES, ids=lambda v: " ".join(v)[:60]
                         if isinstance(v, list) and isinstance(v[0], str) and v[0] != "--"
                         and len(v) > 3 else None)
def test_an_option_at_its_edge(run, files, one_line_error, monkeypatch, args, words):
    monkeypatch.setattr(hubness, "MAX_SAMPLE", 100)  # {many} holds 120 words
    result = run(*[a.format(**files) for a in args])
    if words is None:
        assert result.exit_code == 0, result.output + result.stderr
        assert "Traceback" not in result.output + result.stderr
        return
    one_line_error(result, *words)


def test_wp_with_an_unknown_users_home(one_line_error):
    from click.testing import CliRunner

    from tlm.wp import cli

    result = CliRunner().invoke(cli, ["--vectors", "~nosuchuser_tlm/x.txt", "similar", "king"])
    one_line_error(result, "~nosuchuser_tlm")


def test_a_long_text_is_streamed_not_held(model_file, monkeypatch):
    """generate_words keeps only the model's context: memory does not grow with the text."""
    import tracemalloc

    import tlm
    from tlm.generate import generate_words

    model = tlm.load(model_file)
    words = generate_words(model, 10**18, seed=1)
    for _ in range(2000):
        next(words)
    tracemalloc.start()
    for _ in range(20000):
        next(words)
    grown, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert grown < 200_000, grown  # 20,000 more words held would take about 1.3 MB


def test_hubness_refuses_k_nearest_lists_over_the_memory_budget(monkeypatch):
    from tests.conftest import random_kv
    from tlm import memory
    from tlm.errors import TlmError

    kv = random_kv(V=200, d=4)
    monkeypatch.setattr(memory, "budget", lambda: 200 * 50 * 2 * 24)
    assert len(hubness.hubness(kv, k=50).counts) == 200
    with pytest.raises(TlmError, match="-k 150 nearest of 200 words.*smaller -k or --sample"):
        hubness.hubness(kv, k=150)


def test_hubness_in_blocks_matches_at_once(monkeypatch):
    """The block size that bounds memory does not change the answer."""
    from tests.conftest import random_kv
    from tlm import memory

    kv = random_kv(V=200, d=16)
    whole = hubness.hubness(kv, k=5)
    monkeypatch.setattr(memory, "BLOCK_BYTES", 200 * 12 * 3)  # 3 rows a block
    assert (hubness.hubness(kv, k=5).counts == whole.counts).all()
