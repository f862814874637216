"""The geometry explorer: questions to ask of any table of word vectors.

A similarity of 0.93 means nothing until it is set against what two random
words score in the same table; a neat analogy means little if the answer was
simply the word nearest to b. Each function here asks one such question of a
gensim `KeyedVectors` (a tlm model's `model.vectors`, GloVe, word2vec, a vector
file, an LLM's token table) and returns the numbers as a small dataclass of
NumPy arrays, without printing or drawing anything:

    import tlm.explore as ex
    bg = ex.background(kv)                   # cosine of 5,000 random pairs
    ex.neighbors(kv, "king")                 # with bg.cos_mean and bg.cos_p99 beside
    ex.analogy(kv, "man", "king", "woman", expected="queen")
    ex.directions(kv)                        # is "plural" one direction?

`tlm.plot` draws each result (one panel per source); `tlm.explore_text`
prints it as the tables `tlm explore` shows. A tlm `Model` is accepted wherever
vectors are (its E); only `frequency` and `loss` use what a model knows beyond
its vectors (its counts, its history).

Words are looked up as everywhere in tlm (as given, lower case, capitalised);
a word a source lacks is listed in the result's `missing`, never an error,
unless nothing at all is left to measure.

The maths is the plain kind: cos(u, v) = u.v / (|u| |v|) is a dot product of
unit rows, so "every word's cosine with q" is one matrix-vector product with
the row-normalised matrix U (built once per table and kept), and PCA is an SVD
of the centred matrix.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm.errors import TlmError
from tlm.geometry import find, keyed_vectors
from tlm.models.base import Model

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

Source = Any  # a gensim KeyedVectors or a tlm Model (its E)

# -- the notebook's defaults --------------------------------------------------------------------
DEFAULT_PAIRS = (
    ("king", "queen"), ("dog", "cat"), ("paris", "london"), ("happy", "joyful"),
    ("run", "sprint"), ("king", "castle"), ("dog", "park"), ("france", "paris"),
    ("king", "banana"), ("dog", "algebra"), ("happy", "concrete"),
)
PLURAL_PAIRS = (
    ("cat", "cats"), ("dog", "dogs"), ("king", "kings"), ("queen", "queens"),
    ("word", "words"), ("token", "tokens"), ("city", "cities"), ("country", "countries"),
    ("man", "men"), ("woman", "women"),
)
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
GROUPS = {
    "royalty": ("king", "queen", "prince", "princess", "throne", "crown"),
    "animals": ("dog", "cat", "horse", "cow", "sheep", "bird"),
    "cities": ("paris", "london", "berlin", "tokyo", "rome", "madrid"),
    "emotions": ("happy", "sad", "angry", "joy", "fear", "love"),
    "tech": ("computer", "software", "internet", "digital", "data", "network"),
    "food": ("bread", "cheese", "apple", "rice", "meat", "soup"),
    "sports": ("football", "tennis", "golf", "soccer", "cricket", "hockey"),
    "science": ("physics", "chemistry", "biology", "science", "theory", "experiment"),
}
#: The two directions of `axes`: royalty (man -> king) and gender (man -> woman).
ROYALTY = ("man", "king")
GENDER = ("man", "woman")
AXIS_WORDS = (
    "king", "queen", "man", "woman", "prince", "princess", "boy", "girl",
    "emperor", "empress", "father", "mother", "lord", "lady",
)
ANALOGY_CANDIDATES = (
    "queen", "princess", "king", "woman", "man", "prince", "monarch", "lady", "girl", "throne",
)
#: Endings that make a word a surface variant of another (king -> kings, kingly).
VARIANT_ENDINGS = ("s", "es", "'s", "d", "ed", "ing", "ly", "er", "est")


class Result:
    """Base of every result: prints as the table `tlm explore` shows."""

    def __repr__(self) -> str:
        from tlm.explore_text import render

        return render(self)


# -- the row-normalised matrix, built once per table ----------------------------------------------
_unit_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def row(kv: KeyedVectors, word: str) -> int:
    """The row of `word` in the table. A token table (hf:) also answers for a
    word split into several tokens, which has no row: such a word is a clear
    error in the analyses that work on rows."""
    if not kv.has_index_for(word):
        raise TlmError(f"{word!r} is not one row of these vectors (a token table splits it "
                       "into several tokens); this analysis needs words the table has")
    return kv.key_to_index[word]


def unit_rows(vectors: Source) -> np.ndarray:
    """U: every row of the table scaled to length 1, (V, d) float32, so that
    U @ u is every word's cosine with the unit vector u. Built on first use and
    kept while the table's array is the same object (a zero row stays zero)."""
    kv = keyed_vectors(vectors)
    cached = _unit_cache.get(kv)
    if cached is not None and cached[0] is kv.vectors and cached[1].shape == kv.vectors.shape:
        return cached[1]
    X = np.asarray(kv.vectors, dtype=np.float32)  # (V, d)
    norms = np.linalg.norm(X, axis=1, keepdims=True)  # (V, 1)
    U = X / np.where(norms > 0, norms, 1)  # (V, d)
    _unit_cache[kv] = (kv.vectors, U)
    return U


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def lookup(vectors: Source, words: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the keys of the words the table has, the words it lacks), in order."""
    kv = keyed_vectors(vectors)
    found, missing = [], []
    for word in words:
        key = find(kv, word)
        (found if key is not None else missing).append(key if key is not None else word)
    return found, missing


def _check_size(kv: KeyedVectors, at_least: int, what: str) -> None:
    if len(kv) < at_least:
        raise TlmError(f"{what} needs at least {at_least} words; these vectors have {len(kv)}")


def _check_k(k: int, kv: KeyedVectors, what: str = "k") -> None:
    if not isinstance(k, int | np.integer) or k < 1:
        raise TlmError(f"{what} must be a whole number of at least 1, not {k!r}")
    if k >= len(kv):
        raise TlmError(f"{what}={k} is too large: the vectors have only {len(kv)} words")


def _pairs_of(words: Sequence[str] | Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs given as ('a', 'b') tuples or as 'a:b' strings."""
    pairs = []
    for p in words:
        if isinstance(p, str):
            a, sep, b = p.partition(":")
            if not sep or not a or not b:
                raise TlmError(f"a word pair is written a:b (e.g. king:queen), not {p!r}")
            pairs.append((a, b))
        else:
            a, b = p
            pairs.append((a, b))
    return pairs


