"""The Google analogy benchmark in matrix form (tlm/evaluate.py's
`answer_analogies`) gives gensim's `evaluate_word_analogies` answer for every
question: right or wrong, question by question, on vectors built so that both
happen, with case variants of the same word and a restricted vocabulary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import kv_of
from gensim.test.utils import datapath

from tlm import evaluate


def planted(seed: int = 0, words: int = 400, dim: int = 16):
    """Words in pairs (x, x_s) whose offset is one of a few shared directions plus
    noise, so some analogies come out right and some wrong; every tenth word
    also appears capitalised further down the vocabulary, close to its first
    spelling, so that gensim's skipping of an input word's other spelling counts."""
    rng = np.random.default_rng(seed)
    base = [f"w{i}" for i in range(words // 2)]
    offsets = rng.normal(size=(4, dim))
    names, vectors = [], []
    for i, w in enumerate(base):
        v = rng.normal(size=dim)
        names += [w, f"{w}_s"]
        vectors += [v, v + offsets[i % 4] + rng.normal(scale=1.5, size=dim)]
    names += [w.upper() for w in base[::10]]  # "W10" after "w10": the same word to gensim
    vectors += [vectors[2 * i] + rng.normal(scale=0.1, size=dim) for i in range(0, len(base), 10)]
    return kv_of(names, np.array(vectors)), base


def question_file(tmp_path: Path, base: list[str], seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    lines = []
    for section in range(4):
        lines.append(f": section-{section}")
        group = [w for i, w in enumerate(base) if i % 4 == section]
        for _ in range(60):
            x, y = rng.choice(group, 2, replace=False)
            lines.append(f"{x} {x}_s {y} {y}_s")
        lines.append("W1 w1_s nosuchword w2_s")  # not covered
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def gensim_verdicts(kv, path: Path, restrict: int) -> list[bool]:
    _, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=restrict,
                                             case_insensitive=True)
    total = sections[-1]
    verdict = {q: True for q in total["correct"]} | {q: False for q in total["incorrect"]}
    questions = [q for q in evaluate.read_analogies(path) if q in verdict]
    return [verdict[q] for q in questions]


@pytest.mark.parametrize("restrict", [1000, 300])
def test_every_answer_is_gensims(tmp_path: Path, restrict: int) -> None:
    kv, base = planted()
    path = question_file(tmp_path, base)
    predicted, expected = evaluate.answer_analogies(kv, evaluate.read_analogies(path), restrict)
    ours = list(predicted == expected)
    theirs = gensim_verdicts(kv, path, restrict)
    assert len(ours) == len(theirs) > 50
    assert 0.1 < np.mean(ours) < 0.9  # both right and wrong answers are tested
    assert ours == theirs
    score = evaluate.analogies(kv, path, restrict)
    assert score.covered == len(theirs) and score.accuracy == pytest.approx(np.mean(theirs))


def test_a_sample_of_the_google_questions_on_planted_vectors(tmp_path: Path) -> None:
    """The real file's words (a sample of its questions), vectors made for them."""
    google = evaluate.read_analogies(Path(datapath("questions-words.txt")))[::97]
    words = sorted({w.lower() for q in google for w in q})
    rng = np.random.default_rng(3)
    kv = kv_of(words, rng.normal(size=(len(words), 12)))
    path = tmp_path / "sample.txt"
    path.write_text(": sample\n" + "\n".join(" ".join(q).lower() for q in google) + "\n")
    predicted, expected = evaluate.answer_analogies(kv, evaluate.read_analogies(path), 30000)
    assert list(predicted == expected) == gensim_verdicts(kv, path, 30000)
