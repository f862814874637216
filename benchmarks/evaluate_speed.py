"""`tlm evaluate` on GloVe: the Google analogies in matrix form against gensim's
`evaluate_word_analogies`, in the same run, and the whole command's wall time.

    python benchmarks/evaluate_speed.py [--repeats 3]

1. The analogy step alone, in this process, on GloVe 6B 50-d with answers
   among the 30,000 most frequent words: tlm's `evaluate.analogies` (a block of
   questions per matrix product) and gensim's `evaluate_word_analogies` (one
   question at a time), their accuracy and coverage, how many of the 19,544
   questions they answer differently (0 expected), and the ratio of times.
2. `tlm evaluate --pretrained glove-wiki-gigaword-50` as a learner runs it
   (WordSim-353, SimLex-999, Google analogies), a fresh process each time with
   the cache warm: wall and CPU seconds. Target: under 3 s wall.

Medians of --repeats runs; the CPU and the load average are printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from gensim.test.utils import datapath
from machine import describe  # benchmarks/machine.py

from tlm import evaluate, pretrained


def _covered(kv, questions, restrict: int) -> list[tuple[str, ...]]:
    """The questions whose four words are among the first `restrict` (upper-cased)."""
    words = {k.upper() for k in kv.index_to_key[:restrict]}
    return [q for q in questions if all(w in words for w in q)]


def timed(function, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    logging.getLogger("gensim").setLevel(logging.WARNING)

    kv = pretrained.load("glove-wiki-gigaword-50")
    path = Path(datapath("questions-words.txt"))
    R = evaluate.ANALOGY_RESTRICT
    questions = evaluate.read_analogies(path)

    ours_s, (predicted, expected) = timed(
        lambda: evaluate.answer_analogies(kv, questions, R), args.repeats)
    theirs_s, (_, sections) = timed(
        lambda: kv.evaluate_word_analogies(str(path), restrict_vocab=R, case_insensitive=True),
        args.repeats)
    right, wrong = sections[-1]["correct"], sections[-1]["incorrect"]
    ours_right = Counter(q for q, ok in zip(_covered(kv, questions, R), predicted == expected,
                                            strict=True) if ok)
    theirs_right = Counter(right)  # the same question right in both, counted with repeats
    differ = sum((ours_right - theirs_right).values()) + sum((theirs_right - ours_right).values())
    print(f"\nGoogle analogies, GloVe 50-d, answers among {R} words "
          f"({len(right) + len(wrong)} of {len(questions)} questions covered)")
    print(f"  tlm (matrix form)   {ours_s:6.2f} s   accuracy {(predicted == expected).mean():.4f}")
    print(f"  gensim (one by one) {theirs_s:6.2f} s   accuracy "
          f"{len(right) / (len(right) + len(wrong)):.4f}")
    print(f"  questions answered differently: {differ}; gensim / tlm time: "
          f"{theirs_s / ours_s:.1f}x   (median of {args.repeats})")

    command = [sys.executable, "-c", "from tlm.console import tlm; tlm()", "evaluate",
               "--pretrained", "glove-wiki-gigaword-50"]
    walls, cpus = [], []
    for _ in range(args.repeats):
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - start)
        after = os.times()
        cpus.append(after.children_user - before.children_user
                    + after.children_system - before.children_system)
    print(f"\ntlm evaluate --pretrained glove-wiki-gigaword-50 (cache warm): "
          f"{statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU "
          f"(median of {args.repeats}; target under 3 s wall)")
    print("\n" + done.stdout.strip())
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
