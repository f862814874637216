"""How good are a model's vectors and predictions? The standard yardsticks.

- **Word similarity** (WordSim-353, SimLex-999): people scored how alike the
  words of each pair are; the score is the Spearman rank correlation between
  their scores and the cosine similarities of the vectors. WordSim-353 mixes
  similarity with relatedness (cup, coffee); SimLex-999 asks for similarity
  alone, which co-occurrence vectors find much harder.
- **Analogies** (Google's 19544 questions, "athens is to greece as baghdad is
  to ?"): the answer is the word nearest to b - a + c (3CosAdd), searched
  among the 30000 most frequent words, as word2vec's own tool does.
- **Perplexity** (next-word models): exp of the mean -log p(next word) on
  held-out text, defined once in tlm/perplexity.py (the same number as
  training's val_ppl); a model that guesses uniformly among V words scores V.

A small model knows few of the benchmark words, so every score comes with the
share of pairs (or questions, or tokens) it covers: 0.40 on a tenth of
WordSim-353 is not 0.40 on all of it. The benchmark files are the ones gensim
ships (gensim/test/test_data); the scoring is gensim's `evaluate_word_pairs`
and the protocol of its `evaluate_word_analogies`, answered a block of
questions at a time (`answer_analogies`).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from gensim.test.utils import datapath

from tlm import modelfile, paths, pretrained, table
from tlm.corpus import load_corpus
from tlm.errors import TlmError
from tlm.perplexity import Perplexity, perplexity

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

    from tlm.models.base import Model

#: Benchmark name -> file name in gensim's test data.
SIMILARITY_BENCHMARKS = {"WordSim-353": "wordsim353.tsv", "SimLex-999": "simlex999.txt"}
ANALOGY_BENCHMARKS = {"Google analogies": "questions-words.txt"}
#: Analogy answers are searched among this many most frequent words.
ANALOGY_RESTRICT = 30000
#: A rank correlation over two pairs is always +1 or -1: report none below this.
MIN_PAIRS = 3


@dataclass
class PairScore:
    """Spearman correlation with human similarity scores on one pairs file."""

    benchmark: str
    spearman: float | None  # None when fewer than MIN_PAIRS pairs are covered
    covered: int  # pairs whose two words the vocabulary has
    total: int

    @property
    def coverage(self) -> float:
        return self.covered / self.total


@dataclass
class AnalogyScore:
    """Share of analogy questions answered right, among those covered."""

    benchmark: str
    accuracy: float | None  # None when no question is covered
    covered: int  # questions whose four words are among the searched words
    total: int

    @property
    def coverage(self) -> float:
        return self.covered / self.total


@dataclass
class VectorScores:
    label: str
    pairs: list[PairScore]
    analogies: list[AnalogyScore]


def benchmark_path(filename: str) -> Path:
    """A benchmark file that ships with gensim."""
    return Path(datapath(filename))


def _readable(path: str | os.PathLike) -> Path:
    return paths.input_file(path, "benchmark file")


def _lines(path: Path) -> list[str]:
    return paths.read_text(path, "benchmark file").splitlines()


def _count_pairs(path: Path) -> int:
    """Lines gensim scores: `word1 word2 score` (tab- or space-separated), '#' comments."""
    n = 0
    for line in _lines(path):
        fields = line.split()
        if line.startswith("#") or len(fields) != 3:
            continue
        try:
            float(fields[2])
        except ValueError:
            continue
        n += 1
    return n


def word_pairs(kv: KeyedVectors, path: str | os.PathLike, name: str | None = None) -> PairScore:
    """Spearman correlation of `kv`'s cosine similarities with a pairs file's
    scores, over the pairs whose words `kv` has (case-insensitively)."""
    path = _readable(path)
    name = name or path.stem
    total = _count_pairs(path)
    if total == 0:
        raise TlmError(f"{path} has no word pairs (expected lines: word1 <tab> word2 <tab> score)")
    if len(kv) == 0:
        return PairScore(name, None, 0, total)
    try:
        with warnings.catch_warnings():  # a constant input makes scipy warn; we report n/a
            warnings.simplefilter("ignore")
            _, spearman, oov_percent = kv.evaluate_word_pairs(
                str(path), delimiter=None, restrict_vocab=len(kv), case_insensitive=True
            )
    except ValueError:  # gensim: no pair has both words in the vocabulary
        return PairScore(name, None, 0, total)
    covered = total - round(total * oov_percent / 100)
    rho = float(spearman[0])
    usable = math.isfinite(rho) and covered >= MIN_PAIRS
    return PairScore(name, rho if usable else None, covered, total)


def _count_questions(path: Path) -> int:
    lines = _lines(path)
    body = [line for line in lines if line.strip() and not line.startswith(": ")]
    if body and not any(line.startswith(": ") for line in lines):
        raise TlmError(
            f"{path} has no section header: an analogy file starts with a line such as "
            "': capital-common-countries', then lines of four words"
        )
    return sum(len(line.split()) == 4 for line in body)


def analogies(
    kv: KeyedVectors,
    path: str | os.PathLike,
    restrict_vocab: int = ANALOGY_RESTRICT,
    name: str | None = None,
) -> AnalogyScore:
    """Accuracy on an analogy file: for `a b c d`, is d the nearest word to
    b - a + c among the first `restrict_vocab` words (a, b, c excluded)?
    Questions with a word outside those are left out and not counted.

    The protocol is gensim's `evaluate_word_analogies` (word2vec's own
    compute-accuracy), answered in matrix form (`answer_analogies`): the same
    answer for every question, a block of questions at a time."""
    path = _readable(path)
    name = name or path.stem
    total = _count_questions(path)
    if total == 0:
        raise TlmError(f"{path} has no analogy questions (lines of four words)")
    if len(kv) == 0:
        return AnalogyScore(name, None, 0, total)
    questions = read_analogies(path)
    predicted, expected = answer_analogies(kv, questions, restrict_vocab)
    covered = len(expected)
    correct = int((predicted == expected).sum())
    return AnalogyScore(name, correct / covered if covered else None, covered, total)


def read_analogies(path: Path) -> list[tuple[str, str, str, str]]:
    """The questions of an analogy file, upper-cased as gensim compares them:
    lines of four words after a `: section` header."""
    questions = []
    section = False
    for number, line in enumerate(_lines(path), 1):
        if line.startswith(": "):
            section = True
            continue
        words = line.split()
        if len(words) != 4:
            continue
        if not section:
            raise TlmError(f"{path} is not an analogy file: line {number} comes before "
                           "any ': section' header")
        questions.append(tuple(w.upper() for w in words))
    return questions


#: Questions answered per matrix product: a (block, restrict_vocab) float32 array.
ANALOGY_BLOCK = 1024
#: Candidates gensim looks at per question, beyond the three inputs.
ANALOGY_TOP = 5


def _first_not_ignored(cos: np.ndarray, upper: Sequence[str], ignore: set[str]) -> int:
    """The first of the top `ANALOGY_TOP` (by `cos`, (R,)) whose upper-case spelling
    is not in `ignore`; gensim's loop ends on the last of them when none is."""
    top = np.argsort(-cos, kind="stable")[:ANALOGY_TOP]
    for candidate in top:
        if upper[candidate] not in ignore:
            return int(candidate)
    return int(top[-1])