# -- 1. norms ---------------------------------------------------------------------------------
@dataclass(repr=False)
class Norms(Result):
    """Row lengths |E[i]| and per-dimension means of a table."""

    norms: np.ndarray  # (V,)
    dim_means: np.ndarray  # (d,)
    mean: float
    std: float
    min: float
    max: float
    unit_length: bool  # every row has length 1 (to 1e-3)
    centre_ratio: float  # |mean vector| / mean row length: near 0 is centred

    @property
    def centred(self) -> bool:
        return self.centre_ratio < 0.1


def norms(vectors: Source) -> Norms:
    """The distribution of row L2 norms (is it unit length?) and of the
    per-dimension means (is it centred on the origin?)."""
    kv = keyed_vectors(vectors)
    _check_size(kv, 1, "norms")
    X = kv.vectors  # (V, d)
    n = np.sqrt(np.einsum("vd,vd->v", X, X, dtype=np.float64))  # (V,) |E[i]|
    dim_means = X.mean(axis=0, dtype=np.float64)  # (d,)
    return Norms(
        norms=n, dim_means=dim_means, mean=float(n.mean()), std=float(n.std()),
        min=float(n.min()), max=float(n.max()),
        unit_length=bool(np.allclose(n, 1, atol=1e-3)),
        centre_ratio=float(np.linalg.norm(dim_means) / max(n.mean(), 1e-12)),
    )


# -- 2. background ----------------------------------------------------------------------------
@dataclass(repr=False)
class Background(Result):
    """Cosine similarity and Euclidean distance of random pairs of distinct words:
    the baseline any similarity must stand out from."""

    cos: np.ndarray  # (n,)
    euclid: np.ndarray  # (n,)
    seed: int

    @property
    def cos_mean(self) -> float:
        return float(self.cos.mean())

    @property
    def cos_std(self) -> float:
        return float(self.cos.std())

    @property
    def cos_p99(self) -> float:
        return float(np.percentile(self.cos, 99))

    @property
    def euclid_mean(self) -> float:
        return float(self.euclid.mean())

    @property
    def euclid_std(self) -> float:
        return float(self.euclid.std())

    def percentile(self, cos: float) -> float:
        """The share of random pairs (in %) whose cosine is below `cos`."""
        return float(100 * np.mean(self.cos < cos))


