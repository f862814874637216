"""Sampling text from a next-word model: temperature, top-k, a seed, a prompt.

Each step asks the model for p(next word | last words), reshapes it with the
temperature (p ** (1/T), renormalised: T < 1 sharpens, T > 1 flattens, T = 0
always takes the most likely word), keeps the k most likely words if asked,
and draws one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from tlm.errors import TlmError

if TYPE_CHECKING:
    from tlm.models.base import Model


def sample(
    p: np.ndarray, rng: np.random.Generator, temperature: float = 1.0, top_k: int | None = None
) -> int:
    """Draw one index from probabilities p (V,)."""
    if not temperature >= 0:  # also catches NaN
        raise TlmError(f"--temperature must be 0 or more, not {temperature}")
    if top_k is not None and top_k < 1:
        raise TlmError(f"--top-k must be at least 1, not {top_k}")
    if not np.isfinite(p).all():
        raise TlmError("the model gives invalid probabilities (NaN or inf): its arrays are damaged")
    if temperature == 0:
        return int(np.argmax(p))
    logp = np.log(np.maximum(p.astype(np.float64), 1e-300)) / temperature
    if top_k is not None and top_k < len(p):
        cutoff = np.partition(logp, -top_k)[-top_k]
        logp = np.where(logp >= cutoff, logp, -np.inf)
    q = np.exp(logp - logp.max())
    return int(rng.choice(len(q), p=q / q.sum()))


def generate(
    model: Model,
    length: int = 20,
    prompt: str | None = None,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
) -> str:
    """The prompt followed by `length` sampled words.

    Prompt words go through the model's transforms (so `-t lower` models accept
    "Emma"); a word the model never saw is an error that names it. Without a
    prompt the first word is drawn from the word frequencies (with the same
    temperature and top-k, so temperature 0 starts from the most frequent word).
    """
    if not model.predicts_next_word:
        model.next_word_probs(np.zeros(1, dtype=np.int32))  # raises: says what to do instead
    if length < 0:
        raise TlmError(f"--length must be 0 or more, not {length}")
    if seed is not None and seed < 0:
        raise TlmError(f"--seed must be 0 or more, not {seed}")
    from tlm.corpus import apply_transforms, tokenize

    rng = np.random.default_rng(seed)
    transforms = model.info.get("transforms", [])
    words = apply_transforms(tokenize(prompt), transforms) if prompt else []
    if prompt and not words:
        raise TlmError(
            f"the prompt {prompt!r} has no words left after the model's transforms "
            f"({', '.join(transforms) or 'none'})"
        )
    ids = [model.vocabulary.lookup(w) for w in words]
    if not ids and length > 0:
        counts = np.asarray(model.counts, dtype=np.float64)
        ids = [sample(counts / counts.sum(), rng, temperature, top_k)]
        length -= 1
    for _ in range(length):
        with np.errstate(all="ignore"):  # a damaged model is caught in sample()
            p = model.next_word_probs(np.asarray(ids))
        ids.append(sample(p, rng, temperature, top_k))
    return " ".join(model.vocab[i] for i in ids)
