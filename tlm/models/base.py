"""What every tlm model shares: a vocabulary, named arrays, settings, a history.

A model subclass says which arrays it has (`array_names`), how to start them
(`init_arrays`), how to turn a corpus into training examples (`prepare`,
`epoch_examples`) and how to take one SGD step (`_step`). The word vectors as a
gensim `KeyedVectors` live here; saving and loading (tlm/modelfile.py) and
generation (tlm/generate.py) work on any model from outside.

`WindowModel` is what the two models that predict the next word from the
embeddings of the C words before it share (the course's model in tlm/model.py
and the MLP in tlm/models/mlp.py): their examples, held-out scoring, and
training on every core; `softmax` is theirs too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from tlm import memory
from tlm.errors import TlmError
from tlm.history import Epoch
from tlm.models import threaded
from tlm.models.config import Settings, SGDSettings
from tlm.vocab import UNK, UNKNOWN, Vocab, positions

if TYPE_CHECKING:  # gensim takes a second to import: only a model's `vectors` loads it
    from gensim.models import KeyedVectors

__all__ = ["MAX_GIGABYTES", "Model", "SGDSettings", "Settings", "WindowModel", "softmax"]


#: An epoch's examples are built at once; settings that would need more memory than
#: this are an error before training starts rather than a machine out of memory
#: (tlm/memory.py's one limit for a computation).
MAX_GIGABYTES = memory.GIGABYTES


class Model:
    """Base class: a vocabulary, a config, named float arrays and a loss history."""

    type: ClassVar[str]
    Config: ClassVar[type[Settings]]
    array_names: tuple[str, ...]  # the class default; `names_for(config)` per model
    #: True for models that give next-word probabilities (they can generate text).
    predicts_next_word: ClassVar[bool] = False
    #: How the learning rate moves over training: "constant" or "linear" decay.
    lr_schedule: ClassVar[str] = "constant"
    #: Whether words under min_count become <unk> (next-word models) or are dropped
    #: (a next-word model has a <unk> row only when its training text had such words).
    uses_unk: ClassVar[bool] = True
    #: Whether the model has word vectors E (the count model has counts instead).
    has_vectors: ClassVar[bool] = True
    #: Whether held-out perplexity reads the text in windows (`window_log_probs`)
    #: rather than one context per position (tlm/perplexity.py says how).
    reads_windows: ClassVar[bool] = False
    #: What the model does with a context word it never saw when it has no <unk>
    #: (`tlm generate` says it about a prompt word): "... so the model {unknown_context}".
    unknown_context: ClassVar[str] = "cannot read it"
    #: Why an epoch with no examples (`epoch_batches` gave none) is skipped.
    empty_epoch: ClassVar[str] = "the epoch had no examples"
    #: Copies of E taken while training: a tlm.snapshots.Snapshots (`tlm train
    #: --snapshots N`; that module sits above the models, so it is not named here).
    snapshots: Any = None

    def __init__(
        self,
        vocab: Vocab,
        config: Settings,
        arrays: dict[str, np.ndarray],
        history: list[Epoch] | list[dict[str, Any]] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.array_names = self.names_for(config)
        missing = set(self.array_names) - set(arrays)
        if missing:
            raise TlmError(f"{self.type} model is missing arrays: {', '.join(sorted(missing))}")
        for name in self.array_names:  # a sparse matrix where a grid is expected, or the reverse
            if isinstance(arrays[name], np.ndarray) == (name in self.sparse_arrays):
                want = "a sparse matrix" if name in self.sparse_arrays else "a dense array"
                raise TlmError(f"array {name} of a {self.type} model must be {want}")
        self.vocabulary = vocab
        self.config = config
        for name in self.array_names:  # model.E, model.W, ... are plain numpy arrays
            setattr(self, name, arrays[name])
        self.history: list[Epoch] = [
            e if isinstance(e, Epoch) else Epoch.from_dict(e) for e in history or []
        ]
        self._vectors: tuple[np.ndarray, KeyedVectors] | None = None  # (order, kv) of `vectors`
        self.info = dict(info or {})  # corpus sources, transforms, timings
        self.check_shapes()

    # -- construction --------------------------------------------------------
    #: The arrays stored as scipy sparse matrices (the count model's counts); every
    #: other array is a numpy array.
    sparse_arrays: frozenset[str] = frozenset()

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

    def settle(self, documents: list[np.ndarray], given: set[str]) -> None:
        """Settings that depend on the training text (encoded `documents`), for
        those the user did not give (`given`): none here."""

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
        and tlm helper works on every model. Always equal to E (after more
        training, or after an edit in the shell): the one built last is kept and
        handed out again while its vectors still equal E's rows (one comparison,
        about a thousandth of the time of building them), so caches keyed on it
        hit. Most frequent word first, ties alphabetically: gensim's order, which
        its benchmarks assume (`restrict_vocab` keeps the first N words). Without
        `<unk>`, which stands for many words, not one."""
        if self._vectors is not None:
            order, kv = self._vectors
            if kv.vectors.shape == (len(order), self.E.shape[1]) and np.array_equal(
                kv.vectors, self.E[order]
            ):
                return kv
        kv = self.word_vectors(unk=False)
        self._vectors = (self._vector_order(unk=False), kv)
        return kv

    def _vector_order(self, unk: bool) -> np.ndarray:
        """The rows of E in `vectors`' order: most frequent first, ties alphabetically."""
        counts = np.asarray(self.word_counts)
        order = np.argsort(-counts, kind="stable")  # (V,) the vocabulary is alphabetical
        if not unk and UNK in self.word_to_idx:
            order = order[order != self.word_to_idx[UNK]]
        return order

    def word_vectors(self, unk: bool = False) -> KeyedVectors:
        """A new KeyedVectors of E's rows (`vectors`); with `unk=True` the `<unk>`
        row too (an export keeps every row of E)."""
        from gensim.models import KeyedVectors  # a second to import: only when asked for

        if not self.has_vectors:
            raise TlmError(
                f"a {self.type} model has no word vectors (it counts which word follows which "
                "context); train an embedding or skipgram model for vectors"
            )
        order = self._vector_order(unk)
        kv = KeyedVectors(self.E.shape[1])
        if len(order):
            kv.add_vectors([self.vocab[i] for i in order], self.E[order].astype(np.float32))
        return kv

    def ids(self, context: Any) -> np.ndarray:
        """A context as word ids, given as words (`['how', 'much']` -> `[4, 7]`), one
        string of them (`'how much'`) or ids (which pass through). A word the model
        has never seen is a TlmError that names it."""
        if isinstance(context, np.ndarray):
            return context
        if isinstance(context, str):
            context = context.split()
        return np.array([self.vocabulary.lookup(w) if isinstance(w, str) else w for w in context],
                        dtype=np.int64)

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
        """The step training calls while the block runs: always `_step`. A model may
        set itself up around it (`WindowModel` runs its `gradients` on every core)."""
        yield self._step

    def workers(self) -> int:
        """How many threads take batches side by side (tlm/models/hogwild.py): one,
        the plain loop, but for the skip-gram."""
        return 1

    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N,) log p(target_i | contexts_i) for contexts (N, C) and targets (N,), without
        changing the model. Next-word models only: held-out perplexity
        (tlm/perplexity.py) is made of these."""
        raise TlmError(f"a {self.type} model gives no next-word probabilities")

    def window_log_probs(self, windows: np.ndarray, n: int) -> np.ndarray:
        """(W, n) log p of the last n words of each window (W, C + 1), each given the
        words before it in its window: models with `reads_windows` only."""
        raise NotImplementedError

    @property
    def context_size(self) -> int:
        """How many of the last words `next_word_probs` reads (generation passes no more)."""
        return self.config.context_window

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        """(V,) probabilities of the next word after the ids in `context`."""
        raise TlmError(f"a {self.type} model gives no next-word probabilities")


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place: z (..., V) is overwritten by
    p = exp(z) / sum(exp(z)).

    Subtracting each row's max first changes nothing mathematically but keeps
    exp from overflowing. For speed on (B, V) arrays the row sums are a
    matrix-vector product with a vector of ones, and the division is a
    multiplication by their reciprocals (benchmarks/README.md)."""
    z -= z.max(axis=-1, keepdims=True)                  # (..., V)  z - max(z)
    np.exp(z, out=z)                                    # (..., V)  exp(z - max(z))
    row_sums = z @ np.ones(z.shape[-1], dtype=z.dtype)  # (...,)    z.sum(axis=-1)
    z *= (1.0 / row_sums)[..., None]                    # (..., V)  p = z / row_sums[..., None]
    return z


