"""The console scripts `tlm` and `wp`.

They start by importing click, numpy and the commands, which takes a moment;
a Ctrl-C then would print a KeyboardInterrupt traceback from inside an import.
So the SIGINT handler is set first, before any of those imports: a Ctrl-C
while starting up prints one line and exits 130. Once the commands are loaded,
Ctrl-C is Python's KeyboardInterrupt again, which every command turns into one
line and exit 130 (`TlmGroup`), and which training handles itself
(tlm/interrupts.py). This module imports nothing heavy.
"""

from __future__ import annotations

import os
import signal


def _while_starting(signum: int, frame: object) -> None:
    os.write(2, b"Interrupted\n")
    os._exit(130)  # nothing has been done yet: nothing to clean up


#: The backends built into matplotlib (its backend registry's list, any case; a test
#: checks this copy against it, so looking the name up costs no matplotlib import).
BACKENDS = ("gtk3agg", "gtk3cairo", "gtk4agg", "gtk4cairo", "macosx", "nbagg", "notebook",
            "qtagg", "qtcairo", "qt5agg", "qt5cairo", "tkagg", "tkcairo", "webagg", "wx",
            "wxagg", "wxcairo", "agg", "cairo", "pdf", "pgf", "ps", "svg", "template")


def _backend_exists(name: str) -> bool:
    """Whether matplotlib could load the backend MPLBACKEND names: a built-in name,
    or `module://package.module` for a module that can be found (not imported)."""
    if not name.startswith("module://"):
        return name.lower() in BACKENDS
    import importlib.util

    try:
        return importlib.util.find_spec(name[len("module://"):]) is not None
    except (ImportError, ValueError):  # an empty name, a parent that is not a package
        return False


def _matplotlib_backend() -> None:
    """tlm draws its pictures to files (Agg) with its own settings: an MPLBACKEND
    matplotlib could not load (MPLBACKEND=bogus, module://missing) is replaced by
    agg for this run, rather than ending the shell's `plot` in a traceback."""
    name = os.environ.get("MPLBACKEND")
    if name is not None and not _backend_exists(name):
        os.environ["MPLBACKEND"] = "agg"


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM once the command runs: unwind (a save under way removes its
    temporary file) and exit 143, the shell's 128 + SIGTERM."""
    raise SystemExit(128 + signum)


def _start(module: str) -> None:
    signal.signal(signal.SIGINT, _while_starting)
    _matplotlib_backend()
    import importlib

    main = importlib.import_module(module).main
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        main()
    finally:
        _flush_or_say()


def _flush_or_say() -> None:
    """Flush what the command printed; if that fails (`> /dev/full`, a pipe closed
    by `head`), one line (or none, for the pipe) instead of Python's message at
    exit, and the exit code a shell expects."""
    import sys

    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os._exit(141)
    except OSError as e:
        os.write(2, f"Error: cannot write the output: {e.strerror or e}\n".encode())
        os._exit(1)


def tlm() -> None:
    _start("tlm.cli")


def wp() -> None:
    _start("tlm.wp")
