"""A tiny transformer for the tests (tests/test_transformer.py, tests/test_positions.py,
tests/test_attention.py, tests/test_layout.py): a helper module, not a test module."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tlm.models.config import TransformerConfig
from tlm.models.transformer import TransformerModel
from tlm.vocab import Vocab

V = 7  # words in the tiny vocabulary


def tiny(dtype=np.float64, seed: int = 0, words: Sequence[str] | None = None,
         **settings) -> TransformerModel:
    """A tiny float64 model whose arrays are moved off their initial values (so
    LayerNorm's gains and the biases are not 1 and 0, which would hide mistakes);
    its vocabulary w0..w6, or `words` (each counted once)."""
    base = dict(dim=8, heads=2, layers=2, hidden=12, context_window=5, dropout=0.0,
                weight_decay=0.0, seed=1)
    config = TransformerConfig(**(base | settings))
    config.validate()
    rng = np.random.default_rng(seed)
    words = list(words) if words is not None else [f"w{i}" for i in range(V)]
    arrays = TransformerModel.init_arrays(len(words), config, rng, dtype=dtype)
    arrays = {k: a + rng.normal(0, 0.1, a.shape).astype(dtype) for k, a in arrays.items()}
    return TransformerModel(Vocab(words, [1] * len(words)), config, arrays)