class WindowModel(Model):
    """A next-word model that reads the embeddings (rows of E) of the C words before
    each word: the course's model (tlm/model.py) and the MLP (tlm/models/mlp.py).

    A subclass writes the maths: `_forward(context) -> (h, p)`, `gradients(context,
    target) -> (summed loss, {name: summed gradient})` and `_step`, which applies
    them. Here: the training examples, held-out scoring, what an unknown context
    word does, and training on every core.

    Training on every core (tlm/models/threaded.py): while `steps()` runs,
    `self.gradients` is the model's own `gradients` run on row blocks of the batch
    in threads and summed, so `_step` is what trains and its maths is written once.

    Unknown words: a model has a `<unk>` row only when its training text folded
    rare words into it (--min-count above 1). Otherwise a held-out or prompt word it
    never saw has the id UNKNOWN (-1): as a target it is not scored (and counted,
    tlm/perplexity.py); in a context, `_forward_unknown` says what it does.
    """

    predicts_next_word = True
    array_names = ("E", "W", "b")
    #: Gradients that `gradients` gives per example, (B, C, d) for the rows
    #: `context` (B, C) of E, rather than summed over the batch.
    per_example: ClassVar[tuple[str, ...]] = ("E",)

    E: np.ndarray  # (V, d) one row per word: its embedding
    W: np.ndarray  # (D, V) output matrix: column j turns the vector W reads into word j's logit
    b: np.ndarray  # (V,)   output bias, one per word

    def _forward(self, context: Any) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _forward_unknown(self, context: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`_forward` for ids (..., C) that may be UNKNOWN (-1)."""
        raise NotImplementedError

    def gradients(self, context: np.ndarray, target: np.ndarray
                  ) -> tuple[float, dict[str, np.ndarray]]:
        raise NotImplementedError

    def steps(self):
        """Training runs `gradients` on every core (tlm/models/threaded.py)."""
        return threaded.on_every_core(self)

    # -- training data -----------------------------------------------------------
    def settle(self, documents: list[np.ndarray], given: set[str]) -> None:
        """A text with fewer examples than one batch is trained one example at a
        time (`epoch_batches`), by default at `small_text_lr`."""
        C = self.config.context_window
        examples = sum(max(len(ids) - C, 0) for ids in documents)
        if "lr" not in given and examples < self.config.batch_size:
            self.config.lr = self.config.small_text_lr

    def prepare(self, documents: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Every (context, next word) pair inside each document: (N, C) and (N,)."""
        self.check_memory(documents)
        contexts, targets = positions(documents, self.config.context_window)
        return np.ascontiguousarray(contexts), np.ascontiguousarray(targets)

    def check_memory(self, documents: list[np.ndarray]) -> None:
        """Refuse, before allocating, settings whose epoch would not fit: the (N, C+1)
        windows, their contiguous copy and an epoch's shuffled copy (int32), plus a
        batch's gathered context rows E[context] (B, C, d) and dE beside them."""
        C, B, d = self.config.context_window, self.config.batch_size, self.config.dim
        N = sum(max(len(ids) - C, 0) for ids in documents)
        gigabytes = (3 * N * (C + 1) * 4 + 2 * min(B, N) * C * d * 4) / 1e9
        if gigabytes > MAX_GIGABYTES:
            words = sum(len(ids) for ids in documents)
            raise TlmError(
                f"--context-window {C} would need about {gigabytes:.0f} GB for an epoch of "
                f"examples on this text of {words} words (at most {MAX_GIGABYTES:g} GB); "
                "use a smaller --context-window"
            )

    def epoch_examples(
        self, prepared: tuple[np.ndarray, np.ndarray], rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        contexts, targets = prepared
        order = rng.permutation(len(targets))
        return contexts[order], targets[order]

    def epoch_batches(
        self, prepared: Any, rng: np.random.Generator
    ) -> tuple[int, Iterator[list[np.ndarray]]]:
        """The epoch's examples in batches of --batch-size; a text with fewer examples
        than one batch (the tongue twister's 30) one example at a time, as the
        course's `_step` learns, so that it learns within an epoch instead of taking
        one step per epoch. The step per example is the same either way (lr is per
        example), so a text of more than one batch trains exactly as before."""
        examples = self.epoch_examples(prepared, rng)
        n = len(examples[0])
        size = self.config.batch_size if n >= self.config.batch_size else 1
        return n, ([a[start : start + size] for a in examples] for start in range(0, n, size))

    # -- held-out text and generation -----------------------------------------------
    def log_probs(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(N,) log p(target_i | contexts_i) for contexts (N, C) and targets (N,):
        what held-out perplexity is made of (tlm/perplexity.py). Contexts may hold
        UNKNOWN words (see `_forward_unknown`)."""
        if (contexts < 0).any():
            _, p = self._forward_unknown(contexts)                      # (N, V)
        else:
            _, p = self._forward(contexts)                              # (N, V)
        return np.log(p[np.arange(len(targets)), targets], dtype=np.float64)  # (N,)

    def next_word_probs(self, context: np.ndarray) -> np.ndarray:
        """(V,) probabilities after the last `context_window` ids of `context`. A
        shorter context (a one-word prompt) is filled on the left with UNKNOWN,
        "some word" (see `_forward_unknown`; the course's model averages instead)."""
        C = self.config.context_window
        context = np.asarray(context[-C:], dtype=np.int64)
        if len(context) < C:
            context = np.concatenate([np.full(C - len(context), UNKNOWN), context])
        if (context < 0).any():
            return self._forward_unknown(context)[1]
        return self._forward(context)[1]
