"""Sampling text from a next-word model: temperature, top-k, a seed, a prompt.

Each step asks the model for p(next word | last words), reshapes it with the
temperature (p ** (1/T), renormalised: T < 1 sharpens, T > 1 flattens, T = 0
always takes the most likely word), keeps the k most likely words if asked,
and draws one. `<unk>` stands for every word the model does not know, so it is
never drawn: the text would not say which word it is.

This module needs nothing from tlm.models: it works on anything shaped like
`NextWordModel` below (tlm.models.base.Model is), so the model classes can
import it without a circle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np

from tlm import memory
from tlm.corpus import apply_transforms, tokenize
from tlm.errors import TlmError
from tlm.seeds import check_seed
from tlm.vocab import UNK, UNKNOWN, Vocab


class NextWordModel(Protocol):
    """What generation needs from a model."""

    type: str
    predicts_next_word: bool
    vocabulary: Vocab
    info: dict[str, Any]

    @property
    def context_size(self) -> int: ...

    def next_word_probs(self, context: np.ndarray) -> np.ndarray: ...


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
    logp = np.log(np.maximum(p.astype(np.float64), 1e-300))
    logp[p <= 0] = -np.inf  # a word with probability 0 (such as <unk>) stays impossible
    if top_k is not None and top_k < len(p):
        keep = np.argsort(-logp, kind="stable")[:top_k]  # exactly k; a tie goes to the lower id
        kept = np.full_like(logp, -np.inf)
        kept[keep] = logp[keep]
        logp = kept
    if not np.isfinite(logp.max()):
        raise TlmError("the model gives every word probability 0 here: its arrays are damaged")
    # (log p - max log p) / T is 0 for the likeliest word and below 0 for the rest, so a
    # tiny T sends the rest to -inf (probability 0): it is greedy, never NaN
    with np.errstate(over="ignore"):
        z = (logp - logp.max()) / temperature
    q = np.exp(z)
    return int(rng.choice(len(q), p=q / q.sum()))


def prompt_words(model: NextWordModel, prompt: str | None) -> list[str]:
    """The prompt's words after the model's transforms (so `-t lower` models
    accept "Emma"); [] without a prompt."""
    if not prompt:
        return []
    transforms = model.info.get("transforms", [])
    words = apply_transforms(tokenize(prompt), transforms)
    if not words:
        raise TlmError(
            f"the prompt {prompt!r} has no words left after the model's transforms "
            f"({', '.join(transforms) or 'none'})"
        )
    return words


def unknown_words(model: NextWordModel, prompt: str | None) -> list[str]:
    """The prompt words outside the model's vocabulary (`<unk>` to a model that has it)."""
    return [w for w in prompt_words(model, prompt) if w not in model.vocabulary or w == UNK]


#: What one generated word takes while a text is held whole (a Python string and
#: its place in a list): a text longer than the memory budget is refused up front.
BYTES_PER_WORD = 64


def generate(
    model: NextWordModel,
    length: int = 20,
    prompt: str | None = None,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
) -> str:
    """The prompt followed by `length` sampled words, as one text (see
    `generate_words`, which yields them one at a time for a text of any length)."""
    check_length(length)
    return " ".join(generate_words(model, length, prompt, temperature, top_k, seed))


def check_length(length: int, option: str = "--length") -> None:
    """Refuse, naming the limit, a text of `length` words that cannot be held whole."""
    memory.check_fits(length * BYTES_PER_WORD, f"{option} {length}: a text of {length} words",
                      f"give a smaller {option}")


def generate_words(
    model: NextWordModel,
    length: int = 20,
    prompt: str | None = None,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
) -> Iterator[str]:
    """The prompt's words, then `length` sampled words, one at a time: only the
    last words the model reads are kept, so a text of any length streams.

    A prompt word outside the vocabulary (seen fewer than --min-count times in
    training, or never) is `<unk>` to a model that has it, and otherwise read
    as the model reads an unknown word (`model.unknown_context`);
    `unknown_words` names them. Without a prompt the first word is drawn from the
    training word frequencies (with the same temperature and top-k, so
    temperature 0 starts from the most frequent word). `<unk>` is never drawn.
    The checks run before the first word is yielded.
    """
    if not model.predicts_next_word:
        raise TlmError(
            f"a {model.type} model learns word vectors, not next-word probabilities, "
            "so it cannot generate text; use --interact to explore its vectors"
        )
    if length < 0:
        raise TlmError(f"--length must be 0 or more, not {length}")
    check_seed(seed)
    words = prompt_words(model, prompt)
    return _sampled(model, length, words, np.random.default_rng(seed), temperature, top_k)


def _sampled(model: NextWordModel, length: int, words: list[str], rng: np.random.Generator,
             temperature: float, top_k: int | None) -> Iterator[str]:
    vocab = model.vocabulary
    unk = vocab.word_to_idx.get(UNK)
    # a word the model does not know: <unk> if it has one, else UNKNOWN (each model
    # says what it does with one: `model.unknown_context`)
    C = model.context_size  # each step passes only the words the model reads: same cost
    ids: deque[int] = deque((vocab.word_to_idx.get(w, UNKNOWN if unk is None else unk)
                             for w in words), maxlen=max(C, 1))
    yield from words
    if not words and length > 0:
        counts = without_unk(np.asarray(vocab.counts), unk)
        ids.append(sample(counts / counts.sum(), rng, temperature, top_k))
        yield vocab.words[ids[-1]]
        length -= 1
    for _ in range(length):
        context = list(ids)[-C:] if C else []
        with np.errstate(all="ignore"):  # a damaged model is caught in sample()
            p = model.next_word_probs(np.asarray(context, dtype=np.int64))
        ids.append(sample(without_unk(p, unk), rng, temperature, top_k))
        yield vocab.words[ids[-1]]


def without_unk(p: np.ndarray, unk: int | None) -> np.ndarray:
    """p with the `<unk>` entry set to 0 (a copy), so it is never drawn."""
    p = np.array(p, dtype=np.float64)
    if unk is not None:
        p[unk] = 0.0
    return p

