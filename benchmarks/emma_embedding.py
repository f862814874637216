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
import contextlib
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

from machine import describe, peak_gflops  # noqa: E402  (benchmarks/machine.py)

from tlm.corpus import load_corpus  # noqa: E402  (NLTK_DATA must be set first)
from tlm.train import build_model, train  # noqa: E402


def run_tlm(corpus, epochs: int, seed: int, plain: bool = False, **settings) -> dict:
    """tlm's training as `tlm train` runs it (the step on every core), or with
    `plain` the textbook `_step` on one thread (BLAS keeps its own threads)."""
    model, docs = build_model(
        "embedding", corpus, {"epochs": epochs, "val_fraction": 0.1, "seed": seed, **settings}
    )
    start = {name: a.copy() for name, a in model.arrays.items()}
    if plain:
        model.steps = contextlib.contextmanager(lambda: (yield model._step))
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
        "start": start,
    }


def run_torch(model, docs, start: dict, epochs: int, seed: int) -> dict:
    """The same model in PyTorch: nn.Embedding -> mean -> nn.Linear -> cross-entropy, SGD,
    from tlm's starting arrays `start`. tlm's lr is per example, so the batch's loss is
    summed (reduction="sum"), and the held-out loss is over the positions
    tlm.perplexity scores (targets that are not <unk>)."""
    import torch
    from torch import nn

    from tlm.perplexity import scored_positions
    from tlm.train import split_documents

    cfg = model.config
    torch.manual_seed(seed)
    V, d = len(model.vocab), cfg.dim
    emb, out = nn.Embedding(V, d), nn.Linear(d, V)
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(start["E"]))
        out.weight.copy_(torch.from_numpy(start["W"].T))
        out.bias.copy_(torch.from_numpy(start["b"]))
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
    with torch.no_grad():  # a context word training never saw is a zero row, as in tlm
        known = (vctx >= 0).unsqueeze(-1)
        h = (emb(vctx.clamp(min=0)) * known).sum(1) / vctx.shape[1]
        val = nn.functional.cross_entropy(out(h), vtgt).item()
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


PHASES = ("gather + mean", "h W (BLAS)", "+ b, max, exp, sums, scale", "loss, p - onehot",
          "h^T dz (BLAS)", "db", "dz W^T (BLAS)", "dE", "W, b update", "scatter-add into E")


def timed_gradients(model, context, target, clock: dict[str, float]):
    """tlm/model.py's `gradients` (the course's model), line for line, with a clock
    between the lines: the same numbers (`phases` checks it), each phase's seconds
    added to `clock`."""
    t = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        clock[name] = clock.get(name, 0.0) + now - t
        t = now

    B, C = context.shape
    rows = np.arange(B)
    h = model.E[context].mean(axis=-2)                   # (B, d)
    tick("gather + mean")
    z = h @ model.W                                      # (B, V)
    tick("h W (BLAS)")
    z += model.b                                         # softmax(z), as tlm/models/base.py
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    row_sums = z @ np.ones(z.shape[-1], dtype=z.dtype)
    z *= (1.0 / row_sums)[..., None]
    tick("+ b, max, exp, sums, scale")
    loss = -np.log(z[rows, target]).sum()
    dz = z
    dz[rows, target] -= 1.0
    tick("loss, p - onehot")
    dW = np.tensordot(h, dz, axes=(0, 0))                # (d, V)
    tick("h^T dz (BLAS)")
    db = np.ones(B, dtype=dz.dtype) @ dz                 # (V,)
    tick("db")
    dh = dz @ model.W.T                                  # (B, d)
    tick("dz W^T (BLAS)")
    dE = np.broadcast_to(dh[:, None, :] / C, (B, C, dh.shape[1]))
    tick("dE")
    return float(loss), {"W": dW, "b": db, "E": dE}