def random_pairs(V: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n seeded pairs (i, j) of distinct row indices below V."""
    rng = np.random.default_rng(seed)
    i = rng.integers(V, size=n)
    j = rng.integers(V - 1, size=n)
    j += j >= i  # skip i itself: j is uniform over the other V - 1 rows
    return i, j


_background_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def background(vectors: Source, n: int = 5000, seed: int = 0) -> Background:
    """cos and Euclidean distance over n random pairs of distinct words (seeded)."""
    kv = keyed_vectors(vectors)
    _check_size(kv, 2, "a random-pair background")
    if not isinstance(n, int | np.integer) or n < 1:
        raise TlmError(f"the number of pairs must be at least 1, not {n!r}")
    cached = _background_cache.get(kv)
    if cached is not None and cached[0] == (kv.vectors.shape, n, seed) and cached[1] is kv.vectors:
        return cached[2]
    U = unit_rows(kv)
    i, j = random_pairs(len(kv), n, seed)
    cos = np.einsum("nd,nd->n", U[i], U[j])  # (n,) row-wise dot products
    euclid = np.linalg.norm(kv.vectors[i] - kv.vectors[j], axis=1)  # (n,)
    result = Background(cos=cos.astype(np.float64), euclid=euclid.astype(np.float64), seed=seed)
    _background_cache[kv] = ((kv.vectors.shape, n, seed), kv.vectors, result)
    return result


# -- 3. pairs ---------------------------------------------------------------------------------
@dataclass(repr=False)
class Pairs(Result):
    """Chosen word pairs, each against the random-pair background."""

    pairs: list[tuple[str, str]]
    cos: np.ndarray  # (P,)
    euclid: np.ndarray  # (P,)
    percentile: np.ndarray  # (P,) share of random pairs below each cosine, in %
    background: Background
    missing: list[tuple[str, str]]


def pairs(
    vectors: Source,
    word_pairs: Sequence[tuple[str, str]] | Sequence[str] = DEFAULT_PAIRS,
    background_: Background | None = None,
) -> Pairs:
    """Cosine and Euclidean distance of each pair ('king:queen' or ('king', 'queen')),
    and where its cosine stands among random pairs (its percentile)."""
    kv = keyed_vectors(vectors)
    bg = background_ or background(kv)
    kept, missing = [], []
    for a, b in _pairs_of(word_pairs):
        ka, kb = find(kv, a), find(kv, b)
        if ka is None or kb is None:
            missing.append((a, b))
        else:
            kept.append((ka, kb))
    if not kept:
        raise TlmError("none of the word pairs has both words in these vectors")
    cos = np.array([float(kv.similarity(a, b)) for a, b in kept])
    euclid = np.array([float(np.linalg.norm(kv[a] - kv[b])) for a, b in kept])
    pct = np.array([bg.percentile(c) for c in cos])
    return Pairs(kept, cos, euclid, pct, bg, missing)


# -- 4. neighbours ----------------------------------------------------------------------------
@dataclass(repr=False)
class Neighbors(Result):
    """The k nearest words to a query, with the table's random-pair background."""

    query: str
    words: list[str]
    scores: np.ndarray  # (k,) cosine, nearest first
    background_mean: float
    background_p99: float
    left_out: list[str] = field(default_factory=list)


_OPERATOR = re.compile(r"\s+([+-])\s+")


def parse_expression(expression: str) -> list[tuple[int, str]]:
    """'king - man + woman' -> [(+1, 'king'), (-1, 'man'), (+1, 'woman')].

    Operators need spaces around them, so 'well-known' stays one word; a
    leading '-' negates the first word."""
    text = expression.strip()
    sign = 1
    if text.startswith("-"):
        sign, text = -1, text[1:].strip()
    parts = _OPERATOR.split(text)
    terms = [(sign, parts[0])]
    for op, word in zip(parts[1::2], parts[2::2], strict=True):
        terms.append((1 if op == "+" else -1, word))
    bad = [w for _, w in terms if not w or w in "+-" or " " in w.strip()]
    if bad or not terms:
        raise TlmError(
            f"cannot read {expression!r}: write words joined by ' + ' and ' - ', "
            "e.g. 'king - man + woman'"
        )
    return [(s, w.strip()) for s, w in terms]


def vector(vectors: Source, expression: str) -> tuple[np.ndarray, list[str]]:
    """The vector of 'king' or of 'king - man + woman' (the raw rows added and
    subtracted, as the notebook writes it), and the words it used."""
    from tlm.geometry import key

    kv = keyed_vectors(vectors)
    total = np.zeros(kv.vector_size, dtype=np.float32)
    used = []
    for sign, word in parse_expression(expression):
        k = key(vectors, word)
        total = total + sign * kv[k]
        used.append(k)
    return total, used


def variants(word: str, candidates: Sequence[str]) -> list[str]:
    """The candidates that are surface variants of `word`: the same word in
    another case, or it plus (or minus) a common ending (king, King, kings, kingly)."""
    w = word.lower()
    out = []
    for c in candidates:
        lc = c.lower()
        short, long_ = sorted((w, lc), key=len)
        if lc == w or (long_.startswith(short) and long_[len(short):] in VARIANT_ENDINGS):
            out.append(c)
    return out


def _top(scores: np.ndarray, k: int, exclude: np.ndarray) -> np.ndarray:
    """Indices of the k highest scores, highest first, skipping `exclude`."""
    scores = scores.copy()
    scores[exclude] = -np.inf
    k = min(k, len(scores) - len(np.unique(exclude)))
    if k < 1:
        raise TlmError("no words are left once the query's own words are left out")
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")][:k]


def neighbors(
    vectors: Source,
    query: str | np.ndarray,
    k: int = 10,
    skip_variants: bool = False,
    background_: Background | None = None,
) -> Neighbors:
    """The k words of highest cosine with `query`: a word, an expression such as
    'king - man + woman' (its words left out), or a vector. One product with
    the unit matrix U. With skip_variants, the word's own surface variants
    (King, kings) are left out too. Beside the scores: the mean and 99th
    percentile cosine of random pairs in the same table."""
    kv = keyed_vectors(vectors)
    _check_k(k, kv)
    U = unit_rows(kv)
    if isinstance(query, str):
        q, used = vector(vectors, query)
        label = query
    else:
        q = np.asarray(query, dtype=np.float32)
        if q.shape != (kv.vector_size,):
            raise TlmError(f"a query vector has {kv.vector_size} numbers, not shape {q.shape}")
        if not np.any(q):
            raise TlmError("a vector of zeros has no direction, so no cosine similarity")
        used, label = [], "vector"
    left_out = list(used)
    if skip_variants:
        near = _top(U @ _unit(q), min(k + 50, len(kv) - 1), np.array([], dtype=int))
        candidates = [kv.index_to_key[i] for i in near]
        for w in used:
            left_out += [c for c in variants(w, candidates) if c not in left_out]
    exclude = np.array([kv.key_to_index[w] for w in left_out if kv.has_index_for(w)], dtype=int)
    scores = U @ _unit(q)  # (V,) cosine of every word with the query
    top = _top(scores, k, exclude)
    bg = background_ or background(kv)
    return Neighbors(label, [kv.index_to_key[i] for i in top], scores[top].astype(np.float64),
                     bg.cos_mean, bg.cos_p99, left_out)


# -- 5. analogy -------------------------------------------------------------------------------
@dataclass(repr=False)
class Analogy(Result):
    """a is to b as c is to ?: the words nearest to unit(b) - unit(a) + unit(c)."""

    a: str
    b: str
    c: str
    expected: str | None
    words: list[str]  # nearest to the result, a, b and c left out
    scores: np.ndarray  # (k,)
    rank: int | None  # of the expected word among the whole vocabulary (a, b, c left out)
    candidates: list[str]
    candidate_scores: np.ndarray  # (C,) the result's cosine with each candidate
    candidate_rank: int | None  # of the expected word among the candidates
    cos_expected: float | None  # cos(result, expected)
    cos_b: float  # cos(result, b): is the "answer" just b again?
    angle: float | None  # degrees between b - a and expected - c
    all_cos: np.ndarray  # (V,) the result's cosine with every word (the histogram)
    landmarks: dict[str, float]  # a, b, c, expected and the top word: their cosine


def analogy(
    vectors: Source,
    a: str,
    b: str,
    c: str,
    expected: str | None = None,
    candidates: Sequence[str] | None = None,
    k: int = 10,
) -> Analogy:
    """a is to b as c is to what? The k words nearest (by cosine) to
    r = unit(b) - unit(a) + unit(c) (gensim's most_similar), with the rank of
    an expected answer d among all words and among `candidates`,
    cos(r, d), cos(r, b), and the angle between the offsets b - a and d - c."""
    from tlm.geometry import key

    kv = keyed_vectors(vectors)
    _check_k(k, kv)
    ka, kb, kc = (key(vectors, w) for w in (a, b, c))
    kd = key(vectors, expected) if expected is not None else None
    U = unit_rows(kv)
    idx = [row(kv, w) for w in (ka, kb, kc)]
    r = _unit(U[idx[1]] - U[idx[0]] + U[idx[2]])  # (d,)
    all_cos = U @ r  # (V,)
    top = _top(all_cos, k, np.array(idx))
    if candidates is None:
        candidates = [w for w in ANALOGY_CANDIDATES if find(kv, w) is not None]
    cands, _ = lookup(kv, candidates)
    if kd is not None and kd not in cands:
        cands.append(kd)
    cand_scores = np.array([float(all_cos[row(kv, w)]) for w in cands])
    rank = cand_rank = cos_d = angle = None
    if kd is not None:
        d = row(kv, kd)
        cos_d = float(all_cos[d])
        others = np.delete(all_cos, idx) if d not in idx else all_cos
        rank = int(np.sum(others > cos_d)) + 1
        cand_rank = int(np.sum(cand_scores > cos_d)) + 1
        off1 = kv.vectors[idx[1]] - kv.vectors[idx[0]]
        off2 = kv.vectors[d] - kv.vectors[idx[2]]
        cosine = float(_unit(off1) @ _unit(off2))
        angle = float(np.degrees(np.arccos(np.clip(cosine, -1, 1))))
    marks = {w: float(all_cos[row(kv, w)]) for w in (ka, kb, kc)}
    if kd is not None:
        marks[kd] = cos_d
    marks[kv.index_to_key[top[0]]] = float(all_cos[top[0]])
    return Analogy(
        ka, kb, kc, kd, [kv.index_to_key[i] for i in top], all_cos[top].astype(np.float64),
        rank, cands, cand_scores, cand_rank, cos_d, float(all_cos[idx[1]]), angle,
        all_cos, marks,
    )


# -- 6. cosine against Euclidean ----------------------------------------------------------------
@dataclass(repr=False)
class CosEuclid(Result):
    """Every word's cosine with and Euclidean distance from a query."""

    query: str
    words: list[str]  # the table's words, in its order
    cos: np.ndarray  # (V,)
    euclid: np.ndarray  # (V,)
    disagree: list[tuple[str, int, int]]  # (word, rank by cosine, rank by distance)


def cos_vs_euclid(vectors: Source, query: str, n: int = 10, top: int = 100) -> CosEuclid:
    """For a word or an expression ('king - man + woman'): each word's cosine
    and distance, and the n words (among the `top` nearest by either measure)
    whose two ranks differ most. Cosine ignores length; distance does not."""
    kv = keyed_vectors(vectors)
    _check_size(kv, 2, "cos-vs-euclid")
    q, used = vector(vectors, query)
    cos = unit_rows(kv) @ _unit(q)  # (V,)
    euclid = np.linalg.norm(kv.vectors - q, axis=1)  # (V,)
    skip = [kv.key_to_index[w] for w in used if kv.has_index_for(w)]
    c, e = cos.astype(np.float64), euclid.astype(np.float64)
    c[skip], e[skip] = -np.inf, np.inf  # the query's own words rank last
    rank_cos = np.empty(len(kv), dtype=int)
    rank_cos[np.argsort(-c, kind="stable")] = np.arange(1, len(kv) + 1)
    rank_euc = np.empty(len(kv), dtype=int)
    rank_euc[np.argsort(e, kind="stable")] = np.arange(1, len(kv) + 1)
    near = np.flatnonzero((rank_cos <= top) | (rank_euc <= top))
    near = near[~np.isin(near, skip)]
    order = near[np.argsort(-np.abs(rank_cos[near] - rank_euc[near]), kind="stable")][:n]
    disagree = [(kv.index_to_key[i], int(rank_cos[i]), int(rank_euc[i])) for i in order]
    return CosEuclid(query, kv.index_to_key, cos.astype(np.float64), euclid.astype(np.float64),
                     disagree)


# -- 7. axes ----------------------------------------------------------------------------------
@dataclass(repr=False)
class Axes(Result):
    """Words projected on two named directions, raw and unit-normalised."""

    words: list[str]
    x_axis: tuple[str, str]  # from -> to: the direction to - from
    y_axis: tuple[str, str]
    raw: np.ndarray  # (n, 2) projections of the raw vectors on the unit axes
    unit: np.ndarray  # (n, 2) projections of the unit-length vectors
    missing: list[str]


def axes(
    vectors: Source,
    words: Sequence[str] = AXIS_WORDS,
    x: tuple[str, str] | str = ROYALTY,
    y: tuple[str, str] | str = GENDER,
) -> Axes:
    """Projection of each word on the directions x = to - from and y (by default
    royalty, man -> king, and gender, man -> woman), raw and with every word
    first scaled to length 1 (so only direction counts)."""
    from tlm.geometry import key

    kv = keyed_vectors(vectors)
    (xa, xb), (ya, yb) = _pairs_of([x, y])
    x_axis = (key(vectors, xa), key(vectors, xb))
    y_axis = (key(vectors, ya), key(vectors, yb))
    found, missing = lookup(kv, words)
    if not found:
        raise TlmError("none of the words is in these vectors")
    xhat = _unit(kv[x_axis[1]] - kv[x_axis[0]])  # (d,)
    yhat = _unit(kv[y_axis[1]] - kv[y_axis[0]])  # (d,)
    A = np.stack([xhat, yhat], axis=1)  # (d, 2)
    X = np.stack([kv[w] for w in found])  # (n, d)
    U = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    return Axes(found, x_axis, y_axis, (X @ A).astype(np.float64), (U @ A).astype(np.float64),
                missing)


# -- 8. directions ----------------------------------------------------------------------------
@dataclass(repr=False)
class Directions(Result):
    """How consistent a set of offsets (cat -> cats, dog -> dogs, ...) is."""

    pairs: list[tuple[str, str]]
    matrix: np.ndarray  # (P, P) cosines between the unit offsets
    consistency: float  # mean off-diagonal: the "plural consistency score"
    to_mean: np.ndarray  # (P,) each offset's cosine with the mean direction
    random_consistency: float  # the same score for offsets between random pairs
    missing: list[tuple[str, str]]


def _consistency(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(the unit offsets (P, d), their cosine matrix (P, P), its mean off-diagonal)."""
    units = offsets / np.maximum(np.linalg.norm(offsets, axis=1, keepdims=True), 1e-12)
    M = units @ units.T  # (P, P)
    P = len(M)
    return units, M, float((M.sum() - np.trace(M)) / (P * (P - 1)))


def directions(
    vectors: Source,
    word_pairs: Sequence[tuple[str, str]] | Sequence[str] = PLURAL_PAIRS,
    seed: int = 0,
) -> Directions:
    """Is a relation one direction? The offsets b - a of the pairs, scaled to
    length 1: their cosine matrix, its mean off-diagonal (near 1: one shared
    direction; near 0: unrelated), each offset against their mean direction,
    and the same score for as many offsets between random words (the baseline)."""
    kv = keyed_vectors(vectors)
    kept, missing = [], []
    for a, b in _pairs_of(word_pairs):
        ka, kb = find(kv, a), find(kv, b)
        if ka is None or kb is None:
            missing.append((a, b))
        else:
            kept.append((ka, kb))
    if len(kept) < 2:
        raise TlmError(
            f"directions needs at least 2 pairs with both words in the vectors; found {len(kept)}"
        )
    offsets = np.stack([kv[b] - kv[a] for a, b in kept]).astype(np.float64)  # (P, d)
    units, M, score = _consistency(offsets)
    to_mean = units @ _unit(units.mean(axis=0))  # (P,)
    _check_size(kv, 2, "directions")
    i, j = random_pairs(len(kv), len(kept), seed)
    _, _, random_score = _consistency((kv.vectors[j] - kv.vectors[i]).astype(np.float64))
    return Directions(kept, M, score, to_mean, random_score, missing)


# -- 9. numbers -------------------------------------------------------------------------------
@dataclass(repr=False)
class Numbers(Result):
    """Are neighbours in value neighbours in space?"""

    words: list[str]
    values: np.ndarray  # (n,) the position of each word in the list (1 for one, ...)
    matrix: np.ndarray  # (n, n) cosines
    adjacent: float  # mean cosine of pairs one apart in value (one-two, two-three)
    distant: float  # mean cosine of pairs at least `far` apart (one-six, ...)
    far: int
    missing: list[str]


def numbers(vectors: Source, words: Sequence[str] = NUMBER_WORDS, far: int = 5) -> Numbers:
    """The cosine matrix of number words (one..ten) and the mean cosine of
    pairs adjacent in value against pairs at least `far` apart."""
    kv = keyed_vectors(vectors)
    found, values, missing = [], [], []
    for v, w in enumerate(words, start=1):
        k = find(kv, w)
        if k is None:
            missing.append(w)
        else:
            found.append(k)
            values.append(v)
    if len(found) < 2:
        raise TlmError(f"numbers needs at least 2 of the words in the vectors; found {len(found)}")
    U = unit_rows(kv)[[row(kv, w) for w in found]]  # (n, d)
    M = (U @ U.T).astype(np.float64)  # (n, n)
    vals = np.array(values)
    gap = np.abs(vals[:, None] - vals[None, :])  # (n, n)
    adjacent = float(M[gap == 1].mean()) if (gap == 1).any() else float("nan")
    distant = float(M[gap >= far].mean()) if (gap >= far).any() else float("nan")
    return Numbers(found, vals, M, adjacent, distant, far, missing)


# -- 10. categories ---------------------------------------------------------------------------
@dataclass(repr=False)
class Categories(Result):
    """Mean cosine within and between groups of words, and a 2-D PCA of them."""

    groups: dict[str, list[str]]  # the known words of each group kept
    matrix: np.ndarray  # (G, G) mean cosine between groups; the diagonal is within
    within: float  # mean of the diagonal
    between: float  # mean of the off-diagonal
    words: list[str]
    group_of: np.ndarray  # (n,) index of each word's group
    coords: np.ndarray  # (n, 2) the words on the first two principal components
    missing: list[str]
    empty_groups: list[str]  # groups none of whose words the vectors have


def read_groups(path: str) -> dict[str, list[str]]:
    """Groups from a small text file, one per line: `name: word word word`
    (blank lines and lines starting with # are skipped)."""
    from tlm import paths

    text = paths.read_text(path, "groups file")
    groups: dict[str, list[str]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, words = line.partition(":")
        if not sep or not name.strip():
            raise TlmError(f"{path} line {n}: write a group as 'name: word word word'")
        if not words.split():
            raise TlmError(f"{path} line {n}: the group {name.strip()!r} has no words")
        groups[name.strip()] = words.split()
    if not groups:
        raise TlmError(f"{path} has no groups ('name: word word word' per line)")
    return groups


def categories(vectors: Source, groups: Mapping[str, Sequence[str]] = GROUPS) -> Categories:
    """Mean cosine within each group and between every two groups (the notebook's
    eight groups by default), and the groups' words on a 2-D PCA."""
    kv = keyed_vectors(vectors)
    kept: dict[str, list[str]] = {}
    missing, empty = [], []
    for name, words in groups.items():
        if not words:
            raise TlmError(f"the group {name!r} has no words")
        found, lacks = lookup(kv, words)
        missing += lacks
        found = list(dict.fromkeys(found))
        if found:
            kept[name] = found
        else:
            empty.append(name)
    all_words = [w for ws in kept.values() for w in ws]
    if len(all_words) < 3:
        raise TlmError(
            f"categories needs at least 3 known words across the groups; found {len(all_words)}"
        )
    U = unit_rows(kv)[[row(kv, w) for w in all_words]].astype(np.float64)  # (n, d)
    group_of = np.concatenate([np.full(len(ws), g) for g, ws in enumerate(kept.values())])
    S = U @ U.T  # (n, n)
    G = len(kept)
    M = np.full((G, G), np.nan)
    for g in range(G):
        for h in range(G):
            block = S[np.ix_(group_of == g, group_of == h)]
            if g == h:
                m = len(block)
                if m > 1:
                    M[g, g] = (block.sum() - np.trace(block)) / (m * (m - 1))
            else:
                M[g, h] = block.mean()
    off = M[~np.eye(G, dtype=bool)]
    return Categories(
        kept, M, float(np.nanmean(np.diag(M))) if np.isfinite(np.diag(M)).any() else float("nan"),
        float(off.mean()) if off.size else float("nan"), all_words, group_of,
        _pca_coords(U, 2), missing, empty,
    )


def _pca_coords(X: np.ndarray, n: int) -> np.ndarray:
    """Rows of X on its first n principal components (an SVD of the centred rows)."""
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    coords = Xc @ Vt[:n].T
    if coords.shape[1] < n:  # fewer dimensions than components: pad with zeros
        coords = np.pad(coords, ((0, 0), (0, n - coords.shape[1])))
    return coords


# -- 11. matrix -------------------------------------------------------------------------------
@dataclass(repr=False)
class Matrix(Result):
    """A slice of the embedding matrix: some words x the first dimensions."""

    words: list[str]
    values: np.ndarray  # (n, D)


def matrix(
    vectors: Source, n: int = 20, dims: int = 50, seed: int = 0,
    words: Sequence[str] | None = None,
) -> Matrix:
    """n random words (seeded; or the words given) x the first `dims` dimensions."""
    kv = keyed_vectors(vectors)
    _check_size(kv, 1, "matrix")
    if n < 1 or dims < 1:
        raise TlmError(f"matrix needs at least 1 word and 1 dimension, not {n} x {dims}")
    if words:
        found, _ = lookup(kv, words)
        if not found:
            raise TlmError("none of the words is in these vectors")
    else:
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(len(kv), size=min(n, len(kv)), replace=False))
        found = [kv.index_to_key[i] for i in rows]
    X = np.stack([kv[w] for w in found])[:, :dims]
    return Matrix(found, X.astype(np.float64))


# -- 12. hubness ------------------------------------------------------------------------------
@dataclass(repr=False)
class Hubness(Result):
    """How often each word is among the others' k nearest neighbours."""

    k: int
    words: list[str]  # the sample
    counts: np.ndarray  # (m,) N_k: in how many k-nearest lists each word appears
    skewness: float  # of N_k: large and positive means a few hubs are everyone's neighbour
    hubs: list[tuple[str, int]]  # the words of highest N_k
    sampled: bool


def hubness(
    vectors: Source, k: int = 10, sample: int = 20000, seed: int = 0, top: int = 10,
    block: int = 1024,
) -> Hubness:
    """N_k for every word of a seeded sample (the whole table when it is
    smaller): each sampled word's k nearest among the sample, by cosine,
    counted. The skewness of N_k measures hubness (0 for a fair spread)."""
    from scipy.stats import skew

    kv = keyed_vectors(vectors)
    _check_size(kv, 2, "hubness")
    m = min(sample, len(kv))
    if m < 2:
        raise TlmError(f"the sample must hold at least 2 words, not {sample}")
    if not isinstance(k, int | np.integer) or k < 1 or k >= m:
        raise TlmError(f"k must be from 1 to {m - 1} (the sample holds {m} words), not {k!r}")
    rows = np.arange(m)
    if m < len(kv):
        rows = np.sort(np.random.default_rng(seed).choice(len(kv), size=m, replace=False))
    S = unit_rows(kv)[rows]  # (m, d)
    counts = np.zeros(m, dtype=np.int64)
    for start in range(0, m, block):
        sims = S[start:start + block] @ S.T  # (b, m)
        b = len(sims)
        sims[np.arange(b), start + np.arange(b)] = -np.inf  # a word is not its own neighbour
        nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]  # (b, k)
        counts += np.bincount(nearest.ravel(), minlength=m)
    words = [kv.index_to_key[i] for i in rows]
    order = np.argsort(-counts, kind="stable")[:top]
    sk = float(skew(counts)) if counts.std() > 0 else 0.0
    return Hubness(k, words, counts, sk, [(words[i], int(counts[i])) for i in order], m < len(kv))


# -- 13. pca ----------------------------------------------------------------------------------
@dataclass(repr=False)
class PCA(Result):
    """The variance spectrum of a table and its anisotropy."""

    explained: np.ndarray  # (d,) share of variance per principal component, largest first
    n90: int  # components holding 90% of the variance
    cos_raw: float  # mean random-pair cosine of the vectors as they are
    cos_centred: float  # ... after subtracting the mean vector


def pca(vectors: Source, n_pairs: int = 5000, seed: int = 0) -> PCA:
    """Explained variance per principal component (an SVD of the centred
    matrix), how many components hold 90%, and the random-pair cosine before
    and after centring: a table whose random pairs score far above 0 is
    anisotropic (all vectors share one direction), and centring removes it."""
    kv = keyed_vectors(vectors)
    _check_size(kv, 3, "pca")
    X = np.asarray(kv.vectors, dtype=np.float64)  # (V, d)
    Xc = X - X.mean(axis=0)
    # The variances along the principal components are the squared singular values
    # of Xc, which are the singular values of the small (d, d) matrix Xc^T Xc.
    var = np.linalg.svd(Xc.T @ Xc, compute_uv=False)  # (d,) largest first
    if var.sum() == 0:
        raise TlmError("pca: every vector is the same, there is no variance to explain")
    explained = var / var.sum()
    n90 = int(np.searchsorted(np.cumsum(explained), 0.9 - 1e-12) + 1)
    i, j = random_pairs(len(kv), n_pairs, seed)

    def mean_cos(A: np.ndarray) -> float:
        a, b = A[i], A[j]
        den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        return float(np.mean(np.einsum("nd,nd->n", a, b) / np.maximum(den, 1e-12)))

    return PCA(explained, n90, mean_cos(X), mean_cos(Xc))


# -- 14. overlap ------------------------------------------------------------------------------
@dataclass(repr=False)
class Overlap(Result):
    """How much two or more tables agree, over the words they share."""

    labels: list[str]
    shared: int  # words every table has
    words: list[str]  # the words whose neighbours are compared
    k: int
    jaccard: np.ndarray  # (S, S) mean Jaccard overlap of the k-nearest sets
    per_word: np.ndarray  # (S, S, n) the overlap for each word
    spearman: np.ndarray  # (S, S) rank correlation of random pairs' cosines


def overlap(
    sources: Mapping[str, Source], words: Sequence[str] | None = None, k: int = 10,
    n_words: int = 200, n_pairs: int = 5000, seed: int = 0, frequent: int = 10000,
) -> Overlap:
    """For the same words in each table: the Jaccard overlap |A & B| / |A | B|
    of their k nearest words (searched among the shared vocabulary only), and
    the Spearman correlation of the cosines of n_pairs random shared pairs.
    Without `words`, n_words seeded words from the `frequent` first shared ones."""
    from scipy.stats import spearmanr

    if len(sources) < 2:
        raise TlmError("overlap compares two or more sources; give at least two")
    labels = list(sources)
    kvs = [keyed_vectors(v) for v in sources.values()]
    shared = [w for w in kvs[0].index_to_key if all(w in kv.key_to_index for kv in kvs[1:])]
    if len(shared) < 3:
        raise TlmError(f"the sources share only {len(shared)} words; overlap needs at least 3")
    _check_k(k, kvs[0])
    if k >= len(shared):
        raise TlmError(f"k={k} is too large: the sources share only {len(shared)} words")
    position = {w: i for i, w in enumerate(shared)}
    if words:
        chosen = [w for w in words if w in position]
        if not chosen:
            raise TlmError("none of the words is in every source")
    else:
        rng = np.random.default_rng(seed)
        pool = min(frequent, len(shared))
        chosen = [shared[i] for i in np.sort(rng.choice(pool, min(n_words, pool), replace=False))]
    rows = np.array([position[w] for w in chosen])
    Us = [unit_rows(kv)[[row(kv, w) for w in shared]] for kv in kvs]  # (n_shared, d)
    near = []
    for U in Us:
        sims = U[rows] @ U.T  # (n, n_shared)
        sims[np.arange(len(rows)), rows] = -np.inf
        near.append([set(r) for r in np.argpartition(-sims, k - 1, axis=1)[:, :k]])
    S = len(kvs)
    per_word = np.ones((S, S, len(rows)))
    i, j = random_pairs(len(shared), n_pairs, seed)
    cos = [np.einsum("nd,nd->n", U[i], U[j]) for U in Us]
    rho = np.ones((S, S))
    for s in range(S):
        for t in range(s + 1, S):
            per_word[s, t] = per_word[t, s] = [
                len(a & b) / len(a | b) for a, b in zip(near[s], near[t], strict=True)
            ]
            r = spearmanr(cos[s], cos[t]).statistic
            rho[s, t] = rho[t, s] = float(r)
    return Overlap(labels, len(shared), chosen, k, per_word.mean(axis=2), per_word, rho)


# -- 15. frequency ----------------------------------------------------------------------------
@dataclass(repr=False)
class Frequency(Result):
    """Word frequency rank against vector length."""

    words: list[str]
    ranks: np.ndarray  # (V,) 1 = most frequent
    norms: np.ndarray  # (V,)
    spearman: float  # rank correlation of rank and norm
    ranks_from: str  # "counts" (the model counted its words) or "order" (file order)


def frequency(source: Source) -> Frequency:
    """Each word's frequency rank against the length of its vector. A tlm model
    knows its counts; GloVe and word2vec files list words most frequent first,
    so their order is the rank."""
    from scipy.stats import spearmanr

    kv = keyed_vectors(source)
    _check_size(kv, 2, "frequency")
    words = list(kv.index_to_key)
    if isinstance(source, Model):
        count_of = dict(zip(source.vocab, source.word_counts, strict=True))
        counts = np.array([count_of.get(w, 0) for w in words])
        how = "counts"
    elif "count" in kv.expandos and np.any(kv.expandos["count"]):  # a file that had counts
        counts = np.asarray(kv.expandos["count"])
        how = "counts"
    else:
        counts = None
        how = "order"
    if counts is not None and np.ptp(counts) > 0:
        ranks = np.empty(len(words), dtype=int)
        ranks[np.argsort(-counts, kind="stable")] = np.arange(1, len(words) + 1)
    else:
        ranks = np.arange(1, len(words) + 1)
        how = "order"
    n = np.sqrt(np.einsum("vd,vd->v", kv.vectors, kv.vectors, dtype=np.float64))  # (V,)
    rho = float(spearmanr(ranks, n).statistic) if np.ptp(n) > 0 else float("nan")
    return Frequency(words, ranks, n, rho, how)


# -- 16. loss ---------------------------------------------------------------------------------
@dataclass(repr=False)
class Loss(Result):
    """A model's training curve."""

    epochs: np.ndarray  # (n,)
    loss: np.ndarray  # (n,)
    val_loss: np.ndarray  # (n,) NaN where there was no held-out part


def loss(model: Source) -> Loss:
    """The loss, and held-out loss when there was any, per epoch of a model."""
    if not isinstance(model, Model):
        raise TlmError("a training curve needs a tlm model file (--model), not pretrained vectors")
    if not model.history:
        raise TlmError("the model has no training history (it was never trained)")
    h = model.history
    return Loss(
        np.array([e.get("epoch", i + 1) for i, e in enumerate(h)]),
        np.array([e["loss"] for e in h], dtype=np.float64),
        np.array([e.get("val_loss", np.nan) for e in h], dtype=np.float64),
    )
