"""Word-vector primitives, once: look-up, unit rows, cosine, neighbours, analogy, PCA.

Two words are similar when their vectors point the same way: the cosine
u . v / (|u| |v|) is 1 for the same direction, 0 for unrelated (orthogonal)
directions and -1 for opposite ones. With U, every row of the table scaled to
length 1 (built once per table and kept), "every word's cosine with q" is one
matrix-vector product, U @ (q / |q|).

Everything that asks a table of vectors a question (the shell, `wp`, `tlm
compare`, `tlm explore`, the atlas) calls these functions, so every answer is
the same answer:

    vec(kv, 'king - man + woman')        # the notebook's notation: the raw rows added
    neighbors(kv, 'king - man + woman')  # cosine to every word; king, man, woman left out
    analogy(kv, 'man', 'king', 'woman')  # the same question in three words

A source is a gensim `KeyedVectors` (GloVe, word2vec, a vectors file, a token
table) or a tlm model (its `E`, as `model.vectors`). Words are looked up as
given, else lower-cased, else capitalised; a word the table lacks is a
TlmError naming it with close spellings.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm import table
from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.vocab import spelling_hint

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

#: A gensim KeyedVectors or a tlm Model (its E).
Source = Any

#: How many of the most frequent words are searched for close spellings
#: (difflib takes 0.1 s over 50,000 GloVe words, 0.7 s over all 400,000).
SPELLING_SEARCH = 50000


class Scored(list):
    """A list of (word, score) pairs that prints as a column in the shell."""

    def __repr__(self) -> str:
        return table.scored(self) if self else "[]"


# -- the table of a source ----------------------------------------------------------------


def keyed_vectors(source: Source) -> KeyedVectors:
    """The gensim KeyedVectors of a model (`model.vectors`: its E, most frequent
    word first, the same table while E is unchanged and a fresh one after an
    edit or more training), or the KeyedVectors given."""
    return source.vectors if isinstance(source, Model) else source


def find(source: Source, word: str) -> str | None:
    """The key `word` has in the table: as given, else lower-cased (GloVe and
    models trained with `-t lower` only have lower-case words), else capitalised,
    else None. A key with a row of its own comes before a word that a token table
    (tlm/pretrained/hf.py) builds from several rows."""
    kv = keyed_vectors(source)
    candidates = (word, word.lower(), word.capitalize())
    for candidate in candidates:
        if kv.has_index_for(candidate):
            return candidate
    for candidate in candidates:
        if candidate in kv:
            return candidate
    return None


def missing_word(source: Source, word: str, label: str | None = None) -> TlmError:
    """The error for a word the table lacks, with close spellings: "<label> has
    no word 'x'"; without a label "the model has never seen the word 'x'" for a
    model and "the vectors have no word 'x'" otherwise."""
    words = keyed_vectors(source).index_to_key[:SPELLING_SEARCH]  # most frequent first
    hint = spelling_hint(word, words) or spelling_hint(word.lower(), words)
    if label is not None:
        return TlmError(f"{label} has no word {word!r}{hint}")
    if isinstance(source, Model):
        return TlmError(f"the model has never seen the word {word!r}{hint}")
    return TlmError(f"the vectors have no word {word!r}{hint}")


def key(source: Source, word: str, label: str | None = None) -> str:
    """The word as the table spells it (see `find`), or a TlmError (see `missing_word`)."""
    if not isinstance(word, str):
        raise TlmError(f"a word is a string such as 'emma', not {word!r}")
    found = find(source, word)
    if found is None:
        raise missing_word(source, word, label)
    return found


def row(kv: KeyedVectors, word: str) -> int:
    """The row of `word` (a key) in the table. A token table also answers for a
    word split into several tokens, which has no row: an error here."""
    if not kv.has_index_for(word):
        if hasattr(kv, "encode"):  # encoder: a text outside its word list is encoded, not a row
            raise TlmError(f"{word!r} is not in the sentence encoder's word list; this needs "
                           "one of its words (kv[text] encodes any text on its own)")
        raise TlmError(f"{word!r} is not one row of these vectors (a token table splits it "
                       "into several tokens); this needs words the table has")
    return kv.key_to_index[word]


def lookup(source: Source, words: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the keys of the words the table has, the words it lacks), in order."""
    found, missing = [], []
    for word in words:
        k = find(source, word)
        (found if k is not None else missing).append(k if k is not None else word)
    return found, missing


