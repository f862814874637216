"""What `tlm train --snapshots 20` costs on Jane Austen's Emma, and how fast the
atlas's movie section builds.

    NLTK_DATA=../shared/nltk_data python benchmarks/snapshots.py [--repeats 3] [--epochs 5]

Trains the course's model (`tlm train --gutenberg austen-emma.txt -t lower -t
alpha --val-fraction 0.1 --seed 1`) with and without `--snapshots 20`,
alternating (without, with, without, with, ...) so that the shared machine's
load falls on both alike, and prints each run's training time (wall and CPU
seconds), the median of each and their ratio, and the CPU time spent inside the
snapshots' own code (tlm/snapshots.py's Recorder), which the shared machine's
load does not blur. The two runs train the same
model step for step (the snapshots only read E): the final held-out losses
are printed to show it. Then the movie section of an atlas for the model
with snapshots (aligned frames, neighbours at each frame, the page's data),
timed --repeats times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

from machine import describe  # noqa: E402  (benchmarks/machine.py)

from tlm import atlas  # noqa: E402
from tlm.corpus import load_corpus  # noqa: E402  (NLTK_DATA must be set first)
from tlm.snapshots import Recorder  # noqa: E402
from tlm.train import build_model, train  # noqa: E402

#: CPU seconds spent inside the Recorder (the snapshots' own work) in the last run.
SPENT = [0.0]


def timed(method):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return method(*args, **kwargs)
        finally:
            SPENT[0] += time.process_time() - start
    return wrapper


Recorder.__init__ = timed(Recorder.__init__)  # the held-out sample, the first frame
Recorder.after_batch = timed(Recorder.after_batch)  # the frames
Recorder.finish = timed(Recorder.finish)


def run(corpus, epochs: int, snapshots: int) -> tuple[float, float, object]:
    model, docs = build_model("embedding", corpus, {"epochs": epochs, "val_fraction": 0.1,
                                                    "seed": 1}, ["lower", "alpha"])
    SPENT[0] = 0.0
    wall, cpu = time.perf_counter(), time.process_time()
    train(model, docs, snapshots=snapshots,
          snapshot_words=[w for ws in atlas.word_groups().values() for w in ws])
    return time.perf_counter() - wall, time.process_time() - cpu, model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    print(describe())
    print(f"load average before: {os.getloadavg()}")
    corpus = load_corpus([], ["austen-emma.txt"], ["lower", "alpha"])
    times: dict[int, list[tuple[float, float]]] = {0: [], 20: []}
    model = None
    for r in range(args.repeats):
        for n in (0, 20):
            wall, cpu, trained = run(corpus, args.epochs, n)
            times[n].append((wall, cpu))
            print(f"run {r + 1} --snapshots {n or 'none':>4}: {wall:6.1f} s wall "
                  f"{cpu:6.1f} s CPU, final val_loss {trained.history[-1].val_loss:.4f}, "
                  f"load {os.getloadavg()[0]:.1f}"
                  + (f"; inside the snapshots' code {SPENT[0]:.2f} s CPU "
                     f"({100 * SPENT[0] / cpu:.1f}% of the run)" if n else ""), flush=True)
            if n:
                model = trained
    for i, what in ((0, "wall"), (1, "CPU")):
        without = statistics.median(t[i] for t in times[0])
        with_ = statistics.median(t[i] for t in times[20])
        print(f"median {what}: without {without:.1f} s, with --snapshots 20 {with_:.1f} s, "
              f"ratio {with_ / without:.3f}")
    ratios = [w[0] / o[0] for o, w in zip(times[0], times[20], strict=True)]
    print("same-run wall ratios (with / without, each pair back to back): "
          + ", ".join(f"{x:.3f}" for x in ratios))

    source = atlas.Source("emma", model.vectors, model, "emma.json")
    for _ in range(args.repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        section = atlas.movie_section([source])
        print(f"movie section ({model.snapshots.frames} frames of "
              f"{model.snapshots.E.shape[1]} words): {time.perf_counter() - wall:.2f} s wall, "
              f"{time.process_time() - cpu:.2f} s CPU, {len(section.content['data']) / 1e6:.2f} "
              "MB of page data", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
