"""One exception type for every mistake a user can make.

The library raises `TlmError` with a message meant for a person. It knows
nothing of the command line: the click group of both commands (`TlmGroup`,
tlm/cli/group.py) turns it into a single line on stderr and a non-zero exit,
never a traceback, and the shell (tlm/interact.py) into one `Error:` line.
"""

from __future__ import annotations


class TlmError(Exception):
    """A problem with the user's input, files or settings, explained in one line."""
