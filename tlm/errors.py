"""One exception type for every mistake a user can make.

The library raises `TlmError` with a message meant for a person; the CLI turns
it into a single line on stderr and a non-zero exit, never a traceback.
"""


class TlmError(Exception):
    """A problem with the user's input, files or settings, explained in one line."""
