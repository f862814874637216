"""Workers that take batches side by side (tlm/models/hogwild.py), and the
skip-gram trained by them: every batch once, the learning rate from the batches
started before it, both threads at work, errors and Ctrl-C, and one worker
being exactly the plain loop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tlm.errors import TlmError
from tlm.models import hogwild
from tlm.models.skipgram import MIN_PAIRS_PER_WORKER
from tlm.train import fit


def batches(sizes: list[int]) -> list[list[np.ndarray]]:
    """Batches of the given sizes; each row holds its own index, to tell them apart."""
    starts = np.cumsum([0, *sizes])
    return [[np.arange(a, e)] for a, e in zip(starts[:-1], starts[1:], strict=True)]


class Recorder:
    """A step that remembers what it was given, in which thread and when."""

    def __init__(self, seconds: float = 0.0, fail_on: int | None = None):
        self.seconds, self.fail_on = seconds, fail_on
        self.calls: list[tuple[int, float, int, float, float]] = []
        self.lock = threading.Lock()

    def __call__(self, rows: np.ndarray, lr: float) -> float:
        t0 = time.perf_counter()
        if self.fail_on is not None and rows[0] == self.fail_on:
            raise MemoryError("no room")
        time.sleep(self.seconds)  # releases the GIL, as numpy's loops do
        with self.lock:
            self.calls.append((int(rows[0]), lr, threading.get_ident(), t0, time.perf_counter()))
        return float(rows[0])


def test_one_worker_is_the_plain_loop_in_order():
    step, data = Recorder(), batches([3, 3, 2])
    out = list(hogwild.run(step, data, lr_at=lambda start: 1.0 / (1 + start), workers=1))
    assert [int(b[0][0]) for b, _ in out] == [0, 3, 6]
    assert [lr for _, lr, *_ in step.calls] == [1.0, 1 / 4, 1 / 7]  # lr of the start: 0, 3, 6
    assert {ident for *_, ident, _, _ in step.calls} == {threading.get_ident()}


def test_two_workers_take_every_batch_once_side_by_side():
    step, data = Recorder(seconds=0.02), batches([5] * 12)
    out = list(hogwild.run(step, data, lr_at=lambda start: float(start), workers=2))
    firsts = sorted(int(b[0][0]) for b, _ in out)
    assert firsts == list(range(0, 60, 5))                  # each batch exactly once
    assert all(loss == b[0][0] for b, loss in out)          # each with its own step's loss
    # the learning rate of a batch comes from the examples handed out before it: here its
    # own first row, since the batches are handed out in order
    assert sorted(first for first, *_ in step.calls) == firsts
    assert all(lr == first for first, lr, *_ in step.calls)
    threads = {ident for _, _, ident, _, _ in step.calls}
    assert threading.get_ident() in threads and len(threads) == 2  # the caller is one
    spans = sorted((t0, t1) for *_, t0, t1 in step.calls)
    assert any(b0 < a1 for (_, a1), (b0, _) in zip(spans, spans[1:], strict=False)), \
        "no two steps ran at the same time"


def no_workers_left() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith("tlm-worker")]


def test_a_workers_error_reaches_the_caller_and_stops_the_others():
    """The error is met in the other thread (not the caller's), handed over, raised."""
    calls: list[str] = []

    def step(rows: np.ndarray, lr: float) -> float:
        calls.append(threading.current_thread().name)
        if threading.current_thread().name == "tlm-worker-1" and calls.count("tlm-worker-1") == 2:
            raise MemoryError("no room")
        time.sleep(0.002)
        return 0.0

    with pytest.raises(MemoryError, match="no room"):
        list(hogwild.run(step, batches([5] * 400), lr_at=lambda start: 0.1, workers=2))
    assert no_workers_left() and len(calls) < 400  # the others stopped early


def test_closing_early_stops_the_workers_after_their_current_step():
    """What a loop that breaks on Ctrl-C does (tlm/train.py closes the iterator): the
    other worker finishes the step it is in, and takes no other."""
    in_step, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def step(rows: np.ndarray, lr: float) -> float:
        calls.append(threading.current_thread().name)
        if threading.current_thread().name == "tlm-worker-1":
            in_step.set()
            release.wait(5)  # held inside its first step until the caller has closed
        return 0.0

    steps = hogwild.run(step, batches([5] * 200), lr_at=lambda start: 0.1, workers=2)
    next(steps)
    assert in_step.wait(5)
    threading.Timer(0.05, release.set).start()
    steps.close()  # waits for the held step to end
    assert no_workers_left()
    assert calls.count("tlm-worker-1") == 1 and len(calls) < 200


def test_an_error_met_while_closing_is_not_lost():
    """A worker that fails in the step it was in when the caller closed: the error
    comes out of close(), not a model half-updated without a word."""
    in_step = threading.Event()

    def step(rows: np.ndarray, lr: float) -> float:
        if threading.current_thread().name == "tlm-worker-1":
            in_step.set()
            time.sleep(0.05)
            raise MemoryError("no room")
        return 0.0

    steps = hogwild.run(step, batches([5] * 200), lr_at=lambda start: 0.1, workers=2)
    next(steps)
    assert in_step.wait(5)
    with pytest.raises(MemoryError, match="no room"):
        steps.close()
    assert no_workers_left()


def test_a_thread_that_cannot_start_stops_those_started(monkeypatch):
    started = 0
    start = threading.Thread.start

    def start_two(self):
        nonlocal started
        if self.name.startswith("tlm-worker"):
            started += 1
            if started == 3:
                raise RuntimeError("can't start new thread")
        start(self)

    monkeypatch.setattr(threading.Thread, "start", start_two)
    step = Recorder(seconds=0.001)
    with pytest.raises(RuntimeError, match="can't start new thread"):
        list(hogwild.run(step, batches([5] * 100), lr_at=lambda start: 0.1, workers=4))
    assert no_workers_left() and len(step.calls) < 100


# -- the skip-gram ---------------------------------------------------------------------------


@pytest.fixture
def wide_text(tmp_path: Path) -> Path:
    """40,000 words from 1,500 kinds, Zipf-like: a vocabulary large enough for two
    workers' batches of MIN_PAIRS_PER_WORKER pairs and more."""
    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(1500)]
    p = 1.0 / np.arange(1, 1501)
    path = tmp_path / "wide.txt"
    path.write_text(" ".join(rng.choice(words, size=40_000, p=p / p.sum())) + "\n",
                    encoding="utf-8")
    return path


