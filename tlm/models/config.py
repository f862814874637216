"""Every model's settings and their defaults, written once.

The `tlm train` options, their `--help` defaults, the model files' "config" and
a notebook's `fit(..., dim=64)` all read these dataclasses. This module imports
no numpy, so that `tlm --help` can show the defaults and still start at once.

A model's Config adds its fields to `Settings` (or `SGDSettings` for a model
trained by SGD), and adds to `whole` and `positive` those that must be whole
numbers (1 or more) or positive numbers.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from tlm.errors import TlmError
from tlm.seeds import check_seed

COMBINE = ("mean", "concat")
SMOOTHINGS = ("none", "laplace", "kneser-ney")
POSITIONS = ("learned", "sinusoidal", "rope", "alibi", "none")
ACTIVATIONS = ("gelu", "relu")
OPTIMIZERS = ("adam", "sgd")
DECAYS = ("linear", "cosine")
#: Every whole-number setting is below this: a model file holds 64-bit integers.
WHOLE_LIMIT = 2**63


@dataclass
class Settings:
    """Training settings every model has. The one default worked out at training
    time, the seed, is drawn in `train.build_model`."""

    min_count: int = 1
    val_fraction: float = 0.0
    seed: int | None = None  # None: build_model draws one and records it

    #: Fields that must be whole numbers, 1 or more.
    whole: ClassVar[tuple[str, ...]] = ("min_count",)
    #: Fields that must be finite numbers above 0.
    positive: ClassVar[tuple[str, ...]] = ()
    #: A model file written before a setting existed was trained without it: the value
    #: that meant, where it is not the default (tlm/schema.py reads older files so).
    absent: ClassVar[dict[str, Any]] = {}

    def validate(self) -> None:
        """Raise TlmError for values no model can train with."""
        for name in self.whole:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise TlmError(f"{flag(name)} must be a positive whole number, not {value!r}")
            if value >= WHOLE_LIMIT:  # what a model file can hold (tlm/schema.py)
                raise TlmError(f"{flag(name)} must be below 2^63 = {WHOLE_LIMIT}, not {value}")
        for name in self.positive:
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
                raise TlmError(f"{flag(name)} must be a positive number, not {value!r}")
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


@dataclass
class EmbeddingConfig(SGDSettings):
    """The course's model (tlm/model.py): the mean of the context rows of E."""

    dim: int = 32
    context_window: int = 2
    # A batch this size keeps numpy's matrix products efficient
    # (benchmarks/emma_embedding.py); the learning rate does not depend on it. A text
    # with fewer examples than one batch (the tongue twister's 30) is trained one
    # example at a time instead, as the course's `_step` describes (tlm/train.py).
    batch_size: int = 256
    # Per example (see tlm/model.py): each example moves the parameters by lr times its
    # own gradient, whatever the batch size. 3/256 is the step of the earlier lr 3.0 per
    # full batch of 256, which trains Emma well (benchmarks/README.md).
    lr: float = 3.0 / 256
    #: The default lr on a text with fewer examples than one batch, which is trained
    #: one example at a time: 3/256 would take the tongue twister's 150 steps (5
    #: epochs of 30) only from 2.40 to 2.24. 0.15 takes it below ln 11 = 2.398 within
    #: the first epoch (at most 2.358 over seeds 1000-1399, where 0.05 reached 2.405 and
    #: 0.1 2.380) and by 0.56 or more over five epochs.
    small_text_lr: ClassVar[float] = 0.15

    whole = (*SGDSettings.whole, "dim", "context_window")

    #: The course's model always averages, with no hidden layer (the MLP has both).
    combine: ClassVar[str] = "mean"
    hidden: ClassVar[int] = 0

    @property
    def context_dim(self) -> int:
        """The length of the context vector h (d)."""
        return self.dim


