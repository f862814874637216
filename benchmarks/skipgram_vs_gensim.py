"""tlm's skip-gram against gensim's Word2Vec on Jane Austen's Emma: speed and
agreement of the nearest neighbours.

    NLTK_DATA=../shared/nltk_data python benchmarks/skipgram_vs_gensim.py [--repeats 5]

Both train on the same tokens (`-t lower -t alpha`) with the same settings:
skip-gram, d=100, window 5, 5 negatives, sample 1e-3, min-count 5, 5 epochs,
on one core (gensim `workers=1`, tlm `--workers 1`, BLAS held to one thread) and
on every core (gensim `workers=2`; tlm as `tlm train` runs it: a worker per core,
tlm/models/hogwild.py). Runs alternate tlm and gensim, so both see the same load
on a shared machine, and each figure is the median of --repeats.

- words/s: corpus words x epochs / wall time, where the wall time covers
  building the vocabulary and training (gensim: `Word2Vec(...)`; tlm:
  `build_model` + `train`), not reading the text. The ratio tlm / gensim is
  the speed target (>= 1.0).
- neighbour agreement: for 300 mid-frequency words (frequency ranks 100-399,
  below the function words), the mean share of the 10 nearest neighbours (by
  cosine) that two models have in common, averaged over every pair of runs:
  tlm vs gensim, against the yardstick gensim vs gensim with another seed; the
  ratio of the two is the quality target (>= 0.9).

gensim reads a text in sentences of at most 10,000 words, so the novel is
given to it in pieces of 10,000 words (15 window edges in 161,603 words).

- whole process (--whole N, the default 5 runs): the command a learner types,
  timed from start to exit, against gensim's whole process on the same text:
  `tlm train --model skipgram --gutenberg austen-emma.txt -t lower -t alpha ...`
  (reading and tokenizing included; both cores, as a user runs it) against
  `python -c "Word2Vec(LineSentence(tokens.txt), workers=1 or 2, ...)"` reading the
  same tokens from a file, one line of 10,000 words each, and saving its vectors.
  The ratio gensim / tlm is the target (>= 1.0); "beyond training" is tlm's
  whole time minus the epochs' own seconds (target < 0.5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if "--threads" not in os.sys.argv:  # one BLAS thread, like workers=1 (before numpy loads)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

import numpy as np  # noqa: E402
from machine import describe  # noqa: E402  (benchmarks/machine.py)

from tlm.corpus import load_corpus  # noqa: E402  (NLTK_DATA must be set first)
from tlm.train import build_model, train  # noqa: E402

SETTINGS = {"dim": 100, "window": 5, "negative": 5, "sample": 1e-3, "min_count": 5}


def run_gensim(tokens: list[str], epochs: int, seed: int, workers: int = 1):
    from gensim.models import Word2Vec

    sentences = [tokens[i : i + 10000] for i in range(0, len(tokens), 10000)]
    t0 = time.perf_counter()
    w2v = Word2Vec(
        sentences, sg=1, vector_size=SETTINGS["dim"], window=SETTINGS["window"],
        negative=SETTINGS["negative"], sample=SETTINGS["sample"],
        min_count=SETTINGS["min_count"], epochs=epochs, workers=workers, seed=seed,
    )
    return w2v.wv, time.perf_counter() - t0


def run_tlm(corpus, epochs: int, seed: int, batch_size: int | None, workers: int | None = None):
    """tlm's training as `tlm train` runs it (a worker per core: tlm/models/hogwild.py),
    or with `workers` (1: the plain loop, repeatable to the bit)."""
    settings = {**SETTINGS, "epochs": epochs, "seed": seed, "batch_size": batch_size,
                "workers": workers}
    t0 = time.perf_counter()
    model, docs = build_model("skipgram", corpus, settings)
    train(model, docs)
    return model.vectors, time.perf_counter() - t0


GENSIM_SCRIPT = """
import sys
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
tokens, out, seed, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
workers = int(sys.argv[5])
w2v = Word2Vec(LineSentence(tokens), sg=1, vector_size=100, window=5, negative=5, sample=1e-3,
               min_count=5, epochs=epochs, workers=workers, seed=seed)
