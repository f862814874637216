"""Memory of `tlm train --model transformer` on a 20-million-word text (target: < 2 GB).

The text is the five Austen novels of NLTK's Gutenberg corpus (Emma, Persuasion,
Sense and Sensibility, Mansfield Park, Northanger Abbey) written one after
another, over and over, until it has --words words after `-t lower -t alpha`
(the words the model trains on; more tokens before), as one file in --folder.
A real text, so the vocabulary (some 13,000 words) and the token frequencies
are a novel's, not a synthetic Zipf's; its repeats change neither.

`tlm train --model transformer` (its defaults, `-t lower -t alpha`, plus any
--extra options) reads it, builds the vocabulary, encodes it and starts
training; after --seconds it gets SIGINT (Ctrl-C), which must end it with exit
130 and the model trained so far saved. tlm has no option to stop after a number
of steps, so Ctrl-C is the bound; every array of the run (the text, its tokens,
the encoded ids, a shuffled epoch of windows, the model and Adam's moments, one
batch's activations) is made by the first step, so a few steps reach the peak of
training (but for the moment between two epochs, when the next epoch's windows
are made while the last's may still be held). The peak resident memory of the child is the kernel's
(`os.wait4`'s ru_maxrss), with /proc's VmHWM read just before the SIGINT as a
check.

    NLTK_DATA=/work/shared/nltk_data nice python benchmarks/transformer_memory.py
    NLTK_DATA=/work/shared/nltk_data nice python benchmarks/transformer_memory.py \\
        --extra --val-fraction 0.1
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

NOVELS = ["austen-emma.txt", "austen-persuasion.txt", "austen-sense.txt",
          "austen-mansfield.txt", "austen-northanger.txt"]
LIMIT_GB = 2.0
TRANSFORMS = ["lower", "alpha"]


def make_text(path: Path, words: int) -> int:
    """Write the novels over and over to `path` until it holds `words` words after
    `-t lower -t alpha` (what the model trains on); that count."""
    from tlm.corpus import apply_transforms, read_gutenberg, tokenize

    novels = [read_gutenberg(n) for n in NOVELS]
    sizes = [len(apply_transforms(tokenize(t), TRANSFORMS)) for t in novels]
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < words:
            for text, size in zip(novels, sizes, strict=True):
                f.write(text)
                f.write("\n")
                written += size
                if written >= words:
                    break
    return written


def high_water(pid: int) -> int | None:
    """VmHWM of a running process, in kB (None if /proc does not say)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp"))
    parser.add_argument("--seconds", type=float, default=300.0,
                        help="SIGINT after this many seconds of `tlm train`")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                        help="more `tlm train` options (e.g. --val-fraction 0.1)")
    args = parser.parse_args()
    if "NLTK_DATA" not in os.environ:
        sys.exit("set NLTK_DATA to the folder with corpora/gutenberg")
    sys.path.insert(0, str(Path(__file__).parent))
    from machine import cpu_name

    from tlm import modelfile

    text = args.folder / f"austen-{args.words // 1_000_000}M-words.txt"
    if not text.exists():
        t0 = time.perf_counter()
        n = make_text(text, args.words)
        print(f"wrote {text}: {n:,} words after -t lower -t alpha, "
              f"{text.stat().st_size / 1e6:.0f} MB "
              f"({time.perf_counter() - t0:.0f} s)")
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}")
    out = args.folder / "memory-transformer.json"
    out.unlink(missing_ok=True)
    command = ["tlm", "train", "--filepath", str(text), "-t", "lower", "-t", "alpha",
               "--model", "transformer", "--seed", "1", "--output", str(out), *args.extra]
    print("$ " + " ".join(command), flush=True)
    t0 = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = t0 + args.seconds
    hwm = None
    while time.perf_counter() < deadline and child.poll() is None:
        time.sleep(1.0)
        hwm = high_water(child.pid) or hwm
    interrupted = child.poll() is None
    if interrupted:
        child.send_signal(signal.SIGINT)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    output = child.stdout.read().decode(errors="replace")
    seconds = time.perf_counter() - t0
    print(output.strip())
    peak_gb = usage.ru_maxrss * 1024 / 1e9  # Linux: kB
    sigint = f" (SIGINT at {args.seconds:.0f} s)" if interrupted else ""
    print(f"\nexit {child.returncode} after {seconds:.0f} s{sigint}; "
          f"CPU {usage.ru_utime + usage.ru_stime:.0f} s; load average {os.getloadavg()[0]:.2f}")
    if hwm is not None:
        print(f"VmHWM before the SIGINT: {hwm * 1024 / 1e9:.2f} GB")
    print(f"peak resident memory (ru_maxrss): {peak_gb:.2f} GB "
          f"({'under' if peak_gb < LIMIT_GB else 'OVER'} the {LIMIT_GB:g} GB target)")
    if interrupted and child.returncode != 130:
        print(f"Ctrl-C should end `tlm train` with exit 130, not {child.returncode}")
    if out.exists():
        model = modelfile.load(out)
        last = model.history[-1] if model.history else {}
        last = last if isinstance(last, dict) else dataclasses.asdict(last)
        print(f"saved: {out} ({len(model.vocab):,} words; tokens {model.info['tokens']:,}); "
              f"last history entry {json.dumps(last)}")
    else:
        print("no model was saved")


if __name__ == "__main__":
    main()
