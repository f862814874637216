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
count. Two runs alternate in each repeat: the sections drawn one after another
in one process (`workers=1`: the per-section figures come from these) and drawn
by worker processes as `tlm atlas` does (`default_workers()`: one per core).
Every figure is the median over --repeats: wall time, and CPU time (user + sys,
worker processes included), which a busy machine inflates far less than wall
time. The load average is printed beside every run: on a shared machine wall
time is only meaningful next to it.
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


def one_build(models: list[str], pretrained: list[str], output: str, workers: int) -> dict:
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
    source_data, make_page = atlas._source_data, atlas._page

    def timed_source_data(*args, **kwargs):  # made before the sections are collected
        if mark[2] != "page: search vectors":
            step("page: search vectors")
        return source_data(*args, **kwargs)

    def timed_page(*args, **kwargs):  # the first call ends the last section
        step("page: template, write")
        return make_page(*args, **kwargs)

    atlas._source_data, atlas._page = timed_source_data, timed_page
    step("the maps (PCA of each source's mapped words)")
    page = atlas.build(sources, report=lambda line: step(line.split("] ", 1)[1]),
                       workers=workers or None)
    atlas.write(page, output, force=True)
    step("end")
    return {"steps": steps, "size": page.size}


def child(args: argparse.Namespace) -> None:
    print(json.dumps(one_build(args.model, args.pretrained, args.output, args.workers)))


def run_once(command: list[str], workers: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*command, f"--workers={workers}"], capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers included
    if done.returncode != 0:
        sys.exit(done.stderr)
    run = json.loads(done.stdout.splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run.update(wall=wall, cpu=cpu, load=os.getloadavg()[0])
    return run


#: The steps the parent process runs alone, and the one it runs while the workers draw;
#: every other step is a section a worker draws.
ALONE = ("import", "load sources", "the maps (PCA of each source's mapped words)", "map",
         "page: template, write")
BESIDE = ("page: search vectors",)


def free_cores_estimate(runs: list[dict], workers: int) -> float:
    """The wall time the runs' median CPU seconds per step would take with `workers`
    free cores: the parent's own steps one after another, plus the time the
    workers need for the sections, started slowest-known first (tlm.atlas.SLOWEST)
    and each given to the first free worker, plus the parent's work meanwhile
    shared over the cores. A busy machine cannot show this."""
    from tlm.atlas import SLOWEST

    cpu = {name: statistics.median(r["steps"][name][1] for r in runs) for name in runs[0]["steps"]}
    sections = sorted((n for n in cpu if n not in ALONE + BESIDE),
                      key=lambda n: n not in SLOWEST)
    busy = [0.0] * workers
    for name in sections:
        busy[busy.index(min(busy))] += cpu[name]
    beside = sum(cpu[n] for n in cpu if n in BESIDE) / workers
    return sum(cpu[n] for n in cpu if n in ALONE) + max(busy) + beside


def parent(args: argparse.Namespace) -> None:
    from tlm.atlas import default_workers

    print(describe())
    parallel = default_workers()
    serial: list[dict] = []
    forked: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "--child", "--output", str(Path(folder) / "a.html")]
        command += [f"--model={m}" for m in args.model]
        command += [f"--pretrained={p}" for p in args.pretrained]
        for i in range(args.repeats):
            for runs, workers in ((serial, 1), (forked, parallel)):
                run = run_once(command, workers)
                runs.append(run)
                print(f"run {i + 1}, {workers} worker(s): {run['wall']:.2f} s wall, "
                      f"{run['cpu']:.2f} s CPU, load average {run['load']:.2f}", flush=True)
    median = statistics.median
    print(f"\nsections one after another (workers=1), median of {len(serial)}, "
          "per step (wall s, CPU s):")
    for name in serial[0]["steps"]:
        walls = [r["steps"][name][0] for r in serial]
        cpus = [r["steps"][name][1] for r in serial]
        print(f"  {name:38s} {median(walls):6.2f} {median(cpus):6.2f}")
    for label, runs in (("workers=1", serial), (f"workers={parallel}", forked)):
        print(f"whole process, {label}: {median([r['wall'] for r in runs]):.2f} s wall, "
              f"{median([r['cpu'] for r in runs]):.2f} s CPU (user + sys)")
    ratios = [a["wall"] / b["wall"] for a, b in zip(serial, forked, strict=True)]
    print(f"wall, workers=1 / workers={parallel}, same-run ratios: "
          + ", ".join(f"{r:.2f}" for r in ratios) + f" (median {median(ratios):.2f})")
    estimate = free_cores_estimate(serial, parallel)
    print(f"estimate for {parallel} free cores (from the CPU seconds per step of the "
          f"workers=1 runs; the sections scheduled as the workers take them): {estimate:.2f} s")
    print("target: under 8 s wall on a quiet machine")
    size = forked[0]["size"]
    print(f"page: {size / 1e6:.2f} MB ({size:,} bytes); target: under 6 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[])
    parser.add_argument("--pretrained", action="append", default=[])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.model and not args.pretrained:
        parser.error("give at least one --model or --pretrained")
    (child if args.child else parent)(args)


if __name__ == "__main__":
    main()
