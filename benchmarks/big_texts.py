"""Beyond one novel: time per epoch and peak memory of both models on all five
Austen novels (about 600,000 words after `-t lower -t alpha`) and on a text of
some 20 million words made by repeating them.

    NLTK_DATA=../shared/nltk_data python benchmarks/big_texts.py [--budget 240]

Each run is a fresh process (so its peak memory is its own, from
`resource.getrusage`), which reads the text, builds the model and trains one
epoch: the skip-gram with d=100 and its defaults, the embedding model with its
defaults. A run that would take longer than --budget seconds of training is
stopped there, and its epoch time is extrapolated from the examples it did
(said so in the output). Targets (issue 15): time per epoch linear in the
text, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

NOVELS = ["austen-emma.txt", "austen-mansfield.txt", "austen-northanger.txt",
          "austen-persuasion.txt", "austen-sense.txt"]
SETTINGS = {"skipgram": {"dim": 100}, "embedding": {}}


class Stop(Exception):
    pass


def child(model_type: str, files: list[str], budget: float) -> None:
    """Read, build, train one epoch (or until the budget); print a JSON line."""
    from tlm.corpus import load_corpus
    from tlm.train import build_model, train

    t0 = time.perf_counter()
    gutenberg = [f for f in files if f in NOVELS]
    corpus = load_corpus([f for f in files if f not in NOVELS], gutenberg, ["lower", "alpha"])
    t1 = time.perf_counter()
    model, docs = build_model(model_type, corpus, {"epochs": 1, "seed": 1,
                                                   **SETTINGS[model_type]})
    t2 = time.perf_counter()
    seen = {"done": 0, "of": 0, "first": None}

    def on_batch(progress) -> None:
        if seen["first"] is None:  # the epoch's examples are made: training starts
            seen["first"] = time.perf_counter()
        seen["done"], seen["of"] = progress.done, progress.total
        if time.perf_counter() - t2 > budget:
            raise Stop

    try:
        train(model, docs, on_batch=on_batch)
        stopped = False
    except Stop:
        stopped = True
    t3 = time.perf_counter()
    done, n = seen["done"], seen["of"]
    print(json.dumps({
        "words": corpus.n_tokens, "read": t1 - t0, "build": t2 - t1,
        "prepare": seen["first"] - t2, "train": t3 - seen["first"], "examples": done, "of": n,
        "epoch": (t3 - t2) if not stopped else (seen["first"] - t2) + (t3 - seen["first"]) * n
        / done, "stopped": stopped,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budget", type=float, default=240, help="seconds of training per run")
    ap.add_argument("--copies", type=int, default=33, help="repeats of the novels (~20M words)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1:], args.budget)
        return
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        from tlm.corpus import read_gutenberg

        big = Path(tmp) / "austen-x.txt"
        novels = "\n".join(read_gutenberg(f) for f in NOVELS)
        with open(big, "w", encoding="utf-8") as f:
            for _ in range(args.copies):
                f.write(novels + "\n")
        texts = {"five novels": NOVELS, f"{args.copies} copies": [str(big)]}
        print(f"{'text':14} {'model':10} {'words':>11} {'read s':>7} {'build s':>7} "
              f"{'prep s':>7} {'epoch s':>8} {'us/word':>7} {'ex/s':>8} {'peak MB':>8}")
        for name, files in texts.items():
            for model_type in ("skipgram", "embedding"):
                cmd = [sys.executable, __file__, "--budget", str(args.budget),
                       "--child", model_type, *files]
                out = subprocess.run(cmd, capture_output=True, text=True)
                if out.returncode:
                    print(f"{name:14} {model_type:10} failed: {out.stderr.strip()[-300:]}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                note = f" (stopped after {r['examples']:,} of {r['of']:,})" if r["stopped"] else ""
                print(f"{name:14} {model_type:10} {r['words']:11,} {r['read']:7.1f} "
                      f"{r['build']:7.1f} {r['prepare']:7.1f} {r['epoch']:8.1f} "
                      f"{r['epoch'] / r['words'] * 1e6:7.2f} {r['examples'] / r['train']:8,.0f} "
                      f"{r['peak_mb']:8.0f}{note}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (shared machine)")


if __name__ == "__main__":
    main()
