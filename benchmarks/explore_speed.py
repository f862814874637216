"""The geometry explorer's four speed targets (issue 11), on GloVe's 400,000 words.

    python benchmarks/explore_speed.py --repeats 5

1. neighbours of one word, once the normalised matrix exists: under 30 ms
   (reference: gensim's most_similar on the same KeyedVectors);
2. the random-pair background of 5,000 pairs: under 0.5 s
   (reference: gensim's similarity, one pair at a time);
3. hubness, k = 10, on a 20,000-word sample: under 10 s
   (reference, on a 5,000-word sample: the same count with a full argsort per row);
4. `tlm explore norms --pretrained glove-wiki-gigaword-50 --png x.png`, the whole
   process from a warm cache: under 5 s (reference: `wp similar king`, which also
   starts Python and loads GloVe).

Each figure is the median of --repeats runs, the reference timed alternately in
the same run; the ratio is reference / tlm (above 1: tlm is faster). The machine
may be shared: absolute times are noisy, the same-run ratios less so.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tlm import explore as ex  # noqa: E402
from tlm import pretrained  # noqa: E402

WORDS = ["king", "computer", "happy", "river", "paris", "run", "music", "science"]


def cpu() -> str:
    """The CPU's name and the widest SIMD level its flags show."""
    name, flags = platform.processor() or "unknown", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    levels = ["avx512f", "avx2", "avx", "sse4_2"]
    simd = next((lvl.upper() for lvl in levels if lvl in flags), "unknown")
    return f"{name}, {os.cpu_count()} cores, SIMD {simd}"


def timed(fn, *args, **kwargs) -> float:
    t = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t


def row(name: str, ours: list[float], ref: list[float], target: float, unit: str = "s") -> None:
    scale = 1000 if unit == "ms" else 1
    o, r = statistics.median(ours), statistics.median(ref)
    ratios = sorted(b / a for a, b in zip(ours, ref, strict=True))
    verdict = "met" if o < target else "NOT met"
    print(f"| {name} | {o * scale:.3g} {unit} | {r * scale:.3g} {unit} | {r / o:.2f} "
          f"(runs {ratios[0]:.2f}-{ratios[-1]:.2f}) | < {target * scale:g} {unit}: {verdict} |")


def pairwise_gensim(kv, i: np.ndarray, j: np.ndarray) -> list[float]:
    """The reference background: gensim's similarity, one pair at a time."""
    keys = kv.index_to_key
    return [float(kv.similarity(keys[a], keys[b])) for a, b in zip(i, j, strict=True)]


def full_sort_hubness(kv, k: int, sample: int, seed: int) -> np.ndarray:
    """The reference: the same N_k, sorting each row of similarities in full."""
    rows = np.sort(np.random.default_rng(seed).choice(len(kv), size=sample, replace=False))
    S = ex.unit_rows(kv)[rows]
    counts = np.zeros(sample, dtype=np.int64)
    for i in range(sample):
        sims = S @ S[i]
        sims[i] = -np.inf
        counts[np.argsort(-sims)[:k]] += 1
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n = args.repeats

    print(cpu())
    print(f"Python {platform.python_version()}, numpy {np.__version__}")
    t = time.perf_counter()
    kv = pretrained.load(pretrained.GLOVE)
    print(f"GloVe: {len(kv)} words x {kv.vector_size} (loaded in {time.perf_counter() - t:.2f} s)")
    t = time.perf_counter()
    ex.unit_rows(kv)
    print(f"the normalised matrix, built once: {time.perf_counter() - t:.2f} s")
    kv.fill_norms()  # gensim's own cache of norms, so its most_similar is timed warm too
    kv.most_similar("king", topn=10)
    print()
    print("| measure (median) | tlm | reference | ratio | target |")
    print("|---|---|---|---|---|")

    ours, ref = [], []
    for _ in range(n):
        for word in WORDS:
            ours.append(timed(ex.neighbors, kv, word, 10))
            ref.append(timed(kv.most_similar, word, topn=10))
    row("neighbours of one word (gensim most_similar)", ours, ref, 0.030, "ms")

    ours, ref = [], []
    for r in range(n):
        seed = 100 + r  # a new seed each time: no cached background
        ours.append(timed(ex.background, kv, 5000, seed))
        i, j = ex.random_pairs(len(kv), 5000, seed)
        ref.append(timed(pairwise_gensim, kv, i, j))
    row("background, 5,000 pairs (gensim similarity per pair)", ours, ref, 0.5)

    ours, ref = [], []
    for r in range(n):
        ours.append(timed(ex.hubness, kv, 10, 5000, r))
        ref.append(timed(full_sort_hubness, kv, 10, 5000, r))
    same = ex.hubness(kv, 10, 5000, 0).counts == full_sort_hubness(kv, 10, 5000, 0)
    print(f"(the two hubness counts agree on {same.mean():.1%} of the 5,000 words; "
          "ties in cosine may order differently)")
    row("hubness k=10, 5,000 sample (full argsort per row)", ours, ref, 10)
    big = [timed(ex.hubness, kv, 10, 20000, r) for r in range(n)]
    print(f"| hubness k=10, 20,000 sample | {statistics.median(big):.3g} s | - | - | "
          f"< 10 s: {'met' if statistics.median(big) < 10 else 'NOT met'} |")

    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "x.png"
        explore = [sys.executable, "-c", "from tlm.console import tlm; tlm()", "explore",
                   "norms", "--pretrained",
                   pretrained.GLOVE, "--png", str(png)]
        wp = [sys.executable, "-c", "from tlm.console import wp; wp()", "similar", "king"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run(explore, check=True, capture_output=True, env=env)  # warm the cache
        ours, ref = [], []
        for _ in range(n):
            ours.append(timed(subprocess.run, explore, check=True, capture_output=True, env=env))
            ref.append(timed(subprocess.run, wp, check=True, capture_output=True, env=env))
    row("`tlm explore norms --pretrained glove --png`, whole process (`wp similar king`)",
        ours, ref, 5)


if __name__ == "__main__":
    main()
