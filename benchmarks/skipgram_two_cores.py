"""Can tlm's skip-gram step use a second core here? Three ways of training on two,
against one thread and gensim, on the same batches of Emma, in the same run.

    NLTK_DATA=../shared/nltk_data python benchmarks/skipgram_two_cores.py [--repeats 5]

Issue 22 asks the skip-gram to lead gensim `workers=2`, which runs its compiled
per-pair loop in two threads that write the shared arrays without waiting
(Hogwild). tlm's step is NumPy (tlm/models/skipgram.py: `gradients`, then
`_step`'s two scatter-adds); what two threads can do with it:

- **split, bit-equal**: the pairs of a batch in two halves through `gradients`
  (one per thread), then the scatter-adds split by rows of E and E_out (each
  thread adds only into its own half of the rows, in pair order): the same
  update as one thread, to the bit (checked here), at two hand-offs a step.
- **Hogwild threads**: two threads, each running whole `_step`s on every other
  batch, never waiting (gensim's way; the result then depends on timing).
- **Hogwild processes**: the same with two forked processes sharing E and E_out
  (no GIL at all).
- **Hogwild threads, V/2 pairs a batch**: as `tlm train` runs them (the batches in
  flight hold at most V pairs together: tlm/models/skipgram.py).

Beside them, how this machine's two cores scale plain vectorised work (`np.exp`
over 4 M floats in one thread, then in two at once) and the step's gradient chain
(gathers, scores, g u) with no writes. Each figure is one epoch of Emma's pairs
(d 100, window 5, 5 negatives, sample 1e-3, min-count 5, batches of 2,048),
started from the same arrays (those after one epoch), median of --repeats, with
the same-run ratio to one thread; gensim's own epoch of the same text with 1
and 2 workers (vocabulary built before the clock) in the same rounds. BLAS is held to one thread.
"""

from __future__ import annotations

import argparse
import mmap
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
from machine import describe  # noqa: E402  (benchmarks/machine.py)

from tlm.corpus import load_corpus  # noqa: E402
from tlm.models.sparse import _kernel  # noqa: E402
from tlm.train import build_model, random_streams  # noqa: E402

SETTINGS = {"dim": 100, "window": 5, "negative": 5, "sample": 1e-3, "min_count": 5,
            "epochs": 1, "seed": 1}
LR = 0.01


def scatter_rows(target, rows, weights, vectors, lo: int, hi: int) -> None:
    """target[rows[b, j]] += weights[b, j] * vectors[b], only for rows in [lo, hi),
    in the order of (b, j): what sparse.scatter_add_outer adds there, to the bit."""
    n = len(rows)
    V, d = target.shape
    mine = (rows >= lo) & (rows < hi)                           # (n, m)
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(mine.sum(axis=1), out=indptr[1:])                 # column b: its entries in range
    _kernel()(V, n, d, indptr, rows[mine].astype(np.int32),
              np.ascontiguousarray(weights[mine], dtype=target.dtype),
              np.ascontiguousarray(vectors, dtype=target.dtype).reshape(-1), target.reshape(-1))