def phases(model, docs, batches: int, threads: int) -> tuple[dict[str, float], float, int]:
    """Milliseconds per batch of each phase of the training step, over `batches`
    batches of the first epoch's examples, with the step on `threads` threads as
    `tlm train` runs it (tlm/models/threaded.py; BLAS on one thread). With two
    threads each thread's phases are its own time (they overlap), and "threads'
    hand-off" is the step's wall time beyond the slower block and the serial part
    (handing the blocks to the pool, waiting, adding the two halves' gradients).
    Returns ({phase: ms per batch}, ms per batch of the whole step, the batch size)."""
    from threadpoolctl import threadpool_limits

    from tlm.models.sparse import scatter_add
    from tlm.models.threaded import split

    ctx, tgt = model.prepare(docs)
    B = model.config.batch_size
    lr = model.config.lr
    twin = type(model)(model.vocabulary, model.config,
                       {k: a.copy() for k, a in model.arrays.items()})
    clocks: dict[str, float] = {}
    block_walls: list[float] = []
    lock = threading.Lock()

    def gradients(context, target):
        own: dict[str, float] = {}
        t0 = time.perf_counter()
        out = timed_gradients(model, context, target, own)
        with lock:
            block_walls.append(time.perf_counter() - t0)
            for name, sec in own.items():
                clocks[name] = clocks.get(name, 0.0) + sec / threads  # each thread's share
        return out

    total = handoff = 0.0
    with ThreadPoolExecutor(max(1, threads - 1)) as pool, threadpool_limits(1, user_api="blas"):
        on_blocks = split(gradients, pool, threads, model.per_example) if threads > 1 \
            else gradients
        for i in range(batches):
            c, y = ctx[i * B:(i + 1) * B], tgt[i * B:(i + 1) * B]
            del block_walls[:]
            t0 = time.perf_counter()
            loss, grad = on_blocks(c, y)
            t1 = time.perf_counter()
            handoff += (t1 - t0) - max(block_walls)
            model.W -= lr * grad["W"]
            model.b -= lr * grad["b"]
            t2 = time.perf_counter()
            scatter_add(model.E, c, -lr * grad["E"])
            t3 = time.perf_counter()
            clocks["W, b update"] = clocks.get("W, b update", 0.0) + t2 - t1
            clocks["scatter-add into E"] = clocks.get("scatter-add into E", 0.0) + t3 - t2
            total += t3 - t0
            twin._step(c, y, lr=lr)  # the model's own step from the same arrays
    for name in model.array_names:  # the timed copy made the model's own update
        assert np.allclose(getattr(twin, name), getattr(model, name), rtol=1e-4, atol=1e-6), name
    ms = {name: 1000 * clocks.get(name, 0.0) / batches for name in PHASES}
    if threads > 1:
        ms["threads' hand-off"] = 1000 * handoff / batches
    return ms, 1000 * total / batches, B


