"""Word-vector geometry: cosine similarity, nearest neighbours, analogies.

Two words are similar when their vectors point the same way: the cosine
similarity u . v / (|u| |v|) is 1 for the same direction, 0 for unrelated
(orthogonal) directions and -1 for opposite ones. The nearest neighbours of a
word are the words of highest cosine with it, and the analogy "a is to b as c
is to ?" is answered by the words nearest to b - a + c (king - man + woman ~
queen), leaving out a, b and c themselves.

Every helper takes a gensim `KeyedVectors` (pretrained GloVe or word2vec) or a
tlm model (its `model.vectors`, the rows of E), and uses gensim's own
`similarity` and `most_similar`, so every source is measured the same way.
`sim` and `neighbors` take a word or a vector (`vec('cat') - vec('dog')`).
A word the vectors do not have is a TlmError that names it and suggests
close spellings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.vocab import spelling_hint

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

#: How many of the most frequent words are searched for close spellings
#: (difflib takes 0.1 s over 50,000 GloVe words, 0.7 s over all 400,000).
SPELLING_SEARCH = 50000


class Scored(list):
    """A list of (word, score) pairs that prints as a small table in the shell."""

    def __repr__(self) -> str:
        if not self:
            return "[]"
        width = max(len(word) for word, _ in self)
        return "\n".join(f"{word:<{width}}  {score:.3f}" for word, score in self)


def keyed_vectors(vectors: KeyedVectors | Model) -> KeyedVectors:
    """The gensim KeyedVectors of a model (its E), or the KeyedVectors given."""
    return vectors.vectors if isinstance(vectors, Model) else vectors


def find(vectors: KeyedVectors | Model, word: str) -> str | None:
    """The key `word` has in the vectors: as given, else lower-cased (GloVe and
    models trained with `-t lower` only have lower-case words), else capitalised
    (a model trained without `-t lower` knows 'Emma', not 'emma'), else None.
    A key with a row of its own comes before a word that vectors such as a
    token table (tlm/pretrained/hf.py) build from several rows."""
    kv = keyed_vectors(vectors)
    candidates = (word, word.lower(), word.capitalize())
    for candidate in candidates:  # a row of the table first
        if kv.has_index_for(candidate):
            return candidate
    for candidate in candidates:  # then a word the vectors make from pieces (hf: token tables)
        if candidate in kv:
            return candidate
    return None


def key(vectors: KeyedVectors | Model, word: str, label: str | None = None) -> str:
    """The word as the vectors spell it (see `find`), or a TlmError with close
    spellings: "<label> has no word 'x'"; without a label "the model has never
    seen the word 'x'" for a model and "the vectors have no word 'x'" otherwise."""
    if not isinstance(word, str):
        raise TlmError(f"a word is a string such as 'emma', not {word!r}")
    found = find(vectors, word)
    if found is not None:
        return found
    words = keyed_vectors(vectors).index_to_key[:SPELLING_SEARCH]  # most frequent first
    hint = spelling_hint(word, words) or spelling_hint(word.lower(), words)
    if label is not None:
        raise TlmError(f"{label} has no word {word!r}{hint}")
    if isinstance(vectors, Model):
        raise TlmError(f"the model has never seen the word {word!r}{hint}")
    raise TlmError(f"the vectors have no word {word!r}{hint}")


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < 1:
        raise TlmError(f"k must be a whole number of at least 1, not {k!r}")


def vec(vectors: KeyedVectors | Model, word: str) -> np.ndarray:
    """The vector of `word`: for a model its row of E (`model.E[model.word_to_idx[word]]`)."""
    found = key(vectors, word)
    if isinstance(vectors, Model):
        return vectors.E[vectors.word_to_idx[found]]
    return vectors[found]


def onehot(model: Model, word: str) -> np.ndarray:
    """(V,) zeros with a 1 at the word's index: `onehot(model, w) @ model.E` is w's row of E."""
    x = np.zeros(len(model.vocab), dtype=model.E.dtype)
    x[model.word_to_idx[key(model, word)]] = 1.0
    return x


def vector(vectors: KeyedVectors | Model, x: str | np.ndarray) -> np.ndarray:
    """A word's vector (see `vec`), or `x` itself when it is already a vector of
    the right length (and not all zeros: cosine needs a direction)."""
    if isinstance(x, str):
        return vec(vectors, x)
    d = keyed_vectors(vectors).vector_size
    try:
        v = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        v = None
    if v is None or v.shape != (d,):
        raise TlmError(f"expected a word or a vector of {d} numbers, not {x!r}")
    if not np.any(v):
        raise TlmError("a vector of zeros has no direction, so no cosine similarity")
    return v


def sim(vectors: KeyedVectors | Model, a: str | np.ndarray, b: str | np.ndarray) -> float:
    """Cosine similarity of a and b (from -1 to 1): words or vectors."""
    if isinstance(a, str) and isinstance(b, str):
        kv = keyed_vectors(vectors)
        return float(kv.similarity(key(vectors, a), key(vectors, b)))
    u, v = vector(vectors, a), vector(vectors, b)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def neighbors(vectors: KeyedVectors | Model, word: str | np.ndarray, k: int = 10) -> Scored:
    """The k words nearest to `word` by cosine similarity, nearest first. For a
    word, the word itself is left out; for a vector, every word counts."""
    _check_k(k)
    kv = keyed_vectors(vectors)
    if isinstance(word, str):
        return Scored(kv.most_similar(key(vectors, word), topn=k))
    return Scored(kv.similar_by_vector(vector(vectors, word).astype(np.float32), topn=k))


def analogy(vectors: KeyedVectors | Model, a: str, b: str, c: str, k: int = 5) -> Scored:
    """a is to b as c is to what? The k words nearest to b - a + c (by cosine,
    on unit-length vectors), leaving out a, b and c."""
    _check_k(k)
    kv = keyed_vectors(vectors)
    ka, kb, kc = (key(vectors, w) for w in (a, b, c))
    return Scored(kv.most_similar(positive=[kb, kc], negative=[ka], topn=k))