def shared(a: np.ndarray) -> np.ndarray:
    """A copy of `a` in memory that forked processes share."""
    s = np.frombuffer(mmap.mmap(-1, a.nbytes), dtype=a.dtype).reshape(a.shape)
    s[...] = a
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(describe())

    corpus = load_corpus([], ["austen-emma.txt"], ["lower", "alpha"])
    model, docs = build_model("skipgram", corpus, SETTINGS)
    _, chunks = model.epoch_chunks(model.prepare(docs), random_streams(1)[1])
    size = model.config.batch_size
    chunks = list(chunks)
    batches = [tuple(a[s:s + size] for a in c) for c in chunks for s in range(0, len(c[0]), size)]
    half = len(model.vocab) // 2  # what `tlm train` gives each of two workers (V / workers)
    halves = [tuple(a[s:s + half] for a in c) for c in chunks for s in range(0, len(c[0]), half)]
    model.E, model.E_out = shared(model.E), shared(model.E_out)
    pool = ThreadPoolExecutor(1)

    def one() -> None:
        for b in batches:
            model._step(*b, lr=LR)

    def split() -> None:
        V = len(model.E)
        for b in batches:
            h = len(b[0]) // 2
            other = pool.submit(model.gradients, *(x[:h] for x in b))
            _, g2 = model.gradients(*(x[h:] for x in b))
            _, g1 = other.result()
            g = {k: np.concatenate([g1[k], g2[k]]) for k in g1}
            out = np.concatenate([b[1][:, None], b[2]], axis=1)
            ones = np.full((len(b[0]), 1), -LR, dtype=np.float32)

            other = pool.submit(add, 0, V // 2, out, g, b[0], ones)
            add(V // 2, V, out, g, b[0], ones)
            other.result()

    def add(lo: int, hi: int, out, g, inputs, ones) -> None:
        scatter_rows(model.E_out, out, -LR * g["g"], g["v"], lo, hi)
        scatter_rows(model.E, inputs[:, None], ones, g["E"], lo, hi)

    def hogwild_threads(batches=batches) -> None:
        def run(k: int) -> None:
            for b in batches[k::2]:
                model._step(*b, lr=LR)
        t = threading.Thread(target=run, args=(0,))
        t.start()
        run(1)
        t.join()

    def hogwild_processes() -> None:
        pid = os.fork()
        for b in batches[(pid == 0)::2]:
            model._step(*b, lr=LR)
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)

    one()  # the arrays after an epoch: the figures start from trained values
    E0, O0 = model.E.copy(), model.E_out.copy()

    def reset() -> None:
        model.E[...] = E0
        model.E_out[...] = O0

    one()
    reference = model.E.copy(), model.E_out.copy()
    reset()
    split()
    equal = np.array_equal(reference[0], model.E) and np.array_equal(reference[1], model.E_out)
    print(f"Emma: {len(batches)} batches of at most {size} pairs a epoch; the split step "
          f"{'equals' if equal else 'DIFFERS FROM'} one thread's, to the bit")

    big = np.random.default_rng(0).random(4_000_000, dtype=np.float32)
    v_rows = [np.take(model.E, b[0], axis=0) for b in batches[:100]]

    def chain(k: int) -> None:  # the read-only part of a step, on every other batch
        for b, v in zip(batches[k:100:2], v_rows[k::2], strict=False):
            out = np.concatenate([b[1][:, None], b[2]], axis=1)
            u = np.take(model.E_out, out, axis=0)
            np.vecmat(np.matvec(u, v), u)

    def exp_work(k: int) -> None:
        for _ in range(10):
            np.exp(big)

    def in_threads(work, threads: int) -> None:
        if threads == 1:
            work(0)
            work(1)
            return
        t = threading.Thread(target=work, args=(0,))
        t.start()
        work(1)
        t.join()

    from gensim.models import Word2Vec
    tokens = corpus.documents[0]
    sentences = [tokens[i:i + 10000] for i in range(0, len(tokens), 10000)]

    def gensim(workers: int):
        w2v = Word2Vec(sg=1, vector_size=100, window=5, negative=5, sample=1e-3, min_count=5,
                       workers=workers, seed=1)
        w2v.build_vocab(sentences)
        return lambda: w2v.train(sentences, total_examples=len(sentences), epochs=1)

    runs = {
        "np.exp, 1 thread": lambda: in_threads(exp_work, 1),
        "np.exp, 2 threads": lambda: in_threads(exp_work, 2),
        "gradient chain, 1 thread": lambda: in_threads(chain, 1),
        "gradient chain, 2 threads": lambda: in_threads(chain, 2),
        "tlm step, 1 thread": one,
        "split, bit-equal": split,
        "Hogwild threads": hogwild_threads,
        "Hogwild threads, V/2 pairs a batch": lambda: hogwild_threads(halves),
        "Hogwild processes": hogwild_processes,
        "gensim workers=1": gensim(1),
        "gensim workers=2": gensim(2),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for r in range(args.repeats):
        for name, run in runs.items():
            reset()
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
        print(f"  round {r + 1}: load average {os.getloadavg()[0]:.1f}", flush=True)

    base = {"np.exp, 2 threads": "np.exp, 1 thread",
            "gradient chain, 2 threads": "gradient chain, 1 thread",
            "split, bit-equal": "tlm step, 1 thread", "Hogwild threads": "tlm step, 1 thread",
            "Hogwild threads, V/2 pairs a batch": "tlm step, 1 thread",
            "Hogwild processes": "tlm step, 1 thread",
            "gensim workers=2": "gensim workers=1"}
    print(f"{'':42s} {'median s':>9s}  speed-up over one thread (same-run ratios)")
    for name, ts in times.items():
        line = f"{name:42s} {statistics.median(ts):9.3f}"
        if name in base:
            ratios = [a / b for a, b in zip(times[base[name]], ts, strict=True)]
            line += (f"  {statistics.median(ratios):.2f}x "
                     f"({min(ratios):.2f}-{max(ratios):.2f})")
        print(line)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (shared machine)")


if __name__ == "__main__":
    main()
