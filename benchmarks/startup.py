"""How long the commands a learner types first take, as whole processes:
`tlm --help`, `tlm generate` on a model of the shipped chuck text, and
`python -c pass` as the floor under both.

    python benchmarks/startup.py [--repeats 9]

Targets (issue 15): `tlm --help` under 0.3 s, `tlm generate` on chuck under
0.5 s. Each figure is the median of --repeats runs, taken in turn.

Then where the start-up of a command that reads word vectors goes (issue 22),
each part timed in a fresh process: the imports (numpy, click and tlm's command
line, matplotlib, gensim with the scipy it pulls in, tlm's pretrained sources)
and each pretrained source's load from a warm cache (target under 0.3 s).
`explore_speed.py --four` times every `tlm explore` analysis as a whole process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe, timed_parts

TLM = [sys.executable, "-c", "from tlm.cli import main; main()"]


def seconds(cmd: list[str], cwd: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `cmd`. On a busy
    machine the CPU seconds are the steadier figure: they leave out the waiting."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


PARTS = """
import numpy; part("import numpy")
import click, tlm.cli; part("import click, tlm.cli")
import matplotlib.figure; part("import matplotlib.figure")
import gensim.models; part("import gensim (scipy.stats, scipy.sparse, smart_open)")
from tlm import pretrained; part("import tlm.pretrained (pyarrow, ...)")
pretrained.load("glove-wiki-gigaword-50"); part("GloVe 50-d from the cache")
pretrained.load("hf:minilm"); part("hf:minilm from the cache")
print(json.dumps(out))
"""


def parts(repeats: int) -> None:
    """Each part of a vectors command's start-up, median of `repeats` fresh processes."""
    timed_parts(PARTS, 1)  # the caches warm
    found = timed_parts(PARTS, repeats)
    print(f"where a vectors command's start-up goes, median of {repeats} fresh processes: "
          "wall seconds, CPU seconds")
    for name, (wall, cpu) in found.items():
        target = "  target < 0.3 s" if "cache" in name else ""
        print(f"  {name:55} {wall:.3f} s, CPU {cpu:.3f} s{target}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*TLM, "train", "--filepath", "chuck.txt", "--seed", "1", "--output",
                        "chuck.json"], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "tlm --help": [*TLM, "--help"],
            "tlm generate --model chuck.json": [*TLM, "generate", "--model", "chuck.json",
                                                "--seed", "1"],
            "tlm generate ... --prompt 'how much'": [*TLM, "generate", "--model", "chuck.json",
                                                     "--seed", "1", "--prompt", "how much"],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, cmd in commands.items():
                times[name].append(seconds(cmd, tmp))
    targets = {"tlm --help": 0.3, "tlm generate --model chuck.json": 0.5,
               "tlm generate ... --prompt 'how much'": 0.5}
    print(f"median of {args.repeats} runs: wall seconds (min-max), CPU seconds")
    for name, ts in times.items():
        wall, cpu = [t[0] for t in ts], [t[1] for t in ts]
        target = f"  target < {targets[name]} s" if name in targets else ""
        print(f"  {name:40} {statistics.median(wall):.3f} s ({min(wall):.3f}-{max(wall):.3f}), "
              f"CPU {statistics.median(cpu):.3f} s{target}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    parts(args.repeats)


if __name__ == "__main__":
    main()
