"""The scoreboard: train on four Austen novels, score the fifth, which none saw.

Every model is trained by the real `tlm train` command on Emma, Mansfield
Park, Northanger Abbey and Sense and Sensibility (`-t lower -t alpha
--val-fraction 0.1`: the last 10% of that text, the end of Sense and
Sensibility, is held out for choosing settings), so they share one vocabulary,
built from the same training part. Each is then scored on Persuasion, which no
model (and no choice of a setting) saw, by the one perplexity
(tlm/perplexity.py):

- Kneser-Ney 3-gram and 4-gram (`--model count --smoothing kneser-ney`);
- the course's model (`--model embedding`, defaults, 10 epochs) and the MLP
  (`--combine concat --context-window 3 --dim 64 --hidden 64`, 4 epochs: the
  settings of benchmarks/emma_count_vs_neural.py);
- the transformer with its defaults (`--model transformer`), one run per seed;
- the transformer interpolated with the Kneser-Ney 4-gram,
  p = lam p_transformer + (1 - lam) p_KN4, lam chosen on the held-out 10% of the
  training novels (never on Persuasion).

A transformer scores the positions with C words before them (C its window, 64
by default; each is read in windows C/2 apart, with C/2 + 1 to C of those
words: tlm/perplexity.py), the count models those with 3 or 2; the ratio row
and the mixture use the transformer's positions for both models. Training times are wall-clock
seconds of the whole `tlm train` command, with the load average (the machine
may be shared) at its start and end.

    NLTK_DATA=/work/shared/nltk_data python benchmarks/transformer_scoreboard.py \\
        --folder /tmp/scoreboard --seeds 1 2 3

Model files already in --folder are scored, not trained again (their times come
from the `.time.json` beside them).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

TRAIN = ["austen-emma.txt", "austen-mansfield.txt", "austen-northanger.txt", "austen-sense.txt"]
SCORED = "austen-persuasion.txt"
COMMON = [a for g in TRAIN for a in ("--gutenberg", g)] + [
    "-t", "lower", "-t", "alpha", "--val-fraction", "0.1"]
BASELINES = {
    "kn3": ["--model", "count", "--smoothing", "kneser-ney", "--context-window", "2"],
    "kn4": ["--model", "count", "--smoothing", "kneser-ney", "--context-window", "3"],
    "course": ["--model", "embedding", "--epochs", "10"],
    "mlp": ["--model", "embedding", "--combine", "concat", "--context-window", "3", "--dim",
            "64", "--hidden", "64", "--epochs", "4"],
}
CLASSIC = {"alone": {"Bengio 2003": 0.83, "Mikolov 2012": 0.88},
           "mixed": {"Bengio 2003": 0.79, "Mikolov 2012": 0.75}}


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: unlike the wall
    time, hardly changed by other jobs on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> float:
    return os.getloadavg()[0]


def train(folder: Path, name: str, args: list[str], seed: int) -> dict:
    """Train one model with `tlm train` unless its file is there; its time record."""
    out, record = folder / f"{name}.json", folder / f"{name}.time.json"
    if out.exists() and record.exists():
        return json.loads(record.read_text())
    command = ["tlm", "train", *COMMON, *args, "--seed", str(seed), "--output", str(out),
               "--quiet"]
    print("  $ " + " ".join(command), flush=True)
    before, t0, cpu0 = load(), time.perf_counter(), children_cpu()
    subprocess.run(command, check=True)
    info = {"seconds": time.perf_counter() - t0, "cpu_seconds": children_cpu() - cpu0,
            "load_before": before, "load_after": load(), "command": " ".join(command)}
    record.write_text(json.dumps(info))
    return info


def documents(model, texts: list[str], last: float | None) -> list[np.ndarray]:
    from tlm.compare_lm import held_out_documents

    return held_out_documents(model, [], texts, last)


def mixture(transformer, kn, docs: list[np.ndarray], lam: float | None = None,
            cache: Path | None = None):
    """Perplexity of lam p_T + (1 - lam) p_KN on the transformer's scored positions,
    and of each alone there; with lam None, the best lam of a grid (and its value).
    The transformer's log-probabilities are kept in `cache` (.npz, with the
    positions) and read from it when it is there."""
    from tlm.perplexity import scored_log_probs

    if cache is not None and cache.exists():
        saved = np.load(cache)
        contexts, targets = saved["contexts"], saved["targets"]
        log_t = saved["log_t"]
    else:  # the transformer's log p of each position, as perplexity() takes them
        log_t, contexts, targets, _ = scored_log_probs(transformer, docs)
        if cache is not None:
            np.savez(cache, log_t=log_t, contexts=contexts, targets=targets)
    C = kn.config.context_window
    log_k = kn.log_probs(contexts[:, contexts.shape[1] - C:], targets)
    grid = [lam] if lam is not None else [i / 20 for i in range(1, 20)]
    best = min(grid, key=lambda w: -np.logaddexp(math.log(w) + log_t,
                                                  math.log(1 - w) + log_k).mean())
    mixed = -np.logaddexp(math.log(best) + log_t, math.log(1 - best) + log_k).mean()
    return math.exp(mixed), best, math.exp(-log_t.mean()), math.exp(-log_k.mean()), len(targets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--transformer", nargs=argparse.REMAINDER, default=[],
                        help="extra options for the transformer (default: none, its defaults)")
    args = parser.parse_args()
    if "NLTK_DATA" not in os.environ:
        sys.exit("set NLTK_DATA to the folder with corpora/gutenberg")
    from tlm import modelfile
    from tlm.compare_lm import parameters
    from tlm.perplexity import perplexity

    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"train: {', '.join(TRAIN)} (last 10% held out for settings); scored: {SCORED}")
    print(f"CPU: {cpu()}; load average at the start {load():.2f}", flush=True)
    runs = {name: train(args.folder, name, a, 1) for name, a in BASELINES.items()}
    suffix = "-" + "-".join(a.strip("-") for a in args.transformer) if args.transformer else ""
    names = [f"transformer{suffix}-seed{s}" for s in args.seeds]
    for name, seed in zip(names, args.seeds, strict=True):
        runs[name] = train(args.folder, name, ["--model", "transformer", *args.transformer],
                           seed)

    models = {name: modelfile.load(args.folder / f"{name}.json") for name in runs}
    ppl: dict[str, tuple[float, int]] = {}
    for name in BASELINES:
        p = perplexity(models[name], documents(models[name], [SCORED], None))
        ppl[name] = (p.perplexity, p.scored)
    mixed_rows = {}
    for name in names:  # Persuasion is scored once per transformer, for both its rows
        t, kn = models[name], models["kn4"]
        _, lam, val_t, val_k, _ = mixture(t, kn, documents(t, TRAIN, 0.1),
                                          cache=args.folder / f"{name}.val.npz")
        mix, _, ppl_t, ppl_k, n = mixture(t, kn, documents(t, [SCORED], None), lam,
                                          cache=args.folder / f"{name}.scored.npz")
        ppl[name] = (ppl_t, n)  # = perplexity(t, ...): the same positions, the same mean
        mixed_rows[name] = (lam, val_t, val_k, mix, ppl_k, n)
    kn4 = ppl["kn4"][0]
    print(f"\n| model | perplexity on {SCORED} | / KN4 | scored | train s (wall) | CPU s | "
          f"load average | parameters |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, (value, scored) in ppl.items():
        r = runs[name]
        print(f"| {name} | {value:.1f} | {value / kn4:.3f} | {scored} | {r['seconds']:.0f} | "
              f"{r.get('cpu_seconds', float('nan')):.0f} | "
              f"{r['load_before']:.1f} -> {r['load_after']:.1f} | "
              f"{parameters(models[name]):,} |")

    alone, mixed = [], []
    print("\ntransformer + KN4 (lam chosen on the held-out 10% of the training novels; both "
          "scored on the transformer's positions):")
    for name in names:
        lam, val_t, val_k, mix, ppl_k, n = mixed_rows[name]
        ppl_t = ppl[name][0]
        alone.append(ppl_t / ppl_k)
        mixed.append(mix / ppl_k)
        print(f"  {name}: lam {lam:.2f} (held out: transformer {val_t:.1f}, KN4 {val_k:.1f}); "
              f"{SCORED} over {n} positions: transformer {ppl_t:.1f}, KN4 {ppl_k:.1f}, mixture "
              f"{mix:.1f}; ratios {ppl_t / ppl_k:.3f} alone, {mix / ppl_k:.3f} mixed")
    for label, ratios, target in (("alone", alone, 0.80), ("mixed", mixed, 0.72)):
        spread = f" +- {statistics.stdev(ratios):.3f} (sd)" if len(ratios) > 1 else ""
        classic = ", ".join(f"{k} {v}" for k, v in CLASSIC[label].items())
        print(f"transformer {label} / KN4: {statistics.mean(ratios):.3f}{spread} over "
              f"{len(ratios)} seed(s) (target <= {target}; {classic})")


def cpu() -> str:
    sys.path.insert(0, str(Path(__file__).parent))
    from machine import cpu_name

    return cpu_name()


if __name__ == "__main__":
    main()
