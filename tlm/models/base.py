"""What every tlm model shares: a vocabulary, named arrays, settings, a history.

A model subclass says which arrays it has (`array_names`), how to start them
(`init_arrays`), how to turn a corpus into training examples (`prepare`,
`epoch_examples`) and how to take one SGD step (`_step`). Saving, loading, the
word vectors as a gensim `KeyedVectors`, and generation live here or in their
own modules, so they work the same for every model.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from tlm.errors import TlmError
from tlm.generate import generate
from tlm.seeds import check_seed
from tlm.vocab import UNK, Vocab

if TYPE_CHECKING:
    from gensim.models import KeyedVectors


#: An epoch's examples are built at once; settings that would need more memory than
#: this are an error before training starts rather than a machine out of memory.
MAX_GIGABYTES = 4.0


@dataclass
class Settings:
    """Training settings every model has. A model's own Config adds its fields,
    and adds to `whole` and `positive` those that must be positive. The one
    default worked out at training time, the seed, is drawn in
    `train.build_model`."""

    min_count: int = 1
    val_fraction: float = 0.0
    seed: int | None = None  # None: build_model draws one and records it

    #: Fields that must be whole numbers, 1 or more.
    whole: ClassVar[tuple[str, ...]] = ("min_count",)
    #: Fields that must be finite numbers above 0.
    positive: ClassVar[tuple[str, ...]] = ()

    def validate(self) -> None:
        """Raise TlmError for values no model can train with."""
        for name in self.whole:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise TlmError(f"{_flag(name)} must be a positive whole number, not {value!r}")
        for name in self.positive:
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
                raise TlmError(f"{_flag(name)} must be a positive number, not {value!r}")
        if not 0 <= self.val_fraction < 1:
            raise TlmError(f"--val-fraction must be in [0, 1), not {self.val_fraction}")
        check_seed(self.seed)


@dataclass
class SGDSettings(Settings):
    """The settings of a model trained by SGD, epoch after epoch (the training
    loop in tlm/train.py reads `epochs`, `lr` and `batch_size` of every config)."""

    epochs: int = 5
    lr: float = 0.1  # SGD step size per example (per word pair for the skip-gram)
    batch_size: int = 256

    whole = (*Settings.whole, "epochs", "batch_size")
    positive = (*Settings.positive, "lr")


def _flag(name: str) -> str:
    """The command-line option of a setting: batch_size -> --batch-size."""
    return "--" + name.replace("_", "-")


class Model:
    """Base class: a vocabulary, a config, named float arrays and a loss history."""

    type: ClassVar[str]
    Config: ClassVar[type[Settings]]
    array_names: tuple[str, ...]  # the class default; `names_for(config)` per model
    #: True for models that give next-word probabilities (they can generate text).
    predicts_next_word: ClassVar[bool] = False
    #: How the learning rate moves over training: "constant" or "linear" decay.
    lr_schedule: ClassVar[str] = "constant"
    #: Whether words under min_count become <unk> (next-word models) or are dropped.
    uses_unk: ClassVar[bool] = True
    #: Whether the model has word vectors E (the count model has counts instead).
    has_vectors: ClassVar[bool] = True

    def __init__(
        self,
        vocab: Vocab,
        config: Settings,
        arrays: dict[str, np.ndarray],
        history: list[dict[str, Any]] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.array_names = self.names_for(config)
        missing = set(self.array_names) - set(arrays)
        if missing:
            raise TlmError(f"{self.type} model is missing arrays: {', '.join(sorted(missing))}")
        self.vocabulary = vocab
        self.config = config
        for name in self.array_names:  # model.E, model.W, ... are plain numpy arrays
            setattr(self, name, arrays[name])
        self.history = list(history or [])
        self.info = dict(info or {})  # corpus sources, transforms, timings
        self.check_shapes()

    # -- construction --------------------------------------------------------
    @classmethod
    def names_for(cls, config: Any) -> tuple[str, ...]:
        """The arrays a model with this config has (the embedding model's hidden
        layer adds two)."""
        return cls.array_names

    @classmethod
    def create(cls, vocab: Vocab, config: Settings, rng: np.random.Generator) -> Model:
        """A new, untrained model with randomly initialised arrays."""
        return cls(vocab, config, cls.init_arrays(len(vocab), config, rng))

    @classmethod
    def init_arrays(cls, V: int, config: Any, rng: np.random.Generator) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    def check_shapes(self) -> None:
        for name, shape in self.expected_shapes().items():
            if self.arrays[name].shape != shape:
                raise TlmError(
                    f"array {name} has shape {self.arrays[name].shape}, expected {shape}"
                )

    # -- what a learner looks at ----------------------------------------------
    #: The word vectors, one row per vocabulary word: (V, d). Every model has E.
    E: np.ndarray

    @property
    def arrays(self) -> dict[str, np.ndarray]:
        """The model's arrays by name, in `array_names` order."""
        return {name: getattr(self, name) for name in self.array_names}

    @property
    def vocab(self) -> list[str]:
        return self.vocabulary.words

    @property
    def word_to_idx(self) -> dict[str, int]:
        return self.vocabulary.word_to_idx

    @property
    def word_counts(self) -> list[int]:
        """How often each vocabulary word was seen in the training text. (The count
        model's `model.counts` is its matrix of next-word counts.)"""
        return self.vocabulary.counts

    @property
    def vectors(self) -> KeyedVectors:
        """The word vectors (rows of E) as a gensim KeyedVectors, so every gensim
        and tlm helper works on every model. Built from E on every use, so they
        always agree with E (after more training, or after an edit in the shell).
        Most frequent word first, ties alphabetically: gensim's order, which its
        benchmarks assume (`restrict_vocab` keeps the first N words). Without
        `<unk>`, which stands for many words, not one."""
        return self.word_vectors(unk=False)

    def word_vectors(self, unk: bool = False) -> KeyedVectors:
        """`vectors`; with `unk=True` the `<unk>` row too (an export keeps every row of E)."""
        from gensim.models import KeyedVectors

        if not self.has_vectors:
            raise TlmError(
                f"a {self.type} model has no word vectors (it counts which word follows which "
                "context); train an embedding or skipgram model for vectors"
            )
        counts = np.asarray(self.word_counts)
        order = np.argsort(-counts, kind="stable")  # (V,) the vocabulary is alphabetical
        if not unk and UNK in self.word_to_idx:
            order = order[order != self.word_to_idx[UNK]]
        kv = KeyedVectors(self.E.shape[1])
        if len(order):
            kv.add_vectors([self.vocab[i] for i in order], self.E[order].astype(np.float32))
        return kv

    def ids(self, context: Any) -> np.ndarray:
        """Context words as ids (`['how', 'much']` -> `[4, 7]`); ids pass through.
        A word the model has never seen is a TlmError that names it."""
        if isinstance(context, np.ndarray):
            return context
        if isinstance(context, str):
            raise TlmError(f"give the context as a list of words, e.g. [{context!r}]")
        return np.array([self.vocabulary.lookup(w) if isinstance(w, str) else w for w in context])

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}{self.arrays[n].shape}" for n in self.array_names)
        return f"<{type(self).__name__} V={len(self.vocab)} {shapes}>"

    # -- training interface (see tlm/train.py) --------------------------------
    def prepare(self, documents: list[np.ndarray]) -> Any:
        """Turn encoded documents into whatever epoch_examples needs."""
        raise NotImplementedError

    def epoch_examples(self, prepared: Any, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """The examples of one epoch, in training order: arrays sharing their first axis."""
        raise NotImplementedError

    def epoch_batches(
        self, prepared: Any, rng: np.random.Generator
    ) -> tuple[int, Iterator[list[np.ndarray]]]:
        """The number of examples in one epoch, and its batches in training order
        (slices of `epoch_examples`; without a batch size, all at once)."""
        examples = self.epoch_examples(prepared, rng)
        n = len(examples[0])
        size = self.config.batch_size or max(n, 1)
        return n, ([a[start : start + size] for a in examples] for start in range(0, n, size))

    def _step(self, *batch: np.ndarray, lr: float) -> float:
        """One SGD step on a batch; returns the batch's mean loss."""
        raise NotImplementedError

    @contextmanager
    def steps(self) -> Iterator[Callable[..., float]]:
        """The step function training calls while the block runs: `_step`, or a
        faster twin of it that a test shows makes the same update."""
        yield self._step

    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N,) log p(target_i | contexts_i) for contexts (N, C) and targets (N,), without
        changing the model. Next-word models only: held-out perplexity
        (tlm/perplexity.py) is made of these."""
        raise TlmError(f"a {self.type} model gives no next-word probabilities")

    @property
    def context_size(self) -> int:
        """How many of the last words `next_word_probs` reads (generation passes no more)."""
        return self.config.context_window

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        """(V,) probabilities of the next word after the ids in `context`."""
        raise TlmError(f"a {self.type} model gives no next-word probabilities")

    def generate(
        self,
        length: int = 20,
        prompt: str | None = None,
        temperature: float = 1.0,
        top_k: int | None = None,
        seed: int | None = None,
    ) -> str:
        """Sample `length` words after `prompt`; returns prompt + sampled words
        (see tlm.generate.generate)."""
        return generate(self, length, prompt, temperature, top_k, seed)