# -- unit rows ------------------------------------------------------------------------------
_unit_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def unit(v: np.ndarray) -> np.ndarray:
    """v / |v| (a zero vector stays zero)."""
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def unit_rows(source: Source, rows: np.ndarray | None = None) -> np.ndarray:
    """U: every row of the table scaled to length 1, (V, d) float32, so that
    U @ u is every word's cosine with the unit vector u. Built on first use and
    kept while the table's array is the same object (a zero row stays zero).
    With `rows`, only those rows, U[rows] (scaled alone, when U is not kept yet)."""
    kv = keyed_vectors(source)
    cached = _unit_cache.get(kv)
    if cached is not None and cached[0] is kv.vectors and cached[1].shape == kv.vectors.shape:
        return cached[1] if rows is None else cached[1][rows]
    if rows is not None:
        return _unit(np.asarray(kv.vectors[rows], dtype=np.float32))
    U = _unit(np.asarray(kv.vectors, dtype=np.float32))  # (V, d)
    _unit_cache[kv] = (kv.vectors, U)
    return U


def _unit(X: np.ndarray) -> np.ndarray:
    """The rows of X (N, d) scaled to length 1 (a zero row stays zero)."""
    norms = np.linalg.norm(X, axis=1, keepdims=True)  # (N, 1)
    return X / np.where(norms > 0, norms, 1)  # (N, d)


# -- vectors of words and of expressions ------------------------------------------------------
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
    if any(not w or w in "+-" or " " in w.strip() for _, w in terms):
        raise TlmError(f"cannot read {expression!r}: write words joined by ' + ' and ' - ', "
                       "e.g. 'king - man + woman'")
    return [(s, w.strip()) for s, w in terms]


def expression(source: Source, text: str) -> tuple[np.ndarray, list[str]]:
    """The vector of 'king' or of 'king - man + woman' (the raw rows added and
    subtracted, as the notebook writes it), and the keys of the words used. A
    sentence encoder's vectors take any text as one term."""
    kv = keyed_vectors(source)
    try:
        terms = parse_expression(text)
    except TlmError:
        if not hasattr(kv, "encode"):
            raise
        return kv[text], [text]  # a sentence encoder reads any text (encoder:)
    total = np.zeros(kv.vector_size, dtype=np.float32)
    used = []
    for sign, word in terms:
        k = key(source, word)
        total = total + sign * kv[k]
        used.append(k)
    return total, used


def vec(source: Source, text: str) -> np.ndarray:
    """The vector of a word (for a model its row of E itself,
    `model.E[model.word_to_idx[word]]`) or of an expression."""
    terms = parse_expression(text) if isinstance(text, str) else []
    if isinstance(source, Model) and len(terms) == 1 and terms[0][0] == 1:
        return source.E[source.word_to_idx[key(source, terms[0][1])]]
    v, _ = expression(source, text)
    return v


def onehot(model: Model, word: str) -> np.ndarray:
    """(V,) zeros with a 1 at the word's index: `onehot(model, w) @ model.E` is w's row of E."""
    x = np.zeros(len(model.vocab), dtype=model.E.dtype)
    x[model.word_to_idx[key(model, word)]] = 1.0
    return x


def query(source: Source, x: str | np.ndarray) -> tuple[np.ndarray, list[str], str]:
    """(the vector, the words it used, a label) of a word, an expression or a vector."""
    if isinstance(x, str):
        v, used = expression(source, x)
        return v, used, x
    d = keyed_vectors(source).vector_size
    try:
        v = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError):
        v = None
    if v is None or v.ndim != 1:
        raise TlmError(f"expected a word or a vector of {d} numbers, not {x!r}")
    if v.shape != (d,):  # e.g. a GloVe vector (50) asked of a 32-d model
        raise TlmError(f"expected a word or a vector of {d} numbers (as these vectors have), "
                       f"not one of {len(v)} numbers")
    if not np.any(v):
        raise TlmError("a vector of zeros has no direction, so no cosine similarity")
    return v, [], "vector"


def sim(source: Source, a: str | np.ndarray, b: str | np.ndarray) -> float:
    """Cosine similarity of a and b (from -1 to 1): words, expressions or vectors."""
    u, _, _ = query(source, a)
    v, _, _ = query(source, b)
    return float(unit(u.astype(np.float64)) @ unit(v.astype(np.float64)))


# -- neighbours and analogies ------------------------------------------------------------------
def check_k(k: Any, source: Source, what: str = "k") -> None:
    n = len(keyed_vectors(source))
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise TlmError(f"{what} must be a whole number of at least 1, not {k!r}")
    if k >= n:
        raise TlmError(f"{what}={k} is too large: the vectors have only {n} words")


def top(scores: np.ndarray, k: int, exclude: Sequence[int] = ()) -> np.ndarray:
    """Indices of the k highest scores, highest first, skipping `exclude`."""
    scores = scores.copy()
    exclude = np.unique(np.asarray(exclude, dtype=int))
    scores[exclude] = -np.inf
    k = min(k, len(scores) - len(exclude))
    if k < 1:
        raise TlmError("no words are left once the query's own words are left out")
    best = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return best[np.argsort(-scores[best], kind="stable")][:k]


