"""The n-gram count model: how often each word followed each context seen.

This is the model the course started from. With a context of C words, one
pass over the text fills a matrix with one row per word and one column per
distinct context:

    counts[w, h] = how many times word w came right after the C words h     (V, K)
    p(w | h)     = counts[w, h] / sum_v counts[v, h]                         (none)

That is the maximum-likelihood estimate, and it says nothing at all about a
context it never saw (0 / 0): asking it to is an error that names the context,
which is the lesson. Two classic remedies (`--smoothing`):

- **laplace** (add-k): p(w | h) = (counts[w, h] + k) / (c(h) + k V). An unseen
  context gets the uniform 1 / V.
- **kneser-ney**: interpolated, modified Kneser-Ney (Chen & Goodman 1998).
  Subtract a discount D from every count seen, and give the mass taken away
  to a lower-order distribution over the last C - 1 words of the context:

      p(w | h) = max(c(h, w) - D(c(h, w)), 0) / c(h)  +  gamma(h) p(w | h')
      gamma(h) = (D1 N1(h) + D2 N2(h) + D3 N3+(h)) / c(h)

  where N1(h), N2(h), N3+(h) count the words seen once, twice, three or more
  times after h, and D(c) is D1, D2 or D3 for c = 1, 2, >= 3. The lower orders
  count not how often w came after h' but after how many different words
  ("continuation counts", N1+(. h' w)): "francisco" is frequent but follows
  only "san", so it should be rare after a context never seen. The lowest
  order interpolates with the uniform 1 / V, so every word has some mass and
  every distribution sums to one; a context never seen at an order passes all
  of its mass to the order below (gamma = 1). The discounts of each order come
  from its counts of counts n_r (how many n-grams were seen exactly r times):

      Y = n1 / (n1 + 2 n2),  D1 = 1 - 2Y n2/n1,  D2 = 2 - 3Y n3/n2,  D3 = 3 - 4Y n4/n3

  and `--discount D` uses one D for every order and count instead.

One pass counts every order at once: each position of the text adds one to
its (context, word) pair for its last C words, its last C - 1 words, ... and
the empty context (fewer at the start of a document). The model keeps them in
one table, `ngram_counts` (V, all contexts), whose contexts are padded on the
left with -1; `model.counts` is the top order's part of it, the (V, K) matrix
the course draws. Generation from a shorter prompt uses a shorter context.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.models.config import SMOOTHINGS, CountConfig
from tlm.vocab import UNKNOWN

__all__ = ["SMOOTHINGS", "CountConfig", "CountModel"]


#: -1: fills a context on the left where it is shorter than C words. A held-out or
#: prompt word outside the vocabulary (UNKNOWN, the same -1) so cuts the context
#: there: only the words after it count, as at the start of a text.
PAD = UNKNOWN


@dataclass
class Order:
    """The counts for contexts of k words (k = 0 is the unigram order)."""

    counts: scipy.sparse.csc_matrix  # (V, K) counts, or continuation counts (Kneser-Ney)
    contexts: np.ndarray  # (K, k) the context of each column, as word ids
    keys: np.ndarray  # (K,) each context as one number (`context_keys`), in sorted order
    totals: np.ndarray  # (K,) c(h) = sum_w counts[w, h]
    discounts: np.ndarray  # (4,) Kneser-Ney's D(0) = 0, D1, D2, D3+ (zeros otherwise)
    gamma: np.ndarray  # (K,) Kneser-Ney: the share of p(. | h) handed to the order below

    @classmethod
    def build(cls, counts: scipy.sparse.csc_matrix, contexts: np.ndarray) -> Order:
        keys = context_keys(contexts, counts.shape[0])
        totals = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
        K = counts.shape[1]
        return cls(counts, contexts, keys, totals, np.zeros(4), np.zeros(K))

    def find(self, contexts: np.ndarray) -> np.ndarray:
        """The column of each of (N, k) contexts, or -1 where this order never saw it."""
        q = context_keys(contexts, self.counts.shape[0])               # (N,)
        if not len(self.keys):
            return np.full(len(q), -1, dtype=np.intp)
        j = np.minimum(np.searchsorted(self.keys, q), len(self.keys) - 1)
        return np.where(self.keys[j] == q, j, -1)

    def column(self, context: tuple[int, ...]) -> int | None:
        """The column of one context, or None."""
        j = int(self.find(np.array([context], dtype=np.int64).reshape(1, len(context)))[0])
        return None if j < 0 else j

    def discount(self, c: np.ndarray) -> np.ndarray:
        """D(c) for counts c: 0 for an unseen pair, D1, D2, or D3+ for 3 and more."""
        return self.discounts[np.minimum(c, 3).astype(np.intp)]

    def set_discounts(self, fixed: float | None) -> None:
        """Chen & Goodman's three discounts from this order's counts of counts (or
        one fixed D); then gamma(h) = sum_w D(c(h, w)) / c(h) for every context."""
        self.discounts = np.array([0.0, *modified_kn_discounts(self.counts.data, fixed)])
        taken = np.add.reduceat(self.discount(self.counts.data), self.counts.indptr[:-1])
        taken[np.diff(self.counts.indptr) == 0] = 0.0      # reduceat's empty columns
        self.gamma = taken / self.totals                   # (K,)

    def at(self, contexts: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, ...]:
        """For each row of (N, k) contexts: c(h, target), c(h) and h's column (-1 if
        this order never saw h)."""
        j = self.find(contexts)
        seen = j >= 0
        c, total = np.zeros(len(j)), np.zeros(len(j))
        if seen.any():
            c[seen] = np.asarray(self.counts[targets[seen], j[seen]]).ravel()
            total[seen] = self.totals[j[seen]]
        return c, total, j


def modified_kn_discounts(counts: np.ndarray, fixed: float | None = None) -> tuple[float, ...]:
    """(D1, D2, D3+) from the counts of counts n1..n4 (Chen & Goodman 1998, eq. 26).

    A tiny text can lack the counts of counts the estimate needs (n2 = 0, say),
    or give a discount outside (0, r); then every count gets the simpler
    D = n1 / (n1 + 2 n2) of Ney et al. (0.5 when even that is undefined)."""
    if fixed is not None:
        return (fixed, fixed, fixed)
    n1, n2, n3, n4 = (int(np.count_nonzero(counts == r)) for r in (1, 2, 3, 4))
    if n1 and n2 and n3 and n4:
        Y = n1 / (n1 + 2 * n2)
        D = (1 - 2 * Y * n2 / n1, 2 - 3 * Y * n3 / n2, 3 - 4 * Y * n4 / n3)
        if all(0 < d < r for d, r in zip(D, (1, 2, 3), strict=True)):
            return D
    Y = n1 / (n1 + 2 * n2) if n1 and n2 else 0.5
    return (Y, Y, Y)


def count_matrix(
    contexts: np.ndarray, targets: np.ndarray, V: int, weights: np.ndarray | None = None
) -> tuple[scipy.sparse.csc_matrix, np.ndarray]:
    """Counting: (N, k) contexts and (N,) next words -> the (V, K) matrix of counts
    and the (K, k) distinct contexts of its columns, in sorted order."""
    N, k = contexts.shape
    keys, first, column = np.unique(context_keys(contexts, V), return_index=True,
                                    return_inverse=True)               # k = 0: one column
    unique = contexts[first]                                           # (K, k)
    data = np.ones(N, dtype=np.int64) if weights is None else weights
    counts = scipy.sparse.csc_matrix((data, (targets, column.ravel())), shape=(V, len(keys)))
    counts.sum_duplicates()  # repeated (word, context) pairs add up
    counts.sort_indices()
    return counts, unique.astype(np.int32)


def context_keys(contexts: np.ndarray, V: int) -> np.ndarray:
    """Each of (N, k) contexts as one int64: its word ids (+ 1, so PAD is 0) as the
    digits of a number in base V + 1. Contexts then sort, compare and are found
    (np.unique, np.searchsorted) as fast as numbers."""
    N, k = contexts.shape
    if (V + 1) ** k >= 2**63:
        raise TlmError(
            f"--context-window {k} is too long for a count model of {V} words "
            "(its contexts are numbered with 64 bits); use a shorter context"
        )
    keys = np.zeros(N, dtype=np.int64)
    for i in range(k):
        keys = keys * (V + 1) + (contexts[:, i].astype(np.int64) + 1)
    return keys


def every_order(contexts: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each (context, word) pair once per order it can count for: its last C words,
    its last C - 1 words (the rest set to PAD), ..., the empty context."""
    N, C = contexts.shape
    known = (contexts != PAD)[:, ::-1].cumprod(axis=1).sum(axis=1)   # (N,) words before, up to C
    rows, words = [], []
    for k in range(C + 1):
        has_k = known >= k
        h = contexts[has_k].copy()
        h[:, : C - k] = PAD                                        # keep the last k words
        rows.append(h)
        words.append(targets[has_k])
    return np.concatenate(rows), np.concatenate(words)


