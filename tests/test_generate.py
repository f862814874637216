"""`tlm generate` and `model.generate`: length, prompt, temperature, top-k, seed,
the shell afterwards, and the mistakes a user can make."""

from __future__ import annotations

import numpy as np
import pytest

import tlm
from tlm.errors import TlmError
from tlm.generate import generate, sample
from tlm.vocab import UNKNOWN


def words_of(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def greedy(model, ids: list[int], n: int) -> list[str]:
    """Always the most likely next word, worked out here from next_word_probs."""
    ids = list(ids)
    for _ in range(n):
        ids.append(int(np.argmax(model.next_word_probs(np.asarray(ids)))))
    return [model.vocab[i] for i in ids]


# -- options --------------------------------------------------------------------------


def test_length_counts_sampled_words(run, model_file, chuck_words):
    for n in (1, 7, 30):
        words = words_of(run("generate", "--length", n, "--seed", "1"))
        assert len(words) == n
        assert set(words) <= set(chuck_words)
    assert words_of(run("generate", "--length", "0")) == []
    assert len(words_of(run("generate"))) == 20  # the default


def test_prompt_then_length_words(run, model_file):
    words = words_of(run("generate", "--prompt", "wood chuck", "--length", "5", "--seed", "2"))
    assert words[:2] == ["wood", "chuck"] and len(words) == 7
    assert words_of(run("generate", "--prompt", "wood chuck", "--length", "0")) == ["wood", "chuck"]


def test_prompt_goes_through_the_models_transforms(run, trained_lower, one_line_error):
    """A model trained with -t lower -t alpha takes "How much" (and ignores the "!")."""
    words = words_of(run("generate", "--model", trained_lower, "--prompt", "How much!",
                         "--length", "4", "--seed", "0"))
    assert words[:2] == ["how", "much"] and len(words) == 6
    # but only punctuation leaves nothing to start from
    result = run("generate", "--model", trained_lower, "--prompt", "?!")
    one_line_error(result, "prompt", "no words")


def test_temperature_zero_is_greedy_and_deterministic(run, model_file):
    model = tlm.load(model_file)
    once = words_of(run("generate", "--temperature", "0", "--prompt", "a wood", "--length", "12"))
    again = words_of(run("generate", "--temperature", "0", "--prompt", "a wood", "--length", "12"))
    assert once == again
    assert once == greedy(model, [model.word_to_idx["a"], model.word_to_idx["wood"]], 12)
    # without a prompt it starts from the most frequent word, so it is deterministic too
    first = words_of(run("generate", "--temperature", "0", "--length", "6"))
    assert first == words_of(run("generate", "--temperature", "0", "--length", "6"))
    assert first == greedy(model, [int(np.argmax(model.word_counts))], 5)


def test_top_k_one_is_greedy_whatever_the_seed(run, model_file):
    greedy_words = words_of(run("generate", "--temperature", "0", "--prompt", "how",
                                "--length", "15"))
    for seed in (0, 1, 2):
        assert words_of(run("generate", "--top-k", "1", "--prompt", "how", "--length", "15",
                            "--seed", seed)) == greedy_words


def test_top_k_samples_only_among_the_k_likeliest(model_file):
    model = tlm.load(model_file)
    for seed in range(5):
        words = generate(model, length=25, prompt="wood", top_k=2, temperature=1.5,
                               seed=seed).split()
        ids = [model.word_to_idx[w] for w in words]
        for i in range(1, len(ids)):
            top2 = np.argsort(model.next_word_probs(np.asarray(ids[:i])))[-2:]
            assert ids[i] in top2


def test_seed_makes_sampling_reproducible(run, model_file):
    args = ("generate", "--length", "30", "--temperature", "1.5")
    a = words_of(run(*args, "--seed", "5"))
    assert a == words_of(run(*args, "--seed", "5"))
    assert a != words_of(run(*args, "--seed", "6"))


def test_same_training_seed_same_text(run, chuck):
    for out in ("a.json", "b.json"):
        assert run("train", "--filepath", chuck, "--seed", "9", "--output", out,
                   "--quiet").exit_code == 0
    texts = [run("generate", "--model", out, "--seed", "3", "--length", "25").stdout
             for out in ("a.json", "b.json")]
    assert texts[0] == texts[1] and len(texts[0].split()) == 25


def test_temperature_reshapes_the_distribution():
    p = np.array([0.6, 0.3, 0.1])
    draws = {t: np.bincount([sample(p, np.random.default_rng(s), t) for s in range(2000)],
                            minlength=3) / 2000 for t in (0.5, 1.0, 4.0)}
    np.testing.assert_allclose(draws[1.0], p, atol=0.04)
    sharp = p ** 2 / (p ** 2).sum()
    np.testing.assert_allclose(draws[0.5], sharp, atol=0.04)
    assert draws[4.0][2] > draws[1.0][2] > draws[0.5][2]  # flatter, then sharper
    assert sample(p, np.random.default_rng(0), 0) == 0


# -- the shell ----------------------------------------------------------------------------


def test_generate_interact_opens_the_shell(run, model_file):
    result = run("generate", "--interact", "--seed", "1", "--length", "4",
                 input="print(model.E.shape)\nprint(len(text.split()))\nprint(np.__name__)\n")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines[0].split()) == 4  # the generated text first, then the console's output
    assert lines[1:4] == [">>> (11, 32)", ">>> 4", ">>> numpy"]  # the 11 words
    assert "text" in result.stderr and "model" in result.stderr  # the banner says what's there


# -- Python API ---------------------------------------------------------------------------


