"""Numbers at their edges: seeds that gensim would refuse later, a context window
whose epoch would not fit in memory, a temperature so small it underflows, long
generations, a held-out part that leaves nothing to train on, a --sample so small
it overflows. Each is one line naming the option (no numpy warning as a second
line), or it works."""

from __future__ import annotations

import json

import numpy as np
import pytest

import tlm
from tlm import generate as gen
from tlm.model import EmbeddingModel
from tlm.seeds import MAX_SEED

CASES = [
    ("train seed 2^32", ["train", "--filepath", "{chuck}", "--seed", str(2**32)],
     ["--seed", str(MAX_SEED)]),
    ("train seed 5e9", ["train", "--filepath", "{chuck}", "--seed", "5000000000"], ["--seed"]),
    ("generate seed 2^32", ["generate", "--model", "{model}", "--seed", str(2**32)], ["--seed"]),
    ("val-fraction 0.999", ["train", "--filepath", "{chuck}", "--val-fraction", "0.999"],
     ["--val-fraction 0.999", "leaves 0", "for training"]),
    ("context window too big", ["train", "--filepath", "{long}", "--context-window", "20000"],
     ["--context-window 20000", "GB", "smaller"]),
    ("sample 1e-320", ["train", "--model", "skipgram", "--filepath", "{chuck}", "--min-count", "1",
                       "--sample", "1e-320"], ["--sample", "--sample 0"]),
]


@pytest.mark.filterwarnings("error")  # a numpy warning would be a second line
@pytest.mark.parametrize("name, args, words", CASES, ids=[c[0] for c in CASES])
def test_edge_values_are_one_line(run, one_line_error, chuck, model_file, tmp_path, unchanged,
                                  name, args, words):
    long = tmp_path / "long.txt"
    long.write_text(" ".join(f"w{i % 500}" for i in range(60_000)))
    argv = [a.format(chuck=chuck, model=model_file, long=long) for a in args]
    one_line_error(run(*argv), *words)


def test_a_model_file_seed_over_32_bits_is_damaged(run, one_line_error, model_file):
    d = json.loads(model_file.read_text())
    d["config"]["seed"] = 2**32
    model_file.write_text(json.dumps(d))
    one_line_error(run("info", "--model", model_file), "damaged", "--seed")


def test_the_largest_seed_trains(run, chuck):
    result = run("train", "--filepath", chuck, "--seed", str(MAX_SEED), "--epochs", "1",
                 "--quiet")
    assert result.exit_code == 0, result.stderr
    assert tlm.load(chuck.parent / "model.json").config.seed == MAX_SEED


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("temperature", [1e-320, 5e-324, 1e-300, 1e-30])
@pytest.mark.parametrize("top_k", [None, 3])
def test_a_tiny_temperature_is_greedy(model_file, temperature, top_k):
    model = tlm.load(model_file)
    greedy = gen.generate(model, 12, "how much", temperature=0, top_k=top_k, seed=1)
    assert gen.generate(model, 12, "how much", temperature, top_k, seed=2) == greedy


def test_sample_with_a_tiny_temperature_takes_the_likeliest():
    p = np.array([0.1, 0.6, 0.3])
    rng = np.random.default_rng(0)
    assert {gen.sample(p, rng, 1e-320) for _ in range(20)} == {1}


def test_each_generation_step_passes_only_the_context(model_file, monkeypatch):
    """The model reads the last context_window words: a step passes no more, so
    each step costs the same however long the text already is."""
    model = tlm.load(model_file)
    lengths: list[int] = []
    probs = EmbeddingModel.next_word_probs

    def spy(self, context):
        lengths.append(len(context))
        return probs(self, context)

    monkeypatch.setattr(EmbeddingModel, "next_word_probs", spy)
    text = gen.generate(model, 500, "how much wood", seed=1)
    assert len(text.split()) == 503
    assert max(lengths) == model.config.context_window == 2
