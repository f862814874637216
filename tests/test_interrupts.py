"""The Ctrl-C handler of a training run, state by state, with real SIGINTs sent
to this process: at once, after the batch (a second one at once), after the save."""

from __future__ import annotations

import os
import signal

import pytest

from tlm.interrupts import Interrupts


def ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


# (state, Ctrl-C count, raises KeyboardInterrupt, requested afterwards)
CASES = [
    ("at once", 1, True, False),
    ("after the batch", 1, False, True),
    ("after the batch", 2, True, True),
    ("after the save", 1, False, True),
    ("after the save", 3, False, True),
]


@pytest.mark.parametrize("state, times, raises, requested", CASES)
def test_each_state(state, times, raises, requested):
    before = signal.getsignal(signal.SIGINT)
    with Interrupts() as interrupts:
        interrupts.state = state
        raised = False
        try:
            for _ in range(times):
                ctrl_c()
        except KeyboardInterrupt:
            raised = True
        assert (raised, interrupts.requested) == (raises, requested)
    assert signal.getsignal(signal.SIGINT) is before


def test_training_holds_ctrl_c_for_the_save_and_an_error_lets_it_through():
    with Interrupts() as interrupts:
        with interrupts.training():
            assert interrupts.state == "after the batch"
        assert interrupts.state == "after the save"
        ctrl_c()  # held: the caller is saving
        assert interrupts.requested
    fresh = Interrupts()
    with pytest.raises(ValueError), fresh.training():
        raise ValueError("the loss blew up")
    assert fresh.state == "at once"
