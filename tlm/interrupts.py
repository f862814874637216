"""Ctrl-C at any moment ends with one line and exit 130, and never costs a model.
(SIGTERM is Ctrl-C to a training run; elsewhere it ends the command as Python's
SystemExit(143), so a save under way removes its temporary file.)

    start-up (imports)        one line, exit 130          (tlm/console.py)
    any command               one line, exit 130          (`TlmGroup`, tlm/cli/group.py)
    training                  the first Ctrl-C stops after the current batch and
                              the model trained so far is saved; a second stops at once
    end of training -> saved  Ctrl-C waits for the save to finish, then exit 130

`Interrupts` is the SIGINT handler of a training run: `train()` moves it from
one row of this table to the next, and `tlm train` keeps it until the model is
saved. Outside it, Ctrl-C is Python's KeyboardInterrupt.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any, Literal

State = Literal["at once", "after the batch", "after the save"]
#: The signals a training run handles as Ctrl-C.
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """SIGINT while installed (a `with` block in the main thread):

    - "at once": raise KeyboardInterrupt, as Python does (reading the text);
    - "after the batch": the first Ctrl-C sets `requested`, which the training
      loop checks between batches, so a step is never cut in half; a second
      one stops at once;
    - "after the save": the Ctrl-C is noted in `requested` and nothing else
      happens until the caller has saved the model.
    """

    def __init__(self) -> None:
        self.state: State = "at once"
        self.requested = False
        self._installed = False
        self._old: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self.state == "after the save":
            self.requested = True
            return
        if self.state == "at once" or self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            # SIGTERM (kill, a closing terminal's session manager) is Ctrl-C here too:
            # the model trained so far is saved, and a save is never cut in half
            self._old = {s: signal.signal(s, self._handler) for s in SIGNALS}
            self._installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._installed:
            for s, old in self._old.items():
                signal.signal(s, old)
            self._installed = False

    @contextlib.contextmanager
    def training(self) -> Iterator[Interrupts]:
        """The training loop: Ctrl-C stops after the batch; once the loop is done,
        any Ctrl-C is held for the save. An error in the loop makes Ctrl-C act at
        once again. Installs the handler if the caller has not."""
        with contextlib.nullcontext() if self._installed else self:
            self.state = "after the batch"
            try:
                yield self
            except BaseException:
                self.state = "at once"
                raise
            self.state = "after the save"
