"""How long `tlm atlas` takes, section by section, and how big the page is (issue 21).

    NLTK_DATA=../shared/nltk_data tlm train --gutenberg austen-emma.txt -t lower -t alpha \\
        --epochs 10 --output emma.json
    NLTK_DATA=../shared/nltk_data tlm train --gutenberg austen-emma.txt -t lower -t alpha \\
        --epochs 10 --model skipgram --output emma-sg.json
    python benchmarks/atlas_speed.py --model emma.json --model emma-sg.json \\
        --pretrained glove-wiki-gigaword-50 --repeats 5

Targets: the page for those three sources builds in under 8 s on a quiet 2-core
machine, and is under 6 MB.

Each run is a fresh Python process doing what `tlm atlas` does (import, load the
sources, build every section, write the page), so the imports and the loading
count. Every figure is the median over --repeats runs: wall time, and CPU time
(user + sys) of the process, which a busy machine inflates far less than wall
time; per section the same. The load average before and after is printed: on a
shared machine wall time is only meaningful next to it.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402


def one_build(models: list[str], pretrained: list[str], output: str) -> dict:
    """One page built in this process: (wall, CPU) per step, the page's size."""
    steps: dict[str, tuple[float, float]] = {}
    mark = [time.perf_counter(), time.process_time(), "import"]

    def step(name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        steps[mark[2]] = (wall - mark[0], cpu - mark[1])
        mark[:] = [wall, cpu, name]

    from tlm import atlas  # the imports `tlm atlas` needs

    step("load sources")
    sources = atlas.load_sources(models, pretrained)
    source_data = atlas._source_data

    def timed_source_data(*args, **kwargs):  # the first call ends the last section
        if mark[2] != "page: search vectors, template, write":
            step("page: search vectors, template, write")
        return source_data(*args, **kwargs)

    atlas._source_data = timed_source_data
    page = atlas.build(sources, report=lambda line: step(line.split("] ", 1)[1]))
    atlas.write(page, output, force=True)
    step("end")
    return {"steps": steps, "size": page.size}


def child(args: argparse.Namespace) -> None:
    print(json.dumps(one_build(args.model, args.pretrained, args.output)))


def parent(args: argparse.Namespace) -> None:
    print(describe())
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        output = str(Path(folder) / "atlas.html")
        command = [sys.executable, __file__, "--child", "--output", output]
        command += [f"--model={m}" for m in args.model]
        command += [f"--pretrained={p}" for p in args.pretrained]
        for i in range(args.repeats):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                sys.exit(done.stderr)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            run = json.loads(done.stdout.splitlines()[-1])
            run.update(wall=wall, cpu=cpu, load=os.getloadavg()[0])
            runs.append(run)
            print(f"run {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, load {run['load']:.2f}",
                  flush=True)
    median = statistics.median
    print(f"\nmedian of {len(runs)} runs, per step (wall s, CPU s):")
    for name in runs[0]["steps"]:
        walls = [r["steps"][name][0] for r in runs]
        cpus = [r["steps"][name][1] for r in runs]
        print(f"  {name:34s} {median(walls):6.2f} {median(cpus):6.2f}")
    print(f"whole process: {median([r['wall'] for r in runs]):.2f} s wall, "
          f"{median([r['cpu'] for r in runs]):.2f} s CPU (user + sys); target: under 8 s")
    print(f"page: {runs[0]['size'] / 1e6:.2f} MB ({runs[0]['size']:,} bytes); "
          "target: under 6 MB")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--pretrained", action="append", default=[])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.model and not args.pretrained:
        parser.error("give at least one --model or --pretrained")
    (child if args.child else parent)(args)


if __name__ == "__main__":
    main()
