"""One exception type for every mistake a user can make.

The library raises `TlmError` with a message meant for a person; the CLI turns
it into a single line on stderr and a non-zero exit, never a traceback.
"""

import functools
import sys
from collections.abc import Callable
from typing import Any


class TlmError(Exception):
    """A problem with the user's input, files or settings, explained in one line."""


def shell_errors(fn: Callable) -> Callable:
    """`fn` for the interactive shell: a TlmError prints `Error: ...` on stderr
    and returns None, instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TlmError as e:
            print(f"Error: {e}", file=sys.stderr)
            return None

    return wrapper