w2v.wv.save_word2vec_format(out, binary=True)
"""


def seconds(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, every core) of one run of `cmd`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_processes(tokens: list[str], epochs: int, repeats: int) -> None:
    """tlm train and a gensim script (workers=1 and workers=2) as whole
    processes, taken in turn."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    tlm_cmd = [sys.executable, "-c", "from tlm.cli import main; main()", "train", "--model",
               "skipgram", "--gutenberg", "austen-emma.txt", "-t", "lower", "-t", "alpha",
               "--dim", "100", "--window", "5", "--negative", "5", "--sample", "1e-3",
               "--min-count", "5", "--epochs", str(epochs), "--output"]
    names = ("gensim w1", "gensim w2", "tlm")
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    beyond: list[float] = []
    print(f"whole processes, load average at the start {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = Path(tmp) / "tokens.txt"
        corpus_file.write_text("\n".join(" ".join(tokens[i : i + 10000])
                                         for i in range(0, len(tokens), 10000)) + "\n")
        for r in range(repeats):
            seed = str(r + 1)
            for workers in (1, 2):
                w, c = seconds([sys.executable, "-c", GENSIM_SCRIPT, str(corpus_file),
                                str(Path(tmp) / "g.bin"), seed, str(epochs), str(workers)], env)
                wall[f"gensim w{workers}"].append(w)
                cpu[f"gensim w{workers}"].append(c)
            out = Path(tmp) / f"tlm{r}.json"
            w, c = seconds([*tlm_cmd, str(out), "--seed", seed, "--quiet"], env)
            wall["tlm"].append(w)
            cpu["tlm"].append(c)
            history = json.loads(out.read_text())["history"]
            beyond.append(w - sum(e["seconds"] for e in history))
            print("  whole process run " + seed + ": " + ", ".join(
                f"{n} {wall[n][-1]:.2f} s (CPU {cpu[n][-1]:.2f} s)" for n in names)
                + f"; tlm {beyond[-1]:.2f} s beyond its epochs; load {load()}", flush=True)
    med = {n: statistics.median(wall[n]) for n in names}
    print(f"whole process, median of {repeats} (wall s / CPU s): " + ", ".join(
        f"{n} {med[n]:.2f} / {statistics.median(cpu[n]):.2f}" for n in names))
    for workers in (1, 2):
        ratios = [g / t for g, t in zip(wall[f"gensim w{workers}"], wall["tlm"], strict=True)]
        print(f"  gensim workers={workers} / tlm: {statistics.median(ratios):.2f} (median of "
              f"same-run ratios, runs {min(ratios):.2f}-{max(ratios):.2f}; target >= 1.0)")
    print(f"  tlm beyond its epochs {statistics.median(beyond):.2f} s (target < 0.5 s)")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def neighbours(kv, words: list[str], k: int = 10) -> list[set[str]]:
    return [{w for w, _ in kv.most_similar(word, topn=k)} for word in words]


def overlap(a: list[set[str]], b: list[set[str]]) -> float:
    """Mean share of the k nearest neighbours two models agree on."""
    return float(np.mean([len(x & y) / len(x) for x, y in zip(a, b, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, help="tlm's pairs per step (its default)")
    parser.add_argument("--threads", action="store_true",
                        help="leave BLAS its default threads (tlm may use both cores)")
    parser.add_argument("--whole", type=int, default=5,
                        help="whole-process runs of each (0: none)")
    args = parser.parse_args()
    print(describe())

    corpus = load_corpus([], ["austen-emma.txt"], ["lower", "alpha"])
    tokens = corpus.documents[0]
    n_words = corpus.n_tokens
    counts: dict[str, int] = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    ranked = sorted((w for w, c in counts.items() if c >= SETTINGS["min_count"]),
                    key=lambda w: (-counts[w], w))
    probe = ranked[100:400]
    print(f"Emma: {n_words} words, {len(ranked)} with count >= {SETTINGS['min_count']}; "
          f"probe: ranks 100-399 (counts {counts[probe[-1]]}-{counts[probe[0]]}); "
          f"settings {SETTINGS}, {args.epochs} epochs, {args.repeats} repeats")

    speed: dict[str, list[float]] = {"tlm": [], "tlm 1 core": [], "gensim": [], "gensim w2": []}
    nn: dict[str, list] = {"tlm": [], "gensim": []}
    for r in range(args.repeats):
        seed = r + 1
        kv_g, t_g = run_gensim(tokens, args.epochs, seed)
        _, t_g2 = run_gensim(tokens, args.epochs, seed, workers=2)
        kv_t, t_t = run_tlm(corpus, args.epochs, seed, args.batch_size)
        _, t_t1 = run_tlm(corpus, args.epochs, seed, args.batch_size, workers=1)
        for name, t in (("gensim", t_g), ("gensim w2", t_g2), ("tlm", t_t), ("tlm 1 core", t_t1)):
            speed[name].append(n_words * args.epochs / t)
        for name, kv in (("gensim", kv_g), ("tlm", kv_t)):
            nn[name].append(neighbours(kv, probe))
        print(f"  run {seed}: gensim workers=1 {t_g:.2f} s, workers=2 {t_g2:.2f} s; tlm as "
              f"tlm train runs it {t_t:.2f} s, --workers 1 {t_t1:.2f} s; load {load()}",
              flush=True)

    med = {name: statistics.median(v) for name, v in speed.items()}
    print("words/s (median): " + ", ".join(f"{n} {med[n]:,.0f}" for n in speed))
    for ours, peer in (("tlm 1 core", "gensim"), ("tlm", "gensim w2"), ("tlm", "gensim")):
        ratios = [t / g for t, g in zip(speed[ours], speed[peer], strict=True)]
        print(f"  {ours} / {peer}: {med[ours] / med[peer]:.2f} (median of same-run ratios "
              f"{statistics.median(ratios):.2f}, runs {min(ratios):.2f}-{max(ratios):.2f}; "
              "target >= 1.0)")

    R = args.repeats
    tg = [overlap(t, g) for t in nn["tlm"] for g in nn["gensim"]]
    gg = [overlap(nn["gensim"][a], nn["gensim"][b]) for a in range(R) for b in range(a + 1, R)]
    tt = [overlap(nn["tlm"][a], nn["tlm"][b]) for a in range(R) for b in range(a + 1, R)]
    print(f"10-NN overlap (mean over all pairs of runs): tlm vs gensim {np.mean(tg):.3f}", end="")
    if gg:
        yard = float(np.mean(gg))
        print(f", gensim vs gensim (other seed) {yard:.3f}, tlm vs tlm {np.mean(tt):.3f}; "
              f"(tlm vs gensim) / (gensim vs gensim) {np.mean(tg) / yard:.2f} (target >= 0.9)")
    else:
        print(" (use --repeats 2 or more for the gensim-vs-gensim yardstick)")
    if args.whole:
        whole_processes(tokens, args.epochs, args.whole)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (shared machine)")


if __name__ == "__main__":
    main()