def test_python_api_load_generate_vectors(model_file, chuck_words):
    model = tlm.load(str(model_file))
    text = generate(model, length=6, prompt="wood", temperature=0.8, seed=1)
    assert text.split()[0] == "wood" and len(text.split()) == 7
    assert text == generate(model, length=6, prompt="wood", temperature=0.8, seed=1)
    assert model.vocab == chuck_words  # no word was folded into <unk>: no <unk>
    assert model.E[model.word_to_idx["chuck"]].shape == (32,)

    from gensim.models import KeyedVectors

    kv = model.vectors
    assert isinstance(kv, KeyedVectors)
    # most frequent first (gensim's order), ties alphabetically, no <unk>
    counts = dict(zip(model.vocab, model.word_counts, strict=True))
    assert kv.index_to_key == sorted(chuck_words, key=lambda w: (-counts[w], w))
    assert kv.index_to_key[:2] == ["chuck", "wood"]  # 9 and 8 times
    np.testing.assert_array_equal(kv["wood"], model.E[model.word_to_idx["wood"]])
    assert kv.vector_size == 32
    assert kv.most_similar("wood", topn=3)[0][0] in chuck_words


def test_api_mistakes_are_tlm_errors(model_file):
    model = tlm.load(model_file)
    with pytest.raises(TlmError, match="--length"):
        generate(model, length=-1)
    with pytest.raises(TlmError, match="--temperature"):
        generate(model, temperature=-0.5)
    with pytest.raises(TlmError, match="--top-k"):
        generate(model, top_k=0)
    with pytest.raises(TlmError, match="--seed"):
        generate(model, seed=-3)


# -- bad input ----------------------------------------------------------------------------


BAD_GENERATE = [
    ("negative length", ["--length", "-3"], ["--length"]),
    ("negative temperature", ["--temperature", "-1"], ["--temperature"]),
    ("nan temperature", ["--temperature", "nan"], ["--temperature"]),
    ("top-k 0", ["--top-k", "0"], ["--top-k"]),
    ("negative seed", ["--seed", "-1"], ["--seed"]),
    ("length word", ["--length", "lots"], ["--length", "lots"]),
    ("missing model", ["--model", "{tmp}/nothing.json"], ["not found", "nothing.json"]),
]


@pytest.mark.parametrize("args, keywords", [c[1:] for c in BAD_GENERATE],
                         ids=[c[0] for c in BAD_GENERATE])
def test_bad_generate_input(run, model_file, tmp_path, one_line_error, unchanged, args,
                            keywords):
    still = unchanged([model_file])
    result = run("generate", *[a.format(tmp=tmp_path) for a in args])
    one_line_error(result, *keywords)
    assert result.stdout == ""
    still()


UNKNOWN_PROMPTS = [
    ("a word not in the text", "wood pecker", "'pecker'", ""),
    ("misspelt", "chuk", "'chuk'", "; closest: chuck"),
    ("capital without -t lower", "How much", "'How'", "; closest: how"),
]


@pytest.mark.parametrize("prompt, quoted, hint", [c[1:] for c in UNKNOWN_PROMPTS],
                         ids=[c[0] for c in UNKNOWN_PROMPTS])
def test_an_unknown_prompt_word_is_left_out_and_generation_goes_on(
    run, model_file, prompt, quoted, hint
):
    result = run("generate", "--prompt", prompt, "--length", "5", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[:len(prompt.split())] == prompt.split()
    assert len(result.stdout.split()) == len(prompt.split()) + 5
    assert result.stderr.strip() == (
        f"Note: {quoted} is not in the model's vocabulary (seen fewer than --min-count 1 times "
        f"in its training text, or never), so the model reads it as a zero vector in the mean "
        f"of its context{hint}")
    model = tlm.load(model_file)  # the model predicts from the words it knows
    ids = [model.word_to_idx.get(w, UNKNOWN) for w in prompt.split()]
    greedy_text = generate(model, length=3, prompt=prompt, temperature=0).split()
    assert greedy_text[len(ids):] == greedy(model, ids, 3)[len(ids):]


def test_a_rare_prompt_word_is_unk_not_never_seen(run, tmp_path, chuck_text):
    (tmp_path / "t.txt").write_text(chuck_text + " how", encoding="utf-8")
    assert run("train", "--filepath", "t.txt", "--min-count", "3", "--seed", "1",
               "--quiet").exit_code == 0
    result = run("generate", "--prompt", "how much", "--length", "3", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "never seen" not in result.stderr
    assert "'how' is not in the model's vocabulary (seen fewer than --min-count 3" in result.stderr


def test_generated_text_never_contains_unk(tmp_path, chuck_text):
    from tlm.train import fit

    (tmp_path / "t.txt").write_text(chuck_text, encoding="utf-8")
    model = fit("embedding", [str(tmp_path / "t.txt")], min_count=4, epochs=3, seed=1).model
    unk = model.word_to_idx["<unk>"]
    assert model.word_counts[unk] > max(c for i, c in enumerate(model.word_counts) if i != unk)
    model.b[unk] = 50.0  # <unk> is by far the likeliest next word, and still never drawn
    for seed in range(40):
        assert "<unk>" not in generate(model, length=5, seed=seed, temperature=2.0).split()
    assert "<unk>" not in generate(model, length=5, temperature=0).split()
    assert "<unk>" not in generate(model, length=5, top_k=1, seed=0).split()


def test_top_k_keeps_exactly_k_words_when_probabilities_tie():
    p = np.array([0.1, 0.3, 0.3, 0.3])  # a three-way tie for the likeliest
    drawn = {sample(p, np.random.default_rng(s), 1.0, top_k=2) for s in range(200)}
    assert drawn == {1, 2}  # exactly two words; the tie goes to the lower ids


def test_missing_default_model(run, one_line_error):
    one_line_error(run("generate"), "model.json", "not found", "tlm train")
    one_line_error(run("info"), "model.json", "not found")