def answer_analogies(
    kv: KeyedVectors, questions: Sequence[tuple[str, str, str, str]],
    restrict_vocab: int = ANALOGY_RESTRICT,
) -> tuple[np.ndarray, np.ndarray]:
    """For each question (A, B, C, D) whose four words are among the first
    `restrict_vocab` words (case-insensitively, the more frequent spelling
    first): the index of the predicted word and of D, (Q,) each.

    As gensim's `evaluate_word_analogies` does it, one question at a time:

        m = unit(unit(B) + unit(C) - unit(A))        3CosAdd on unit vectors
        top = 5 best words by cos(w, m), A B C left out
        answer = the first of `top` that is not A, B or C in another case

    Here a block of questions at a time: M (q, d) times the unit vectors of
    the vocabulary U (R, d) gives every cosine at once, (q, R); the three inputs
    are masked, and the best is the answer unless it is another spelling of an
    input, when the next of the top 5 is taken as gensim does."""
    R = min(restrict_vocab, len(kv))
    keys = kv.index_to_key[:R]
    index = {k.upper(): i for i, k in reversed(list(enumerate(keys)))}  # the first wins
    upper = [k.upper() for k in keys]
    kept = [q for q in questions if all(w in index for w in q)]
    if not kept:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ids = np.array([[index[w] for w in q] for q in kept])             # (Q, 4)  A B C D
    U = kv.get_normed_vectors()[:R]                                    # (R, d)
    predicted = np.empty(len(kept), dtype=np.int64)
    for start in range(0, len(kept), ANALOGY_BLOCK):
        a, b, c = ids[start:start + ANALOGY_BLOCK, :3].T                # (q,) each
        m = (U[b] + U[c] - U[a]) / 3                                   # (q, d)  gensim's mean
        m /= np.linalg.norm(m, axis=1, keepdims=True)                  # unit(m)
        cos = m @ U.T                                                  # (q, R)  cos(w, m)
        rows = np.arange(len(a))
        for inputs in (a, b, c):
            cos[rows, inputs] = -np.inf                                # A, B, C left out
        best = cos.argmax(axis=1)                                      # (q,)  the nearest
        for row, answer in enumerate(best):
            ignore = {upper[i] for i in ids[start + row, :3]}
            if upper[answer] in ignore:  # another spelling of an input: gensim's top 5
                answer = _first_not_ignored(cos[row], upper, ignore)
            predicted[start + row] = index[upper[answer]]
    return predicted, ids[:, 3]