def print_phases(model, docs, batches: int, torch_rate: float | None) -> None:
    """The per-phase table for one and two threads, beside PyTorch's time per batch."""
    from tlm.models.threaded import cores

    print(f"where a step's time goes ({batches} batches of the first epoch, ms per batch; "
          "BLAS on one thread; with 2 threads each phase is one thread's time, the two "
          "running at once):")
    runs = {f"{n} thread{'s' if n > 1 else ''}": phases(model, docs, batches, n)
            for n in sorted({1, min(2, cores())})}
    names = list(next(iter(runs.values()))[0]) + (["threads' hand-off"] if len(runs) > 1 else [])
    print(f"  {'phase':30}" + "".join(f"{n:>18}" for n in runs))
    for name in dict.fromkeys(names):
        cells = []
        for ms, total, _ in runs.values():
            cells.append(f"{ms[name]:8.3f} ({ms[name] / total:4.0%})" if name in ms else "")
        print(f"  {name:30}" + "".join(f"{c:>18}" for c in cells))
    B = next(iter(runs.values()))[2]
    print(f"  {'whole step':30}" + "".join(f"{t:8.3f} ms {B / t * 1000:7.0f}/s"[:18].rjust(18)
                                           for _, t, _ in runs.values()))
    if torch_rate:
        print(f"  PyTorch in the same run: {B / torch_rate * 1000:.3f} ms a batch "
              f"({torch_rate:.0f} examples/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, help="default: tlm's default")
    ap.add_argument("--lr", type=float, help="default: tlm's default")
    ap.add_argument("--single", type=int, default=5000, help="examples for the batch-of-one run")
    ap.add_argument("--phases", type=int, default=300,
                    help="batches timed phase by phase (0: none)")
    ap.add_argument("--no-plain", action="store_true",
                    help="skip the run with the textbook _step on one thread")
    args = ap.parse_args()
    try:
        import torch  # noqa: F401  (loaded before describe() so that it reports PyTorch)

        have_torch = True
    except ImportError:
        have_torch = False
    settings = {k: v for k, v in {"batch_size": args.batch_size, "lr": args.lr}.items() if v}

    print(describe())
    if not have_torch:
        print("PyTorch not installed: no reference")
    corpus = load_corpus(gutenberg=["austen-emma.txt"], transforms=["lower", "alpha"])
    runs: dict[str, list[dict]] = {"tlm": [], "tlm plain": [], "pytorch": []}
    for r in range(args.repeats):  # alternate, so that all see the same load
        res = run_tlm(corpus, args.epochs, seed=r, **settings)
        runs["tlm"].append(res)
        if not args.no_plain:
            runs["tlm plain"].append(run_tlm(corpus, args.epochs, seed=r, plain=True, **settings))
        if have_torch:
            runs["pytorch"].append(run_torch(res["model"], res["docs"], res["start"],
                                             args.epochs, seed=r))
    cfg = runs["tlm"][0]["model"].config
    V = len(runs["tlm"][0]["model"].vocab)
    print(f"Emma, -t lower -t alpha: {corpus.n_tokens} tokens, V={V}, d={cfg.dim}, "
          f"context {cfg.context_window}, batch {cfg.batch_size}, lr {cfg.lr:g} per example, "
          f"{args.epochs} epochs, val 10%; median of {args.repeats} runs")

    def med(rs, key):
        return statistics.median(r[key] for r in rs)

    print(f"{'':10} {'examples/s':>11} {'wall s':>8} {'val ppl':>8}")
    for name, rs in runs.items():
        if rs:
            rate, wall, ppl = med(rs, "ex_per_s"), med(rs, "wall"), med(rs, "ppl")
            print(f"{name:10} {rate:11.0f} {wall:8.1f} {ppl:8.1f}")
    # The three matrix products of a step (z = h W, dW = h^T dz, dh = dz W^T) are 2 d V
    # multiply-adds each per example; the (B, V) elementwise passes are not counted.
    flops = 6 * cfg.dim * V
    peak, how = peak_gflops()
    print(f"FLOP rate: {flops:,} FLOPs an example (6 d V, the three matrix products)")
    for name, rs in runs.items():
        if rs:
            gflops = med(rs, "ex_per_s") * flops / 1e9
            share = f", {gflops / peak:.0%} of the FMA peak" if peak else ""
            print(f"  {name:10} {gflops:6.1f} GFLOP/s{share}")
    print(f"  peak: {how}")
    for other in ("pytorch", "tlm plain"):
        if runs[other]:
            ratios = [o["ex_per_s"] / t["ex_per_s"]
                      for o, t in zip(runs["tlm"], runs[other], strict=True)]
            print(f"speed ratio tlm/{other}: {statistics.median(ratios):.2f}x "
                  f"(same-run ratios: {', '.join(f'{x:.2f}' for x in ratios)})")

    first = runs["tlm"][0]
    if args.phases:
        torch_rate = med(runs["pytorch"], "ex_per_s") if runs["pytorch"] else None
        print_phases(first["model"], first["docs"], args.phases, torch_rate)
    singles = [batch_of_one(first["model"], first["docs"], args.single)
               for _ in range(args.repeats)]
    one = statistics.median(s[0] for s in singles)
    line = f"batch of one (textbook step): tlm {one:.0f} examples/s"
    if have_torch:
        ref = statistics.median(s[1] for s in singles)
        ratios = [s[0] / s[1] for s in singles]
        line += (f", pytorch {ref:.0f} examples/s, ratio {statistics.median(ratios):.2f}x "
                 f"(median of same-run ratios)")
    print(line)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
