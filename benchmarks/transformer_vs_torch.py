"""Training speed of tlm's NumPy transformer against the same model in PyTorch (CPU).

Same architecture (the defaults of `tlm train --model transformer`, printed:
d 128, 4 heads, F 512, RoPE, tied output, GELU, dropout 0.1, and its number of
blocks), same vocabulary size, same batch of 32 windows of 64 words, same Adam
(without the default's weight decay, which is one more elementwise pass over the
matrices in either); both in float32, both on the same number of threads. A step
is forward, backward and the Adam update. Runs alternate (tlm, torch, tlm,
torch, ...) so a change of the machine's load hits both; the figure is the ratio
of the medians, and the median of the per-pair ratios.

    python benchmarks/transformer_vs_torch.py [--threads 1 2] [--repeats 7] [--vocab 14000]

Needs `pip install torch` (the CPU wheel).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from machine import describe  # noqa: E402  (benchmarks/machine.py)


def tlm_stepper(V: int, threads: int, seed: int = 1):
    from tlm.models.config import TransformerConfig
    from tlm.models.transformer import TransformerModel
    from tlm.vocab import Vocab

    vocab = Vocab([f"w{i}" for i in range(V)], [1] * V)
    config = TransformerConfig(seed=seed, weight_decay=0.0)
    return TransformerModel.create(vocab, config, np.random.default_rng(seed))


def torch_model(V: int, d: int = 128, L: int = 2, H: int = 4, F: int = 512, T: int = 64,
                p: float = 0.1):
    """The same transformer written with torch's modules (autograd for the gradients)."""
    import torch
    from torch import nn

    dh = d // H
    i = torch.arange(dh // 2)
    theta = torch.arange(T)[:, None] / 10000.0 ** (2 * i / dh)  # (T, dh/2)
    cos, sin = torch.cos(theta), torch.sin(theta)

    def rope(x):
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * cos - b * sin, a * sin + b * cos], dim=-1).flatten(-2)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.q = nn.Linear(d, d, bias=False)
            self.k = nn.Linear(d, d, bias=False)
            self.v = nn.Linear(d, d, bias=False)
            self.o = nn.Linear(d, d)
            self.f1, self.f2 = nn.Linear(d, F), nn.Linear(F, d)
            self.drop = nn.Dropout(p)

        def forward(self, x):
            B, T_, _ = x.shape
            a = self.ln1(x)
            q, k, v = (m(a).view(B, T_, H, dh).transpose(1, 2) for m in (self.q, self.k, self.v))
            q, k = rope(q), rope(k)
            s = q @ k.transpose(-1, -2) / math.sqrt(dh)
            s = s.masked_fill(torch.triu(torch.ones(T_, T_, dtype=torch.bool), 1), float("-inf"))
            o = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B, T_, d)
            x = x + self.drop(self.o(o))
            return x + self.drop(self.f2(nn.functional.gelu(self.f1(self.ln2(x)),
                                                            approximate="tanh")))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.E = nn.Embedding(V, d)
            self.blocks = nn.ModuleList(Block() for _ in range(L))
            self.lnf = nn.LayerNorm(d)
            self.b = nn.Parameter(torch.zeros(V))
            self.drop = nn.Dropout(p)

        def forward(self, ids):
            x = self.drop(math.sqrt(d) * self.E(ids))
            for blk in self.blocks:
                x = blk(x)
            return self.lnf(x) @ self.E.weight.T + self.b

    return Net()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5, help="steps per timed run")
    parser.add_argument("--vocab", type=int, default=14000)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()

    import torch

    V, B, T = args.vocab, args.batch, 64
    rng = np.random.default_rng(0)
    windows = rng.integers(0, V, (B, T + 1)).astype(np.int32)
    ids_t = torch.from_numpy(windows[:, :-1].astype(np.int64))
    tgt_t = torch.from_numpy(windows[:, 1:].astype(np.int64)).reshape(-1)
    tokens = B * T * args.steps
    print(describe())
    for threads in args.threads:
        model = tlm_stepper(V, threads)
        c = model.config
        net = torch_model(V, d=c.dim, L=c.layers, H=c.heads, F=c.hidden or 4 * c.dim,
                          T=c.context_window, p=c.dropout)
        print(f"model: d {c.dim}, {c.layers} blocks, {c.heads} heads, F {c.hidden or 4 * c.dim}, "
              f"{c.positions}, tied {c.tie}, V {V}; batch {B} x {T} words; {threads} threads")
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        torch.set_num_threads(threads)

        def torch_steps(net=net, opt=opt):
            for _ in range(args.steps):
                opt.zero_grad()
                loss = torch.nn.functional.cross_entropy(net(ids_t).reshape(-1, V), tgt_t)
                loss.backward()
                opt.step()

        tlm_rates, torch_rates = [], []
        with model.steps(threads) as step:
            step(windows, lr=1e-3)  # warm up both
            torch_steps()
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                for _ in range(args.steps):
                    step(windows, lr=1e-3)
                tlm_rates.append(tokens / (time.perf_counter() - t0))
                t0 = time.perf_counter()
                torch_steps()
                torch_rates.append(tokens / (time.perf_counter() - t0))
        pairs = [a / b for a, b in zip(tlm_rates, torch_rates, strict=True)]
        tlm_med, torch_med = statistics.median(tlm_rates), statistics.median(torch_rates)
        print(f"threads {threads}: tlm {tlm_med:,.0f} tokens/s, torch {torch_med:,.0f} tokens/s "
              f"(medians of {args.repeats} runs of {args.steps} steps); tlm/torch "
              f"{tlm_med / torch_med:.2f} (median of same-pair ratios "
              f"{statistics.median(pairs):.2f}, range {min(pairs):.2f}-{max(pairs):.2f}); "
              f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