@dataclass
class MLPConfig(EmbeddingConfig):
    """Bengio et al.'s model (tlm/models/mlp.py): `--combine concat` and/or `--hidden H`."""

    combine: str = "concat"  # type: ignore[misc]  # "mean" of the context vectors, or "concat"
    hidden: int = 0  # type: ignore[misc]  # units of a tanh layer before W (0: none)

    def validate(self) -> None:
        super().validate()
        if self.combine not in COMBINE:
            raise TlmError(f"--combine must be one of {', '.join(COMBINE)}, not {self.combine!r}")
        if isinstance(self.hidden, bool) or not isinstance(self.hidden, int) or self.hidden < 0:
            raise TlmError(f"--hidden must be a whole number, 0 or more, not {self.hidden!r}")

    @property
    def context_dim(self) -> int:
        """The length of the context vector h: d for a mean, C d for a concatenation."""
        return self.dim * (self.context_window if self.combine == "concat" else 1)


#: More threads than this would be a mistake on any machine (one a core is the point).
MAX_WORKERS = 1024


@dataclass
class SkipGramConfig(SGDSettings):
    dim: int = 32
    window: int = 5
    negative: int = 5
    sample: float = 1e-3
    # Per word pair: each pair moves its rows by lr times its own gradient, whatever
    # the batch size; it decays linearly to almost 0 over training (word2vec's alpha).
    lr: float = 0.025
    min_count: int = 5
    # Pairs per SGD step: large, so that Python's fixed cost per step is small beside
    # the arithmetic, yet small enough that the (B, K+1, d) output vectors a step
    # gathers stay in the CPU's cache (benchmarks/README.md). The vectors hardly
    # depend on it (see tlm/models/skipgram.py).
    batch_size: int = 2048
    # Threads that train side by side without waiting for each other, as word2vec's
    # and gensim's workers do (tlm/models/hogwild.py); None: every core. More than one
    # makes a run unrepeatable to the bit; 1 is the plain loop.
    workers: int | None = None

    whole = (*SGDSettings.whole, "dim", "window")
    absent = {"workers": 1}  # files from before --workers were trained on one thread

    def validate(self) -> None:
        super().validate()
        # 0 negatives is allowed: positive pairs only, which pull every vector together
        if isinstance(self.negative, bool) or not isinstance(self.negative, numbers.Integral) \
                or self.negative < 0:
            raise TlmError(f"--negative must be a whole number, 0 or more, not {self.negative!r}")
        if not isinstance(self.sample, numbers.Real) or not self.sample >= 0 or not math.isfinite(
            self.sample
        ):  # 0 keeps every word; `not >= 0` also catches NaN
            raise TlmError(f"--sample must be 0 or more, not {self.sample!r}")
        if self.workers is not None and (isinstance(self.workers, bool) or not isinstance(
                self.workers, numbers.Integral) or not 1 <= self.workers <= MAX_WORKERS):
            raise TlmError(f"--workers must be a whole number from 1 to {MAX_WORKERS}, "
                           f"not {self.workers!r}")


@dataclass
class CountConfig(Settings):
    context_window: int = 2
    smoothing: str = "none"
    add_k: float = 1.0  # laplace: added to every count
    discount: float | None = None  # kneser-ney: one discount for all (else estimated)
    # Counting is one pass over the text, all at once, with no learning rate: not
    # settings (so --epochs, --lr and --batch-size do not apply), but what the
    # training loop reads.
    epochs: ClassVar[int] = 1
    lr: ClassVar[None] = None
    batch_size: ClassVar[None] = None

    def validate(self) -> None:
        super().validate()
        if not isinstance(self.context_window, int) or self.context_window < 0:
            raise TlmError(f"--context-window must be 0 or more, not {self.context_window}")
        if self.smoothing not in SMOOTHINGS:
            raise TlmError(
                f"unknown smoothing {self.smoothing!r}; choose from {', '.join(SMOOTHINGS)}"
            )
        if not (math.isfinite(self.add_k) and self.add_k > 0):
            raise TlmError(f"--add-k must be a positive number, not {self.add_k}")
        if self.discount is not None and not 0 < self.discount < 1:
            raise TlmError(f"--discount must be between 0 and 1 (exclusive), not {self.discount}")
        if self.add_k != 1.0 and self.smoothing != "laplace":
            raise TlmError("--add-k is for --smoothing laplace")
        if self.discount is not None and self.smoothing != "kneser-ney":
            raise TlmError("--discount is for --smoothing kneser-ney")


