"""What word order is worth: one transformer, five ways of giving it positions.

The same architecture, the same text, the same budget and the same seeds, with
each `--positions` choice (learned, sinusoidal, rope, alibi, none), trained by
the real `tlm train` command on Emma (`-t lower -t alpha --val-fraction 0.1`:
the last 10% is held out, no part of the vocabulary or of training). Each row
is the held-out perplexity after the last epoch, `val_ppl` in the model's
history, which is the one perplexity function's (tlm/perplexity.py: every
held-out word scored with up to --context-window words before it).

The budget is small on purpose, so the table takes minutes and not hours:
d 64, 2 blocks, 4 heads, windows of 32 words, 3 epochs, no weight decay, the
other settings the transformer's defaults. Absolute perplexities are therefore far from the
scoreboard's; the differences between rows are the point. The runs alternate
(every scheme for seed 1, then every scheme for seed 2, ...), so a change of
the machine's load falls on all schemes alike; the ratio to `none` is taken
within each seed, then its mean.

    NLTK_DATA=/work/shared/nltk_data nice python benchmarks/transformer_positions.py \\
        --folder /tmp/positions --seeds 1 2 3

Model files already in --folder are read, not trained again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCHEMES = ("learned", "sinusoidal", "rope", "alibi", "none")
TEXT = ["--gutenberg", "austen-emma.txt", "-t", "lower", "-t", "alpha", "--val-fraction", "0.1"]


def budget(dim: int, window: int, epochs: int) -> list[str]:
    return ["--model", "transformer", "--dim", str(dim), "--layers", "2", "--heads", "4",
            "--weight-decay", "0", "--context-window", str(window), "--epochs", str(epochs)]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def train(folder: Path, scheme: str, seed: int, settings: list[str]) -> dict:
    """Train one model with `tlm train` unless its file is there; its record."""
    out, record = folder / f"{scheme}-seed{seed}.json", folder / f"{scheme}-seed{seed}.time.json"
    if out.exists() and record.exists():
        return json.loads(record.read_text())
    command = ["tlm", "train", *TEXT, *settings, "--positions", scheme, "--seed", str(seed),
               "--output", str(out), "--quiet"]
    print("  $ " + " ".join(command), flush=True)
    before, t0, cpu0 = os.getloadavg()[0], time.perf_counter(), children_cpu()
    subprocess.run(command, check=True)
    info = {"seconds": time.perf_counter() - t0, "cpu_seconds": children_cpu() - cpu0,
            "load_before": before, "load_after": os.getloadavg()[0]}
    record.write_text(json.dumps(info))
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    if "NLTK_DATA" not in os.environ:
        sys.exit("set NLTK_DATA to the folder with corpora/gutenberg")
    from tlm import modelfile

    sys.path.insert(0, str(Path(__file__).parent))
    from machine import cpu_name

    args.folder.mkdir(parents=True, exist_ok=True)
    settings = budget(args.dim, args.window, args.epochs)
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; load average at the start "
          f"{os.getloadavg()[0]:.2f}")
    print(f"text: {' '.join(TEXT)}; settings: {' '.join(settings)}", flush=True)
    ppl: dict[str, dict[int, float]] = {s: {} for s in SCHEMES}
    runs: dict[str, list[dict]] = {s: [] for s in SCHEMES}
    curves: dict[str, list[list[float]]] = {s: [] for s in SCHEMES}
    for seed in args.seeds:  # alternate: every scheme for one seed, then the next seed
        for scheme in SCHEMES:
            runs[scheme].append(train(args.folder, scheme, seed, settings))
            model = modelfile.load(args.folder / f"{scheme}-seed{seed}.json")
            ppl[scheme][seed] = model.history[-1]["val_ppl"]
            curves[scheme].append([e["val_ppl"] for e in model.history])
            scored = model.history[-1]["val_scored"]

    seeds = ", ".join(map(str, args.seeds))
    print(f"\n| --positions | held-out perplexity, seeds {seeds} | mean | / none (same seed, "
          f"mean) | per epoch (seed {args.seeds[0]}) | train s (wall, median) | CPU s (median) "
          f"| load average |")
    print("|---|---|---:|---:|---|---:|---:|---|")
    for scheme in SCHEMES:
        values = [ppl[scheme][s] for s in args.seeds]
        ratio = statistics.mean(ppl[scheme][s] / ppl["none"][s] for s in args.seeds)
        spread = f" +- {statistics.stdev(values):.1f}" if len(values) > 1 else ""
        r = runs[scheme]
        print(f"| {scheme} | {', '.join(f'{v:.1f}' for v in values)} | "
              f"{statistics.mean(values):.1f}{spread} | {ratio:.3f} | "
              f"{', '.join(f'{v:.1f}' for v in curves[scheme][0])} | "
              f"{statistics.median(x['seconds'] for x in r):.0f} | "
              f"{statistics.median(x['cpu_seconds'] for x in r):.0f} | "
              f"{min(x['load_before'] for x in r):.1f} to {max(x['load_after'] for x in r):.1f} |")
    print(f"\n{scored:,} held-out positions scored (Emma's last 10%); +- is the standard "
          "deviation over seeds.")


if __name__ == "__main__":
    main()
