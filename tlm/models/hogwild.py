"""Training with workers that never wait for each other (Hogwild!): each takes
the next batch and runs the model's own `_step` on it while the others run
theirs, all writing the same arrays.

Why: this is how word2vec's C code and gensim's `workers=N` train the skip-gram
(Recht, Re, Wright and Niu, 2011, "Hogwild!"). A skip-gram step is about a
millisecond of NumPy work; splitting each step over two threads, so that two
cores give one core's update to the bit (as tlm/models/threaded.py does for the
embedding model's larger steps), needs two hand-offs a step and was slower than
one thread on a 2-core machine, while workers that never wait were about 1.6
times faster (benchmarks/skipgram_two_cores.py).

The price: a step may read a row that another worker is halfway through
updating, and two workers adding into the same row at the same moment can lose
one of the two additions. Both are rare (a step touches a few thousand of the
vocabulary's rows) and SGD does not mind them, but the result depends on how the
threads happened to run: a run with more than one worker is not repeatable to
the bit. With one worker it is, and it is exactly the plain loop.

Nothing of the maths is here. Each batch's learning rate is computed from the
pairs of the batches started before it (as gensim computes alpha from its
workers' progress), which on one worker is the plain loop's. numpy releases the
GIL inside its loops, so Python threads run the steps at the same time; BLAS is
held to one thread meanwhile.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from threadpoolctl import threadpool_limits

Batch = Any  # a list of arrays, one row per example


def run(
    step: Callable[..., float],
    batches: Iterable[Batch],
    lr_at: Callable[[int], float],
    workers: int = 1,
) -> Iterator[tuple[Batch, float]]:
    """Train on `batches`: `step(*batch, lr=lr_at(start))`, where start is how many
    examples the batches before it held. Yields (batch, the step's loss) as each
    step ends: in order on one worker, in the order they finish on several (the
    calling thread is one of them, and hands on the others' between its steps).

    Closing the iterator (a loop that breaks on Ctrl-C) lets the workers finish
    the step each is in, then stops them: those last steps are in the arrays but
    were not yielded (so what the caller counted is a lower bound), and an error one
    of them met is raised. Anything that reads the arrays between steps (a snapshot)
    may see a row halfway through another worker's update.
    """
    if workers < 2:
        start = 0
        for batch in batches:
            yield batch, step(*batch, lr=lr_at(start))
            start += len(batch[0])
        return

    source = iter(batches)
    lock = threading.Lock()
    stop = threading.Event()
    finished: queue.SimpleQueue = queue.SimpleQueue()  # (batch, loss), an error, or None
    started = 0  # examples in the batches handed out so far

    def take() -> tuple[Batch, int] | None:
        nonlocal started
        with lock:  # one worker at a time draws from the batches' generator
            batch = None if stop.is_set() else next(source, None)
            if batch is None:
                return None
            start, started = started, started + len(batch[0])
            return batch, start

    def work() -> None:
        try:
            while (item := take()) is not None:
                batch, start = item
                finished.put((batch, step(*batch, lr=lr_at(start))))
        except BaseException as e:  # noqa: BLE001  (handed to the caller, raised there)
            stop.set()
            finished.put(e)
            return
        finished.put(None)

    def handed_over(wait: bool) -> Iterator[tuple[Batch, float]]:
        """What the other workers finished: so far (wait False), or all of it."""
        nonlocal running
        while running:
            try:
                item = finished.get(block=wait)
            except queue.Empty:
                return
            if item is None:
                running -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield item

    # The calling thread is a worker too: between its own steps it hands on what the
    # others finished, so no thread has to be woken for every step.
    running = 0
    threads: list[threading.Thread] = []
    with threadpool_limits(1, user_api="blas"):
        try:
            for i in range(1, workers):
                t = threading.Thread(target=work, name=f"tlm-worker-{i}", daemon=True)
                t.start()  # may fail (no more threads): those started are stopped below
                threads.append(t)
                running += 1
            while (item := take()) is not None:
                batch, start = item
                loss = step(*batch, lr=lr_at(start))
                yield from handed_over(wait=False)
                yield batch, loss
            yield from handed_over(wait=True)  # the others' last steps
        finally:
            stop.set()
            for t in threads:
                t.join()
            # closed early (Ctrl-C): a worker's error still waiting is raised, unless
            # another is already on its way out
            if sys.exc_info()[0] in (None, GeneratorExit):
                while running:
                    item = finished.get()
                    running -= isinstance(item, BaseException) or item is None
                    if isinstance(item, BaseException):
                        raise item
