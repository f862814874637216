"""How much memory one computation may hold: a budget, named when it is refused.

An option can ask for more than any machine holds (`explore background -n
10**9` wants 10^9 pairs of vectors). Rather than run until the memory runs out
and end in a `MemoryError` (or swap the machine to a halt), a computation
works out what its result needs and refuses, before any work, what is over the
budget, naming the option and the limit. What fits in the result but not in
one go (every sampled word's nearest neighbours) is computed in blocks of at
most `BLOCK_BYTES`.
"""

from __future__ import annotations

import os

from tlm.errors import TlmError

#: The most one result may hold: 4 GB, or half of this machine's memory if that is less.
GIGABYTES = 4.0
#: The most one block of a blocked computation holds (a block of similarities).
BLOCK_BYTES = 64 * 2**20


def budget() -> int:
    """The budget in bytes: `GIGABYTES`, or half of this machine's memory."""
    try:
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        machine = 0
    limit = int(GIGABYTES * 1e9)
    return min(limit, machine // 2) if machine > 0 else limit


def check_fits(nbytes: int, what: str, advice: str) -> None:
    """Refuse (one line: what, the size, the limit, what to do) a result of `nbytes`."""
    limit = budget()
    if nbytes > limit:
        raise TlmError(f"{what} would need about {_size(nbytes)} of memory (the limit is "
                       f"{_size(limit)}); {advice}")


def block_rows(row_bytes: int) -> int:
    """Rows of `row_bytes` each in one block of at most `BLOCK_BYTES` (at least one)."""
    return max(1, BLOCK_BYTES // max(1, row_bytes))


def _size(nbytes: int) -> str:
    if nbytes >= 10**12:
        return f"{nbytes / 1e12:.3g} TB"
    return f"{nbytes / 1e9:.3g} GB" if nbytes >= 10**9 else f"{nbytes / 1e6:.3g} MB"
