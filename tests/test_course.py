"""The course's commands in order, as a learner types them, in one empty folder:
the tongue twister, the shell, a novel from NLTK's Gutenberg corpus (a small
NLTK data folder this test writes), the skip-gram, and pretrained vectors (a
small fake GloVe package). No network: the downloader must never be reached."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import tlm
import tlm.corpus
from tlm.cli import cli
from tlm.wp import cli as wp_cli

# A short "novel" with Emma's words (and the lab's): repeated sentences make the
# counts skip-gram's --min-count 5 and --sample 1e-3 need.
SENTENCES = [
    "Emma Woodhouse, handsome, clever, and rich, was happy.",
    "Emma was pleased, and Harriet was happy and pleased.",
    "Mr. Knightley was a sensible man; Emma was a clever woman.",
    "The cat and the dog were happy in the garden with Harriet.",
    "Miss Bates was pleased to see Emma and Mr. Knightley.",
    "The king and the queen, the man and the woman, were happy.",
]
GLOVE = {  # a fake GloVe 6B 50-d package: four dimensions are enough here
    "the": [0.1, 0.0, 0.1, 1.0], "king": [1.0, 1.0, 0.0, 0.1], "queen": [1.0, -1.0, 0.0, 0.1],
    "man": [0.0, 1.0, 0.0, 0.2], "woman": [0.0, -1.0, 0.0, 0.2], "cat": [0.0, 0.0, 1.0, 0.1],
    "dog": [0.0, 0.0, 1.0, -0.1], "happy": [0.5, 0.0, 0.5, 0.5], "pleased": [0.5, 0.1, 0.4, 0.5],
    "emma": [0.2, -0.5, 0.0, 0.3],
}


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_pretrained):
    """An empty working folder, NLTK data with austen-emma.txt, a fake GloVe, no network."""
    import nltk.downloader

    root = tmp_path / "nltk_data"
    folder = root / "corpora" / "gutenberg"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    text = " ".join(SENTENCES[i] for i in rng.integers(0, len(SENTENCES), 400))
    (folder / "austen-emma.txt").write_bytes(text.encode("latin-1"))
    monkeypatch.setenv("NLTK_DATA", str(root))
    monkeypatch.setattr(tlm.corpus, "nltk_data_path", lambda: [str(root)])

    def no_downloader(*args, **kwargs):
        raise AssertionError("the downloader ran")

    monkeypatch.setattr(nltk.downloader.Downloader, "incr_download", no_downloader)
    offline_pretrained(list(GLOVE), list(GLOVE.values()))
    work = tmp_path / "course"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def run(group, *args: str, input: str | None = None):
    result = CliRunner().invoke(group, list(args), input=input)
    assert result.exit_code == 0, (args, result.output, result.stderr)
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    return result


LAB_WORDS = ['a', 'all', 'chuck', 'could', 'how', 'if', 'it', 'much', 'the', 'wood', 'would']
EPOCH = re.compile(r"Epoch (\d)/5 loss=(\d\.\d{4})")


def outputs(shell_stdout: str) -> list[str]:
    """What the console printed after each `>>>` prompt (continuation prompts dropped)."""
    return [part.replace("... ", "").strip() for part in shell_stdout.split(">>> ")[1:]]


def test_the_course_reads_the_model_where_the_page_says():
    """The lab: "This is exactly what _forward computes in tlm/model.py", and
    "Look at the _step method in tlm/model.py"."""
    from tlm.model import EmbeddingModel

    for method in (EmbeddingModel._forward, EmbeddingModel._step):
        assert Path(inspect.getsourcefile(method)).as_posix().endswith("tlm/model.py")
    assert "ctx_emb" in inspect.getsource(EmbeddingModel._forward)


def test_the_course_in_order(course: Path) -> None:
    # 1. the lab's first command: tlm's own chuck.txt, from an empty folder
    first = run(cli, "train", "--filepath", "chuck.txt")
    assert first.stderr == "using tlm's corpora/chuck.txt\n"
    lines = first.stdout.splitlines()
    epochs = [EPOCH.fullmatch(line) for line in lines[:-1]]
    assert all(epochs) and [int(m[1]) for m in epochs] == [1, 2, 3, 4, 5], lines
    losses = [float(m[2]) for m in epochs]
    assert losses[0] < math.log(11)                 # below chance from the first epoch
    assert losses == sorted(losses, reverse=True)   # it falls every epoch ...
    assert losses[0] - losses[-1] >= 0.25           # ... at least as visibly as the page's
    assert lines[-1] == "Model saved to model.json"
    assert len(run(cli, "generate", "--model", "model.json").stdout.split()) >= 20

    # 2. "Where is the model?": the page's >>> lines, in order
    shell = run(cli, "generate", "--model", "model.json", "--interact", input=(
        "model.E.shape\n"
        "model.W.shape\n"
        "model.vocab\n"
        "model.E[model.word_to_idx['chuck']]\n"
        "import numpy as np\n"
        "chuck = model.E[model.word_to_idx['chuck']]\n"
        "wood = model.E[model.word_to_idx['wood']]\n"
        "np.dot(chuck, wood) / (np.linalg.norm(chuck) * np.linalg.norm(wood))\n"))
    said = outputs(shell.stdout)
    assert said[0] == "(11, 32)" and said[1] == "(32, 11)"
    assert said[2] == repr(LAB_WORDS)
    row = tlm.load("model.json").E[LAB_WORDS.index("chuck")]
    assert said[3].startswith("array([") and row.shape == (32,)  # 32 numbers
    cosine = float(said[7].removeprefix("np.float32(").removesuffix(")"))
    assert -1 <= cosine <= 1
    assert "11 words and 32 dimensions" in shell.stderr  # the banner
    assert "model._forward(" in shell.stderr and "onehot(word)" in shell.stderr

    # the README's shell: the course's _forward with words, a one-hot row
    shell = run(cli, "generate", "--model", "model.json", "--interact", input=(
        "h, p = model._forward(['how', 'much'])\n"
        "print(h.shape, p.shape)\n"
        "bool((onehot('chuck') @ model.E == model.E[model.word_to_idx['chuck']]).all())\n"
        "neighbors('chuck', k=3)\n"))
    assert "(32,) (11,)" in shell.stdout and ">>> True" in shell.stdout

    # 3. a novel from NLTK's Gutenberg corpus, then its shell as the page types it
    emma = run(cli, "train", "--gutenberg", "austen-emma.txt", "-t", "lower", "-t", "alpha",
               "--epochs", "10", "--output", "emma.json")
    assert [line.split()[1] for line in emma.stdout.splitlines()[:-1]] == [
        f"{i}/10" for i in range(1, 11)]
    assert emma.stdout.splitlines()[-1] == "Model saved to emma.json"
    page = run(cli, "generate", "--model", "emma.json", "--interact", input=(
        "import numpy as np\n"
        "def sim(a, b):\n"
        "    return np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))\n\n"
        "E = model.E\n"
        "wi = model.word_to_idx\n"
        "print(round(float(sim(E[wi['happy']], E[wi['pleased']])), 6))\n"))
    model = tlm.load("emma.json")
    E, wi = model.E, model.word_to_idx
    expected = E[wi["happy"]] @ E[wi["pleased"]] / np.linalg.norm(E[wi["happy"]]) / np.linalg.norm(
        E[wi["pleased"]])
    assert outputs(page.stdout)[-2] == f"{round(float(expected), 6)}"
    shell = run(cli, "generate", "--model", "emma.json", "--interact", input=(
        "neighbors('emma', k=3)\n"
        "round(sim('happy', 'pleased'), 6) == round(sim(vec('happy'), vec('pleased')), 6)\n"
        "def sim(a, b): return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))\n\n"
        "round(sim(vec('happy'), vec('pleased')), 4)\n"
        "compare('happy', k=2)\n"
        "analogy('man', 'king', 'woman')\n"))
    assert shell.stdout.count(">>> True") == 1
    assert "glove-wiki-gigaword-50" in shell.stdout  # compare's GloVe column

    # 4. the skip-gram chapter: word2vec's defaults, and positive pairs only
    run(cli, "train", "--model", "skipgram", "--gutenberg", "austen-emma.txt", "-t", "lower",
        "-t", "alpha", "--output", "emma-sg.json")
    run(cli, "train", "--model", "skipgram", "--gutenberg", "austen-emma.txt", "-t", "lower",
        "-t", "alpha", "--negative", "0", "--output", "emma-sg0.json")
    assert tlm.load("emma-sg0.json").config.negative == 0
    info = run(cli, "info", "--model", "emma-sg.json").stdout
    assert "skipgram model" in info and "transforms: lower, alpha" in info

    # 5. pretrained vectors: wp, its shell, and the notebook call
    assert run(wp_cli, "similar", "king", "-k", "1").stdout.split()[0] == "man"
    assert run(wp_cli, "analogy", "man", "king", "woman", "-k", "1").stdout.split()[0] == "queen"
    lab = run(wp_cli, "--interact", input="glove.most_similar('cat', topn=1)[0][0]\n"
                                           "round(sim('cat', 'dog'), 4)\n")
    assert ">>> 'dog'" in lab.stdout
    assert tlm.load_vectors().similarity("cat", "dog") == pytest.approx(
        float(lab.stdout.split(">>> ")[2]), abs=1e-4)
    # the lab's own GloVe lines, typed as printed: its vectors are `model` in wp's shell
    page = run(wp_cli, "--interact", input="model['cat'].shape\n"
                                            "model.similarity('cat', 'dog')\n"
                                            "model.most_similar('king', topn=5)[0][0]\n")
    shape, similarity, nearest = outputs(page.stdout)[:3]
    assert shape == f"({len(GLOVE['cat'])},)"  # the page's 100 numbers are 50 here (4 in the fake)
    assert float(similarity) == pytest.approx(tlm.load_vectors().similarity("cat", "dog"), abs=1e-4)
    assert nearest == repr(tlm.load_vectors().most_similar("king", topn=1)[0][0])
    with pytest.raises(tlm.TlmError) as hundred:  # the page's 100-d download, offline
        tlm.load_vectors("glove-wiki-gigaword-100")
    assert "glove-wiki-gigaword-50" in str(hundred.value) and "\n" not in str(hundred.value)
    assert sorted(p.name for p in course.iterdir() if p.suffix == ".json") == [
        "emma-sg.json", "emma-sg0.json", "emma.json", "model.json"]
