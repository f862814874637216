"""Skip-gram with negative sampling (SGNS): word2vec's way of learning word
vectors from which words appear near which.

Every word has two vectors: an input vector v_w = E[w] (the word vectors a
learner looks at and compares) and an output vector u_w = E_out[w] (the word
as something to be predicted; word2vec's `syn1neg`).

The pairs: at each position t of the text a window r_t is drawn uniformly
from 1..window (so near words pair up more often than far ones), and every
word w at most r_t positions from the centre word c = text[t] makes a
positive pair (w, c), in which w's input vector should predict c. This is the
way round word2vec's C code and gensim train skip-gram (each context word
predicts its centre word); "the centre predicts each context word" gives the
same pairs, since a window reaches as far left as right. Each positive pair
gets K negative words n_1..n_K drawn from the unigram distribution raised to
the 3/4 power, P(n) ~ count(n)^0.75; a draw that is the true word c itself is
skipped, as word2vec and gensim do. The loss of one pair is

    L = -log sigmoid(u_c . v_w) - sum_k log sigmoid(-u_{n_k} . v_w)     (n_k != c)

Write s_j = u_j . v_w for the K+1 output words j in (c, n_1, ..., n_K), with
label y_j = 1 for the true word c and 0 for a negative. Since
sigmoid(-s) = 1 - sigmoid(s), L is a logistic-regression loss per output word,
and its gradients by hand (no autodiff) are

    dL/ds_j = sigmoid(s_j) - y_j = g_j                                  scalar
    dL/du_j = g_j * v_w                                                 (d,)
    dL/dv_w = sum_j g_j * u_j                                           (d,)

and SGD moves u_j -= lr * g_j * v_w and v_w -= lr * sum_j g_j * u_j, both
from the values before the step. The learning rate decays linearly from --lr
to almost zero over all epochs (train.py's "linear" schedule).

Frequent words are subsampled before the windows are taken: each occurrence
of a word seen f times in a text of T words is kept with probability

    keep(w) = (sqrt(f / (sample * T)) + 1) * (sample * T) / f          (at most 1)

which is the formula of the word2vec C code (and gensim). It is below 1 only
for words whose share of the text f / T is above about 2.6 * sample (where
sqrt(x) + 1 = x, x = f / (sample * T)); rarer words are always kept. The paper
gives a different formula, and as a *discard* probability: 1 - sqrt(t / f'),
with f' = f / T the word's relative frequency. With sample = 0 every word is
kept. Words seen fewer than --min-count times are dropped from the text
altogether, as word2vec does.

Batches: a step takes B pairs at once. Each pair contributes its full
gradient, exactly as in the textbook step (so a batch of one is word2vec's
update), but all B are computed from the arrays as they were at the start of
the batch, and a row that occurs in several pairs receives the sum of their
updates (stale within the batch, like Hogwild! training). The pairs come in
the order of the text, as in word2vec, so a batch covers the windows of about
B / (window + 1) consecutive centre words. The batch size hardly changes the
vectors (benchmarks/README.md). A batch holds at most V pairs: in a small
vocabulary the same pairs would come back many times in one batch, and their
summed updates, all computed before any is applied, would overshoot. With
several workers, whose batches are in flight at the same time, the batches of
all workers together hold at most V pairs (V / workers each).

An epoch's pairs are made in chunks of consecutive centre words and trained on
chunk by chunk, so a text of any length needs the same memory.

On every core: as word2vec and gensim do, training runs `--workers` threads (by
default one per core), each taking the next batch and running `_step` on it
without waiting for the others (Hogwild!, tlm/models/hogwild.py). Their steps
write E and E_out at the same time, so a run on more than one worker is not
repeatable to the bit; `--workers 1` is. Splitting each step over the cores
instead (`gradients` on row blocks of a batch, which gives one core's update to
the bit, as the embedding model does) was slower than one thread: a skip-gram
step is too short for two hand-offs (benchmarks/skipgram_two_cores.py).

Start values as word2vec: E uniform in [-0.5/d, 0.5/d), E_out zero.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from tlm.errors import TlmError
from tlm.models.base import Model
from tlm.models.config import SkipGramConfig
from tlm.models.sparse import scatter_add, scatter_add_outer
from tlm.models.threaded import cores

#: Negatives are drawn by picking a random entry of a table in which each word
#: fills a share of the entries proportional to count^0.75 (as word2vec does).
NOISE_TABLE_SIZE = 2**20

#: An epoch's pairs are made and trained on in chunks of consecutive centre words,
#: each with at most this many candidate pairs (2 * window per centre word), so that
#: a text of any length needs the same memory: about CHUNK_BYTES_PER_PAIR each
#: (positions, masks, word ids, negatives) at 5 negatives, some 300 MB a chunk.
PAIRS_PER_CHUNK = 2**22
CHUNK_BYTES_PER_PAIR = 72

#: Batches of fewer pairs than this are trained on one thread (see `workers`).
MIN_PAIRS_PER_WORKER = 512


class Text(NamedTuple):
    """The training text as `prepare` leaves it for `epoch_examples`."""

    ids: np.ndarray    # (N,) word ids, all documents one after another
    doc: np.ndarray    # (N,) which document each word is in (no window spans two)
    keep: np.ndarray   # (V,) chance that an occurrence of each word survives subsampling
    noise: np.ndarray  # (NOISE_TABLE_SIZE,) word ids to draw negatives from


class SkipGramModel(Model):
    type = "skipgram"
    Config = SkipGramConfig
    array_names = ("E", "E_out")
    predicts_next_word = False
    lr_schedule = "linear"
    uses_unk = False
    empty_epoch = ("subsampling left no two neighbouring words in this epoch (the text is "
                   "short; --sample 0 keeps every word)")

    config: SkipGramConfig
    E_out: np.ndarray  # (V, d) output vectors: row j is word j as the word to predict

    @classmethod
    def init_arrays(
        cls, V: int, config: SkipGramConfig, rng: np.random.Generator, dtype=np.float32
    ) -> dict[str, np.ndarray]:
        d = config.dim
        return {
            "E": ((rng.random((V, d)) - 0.5) / d).astype(dtype),  # (V, d) input vectors
            "E_out": np.zeros((V, d), dtype=dtype),               # (V, d) output vectors
        }

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        V, d = len(self.vocab), self.config.dim
        return {"E": (V, d), "E_out": (V, d)}

    # -- the maths -------------------------------------------------------------
    def gradients(
        self, inputs: np.ndarray, targets: np.ndarray, negatives: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray]]:
        """B pairs: input words w (B,), the words c they should predict (B,), and K
        negatives for each (B, K) -> (the pairs' summed loss, per pair: {"E": dL/dv_w
        (B, d), "g": g_j (B, K+1) and "v": v_w (B, d), the two factors of
        dL/du_j = g_j * v_w}), for `_step` to add into E and E_out."""
        out = np.concatenate([targets[:, None], negatives], axis=1)  # (B, K+1) words j: c, n_k
        real = negatives != targets[:, None]             # (B, K)      a negative that is c itself
                                                         #             is skipped, as in word2vec
        v = np.take(self.E, inputs, axis=0)              # (B, d)      v_w = E[inputs]
        u = np.take(self.E_out, out, axis=0)             # (B, K+1, d) u_j = E_out[out]
        s = np.matvec(u, v)                              # (B, K+1)    s_j = u_j . v_w:
                                                         #   np.einsum("bjd,bd->bj", u, v)

        # L = -log sigmoid(s_c) - sum_k log sigmoid(-s_k); -log sigmoid(-s) = s - log sigmoid(s).
        # -log sigmoid(s) = log(1 + exp(-s)) overflows in float32 for s < -88.7 (exp(-s) = inf);
        # written as max(-s, 0) + log(1 + exp(-|s|)) it never does. (np.logaddexp(0, -s) is the
        # same, and about 8 times slower in float32.)
        nll = np.maximum(-s, 0) + np.log1p(np.exp(-np.abs(s)))  # (B, K+1) -log sigmoid(s_j)
        loss = nll[:, 0].sum() + ((s[:, 1:] + nll[:, 1:]) * real).sum()  # the B pairs' L, summed
        g = np.exp(-nll)                                 # (B, K+1)    sigmoid(s_j)
        g[:, 0] -= 1.0                                   # (B, K+1)    g_j = sigmoid(s_j) - y_j
        g[:, 1:] *= real                                 #             0 for a skipped negative
        dv = np.vecmat(g, u)                             # (B, d)      dL/dv_w = sum_j g_j u_j:
                                                         #   np.einsum("bj,bjd->bd", g, u)
        return float(loss), {"E": dv, "g": g, "v": v}

    def _step(
        self, inputs: np.ndarray, targets: np.ndarray, negatives: np.ndarray, lr: float
    ) -> float:
        """One SGD step on B pairs (see `gradients`). Returns the mean loss of a pair.
        (Training keeps B at most V: see `pairs_per_batch`.)"""
        loss, grad = self.gradients(inputs, targets, negatives)
        out = np.concatenate([targets[:, None], negatives], axis=1)  # (B, K+1) words j: c, n_k
        # SGD, every pair's update from the arrays as they were before the step; a word
        # in several pairs gets the sum of their updates (sparse.py adds them up as
        # np.add.at does, faster):
        #     u_j -= lr * g_j * v_w            for each pair and each j in (c, n_1..n_K)
        #     v_w -= lr * dL/dv_w              for each pair
        g, v = grad["g"], grad["v"]                      # (B, K+1), (B, d)
        scatter_add_outer(self.E_out, out, -lr * g, v)   # np.add.at(self.E_out, out,
                                                         #   -lr * g[:, :, None] * v[:, None, :])
        scatter_add(self.E, inputs, -lr * grad["E"])     # np.add.at(self.E, inputs, -lr * dv)
        return loss / len(inputs)

    def settle(self, documents: list[np.ndarray], given: set[str]) -> None:
        """Record the number of workers that will train (see `workers`: at most the
        number asked for), so that the model file says whether the run repeats to
        the bit (one worker) or not."""
        self.config.workers = self.workers()

    def workers(self) -> int:
        """Threads that take batches side by side, never waiting for each other
        (tlm/models/hogwild.py): --workers, by default every core; fewer if their
        batches would be under MIN_PAIRS_PER_WORKER pairs (V / workers caps them, see
        `pairs_per_batch`), where a thread's hand-offs would cost more than it gives."""
        if self.config.batch_size < MIN_PAIRS_PER_WORKER:
            return 1
        wanted = self.config.workers or cores()
        return max(1, min(wanted, len(self.vocab) // MIN_PAIRS_PER_WORKER))

    def pairs_per_batch(self) -> int:
        """B: --batch-size, but at most V pairs in all the batches in flight at once
        (one a worker): see the module docstring."""
        return max(1, min(self.config.batch_size, len(self.vocab) // self.workers()))

    # -- training data -----------------------------------------------------------
    def prepare(self, documents: list[np.ndarray]) -> Text:
        """The text as one id array with the document of each word, the
        subsampling probabilities and the noise table (all fixed for training)."""
        documents = [ids for ids in documents if len(ids)]
        if sum(len(ids) for ids in documents) < 2:
            raise TlmError("the text is too short: a skip-gram needs at least two words")
        ids = np.concatenate(documents).astype(np.int32)                      # (N,)
        doc = np.repeat(np.arange(len(documents), dtype=np.int32), [len(x) for x in documents])
        W = self.config.window
        if 2 * W > PAIRS_PER_CHUNK:  # not even one centre word's window fits in a chunk
            gigabytes = 2 * W * CHUNK_BYTES_PER_PAIR / 1e9
            raise TlmError(
                f"--window {W} would need about {gigabytes:.0f} GB for the neighbours of a "
                f"single word; use a smaller --window (at most {PAIRS_PER_CHUNK // 2})"
            )
        counts = np.bincount(ids, minlength=len(self.vocab))                   # (V,)
        keep = self.keep_probabilities(counts)                                 # (V,)
        expected = (keep * counts).sum()
        if expected < 2:
            raise TlmError(self._too_few_words(len(ids), expected))
        return Text(ids, doc, keep, self.noise_table(counts))

    def _too_few_words(self, n: int, expected: float) -> str:
        """Why an epoch would have (almost) no words: what --min-count left of the
        text and what --sample keeps of that, in words and per cent."""
        cfg, total = self.config, self.info.get("tokens", n)
        sample = f"--sample {cfg.sample:g} keeps about {expected / n:.0%}"
        if n == total:
            why = f"{sample} of the text's {n} words"
            fix = "--sample 0"
        else:  # --min-count dropped words
            V = len(self.vocab)
            words = " and ".join(self.vocab) if V <= 2 else f"{', '.join(self.vocab)}"
            which = f"only {words}" if V <= 12 else f"only {V} different words"
            why = (f"--min-count {cfg.min_count} leaves {n} of the text's {total} words ({which} "
                   f"{'is' if V == 1 else 'are'} seen {cfg.min_count} times or more), and "
                   f"{sample} of those")
            fix = "--sample 0 and a smaller --min-count (1 keeps every word)"
        return (f"too few words to train on: {why}, {expected:.1f} words per epoch "
                f"(subsampling is meant for long texts). On a short text use {fix}")

    def keep_probabilities(self, counts: np.ndarray) -> np.ndarray:
        """(V,) the chance that an occurrence of each word survives subsampling."""
        st = self.config.sample * counts.sum()                    # sample * T
        if st == 0:
            return np.ones(len(counts))
        f = np.maximum(counts, 1)                                 # (V,) counts f
        # (sqrt(f / st) + 1) * st / f, multiplied out so that a tiny --sample cannot
        # overflow f / st (it keeps almost nothing, as it should)
        return np.minimum(np.sqrt(st / f) + st / f, 1.0)          # (V,)

    def noise_table(self, counts: np.ndarray) -> np.ndarray:
        """(NOISE_TABLE_SIZE,) word ids, each word filling a share ~ count^0.75."""
        q = counts.astype(np.float64) ** 0.75                     # (V,)
        cdf = np.cumsum(q) / q.sum()                              # (V,)
        points = (np.arange(NOISE_TABLE_SIZE) + 0.5) / NOISE_TABLE_SIZE
        return np.searchsorted(cdf, points).astype(np.int32)

    def epoch_chunks(
        self, text: Text, rng: np.random.Generator
    ) -> tuple[int, Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """One epoch of pairs in the order of the text: the number of pairs P, and
        the pairs in chunks of consecutive centre words, each chunk as input words
        (P_i,), the centre words they predict (P_i,) and negatives (P_i, K).
        Subsampling, windows and negatives are drawn anew each epoch."""
        kept = rng.random(len(text.ids)) < text.keep[text.ids]   # (N,) subsampling
        ids, doc = text.ids[kept], text.doc[kept]                 # (M,) the subsampled text
        W, M = self.config.window, len(ids)
        r = rng.integers(1, W + 1, size=M)                        # (M,) window of each centre
        offsets = np.r_[-W:0, 1:W + 1].astype(np.int32)           # (2W,) -W..-1, 1..W
        per_chunk = max(1, PAIRS_PER_CHUNK // (2 * W))            # centre words per chunk

        def pairs_of(a: int, e: int) -> tuple[np.ndarray, np.ndarray]:
            """Centres a..e-1: their positions (n, 1) and which offsets pair (n, 2W)."""
            centre = np.arange(a, e, dtype=np.int32)[:, None]     # (n, 1)  position t
            context = np.clip(centre + offsets, 0, M - 1)         # (n, 2W) position t + o
            pair = (
                (np.abs(offsets) <= r[a:e, None])                 # inside the window r_t
                & (context - centre == offsets)                   # inside the text (not clipped)
                & (doc[context] == doc[centre])                   # inside the document
            )                                                     # (n, 2W)
            return centre, context, pair

        starts = range(0, M, per_chunk)
        first = pairs_of(0, min(per_chunk, M))  # kept: most texts are a single chunk
        P = int(first[2].sum()) + sum(
            int(pairs_of(a, min(a + per_chunk, M))[2].sum()) for a in starts[1:])
        # P can be 0 on a short text: subsampling left no two neighbouring words this
        # epoch. Training then skips the epoch with a note (tlm/train.py).

        def chunks() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
            nonlocal first
            for a in starts:
                centre, context, pair = first if a == 0 else pairs_of(a, min(a + per_chunk, M))
                first = None  # not held while the later chunks are made
                inputs = ids[context[pair]]                               # (P_i,) words w
                targets = ids[np.broadcast_to(centre, pair.shape)[pair]]  # (P_i,) centres c
                picks = rng.integers(0, len(text.noise), size=(len(inputs), self.config.negative))
                yield inputs, targets, np.take(text.noise, picks)         # (P_i, K) ~ count^0.75

        return P, chunks()

    def epoch_examples(
        self, text: Text, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One whole epoch of pairs at once (to look at; training streams the chunks):
        input words (P,), the centre words they predict (P,) and negatives (P, K)."""
        _, chunks = self.epoch_chunks(text, rng)
        parts = list(zip(*chunks, strict=True))
        return tuple(np.concatenate(p) for p in parts)  # type: ignore[return-value]

    def epoch_batches(
        self, text: Text, rng: np.random.Generator
    ) -> tuple[int, Iterator[list[np.ndarray]]]:
        """The epoch's P pairs in batches of `pairs_per_batch`, chunk by chunk."""
        P, chunks = self.epoch_chunks(text, rng)
        size = self.pairs_per_batch()

        def batches() -> Iterator[list[np.ndarray]]:
            for chunk in chunks:
                for start in range(0, len(chunk[0]), size):
                    yield [a[start : start + size] for a in chunk]

        return P, batches()