@dataclass
class TransformerConfig(SGDSettings):
    # The defaults were chosen on the scoreboard's held-out 10% of four Austen novels,
    # never on the novel it scores (benchmarks/transformer_search.jsonl and README.md)
    dim: int = 128
    context_window: int = 64  # T: the training window; the model reads at most T words
    # 4 blocks: 127.5 on the held-out part against 134.4 for 2 (both with weight decay
    # 0.1), for about 25% more time a step (the tied output layer is most of a step)
    layers: int = 4
    heads: int = 4
    hidden: int = 0  # F, the feed-forward units; 0: 4 x dim
    positions: str = "rope"
    tie: bool = True  # the output reads E (z = h E^T + b) instead of its own W
    dropout: float = 0.1
    activation: str = "gelu"
    optimizer: str = "adam"
    # Adam's step size (sgd: the step on the batch's mean gradient); 0.003 after a warm-up
    # over the first 5% of the run did better than 0.002 without one (136.8 against 140.6)
    lr: float = 3e-3
    batch_size: int = 32  # windows per step
    # 6 passes: about 730 s of CPU on the scoreboard's four novels (470,000 words), which
    # two quiet cores run in about 6.5 minutes (benchmarks/README.md, transformer_scoreboard)
    epochs: int = 6
    warmup: float = 0.05  # share of the run over which lr rises from 0 (then it decays)
    decay: str = "linear"  # lr after the warm-up: linear or cosine, to 0 at the end
    # AdamW's decoupled decay of the weight matrices, per step x lr: 0.1 took the 2-block
    # model from 136.8 to 134.4 on the held-out part
    weight_decay: float = 0.1

    absent = {"warmup": 0.0, "weight_decay": 0.0}  # files from before these were added
    whole = (*SGDSettings.whole, "dim", "context_window", "layers", "heads")

    def validate(self) -> None:
        super().validate()
        for name, choices in (("positions", POSITIONS), ("activation", ACTIVATIONS),
                              ("optimizer", OPTIMIZERS), ("decay", DECAYS)):
            if getattr(self, name) not in choices:
                raise TlmError(f"--{name} must be one of {', '.join(choices)}, "
                               f"not {getattr(self, name)!r}")
        if self.dim % self.heads:
            raise TlmError(f"--heads {self.heads} does not divide --dim {self.dim}: each head "
                           "takes dim / heads of the dimensions")
        if self.positions == "rope" and (self.dim // self.heads) % 2:
            raise TlmError(f"--positions rope turns pairs of dimensions: dim / heads = "
                           f"{self.dim // self.heads} must be even")
        if isinstance(self.hidden, bool) or not isinstance(self.hidden, int) or self.hidden < 0:
            raise TlmError(f"--hidden must be a whole number, 0 or more, not {self.hidden!r}")
        if not (isinstance(self.dropout, (int, float)) and 0 <= self.dropout < 1):
            raise TlmError(f"--dropout must be in [0, 1), not {self.dropout!r}")
        if not (isinstance(self.warmup, (int, float)) and 0 <= self.warmup < 1):
            raise TlmError(f"--warmup must be in [0, 1), a share of the run, not {self.warmup!r}")
        if not (isinstance(self.weight_decay, (int, float)) and 0 <= self.weight_decay
                and math.isfinite(self.weight_decay)):
            raise TlmError(f"--weight-decay must be 0 or more, not {self.weight_decay!r}")

    @property
    def ffn(self) -> int:
        """F, the units of each feed-forward layer."""
        return self.hidden or 4 * self.dim


def flag(name: str) -> str:
    """The command-line option of a setting: batch_size -> --batch-size."""
    return "--" + name.replace("_", "-")


def default(config: type, name: str) -> Any:
    """The default of a setting, as `--help` shows it (a ClassVar or a field)."""
    for f in fields(config):
        if f.name == name:
            return f.default
    return getattr(config, name)