def skipgram(path: Path, **settings):
    return fit("skipgram", [str(path)], **(dict(min_count=1, dim=8, epochs=2, seed=4)
                                           | settings))


def test_the_skipgram_trains_on_every_core_unless_its_batches_are_small(wide_text, monkeypatch):
    seen: set[int | str] = set()
    run = hogwild.run

    def watched(step, data, lr_at, workers=1):
        seen.add(workers)

        def in_thread(*batch, lr):
            seen.add(threading.current_thread().name)
            return step(*batch, lr=lr)
        return run(in_thread, data, lr_at, workers)

    monkeypatch.setattr(hogwild, "run", watched)
    monkeypatch.setattr("tlm.models.skipgram.cores", lambda: 2)
    model = skipgram(wide_text).model
    V = len(model.vocab)
    assert V >= 2 * MIN_PAIRS_PER_WORKER and model.workers() == 2
    assert seen == {2, threading.current_thread().name, "tlm-worker-1"}  # two threads
    assert model.pairs_per_batch() == V // 2             # the two in flight: V pairs
    model.config.batch_size = MIN_PAIRS_PER_WORKER - 1
    assert model.workers() == 1                          # small batches: one thread
    model.config.batch_size, model.config.workers = 2048, 1
    assert model.workers() == 1 and model.pairs_per_batch() == min(2048, V)
    model.config.workers = 8                             # no more than V / 512 of them
    assert model.workers() == V // MIN_PAIRS_PER_WORKER < 8


def test_two_workers_learn_as_well_as_one_and_one_repeats_to_the_bit(wide_text, monkeypatch):
    monkeypatch.setattr("tlm.models.skipgram.cores", lambda: 2)
    one_a = skipgram(wide_text, workers=1).model
    one_b = skipgram(wide_text, workers=1).model
    assert np.array_equal(one_a.E, one_b.E) and np.array_equal(one_a.E_out, one_b.E_out)
    two = skipgram(wide_text).model
    assert two.config.workers == 2 and two.workers() == 2  # recorded in the model file
    first, last = one_a.history[0].loss, one_a.history[-1].loss
    assert last < first and two.history[-1].loss < two.history[0].loss
    # the same loss, to within a small part of what training took off it (8 runs: at
    # most 0.4% of it)
    assert abs(two.history[-1].loss - last) < 0.05 * (first - last)


@pytest.mark.parametrize("workers", [0, -1, True, 1.5, 1025, 10**20])
def test_workers_must_be_a_whole_number_from_one_to_1024(wide_text, workers):
    with pytest.raises(TlmError, match="--workers must be a whole number from 1 to 1024"):
        skipgram(wide_text, workers=workers)


def test_workers_are_for_the_skipgram(wide_text):
    with pytest.raises(TlmError, match="--workers does not apply to the embedding model"):
        fit("embedding", [str(wide_text)], workers=2)


def test_the_cli_says_so_in_one_line(run, wide_text, one_line_error):
    result = run("train", "--model", "skipgram", "--filepath", str(wide_text), "--workers", "0",
                 "--output", str(wide_text.parent / "m.json"))
    one_line_error(result, "--workers must be a whole number from 1 to 1024, not 0")
    assert not (wide_text.parent / "m.json").exists()


def test_ctrl_c_with_two_workers_ends_the_epoch_and_stops_them(wide_text, monkeypatch):
    """The training loop's own Ctrl-C path (interrupts.requested, break, close) with two
    workers: no worker left, the part-epoch recorded, at most the epoch's pairs."""
    from tlm.interrupts import Interrupts

    monkeypatch.setattr("tlm.models.skipgram.cores", lambda: 2)
    interrupts = Interrupts()
    batches_seen = []

    def on_batch(progress) -> None:
        batches_seen.append(progress.done)
        if len(batches_seen) == 3:
            interrupts.requested = True

    from tlm.corpus import load_corpus
    from tlm.train import build_model, train

    model, docs = build_model("skipgram", load_corpus([str(wide_text)]),
                              {"min_count": 1, "dim": 8, "epochs": 3, "seed": 4})
    result = train(model, docs, on_batch=on_batch, interrupts=interrupts)
    assert result.interrupted and model.workers() == 2 and no_workers_left()
    last = model.history[-1]
    assert last.epoch == 1 and 0 < last.interrupted_after <= last.of
    assert last.interrupted_after == batches_seen[-1]


def test_files_from_before_workers_say_one(wide_text):
    """A skip-gram file written before --workers existed was trained on one thread."""
    from tlm import modelfile

    model = skipgram(wide_text, workers=1).model
    d = modelfile.to_dict(model)
    del d["config"]["workers"]
    assert modelfile.from_dict(d).config.workers == 1