def evaluate_vectors(
    kv: KeyedVectors,
    label: str,
    pair_files: dict[str, str | os.PathLike] | None = None,
    analogy_files: dict[str, str | os.PathLike] | None = None,
    restrict_vocab: int = ANALOGY_RESTRICT,
) -> VectorScores:
    """Every benchmark on one set of vectors. The defaults are gensim's copies
    of WordSim-353, SimLex-999 and the Google analogies; pass {} to skip a kind."""
    if pair_files is None:
        pair_files = {n: benchmark_path(f) for n, f in SIMILARITY_BENCHMARKS.items()}
    if analogy_files is None:
        analogy_files = {n: benchmark_path(f) for n, f in ANALOGY_BENCHMARKS.items()}
    pairs = [word_pairs(kv, path, name) for name, path in pair_files.items()]
    questions = [analogies(kv, path, restrict_vocab, name) for name, path in analogy_files.items()]
    return VectorScores(label, pairs, questions)


def text_perplexity(
    model: Model, filepaths: Sequence[str | os.PathLike] = (), gutenberg: Sequence[str] = ()
) -> Perplexity:
    """Perplexity of a next-word model on held-out text, read with the model's
    transforms; words outside the vocabulary are `<unk>`. The definition
    (which positions are scored) is tlm.perplexity's, the same as training's
    val_ppl."""
    if not model.predicts_next_word:
        raise TlmError(
            f"a {model.type} model gives no next-word probabilities, so it has no perplexity"
        )
    corpus = load_corpus(filepaths, gutenberg, model.info.get("transforms", []))
    documents = [model.vocabulary.encode(doc) for doc in corpus.documents]
    try:
        return perplexity(model, documents)
    except TlmError as e:
        raise TlmError(f"the held-out text: {e}") from None


@dataclass
class HeldOutScore:
    """A model's perplexity on the held-out text; None for a model that has
    vectors, not next-word probabilities."""

    label: str
    perplexity: Perplexity | None


@dataclass
class Evaluation:
    """What `tlm evaluate` found: the benchmark scores of every source (one row
    each), and each model's perplexity when held-out text was given."""

    rows: list[VectorScores]
    restrict_vocab: int  # analogy answers were searched among this many words
    held_out: list[HeldOutScore]


