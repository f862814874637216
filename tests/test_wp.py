"""The `wp` command, run through CliRunner on a small fake GloVe package
(TLM_GLOVE_DIR) and small vector files; no network."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import kv_of

from tlm.wp import cli

# axes: royal, male-female, animal, other
VECTORS = {
    "the": [0.1, 0.0, 0.1, 1.0],
    "king": [1.0, 1.0, 0.0, 0.1],
    "queen": [1.0, -1.0, 0.0, 0.1],
    "man": [0.0, 1.0, 0.0, 0.2],
    "woman": [0.0, -1.0, 0.0, 0.2],
    "prince": [0.9, 0.8, 0.0, 0.3],
    "cat": [0.0, 0.0, 1.0, 0.1],
    "dog": [0.0, 0.0, 1.0, -0.1],
    "tree": [0.0, 0.1, -0.5, 0.5],
}
WORDS = list(VECTORS)


def cosine(a: str, b: str) -> float:
    u, v = np.array(VECTORS[a]), np.array(VECTORS[b])
    return float(u @ v / np.linalg.norm(u) / np.linalg.norm(v))


@pytest.fixture(autouse=True)
def fake_glove(offline_pretrained) -> Path:
    return offline_pretrained(WORDS, list(VECTORS.values()))


def wp(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_similar_lists_the_nearest_words_by_cosine() -> None:
    result = wp("similar", "king", "-k", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 3
    expected = sorted((w for w in WORDS if w != "king"), key=lambda w: -cosine("king", w))[:3]
    assert [line.split()[0] for line in lines] == expected
    assert expected[0] == "prince"
    assert float(lines[0].split()[1]) == pytest.approx(cosine("king", "prince"), abs=5e-4)


def test_similar_default_k_and_case() -> None:
    result = wp("similar", "KING")  # GloVe is lower-case: the word is lower-cased
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) == len(WORDS) - 1  # 10 asked, 8 other words exist


def test_similarity_is_the_cosine() -> None:
    result = wp("similarity", "cat", "dog")
    assert result.exit_code == 0, result.output
    assert float(result.output) == pytest.approx(cosine("cat", "dog"), abs=5e-4)
    assert result.output.strip() == f"{cosine('cat', 'dog'):.3f}"


def test_analogy_man_king_woman_is_queen() -> None:
    result = wp("analogy", "man", "king", "woman", "-k", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "queen"
    assert not {"man", "king", "woman"} & {line.split()[0] for line in lines}


def test_vectors_from_a_word2vec_file(tmp_path: Path) -> None:
    kv = kv_of(["red", "green", "blue"], [[1, 0], [0.9, 0.1], [0, 1]])
    path = tmp_path / "colours.bin"
    kv.save_word2vec_format(str(path), binary=True)
    result = wp("--vectors", str(path), "similar", "red", "-k", "1")
    assert result.exit_code == 0, result.output
    assert result.output.split()[0] == "green"


def test_unknown_word_is_one_line(one_line_error) -> None:
    result = wp("similar", "kingg")
    one_line_error(result, "glove-wiki-gigaword-50", "'kingg'", "closest", "king", code=1)


def test_missing_vectors_file_is_one_line(one_line_error, tmp_path: Path) -> None:
    result = wp("--vectors", str(tmp_path / "none.txt"), "similarity", "a", "b")
    one_line_error(result, "not found", code=1)


def test_garbled_vectors_file_is_one_line(one_line_error, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("dear diary, today I trained a model\n")
    one_line_error(wp("--vectors", str(path), "similar", "a"), "not a word-vectors file", code=1)


def test_offline_download_is_fast_and_names_the_alternatives(one_line_error) -> None:
    start = time.perf_counter()
    result = wp("--vectors", "word2vec-google-news-300", "similar", "king")
    assert time.perf_counter() - start < 5
    one_line_error(result, "word2vec-google-news-300", "glove-wiki-gigaword-50",
                   "word2vec-same-corpus", code=1)


def test_usage_errors_are_one_line(one_line_error) -> None:
    one_line_error(wp("analogy", "man", "king"), "missing argument", code=2)
    one_line_error(wp("similar", "king", "-k", "0"), "-k", code=2)
    one_line_error(wp("nearest", "king"), "no such command", code=2)


def test_help_documents_the_sources() -> None:
    result = wp("--help")
    assert result.exit_code == 0
    for word in ("similar", "similarity", "analogy", "--vectors", "TLM_GLOVE_DIR"):
        assert word in result.output


def test_interact_opens_a_shell_on_glove() -> None:
    result = wp("--interact", input="glove.most_similar('king', topn=1)[0][0]\n"
                                    "round(sim('cat', 'dog'), 4)\n"
                                    "round(sim(vec('cat'), vec('dog')), 4)\n"
                                    "neighbors(vec('king') - vec('man') + vec('woman'), 1)\n"
                                    "analogy('man', 'king', 'woman', 1)\n"
                                    "sim('cat', 'dgo')\n"
                                    "print('still here')\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert ">>> 'prince'" in out
    assert out.count(f">>> {round(cosine('cat', 'dog'), 4)}") == 2
    assert out.count("queen") == 2 and "still here" in out
    assert "Error: the vectors have no word 'dgo'; closest: dog" in result.stderr
    assert "Traceback" not in result.stderr
    assert "wp shell: glove-wiki-gigaword-50, 9 words of 4 dimensions" in result.stderr


def test_interact_names_other_vectors_vectors(tmp_path: Path) -> None:
    kv = kv_of(["red", "green", "blue"], [[1, 0], [0.9, 0.1], [0, 1]])
    path = tmp_path / "colours.txt"
    kv.save_word2vec_format(str(path))
    result = wp("--vectors", str(path), "--interact", input="vectors.most_similar('red')[0][0]\n")
    assert result.exit_code == 0, result.output
    assert ">>> 'green'" in result.stdout


def test_interact_takes_no_command_and_plain_wp_shows_help(one_line_error) -> None:
    one_line_error(wp("--interact", "similar", "king"), "without a command", code=2)
    result = wp()
    assert result.exit_code == 2 and "--interact" in result.output and "similar" in result.output


def test_load_vectors_for_notebooks() -> None:
    import tlm

    glove = tlm.load_vectors("glove-wiki-gigaword-50")
    assert glove.similarity("cat", "dog") == pytest.approx(cosine("cat", "dog"), abs=1e-6)
    assert tlm.load_vectors() is glove  # the default is GloVe, loaded once


def test_same_corpus_says_which_commands_take_a_model(one_line_error) -> None:
    result = wp("--vectors", "word2vec-same-corpus", "similar", "king")
    one_line_error(result, "word2vec-same-corpus", "tlm compare", "tlm evaluate",
                   "tlm generate --interact", "--model", code=1)


# -- the lab's GloVe calls, and one answer to one analogy -----------------------------------
def test_the_labs_glove_calls_work_under_model() -> None:
    result = wp("--interact", input="model['cat'].shape\n"
                                    "round(float(model.similarity('cat', 'dog')), 4)\n"
                                    "model.most_similar('king', topn=5)[0][0]\n"
                                    "model is glove\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert ">>> (4,)" in out and f">>> {round(cosine('cat', 'dog'), 4)}" in out
    assert ">>> 'prince'" in out and ">>> True" in out
    assert "model['cat']" in result.stderr  # the banner shows the lab's calls
    assert "Traceback" not in result.stderr


def test_the_labs_100_d_glove_offline_names_the_50_d(one_line_error) -> None:
    import tlm
    from tlm.errors import TlmError

    with pytest.raises(TlmError, match="glove-wiki-gigaword-50") as e:
        tlm.load_vectors("glove-wiki-gigaword-100")
    assert "\n" not in str(e.value) and "50 dimensions" in str(e.value)
    one_line_error(wp("--vectors", "glove-wiki-gigaword-100", "similar", "king"),
                   "glove-wiki-gigaword-100", "glove-wiki-gigaword-50", code=1)


def test_shell_wp_and_explore_give_one_analogy_answer(run) -> None:
    """king - man + woman: the shell's neighbors and analogy, wp analogy and tlm explore
    analogy give the same words and cosines (the notebook's: raw vectors, a b c left out)."""
    import tlm
    from tlm import explore as ex
    from tlm.interact import vectors_namespace

    glove = tlm.load_vectors()
    ns = vectors_namespace(glove, "glove-wiki-gigaword-50")
    shell = ns["neighbors"]("king - man + woman", k=3)
    answer = ns["analogy"]("man", "king", "woman", k=3)
    explored = ex.analogy(glove, "man", "king", "woman", k=3)
    assert list(shell) == list(answer) == list(zip(explored.words, explored.scores.tolist(),
                                                   strict=True))
    raw = glove["king"] - glove["man"] + glove["woman"]
    cos = {w: float(glove[w] @ raw / np.linalg.norm(glove[w]) / np.linalg.norm(raw))
           for w in WORDS if w not in ("king", "man", "woman")}
    best = sorted(cos, key=lambda w: -cos[w])[:3]
    assert shell.words == best and shell.scores == pytest.approx([cos[w] for w in best], 1e-5)
    printed = wp("analogy", "man", "king", "woman", "-k", "3").output.splitlines()
    assert [line.split() for line in printed] == [[w, f"{cos[w]:.3f}"] for w in best]
    table = run("explore", "analogy", "man", "king", "woman", "-k", "3", "--pretrained",
                "glove-wiki-gigaword-50").stdout
    rows = [line.split()[1:3] for line in table.splitlines()[2:5]]
    assert rows == [[w, f"{cos[w]:.3f}"] for w in best]
