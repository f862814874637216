"""The one check of a random seed, shared by every command that takes one.

numpy accepts a seed of any size, but gensim (the same-corpus word2vec, seeded
from the model's own seed) wants one that fits in 32 bits; a seed that trains
fine and fails later in `tlm compare` is refused up front instead.
"""

from __future__ import annotations

import numbers

from tlm.errors import TlmError

MAX_SEED = 2**32 - 1


def check_seed(seed: int | None, option: str = "--seed") -> None:
    """None (a seed is drawn) or a whole number from 0 to 2^32 - 1."""
    if seed is None:
        return
    whole = isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
    if not whole or not 0 <= seed <= MAX_SEED:
        raise TlmError(f"{option} must be a whole number from 0 to {MAX_SEED}, not {seed!r}")