def evaluate(
    model_paths: Sequence[str | os.PathLike] = (),
    pretrained_names: Sequence[str] = (),
    filepaths: Sequence[str | os.PathLike] = (),
    gutenberg: Sequence[str] = (),
    pair_files: Sequence[str | os.PathLike] | None = None,
    analogy_files: Sequence[str | os.PathLike] | None = None,
    restrict_vocab: int = ANALOGY_RESTRICT,
    report: Callable[[str], None] | None = None,
) -> Evaluation:
    """`tlm evaluate` as one call: the benchmark scores of every model and
    pretrained source, then each model's perplexity on the held-out text (if
    given). `word2vec-same-corpus` is trained for each model."""
    if restrict_vocab < 1:
        raise TlmError(f"--restrict-vocab must be at least 1, not {restrict_vocab}")
    pairs = None if pair_files is None else {Path(p).stem: p for p in pair_files}
    questions = None if analogy_files is None else {Path(p).stem: p for p in analogy_files}
    models = [(Path(p), modelfile.load(p)) for p in model_paths]
    names = list(pretrained_names)
    if any(pretrained.is_same_corpus(n) for n in names) and not models:
        raise TlmError(f"{pretrained.SAME_CORPUS} needs --model (it is trained on a model's text)")

    sources: list[tuple[str, Any]] = []
    for path, model in models:
        if model.has_vectors:  # a count model has a perplexity only
            sources.append((f"{path.name} ({model.type})", model.vectors))
    for name in names:
        if pretrained.is_same_corpus(name):
            for path, model in models:
                kv = pretrained.load(name, model=model, model_path=path, report=report)
                sources.append((f"{pretrained.SAME_CORPUS} ({path.name})", kv))
        else:
            sources.append((pretrained.describe(name), pretrained.load(name, report=report)))
    rows = [evaluate_vectors(kv, label, pairs, questions, restrict_vocab) for label, kv in sources]
    held_out = []
    if filepaths or gutenberg:
        for path, model in models:
            p = text_perplexity(model, filepaths, gutenberg) if model.predicts_next_word else None
            held_out.append(HeldOutScore(f"{path.name} ({model.type})", p))
    return Evaluation(rows, restrict_vocab, held_out)


# -- the report `tlm evaluate` prints (the command calls render_evaluation) ----------------
def _covered(covered: int, total: int) -> str:
    share = covered / total
    return f"{covered} of {total}" if 0 < share < 0.001 else f"{share:.1%} of {total}"


def _pair_cell(s: PairScore) -> str:
    value = "n/a" if s.spearman is None else table.score(s.spearman)
    return f"{value} ({_covered(s.covered, s.total)})"


def _analogy_cell(s: AnalogyScore) -> str:
    value = "n/a" if s.accuracy is None else f"{s.accuracy:.1%}"
    return f"{value} ({_covered(s.covered, s.total)})"


def render_table(rows: Sequence[VectorScores], restrict_vocab: int) -> str:
    """One row per source, one column per benchmark, and a line on how to read them."""
    if not rows:
        return ""
    header = [""] + [s.benchmark for s in rows[0].pairs] + [s.benchmark for s in rows[0].analogies]
    body = [
        [r.label] + [_pair_cell(s) for s in r.pairs] + [_analogy_cell(s) for s in r.analogies]
        for r in rows
    ]
    lines = [table.grid(header, body)]
    if rows[0].pairs:
        lines.append(
            "word similarity: Spearman correlation with human scores over the pairs whose "
            "words the vocabulary has (share of pairs covered)"
        )
    if rows[0].analogies:
        lines.append(
            f"analogies: right answers (nearest word to b - a + c among the {restrict_vocab} "
            "most frequent) over the questions whose words are among them (share covered); "
            "the benchmark's protocol, gensim's evaluate_word_analogies (unit vectors), not "
            "tlm explore analogy's (raw vectors)"
        )
    return "\n".join(lines)


def render_perplexity(label: str, p: Perplexity) -> str:
    line = (
        f"{label}: perplexity {p.perplexity:.1f} (mean loss {p.loss:.4f}) over {p.scored} of "
        f"{p.tokens} held-out tokens; not scored: {p.unknown} outside the vocabulary (<unk>), "
        f"{p.tokens - p.positions} at the start of a text (too little context)"
    )
    if p.impossible:
        line += (f"; inf because {p.impossible} of the {p.scored} scored words were never seen "
                 "after their context (probability 0)")
    return line


def render_evaluation(e: Evaluation) -> str:
    """The benchmark table, then a line per model on the held-out text."""
    lines = [render_table(e.rows, e.restrict_vocab)]
    for score in e.held_out:
        if score.perplexity is None:
            lines.append(f"{score.label}: no perplexity (it has vectors, not next-word "
                         "probabilities)")
        else:
            lines.append(render_perplexity(score.label, score.perplexity))
    return "\n".join(line for line in lines if line)