class Nearest(Scored):
    """The k nearest words (word, cosine), and which words were left out."""

    def __init__(self, pairs: Iterable[tuple[str, float]], query: str,
                 left_out: Sequence[str], all_cos: np.ndarray) -> None:
        super().__init__(pairs)
        self.query = query
        self.left_out = list(left_out)
        self.all_cos = all_cos  # (V,) the query's cosine with every word

    @property
    def words(self) -> list[str]:
        return [w for w, _ in self]

    @property
    def scores(self) -> np.ndarray:
        return np.array([s for _, s in self], dtype=np.float64)


def neighbors(source: Source, x: str | np.ndarray, k: int = 10,
              exclude: Sequence[str] = ()) -> Nearest:
    """The k words of highest cosine with `x` (a word, 'king - man + woman', or
    a vector), nearest first (fewer when the table has fewer words). The query's
    own words, and `exclude`, are left out (a vector leaves nothing out);
    `.left_out` says which."""
    kv = keyed_vectors(source)
    q, used, label = query(source, x)
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise TlmError(f"k must be a whole number of at least 1, not {k!r}")
    left_out = list(dict.fromkeys([*used, *exclude]))
    cos = unit_rows(kv) @ unit(q)  # (V,) cosine of every word with the query
    best = top(cos, k, [kv.key_to_index[w] for w in left_out if kv.has_index_for(w)])
    return Nearest([(kv.index_to_key[i], float(cos[i])) for i in best], label, left_out, cos)


def analogy(source: Source, a: str, b: str, c: str, k: int = 10) -> Nearest:
    """a is to b as c is to what? The notebook's answer: the words of highest
    cosine with b - a + c (the raw vectors), a, b and c left out; the same list
    as `neighbors(source, 'b - a + c')`."""
    ka, kb, kc = (key(source, w) for w in (a, b, c))
    kv = keyed_vectors(source)
    near = neighbors(kv, kv[kb] - kv[ka] + kv[kc], k, exclude=[ka, kb, kc])
    near.query = f"{kb} - {ka} + {kc}"
    return near


# -- principal components ------------------------------------------------------------------
def pca(X: np.ndarray, n: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """(the rows of X on its first n principal components (N, n), the share of
    the variance each component holds (all of them, largest first)).

    Centre the rows, take the SVD Xc = U S Vt: the rows of Vt are the directions
    of largest variance, S**2 the variance along each. The same directions are
    the eigenvectors of the small (d, d) matrix Xc^T Xc = V S**2 Vt, which is how
    they are found here: LAPACK's SVD of a tall (2,000, 50) matrix took 0.8-1.6 s
    on this project's 2-core machine, the (d, d) eigendecomposition milliseconds.
    (Plain form: `_, S, Vt = np.linalg.svd(Xc, full_matrices=False)`.) A
    direction's sign is arbitrary either way; here its largest entry is positive,
    so a map does not flip between runs."""
    X = np.asarray(X, dtype=np.float64)
    Xc = X - X.mean(axis=0)  # (N, d)
    variance, V = np.linalg.eigh(Xc.T @ Xc)  # (d,) ascending, (d, d) one direction per column
    variance, V = np.clip(variance[::-1], 0, None), V[:, ::-1]  # largest first
    V = V * np.where(V[np.abs(V).argmax(axis=0), np.arange(V.shape[1])] < 0, -1, 1)  # (d, d)
    coords = Xc @ V[:, :n]  # (N, min(n, d))
    if coords.shape[1] < n:  # fewer dimensions than components: pad with zeros
        coords = np.pad(coords, ((0, 0), (0, n - coords.shape[1])))
    total = float(variance.sum())
    return coords, (variance / total if total > 0 else np.zeros_like(variance))


def pca_spectrum(X: np.ndarray, block: int = 65536) -> np.ndarray:
    """The share of variance of each principal component of the rows of X,
    largest first, for a tall X: the squared singular values of the centred
    rows are the eigenvalues of the small (d, d) matrix Xc^T Xc, which is summed
    over blocks of rows (Xc^T Xc = sum_b Xc_b^T Xc_b), so no centred float64
    copy of a large table is made."""
    mean = X.mean(axis=0, dtype=np.float64)  # (d,)
    scatter = np.zeros((X.shape[1], X.shape[1]))  # (d, d) Xc^T Xc
    for start in range(0, len(X), block):
        Xc = np.asarray(X[start:start + block], dtype=np.float64) - mean  # (b, d)
        scatter += Xc.T @ Xc
    var = np.linalg.svd(scatter, compute_uv=False)  # (d,)
    total = float(var.sum())
    return var / total if total > 0 else var


def random_pairs(V: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n seeded pairs (i, j) of distinct row indices below V."""
    rng = np.random.default_rng(seed)
    i = rng.integers(V, size=n)
    j = rng.integers(V - 1, size=n)
    j += j >= i  # skip i itself: j is uniform over the other V - 1 rows
    return i, j
