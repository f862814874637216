"""Speed and quality of the embedding model on Jane Austen's Emma.

    NLTK_DATA=../shared/nltk_data python benchmarks/emma_embedding.py [--repeats 3]

Trains tlm's embedding model with its defaults for 10 epochs with the last 10%
held out (`tlm train --gutenberg austen-emma.txt -t lower -t alpha --epochs 10
--val-fraction 0.1`) and prints examples per second per epoch, wall time and
held-out perplexity. When PyTorch is installed, the same model (mean of the
context embeddings, a linear layer, cross-entropy, plain SGD, the same
examples, batch size, learning rate and epochs) is trained in the same run,
alternating with tlm, and the ratio of the medians is printed. Then the
textbook batch-of-one step of both, on the first examples of an epoch.
The machine is shared, so every figure is the median of --repeats runs.

NumPy's matrix products run in OpenBLAS. This machine forces OpenBLAS's
Haswell (AVX2) kernels through OPENBLAS_CORETYPE, which slows a current numpy
on a CPU with AVX-512; to measure numpy's own choice, unset both variables for
the run:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NLTK_DATA=../shared/nltk_data \
        python benchmarks/emma_embedding.py

The first line of the output names the kernel that ran.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

from tlm.corpus import load_corpus  # noqa: E402  (NLTK_DATA must be set first)
from tlm.train import build_model, train  # noqa: E402


def run_tlm(corpus, epochs: int, seed: int, **settings) -> dict:
    model, docs = build_model(
        "embedding", corpus, {"epochs": epochs, "val_fraction": 0.1, "seed": seed, **settings}
    )
    t0 = time.perf_counter()
    train(model, docs)
    wall = time.perf_counter() - t0
    h = model.history
    return {
        "ex_per_s": statistics.median(e["examples_per_second"] for e in h),
        "wall": wall,
        "ppl": h[-1]["val_ppl"],
        "model": model,
        "docs": docs,
    }


def run_torch(model, docs, epochs: int, seed: int) -> dict:
    """The same model in PyTorch: nn.Embedding -> mean -> nn.Linear -> cross-entropy, SGD.
    tlm's lr is per example, so the batch's loss is summed (reduction="sum"), and the
    held-out loss is over the positions tlm.perplexity scores (targets that are not <unk>)."""
    import torch
    from torch import nn

    from tlm.perplexity import scored_positions
    from tlm.train import split_documents

    cfg = model.config
    torch.manual_seed(seed)
    V, d = len(model.vocab), cfg.dim
    emb, out = nn.Embedding(V, d), nn.Linear(d, V)
    opt = torch.optim.SGD([*emb.parameters(), *out.parameters()], lr=cfg.lr)
    train_docs, val_docs = split_documents(docs, cfg.val_fraction)
    ctx, tgt = (torch.from_numpy(a.astype(np.int64)) for a in model.prepare(train_docs))
    vctx, vtgt = (torch.from_numpy(a.astype(np.int64))
                  for a in scored_positions(model, val_docs)[:2])
    rates = []
    t0 = time.perf_counter()
    for _ in range(epochs):
        te = time.perf_counter()
        order = torch.randperm(len(tgt))
        for s in range(0, len(tgt), cfg.batch_size):
            idx = order[s : s + cfg.batch_size]
            loss = nn.functional.cross_entropy(out(emb(ctx[idx]).mean(1)), tgt[idx],
                                               reduction="sum")
            opt.zero_grad()
            loss.backward()
            opt.step()
        rates.append(len(tgt) / (time.perf_counter() - te))
    wall = time.perf_counter() - t0
    with torch.no_grad():
        val = nn.functional.cross_entropy(out(emb(vctx).mean(1)), vtgt).item()
    return {"ex_per_s": statistics.median(rates), "wall": wall, "ppl": float(np.exp(val))}


def batch_of_one(model, docs, n: int) -> tuple[float, float | None]:
    """Examples/s of the textbook step (batch 1) for tlm and, if installed, PyTorch."""
    ctx, tgt = model.prepare(docs)
    ctx, tgt = ctx[:n], tgt[:n]
    lr = model.config.lr  # per example, as in a batch
    t0 = time.perf_counter()
    for i in range(n):
        model._step(ctx[i : i + 1], tgt[i : i + 1], lr=lr)
    ours = n / (time.perf_counter() - t0)
    try:
        import torch
        from torch import nn
    except ImportError:
        return ours, None
    V, d = len(model.vocab), model.config.dim
    emb, out = nn.Embedding(V, d), nn.Linear(d, V)
    opt = torch.optim.SGD([*emb.parameters(), *out.parameters()], lr=lr)
    tc, tt = torch.from_numpy(ctx.astype(np.int64)), torch.from_numpy(tgt.astype(np.int64))
    t0 = time.perf_counter()
    for i in range(n):
        loss = nn.functional.cross_entropy(out(emb(tc[i : i + 1]).mean(1)), tt[i : i + 1])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return ours, n / (time.perf_counter() - t0)


def blas_kernel() -> str:
    """Which OpenBLAS kernel numpy runs (needs threadpoolctl, else "unknown")."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (pip install threadpoolctl to see it)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    names = [f"{i['internal_api']} {i.get('architecture')} x{i['num_threads']}" for i in blas]
    return ", ".join(names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, help="default: tlm's default")
    ap.add_argument("--lr", type=float, help="default: tlm's default")
    ap.add_argument("--single", type=int, default=5000, help="examples for the batch-of-one run")
    args = ap.parse_args()
    try:
        import torch

        have_torch = True
        torch_note = f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"
    except ImportError:
        have_torch, torch_note = False, "PyTorch not installed: no reference"
    settings = {k: v for k, v in {"batch_size": args.batch_size, "lr": args.lr}.items() if v}

    print(f"numpy BLAS: {blas_kernel()}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    corpus = load_corpus(gutenberg=["austen-emma.txt"], transforms=["lower", "alpha"])
    ours, theirs = [], []
    for r in range(args.repeats):
        res = run_tlm(corpus, args.epochs, seed=r, **settings)
        ours.append(res)
        if have_torch:
            theirs.append(run_torch(res["model"], res["docs"], args.epochs, seed=r))
    cfg = ours[0]["model"].config
    V = len(ours[0]["model"].vocab)
    print(f"Emma, -t lower -t alpha: {corpus.n_tokens} tokens, V={V}, d={cfg.dim}, "
          f"context {cfg.context_window}, batch {cfg.batch_size}, lr {cfg.lr}, "
          f"{args.epochs} epochs, val 10%; median of {args.repeats} runs; {torch_note}")

    def med(rs, key):
        return statistics.median(r[key] for r in rs)

    print(f"{'':10} {'examples/s':>11} {'wall s':>8} {'val ppl':>8}")
    for name, rs in (("tlm", ours), ("pytorch", theirs)):
        if rs:
            rate, wall, ppl = med(rs, "ex_per_s"), med(rs, "wall"), med(rs, "ppl")
            print(f"{name:10} {rate:11.0f} {wall:8.1f} {ppl:8.1f}")
    if theirs:
        ratios = [o["ex_per_s"] / t["ex_per_s"] for o, t in zip(ours, theirs, strict=True)]
        print(f"speed ratio tlm/pytorch: {statistics.median(ratios):.2f}x "
              f"(runs: {', '.join(f'{x:.2f}' for x in ratios)})")

    singles = [batch_of_one(ours[0]["model"], ours[0]["docs"], args.single)
               for _ in range(args.repeats)]
    one = statistics.median(s[0] for s in singles)
    line = f"batch of one (textbook step): tlm {one:.0f} examples/s"
    if have_torch:
        ref = statistics.median(s[1] for s in singles)
        line += f", pytorch {ref:.0f} examples/s, ratio {one / ref:.2f}x"
    print(line)


if __name__ == "__main__":
    main()
