"""The transformer's settings, chosen on the held-out 10% of the training novels.

One trial per run: train `--model transformer` on the scoreboard's four novels
(benchmarks/transformer_scoreboard.py: Emma, Mansfield Park, Northanger Abbey,
Sense and Sensibility, `-t lower -t alpha --val-fraction 0.1`) with the given
settings, and append one line to a JSON-lines log (default
benchmarks/transformer_search.jsonl beside this file): the settings, val_ppl
after every epoch, the Kneser-Ney 4-gram's perplexity on the same held-out
positions, the wall and CPU seconds of training (held-out scoring included) and
the load average. Persuasion, the scoreboard's scored novel, is never read.

    NLTK_DATA=/work/shared/nltk_data python benchmarks/transformer_search.py \\
        --kn4 /tmp/kn4.json epochs=2 dim=96 dropout=0.2
    python benchmarks/transformer_search.py --summary     # the log as a table

`--kn4` is a count model trained by `tlm train ... --model count --smoothing
kneser-ney --context-window 3` on the same split (the scoreboard's kn4.json).
Run on one core (`taskset -c 0 ...`), two trials go side by side.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

TRAIN = ["austen-emma.txt", "austen-mansfield.txt", "austen-northanger.txt", "austen-sense.txt"]
LOG = Path(__file__).with_name("transformer_search.jsonl")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def value(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def trial(settings: dict, kn4_path: Path | None, log: Path, label: str,
          output: Path | None = None) -> dict:
    from tlm import modelfile
    from tlm.corpus import load_corpus
    from tlm.perplexity import scored_positions
    from tlm.train import build_model, split_documents, train

    corpus = load_corpus([], TRAIN, ["lower", "alpha"])
    model, documents = build_model("transformer", corpus, {"val_fraction": 0.1, **settings},
                                   ["lower", "alpha"])
    kn = modelfile.load(kn4_path) if kn4_path is not None else None
    if kn is not None and kn.vocab != model.vocab:  # before training, not after
        sys.exit(f"{kn4_path} has another vocabulary: not trained on the same split by this tlm")
    epochs = []
    start = {"wall": time.perf_counter(), "cpu": cpu_seconds()}

    def on_epoch(_, entry) -> None:
        epochs.append({"epoch": entry.epoch, "loss": round(entry.loss, 4),
                       "val_ppl": round(entry.val_ppl, 2),
                       "wall": round(time.perf_counter() - start["wall"], 1),
                       "cpu": round(cpu_seconds() - start["cpu"], 1),
                       "load": round(os.getloadavg()[0], 2)})
        print(json.dumps(epochs[-1]), flush=True)

    load_before = os.getloadavg()[0]
    train(model, documents, on_epoch=on_epoch)
    if output is not None:  # what `tlm train` with these settings saves (fit: build, train)
        modelfile.save(model, output)
    record = {"label": label, "settings": settings,
              "config": {k: v for k, v in vars(model.config).items() if k != "val_fraction"},
              "val_ppl": epochs[-1]["val_ppl"], "best_val_ppl": min(e["val_ppl"] for e in epochs),
              "wall": epochs[-1]["wall"], "cpu": epochs[-1]["cpu"],
              "load": [round(load_before, 2), epochs[-1]["load"]], "epochs": epochs,
              "cores": len(os.sched_getaffinity(0)), "when": time.strftime("%H:%M UTC",
                                                                             time.gmtime())}
    if kn is not None:  # KN4 on the transformer's held-out positions (its last 3 words)
        _, val = split_documents(documents, 0.1)
        contexts, targets, _ = scored_positions(model, val)
        log_k = kn.log_probs(contexts[:, -kn.config.context_window:], targets)
        record["kn4_same_positions"] = round(math.exp(-log_k.mean()), 2)
        record["ratio"] = round(record["val_ppl"] / record["kn4_same_positions"], 4)
    with log.open("a") as f:
        f.write(json.dumps(record) + "\n")
    return record


def summary(log: Path) -> None:
    print("| label | settings | val_ppl by epoch | KN4 | ratio | wall s | CPU s | cores | load |")
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for line in log.read_text().splitlines():
        r = json.loads(line)
        s = " ".join(f"{k}={v}" for k, v in r["settings"].items() if k != "seed")
        curve = ", ".join(f"{e['val_ppl']:.1f}" for e in r["epochs"])
        print(f"| {r['label']} | {s} (seed {r['settings'].get('seed')}) | {curve} | "
              f"{r.get('kn4_same_positions', '')} | {r.get('ratio', '')} | {r['wall']:.0f} | "
              f"{r['cpu']:.0f} | {r['cores']} | {r['load'][0]:.1f} -> {r['load'][1]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("settings", nargs="*", metavar="NAME=VALUE",
                        help="transformer settings, e.g. dim=96 epochs=4 (seed defaults to 1)")
    parser.add_argument("--kn4", type=Path)
    parser.add_argument("--log", type=Path, default=LOG)
    parser.add_argument("--label", default="")
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--output", type=Path, help="save the trained model here")
    args = parser.parse_args()
    if args.summary:
        summary(args.log)
        return
    if "NLTK_DATA" not in os.environ:
        sys.exit("set NLTK_DATA to the folder with corpora/gutenberg")
    settings = {"seed": 1} | {k: value(v) for k, v in (a.split("=", 1) for a in args.settings)}
    np.seterr(all="ignore")
    trial(settings, args.kn4, args.log, args.label, args.output)


if __name__ == "__main__":
    main()