def lower_order_continuation(above: Order) -> tuple[scipy.sparse.csc_matrix, np.ndarray]:
    """Kneser-Ney's counts for contexts one word shorter: after how many different
    words each (context, word) came, N1+(. h w): every pair the order above saw
    (v h, w), whatever its count, adds one to (h, w). A pair at the very start of a
    document has no word before it and adds nothing here (KenLM would count its
    `<s>`); in a one-document novel that is a handful of pairs."""
    coo = above.counts.tocoo()
    ones = np.ones(coo.nnz, dtype=np.int64)
    return count_matrix(above.contexts[coo.col, 1:], coo.row, above.counts.shape[0], ones)


class CountModel(Model):
    type = "count"
    Config = CountConfig
    unknown_context = "reads only the words after it, as at the start of a text"
    array_names = ("ngram_counts", "ngram_contexts")
    sparse_arrays = frozenset({"ngram_counts"})
    predicts_next_word = True
    has_vectors = False

    config: CountConfig
    ngram_counts: scipy.sparse.csc_matrix  # (V, K) every order's counts: times w followed h
    ngram_contexts: np.ndarray  # (K, C) the context of each column, PAD on the left

    def __init__(self, *args, **kwargs) -> None:
        self._orders: list[Order] | None = None
        super().__init__(*args, **kwargs)

    @classmethod
    def init_arrays(cls, V: int, config: CountConfig, rng: np.random.Generator):
        return {
            "ngram_counts": scipy.sparse.csc_matrix((V, 0), dtype=np.int64),
            "ngram_contexts": np.zeros((0, config.context_window), dtype=np.int32),
        }

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        K = self.ngram_contexts.shape[0]
        return {"ngram_counts": (len(self.vocab), K),
                "ngram_contexts": (K, self.config.context_window)}

    def check_shapes(self) -> None:
        super().check_shapes()
        h, V = self.ngram_contexts, len(self.vocab)
        if h.size and not (PAD <= h.min() and h.max() < V):
            raise TlmError("array ngram_contexts holds word ids outside the vocabulary")
        if self.ngram_counts.nnz and self.ngram_counts.data.min() < 0:
            raise TlmError("array ngram_counts holds negative counts")

    # -- what a learner looks at -------------------------------------------------
    @property
    def counts(self) -> scipy.sparse.csc_matrix:
        """(V, K): counts[w, j] is how often word w came after the C words of
        context j (`model.contexts[j]`), as the course draws it."""
        return self.raw(self.config.context_window).counts

    @property
    def contexts(self) -> list[tuple[str, ...]]:
        """The context of each column of `counts`, as words."""
        ids = self.raw(self.config.context_window).contexts
        return [tuple(self.vocab[i] for i in h) for h in ids.tolist()]

    def row(self, context: str | list[str]) -> dict[str, int]:
        """The counts after a context (its words; at most C of them), most frequent
        first: row('wood chuck') -> {'could': 2, 'chuck': 1, 'would': 1}. {} if never seen."""
        h = tuple(self.ids(context).tolist())
        if len(h) > self.config.context_window:
            raise TlmError(
                f"the model's contexts have {self.config.context_window} words, "
                f"not {len(h)} ({self.context_name(h)!r})"
            )
        order = self.raw(len(h))
        j = order.column(h)
        if j is None:
            return {}
        col = order.counts[:, [j]].tocoo()
        pairs = sorted(zip(col.row.tolist(), col.data.tolist(), strict=True),
                       key=lambda p: (-p[1], p[0]))
        return {self.vocab[w]: int(c) for w, c in pairs}

    def context_name(self, ids: tuple[int, ...] | list[int]) -> str:
        return " ".join(self.vocab[i] for i in ids)

    # -- the orders, worked out from the one table ----------------------------------
    def raw(self, k: int) -> Order:
        """The plain counts for contexts of k words."""
        C = self.config.context_window
        h = self.ngram_contexts
        exactly_k = np.ones(len(h), dtype=bool)
        if k < C:
            exactly_k &= h[:, C - k - 1] == PAD
        if k > 0:
            exactly_k &= h[:, C - k] != PAD
        columns = np.flatnonzero(exactly_k)
        return Order.build(self.ngram_counts[:, columns], h[columns, C - k:])

    @property
    def orders(self) -> list[Order]:
        """orders[k]: what p(w | k words of context) is made of, k = 0..C. Plain
        counts, or for Kneser-Ney the top order's counts and continuation counts
        below it, with their discounts. Worked out on first use."""
        if self._orders is None:
            C = self.config.context_window
            if self.config.smoothing != "kneser-ney":
                self._orders = [self.raw(k) for k in range(C + 1)]
            else:
                orders = [self.raw(C)]
                for _ in range(C):
                    orders.insert(0, Order.build(*lower_order_continuation(orders[0])))
                for order in orders:
                    order.set_discounts(self.config.discount)
                self._orders = orders
        return self._orders

    @property
    def discounts(self) -> list[tuple[float, ...]]:
        """Kneser-Ney: (D1, D2, D3+) for each order, unigram first."""
        return [tuple(float(d) for d in order.discounts[1:]) for order in self.orders]

    # -- the maths -------------------------------------------------------------
    def _forward(self, context: list[int] | list[str] | str | np.ndarray) -> np.ndarray:
        """The next-word probabilities p (V,) after a context: words (`['wood',
        'chuck']`), one string of them (`'wood chuck'`) or ids, as the embedding
        model's `_forward` takes. Its last C words count, or all of them when it has
        fewer (or the words after an unknown one). `p` is `probabilities` for every
        word of the vocabulary as the next word."""
        ids = self.ids(context)
        C, V = self.config.context_window, len(self.vocab)
        h = np.full(C, PAD, dtype=np.int64)                      # (C,) PAD on the left
        if C:
            last = ids[-C:]
            h[C - len(last):] = last
        p = self.probabilities(np.broadcast_to(h, (V, C)), np.arange(V))  # (V,)
        if self.config.smoothing == "none" and not p.any():
            seen = h[C - int((h != PAD)[::-1].cumprod().sum()):]    # the words that counted
            raise TlmError(
                f"the count model never saw the context {self.context_name(seen)!r}, so "
                "--smoothing none cannot say what comes next (try --smoothing kneser-ney)"
            )
        return p

    def probabilities(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N,) p(target_i | context_i) for (N, C) contexts (PAD on the left where a
        text starts) and (N,) targets: the one place the smoothing is written."""
        N, C = contexts.shape
        V = len(self.vocab)
        known = (contexts != PAD)[:, ::-1].cumprod(axis=1).sum(axis=1)  # (N,) words of context
        p = np.zeros(N)
        if self.config.smoothing == "kneser-ney":
            p[:] = 1.0 / V                                        # uniform below the unigram
            for k in range(C + 1):                                # unigram, bigram, ... upwards
                order = self.orders[k]
                c, total, j = order.at(contexts[:, C - k:], targets)  # c(h, w), c(h), h's column
                use = (j >= 0) & (known >= k)                     # never seen: gamma = 1, p stays
                D = order.discount(c[use])
                p[use] = np.maximum(c[use] - D, 0) / total[use] + order.gamma[j[use]] * p[use]
        else:
            for k in range(C + 1):
                rows = known == k
                c, total, j = self.orders[k].at(contexts[rows, C - k:], targets[rows])
                if self.config.smoothing == "laplace":
                    a = self.config.add_k
                    if a <= 1:
                        p[rows] = (c + a) / (total + a * V)       # (c(h, w) + k) / (c(h) + k V)
                    else:  # the same over k, so that a huge k (1e308) cannot overflow
                        p[rows] = (c / a + 1) / (total / a + V)
                else:
                    p[rows] = np.divide(c, total, out=np.zeros_like(c), where=j >= 0)  # c(h,w)/c(h)
        return p

    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """log p(target | context) for (N, C) contexts and (N,) targets (see
        `probabilities`); -inf where `none` never saw the context or the word after it."""
        with np.errstate(divide="ignore"):
            return np.log(self.probabilities(contexts, targets))

    def _step(self, context: np.ndarray, target: np.ndarray, lr: float | None = None) -> float:
        """Count every (context, next word) pair for every order, added to anything
        counted before (training counts the whole text in this one step). Returns
        the mean loss -log p(next word | context) on the pairs just counted."""
        before = self.ngram_counts.tocoo()                       # what was counted so far
        h, w = every_order(context, target)
        contexts = np.concatenate([self.ngram_contexts[before.col], h])
        targets = np.concatenate([before.row, w])
        weights = np.concatenate([before.data, np.ones(len(w), np.int64)])
        self.ngram_counts, self.ngram_contexts = count_matrix(contexts, targets, len(self.vocab),
                                                              weights)
        self._orders = None  # worked out again when next needed
        return float(-self.log_probs(context, target).mean())

    # -- training data -----------------------------------------------------------
    def prepare(self, documents: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every position of every document, with the C words before it (PAD where
        the document starts): contexts (N, C) and next words (N,)."""
        C = self.config.context_window
        docs = [ids for ids in documents if len(ids)]
        if not docs:
            raise TlmError("the text has no words to count")
        padded = [np.concatenate([np.full(C, PAD, np.int32), ids]) for ids in docs]
        w = np.concatenate([np.lib.stride_tricks.sliding_window_view(ids, C + 1)
                            for ids in padded])                  # (N, C + 1)
        return np.ascontiguousarray(w[:, :C]), np.ascontiguousarray(w[:, C])

    def epoch_examples(self, prepared, rng: np.random.Generator):
        return prepared  # counting does not care about order

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        return self._forward(np.asarray(context, dtype=np.int64))
