"""The training loop: epochs of mini-batches, the learning rate, held-out
loss, a loss that blows up, and Ctrl-C.

It prints nothing: it reports through callbacks (`on_batch`, `on_epoch`) and
the `tlm` command turns those into a progress bar and one line per epoch.

The loop is the same for every model: the model turns documents into examples
(`prepare`, `epoch_batches`) and takes one SGD step per batch (`_step`).
`fit` is `tlm train` as one call, saving included: the first Ctrl-C stops
training after the current batch and the model trained so far is saved (beside
the output, as NAME.partial.json, if a model is already there), in a notebook
as on the command line.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import scipy.sparse

from tlm import modelfile
from tlm.corpus import Corpus, load_corpus
from tlm.errors import TlmError
from tlm.history import Epoch
from tlm.interrupts import Interrupts
from tlm.models import MODELS, hogwild, model_class
from tlm.models.base import Model
from tlm.perplexity import perplexity, scored_positions
from tlm.snapshots import Recorder
from tlm.vocab import Vocab


@dataclass
class TrainResult:
    model: Model
    epochs_done: int
    interrupted: bool = False  # Ctrl-C stopped training
    history: list[Epoch] = field(default_factory=list)  # this run's epochs
    saved_to: Path | None = None  # where `fit` saved the model
    interrupted_while_saving: bool = False  # Ctrl-C came while the finished model was saved
    save_error: str | None = None  # interrupted, and the save to --output failed: why
    # (saved_to is then the rescued copy, modelfile.rescue, or None)


Doc = TypeVar("Doc", np.ndarray, list[str])


def split_documents(documents: list[Doc], val_fraction: float) -> tuple[list[Doc], list[Doc]]:
    """Hold out the last `val_fraction` of the text (across all documents), as
    token lists (to build the vocabulary from the training part alone) or as
    id arrays (to train): a next-word model encodes every word, so both cut at
    the same place."""
    total = sum(len(d) for d in documents)
    cut = total - int(round(total * val_fraction))
    train, val, seen = [], [], 0
    for ids in documents:
        k = min(max(cut - seen, 0), len(ids))
        if k:
            train.append(ids[:k])
        if k < len(ids):
            val.append(ids[k:])
        seen += len(ids)
    return train, val


def learning_rate(base: float, schedule: str, progress: float, warmup: float = 0.0) -> float:
    """`progress` runs from 0 at the first batch to 1 after the last. With `warmup`
    w, the rate rises linearly from (almost) 0 to base over the first w of the
    run, then `schedule` decays it over the rest: "linear" (word2vec's)
    or "cosine" (half a cosine wave), to (almost) zero."""
    if progress < warmup:
        return base * max(progress / warmup, 1e-4)
    rest = (progress - warmup) / (1.0 - warmup)  # 0 -> 1 after the warm-up
    if schedule == "linear":
        return base * max(1.0 - rest, 1e-4)
    if schedule == "cosine":
        return base * max(0.5 * (1.0 + math.cos(math.pi * rest)), 1e-4)
    return base


@dataclass(frozen=True)
class Progress:
    """Where a run is, handed to `on_batch` after every batch."""

    epoch: int  # 1 .. epochs
    epochs: int
    done: int  # examples of this epoch trained so far
    total: int  # examples in this epoch

    @property
    def fraction(self) -> float:
        """How much of the whole run is done, from 0 to 1."""
        return (self.epoch - 1 + self.done / max(self.total, 1)) / self.epochs


def _blew_up(what: str, epoch: int, lr: float) -> TlmError:
    return TlmError(
        f"{what} in epoch {epoch}: the learning rate "
        f"{lr} is too large for this model; try --lr {lr / 10:g}"
    )


def _check_finite(model: Model, epoch: int, lr: float, context: np.ndarray) -> None:
    """The last step of an epoch can overflow the arrays after its (finite) loss
    was computed, or make them so large that the probabilities overflow (one
    context is enough to see it); such a model must not be saved."""
    for name, a in model.arrays.items():
        if not np.isfinite(a.data if scipy.sparse.issparse(a) else a).all():
            raise _blew_up(f"the loss became nan ({name} overflowed)", epoch, lr)
    if model.predicts_next_word:
        try:
            with np.errstate(all="ignore"):
                p = model.next_word_probs(context)
        except TlmError:  # a model that cannot predict here (an unseen context)
            return
        if not np.isfinite(p).all():
            raise _blew_up("the loss became nan (the probabilities overflowed)", epoch, lr)


def train(
    model: Model,
    documents: list[np.ndarray],
    on_epoch: Callable[[Model, Epoch], None] | None = None,
    on_batch: Callable[[Progress], None] | None = None,
    rng: np.random.Generator | None = None,
    interrupts: Interrupts | None = None,
    snapshots: int = 0,
    snapshot_words: Sequence[str] = (),
) -> TrainResult:
    """Train `model` on encoded documents for `model.config.epochs` epochs.

    With `snapshots` N, `model.snapshots` keeps E at the start and at N points
    of the run, closer together early (tlm/snapshots.py; `snapshot_words` are
    kept beside the most frequent words of a large vocabulary).

    Prints nothing: after every batch `on_batch(Progress)` hears how far the run
    is, and after every epoch `on_epoch(model, entry)` gets the epoch's history
    entry (`Epoch(epoch=1, loss=2.35, ...)`). Raises TlmError if the loss
    becomes NaN or infinite (the model is then not worth saving). Ctrl-C ends
    training after the current batch and returns what was trained so far. A
    caller that saves the model passes its own installed `interrupts`, which then
    holds any Ctrl-C until the caller has saved (see tlm/interrupts.py).
    """
    cfg = model.config
    rng = rng if rng is not None else random_streams(cfg.seed)[1]
    train_docs, val_docs = split_documents(documents, cfg.val_fraction)
    prepared = model.prepare(train_docs)
    if cfg.val_fraction > 0:
        if not model.predicts_next_word:
            raise TlmError(f"--val-fraction is for next-word models, not {model.type}")
        try:  # the held-out part can be scored at all: say so now, not after an epoch
            scored_positions(model, val_docs)
        except TlmError as e:
            raise TlmError(f"the held-out part (--val-fraction {cfg.val_fraction}): {e}") from None

    recorder = Recorder(model, snapshots, val_docs, snapshot_words) if snapshots else None
    result = TrainResult(model, 0)
    fraction = 0.0  # of the run done
    with (interrupts or Interrupts()).training() as interrupts, model.steps() as step:
        for epoch in range(1, cfg.epochs + 1):
            t0 = time.perf_counter()
            n, batches = model.epoch_batches(prepared, rng)
            if n == 0:  # e.g. the skip-gram's subsampling left no pair on a short text
                entry = Epoch(epoch, None, skipped=model.empty_epoch)
                model.history.append(entry)
                result.history.append(entry)
                result.epochs_done = epoch
                if on_epoch is not None:
                    on_epoch(model, entry)
                continue
            loss_sum, seen = 0.0, 0

            def lr_at(start: int, before: int = (epoch - 1) * n, n: int = n) -> float:
                """The learning rate of a batch that starts `start` examples into the epoch."""
                return learning_rate(cfg.lr, model.lr_schedule, (before + start) / (cfg.epochs * n),
                                     getattr(cfg, "warmup", 0.0))

            # one step per batch, in order; the skip-gram's workers take theirs side by side
            # (tlm/models/hogwild.py). Leaving the loop stops the workers.
            with closing(hogwild.run(quiet(step), batches, lr_at, model.workers())) as steps:
                for batch, loss in steps:
                    if not math.isfinite(loss):
                        raise _blew_up(f"the loss became {loss}", epoch, cfg.lr)
                    loss_sum += loss * len(batch[0])
                    seen += len(batch[0])
                    fraction = (epoch - 1 + seen / n) / cfg.epochs
                    if recorder is not None:
                        recorder.after_batch(loss, len(batch[0]), fraction, cfg.epochs)
                    if on_batch is not None:
                        on_batch(Progress(epoch, cfg.epochs, seen, n))
                    if interrupts.requested:
                        break
            train_seconds = time.perf_counter() - t0
            _check_finite(model, epoch, cfg.lr, train_docs[0][:32])
            if interrupts.requested:
                if seen:  # the arrays hold part of this epoch: say which, and how much
                    # (with several workers at least this much: tlm/models/hogwild.py)
                    part = Epoch(epoch, loss_sum / seen, interrupted_after=seen, of=n)
                    model.history.append(part)
                    result.history.append(part)
                result.interrupted = True
                break
            entry = Epoch(epoch, loss_sum / n)
            if cfg.val_fraction > 0:  # the one held-out perplexity (tlm/perplexity.py)
                with np.errstate(all="ignore"):
                    held_out = perplexity(model, val_docs)
                entry.val_loss = held_out.loss
                entry.val_ppl = held_out.perplexity
                entry.val_scored = held_out.scored    # held-out positions in the mean
                entry.val_unknown = held_out.unknown  # their targets are unknown: not scored
                if held_out.impossible:  # p = 0 (an unsmoothed count model): val_ppl is inf
                    entry.val_impossible = held_out.impossible
            entry.seconds = round(time.perf_counter() - t0, 3)  # with the held-out loss
            entry.examples_per_second = round(n / max(train_seconds, 1e-9))  # training only
            model.history.append(entry)
            result.history.append(entry)
            result.epochs_done = epoch
            if on_epoch is not None:
                on_epoch(model, entry)
        if recorder is not None:
            model.snapshots = recorder.finish(fraction, cfg.epochs)
    return result


def quiet(step: Callable[..., float]) -> Callable[..., float]:
    """`step` with numpy's overflow and invalid-value warnings off, in whichever
    thread runs it (a blow-up shows as a loss that is not finite, caught by the loop)."""

    def quiet_step(*batch: np.ndarray, lr: float) -> float:
        with np.errstate(all="ignore"):
            return step(*batch, lr=lr)

    return quiet_step


def random_streams(seed: int | None) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent random streams from one seed: one for the model's initial
    arrays, one for training (shuffling, subsampling, negatives). From the same
    seed directly they would draw the same numbers (the skip-gram's first
    subsampling draws would equal E's initial values)."""
    init, training = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(init), np.random.default_rng(training)


def build_model(
    model_type: str, corpus: Corpus, settings: dict[str, Any], transforms: list[str] | None = None
) -> tuple[Model, list[np.ndarray]]:
    """A new model of `model_type` for `corpus`, and the corpus as id arrays.

    `settings` holds the options the user gave (None = the model's default).
    Without a seed one is drawn and recorded, so every run can be repeated.
    The vocabulary is built from the part `train` trains on (all but the last
    `val_fraction` of the text).
    """
    if model_type not in MODELS:
        raise TlmError(f"unknown model {model_type!r}; choose from {', '.join(MODELS)}")
    given = {k: v for k, v in settings.items() if v is not None}
    cls = model_class(model_type, given)  # --combine concat or --hidden: the MLP
    if model_type == "embedding" and cls is MODELS["embedding"]:
        given.pop("combine", None)  # it always averages, with no hidden layer: saying so is fine
        given.pop("hidden", None)
    fields = {f.name for f in dataclasses.fields(cls.Config)}  # not the ClassVar constants
    unknown = sorted(set(given) - fields)
    if unknown:
        names = ", ".join("--" + k.replace("_", "-") for k in unknown)
        raise TlmError(f"{names} does not apply to the {model_type} model")
    config = cls.Config(**given)
    if config.seed is None:
        config.seed = int(np.random.SeedSequence().entropy % 2**31)
    config.validate()
    # The vocabulary comes from the training part alone: a held-out word the
    # training part never had is <unk>, as it would be in any new text.
    train_part, _ = split_documents(corpus.documents, config.val_fraction)
    train_tokens = [t for doc in train_part for t in doc]
    vocab = Vocab.build(train_tokens, config.min_count, unk=cls.uses_unk)
    if len(vocab) - vocab.has_unk == 0:  # no word left (or only <unk>): nothing to learn
        if config.val_fraction > 0:
            raise TlmError(
                f"--val-fraction {config.val_fraction:g} leaves {len(train_tokens)} of the "
                f"text's {corpus.n_tokens} words for training, and no word in them is seen "
                f"--min-count {config.min_count} times; hold out less"
            )
        raise TlmError(f"no word is seen --min-count {config.min_count} times in the text")
    # a next-word model keeps the place of a held-out word it never saw (UNKNOWN);
    # the skip-gram drops words under --min-count from the text, as word2vec does
    documents = [vocab.encode(doc, drop_unknown=not cls.uses_unk) for doc in corpus.documents]
    try:
        model = cls.create(vocab, config, random_streams(config.seed)[0])
    except (MemoryError, ValueError) as e:  # e.g. --dim 10000000000
        raise TlmError(
            f"cannot make the {model_type} model of {len(vocab)} words with these settings: {e}"
        ) from None
    model.settle(split_documents(documents, config.val_fraction)[0], set(given))
    model.info = {
        "sources": corpus.sources,
        "transforms": list(transforms or []),
        "tokens": corpus.n_tokens,
    }
    return model, documents


def fit(
    model_type: str = "embedding",
    filepaths: Sequence[str] = (),
    gutenberg: Sequence[str] = (),
    transforms: Sequence[str] = (),
    on_epoch: Callable[[Model, Epoch], None] | None = None,
    on_batch: Callable[[Progress], None] | None = None,
    output: str | os.PathLike | None = None,
    snapshots: int = 0,
    snapshot_words: Sequence[str] = (),
    **settings: Any,
) -> TrainResult:
    """Read the text, build a model, train it and (with `output`) save it: `tlm
    train` as one call, printing nothing (`on_epoch`, `on_batch`: see `train`).

        result = fit("embedding", filepaths=["chuck.txt"], seed=1)  # tlm's own text
        result.model.E.shape   # (11, 32)
        result.history[-1]     # Epoch(epoch=5, loss=2.0..., ...)

    `output` is checked before training (it may replace a model file, never a text
    or an input). The first Ctrl-C stops training after the current batch and the
    model trained so far is saved: to `output`, or beside it as NAME.partial.json
    when a model is already there, which an interrupted run never replaces
    (`result.interrupted`, `result.saved_to`). Ctrl-C while the finished model is
    being saved waits for the save (`result.interrupted_while_saving`). With
    `snapshots` N the model keeps N + 1 frames of E (see `train`), saved with it.
    """
    partial = None
    if output is not None:
        output = Path(output)
        modelfile.check_model_output(output, inputs=filepaths)  # before training, not after
        if output.exists():
            partial = output.with_name(f"{output.stem}.partial{output.suffix}")
            modelfile.check_model_output(partial, option="the file for an interrupted run,")
    corpus = load_corpus(filepaths, gutenberg, transforms)
    model, documents = build_model(model_type, corpus, settings, list(transforms))
    with Interrupts() as interrupts:  # from the end of training until saved, Ctrl-C waits
        result = train(model, documents, on_epoch=on_epoch, on_batch=on_batch,
                       interrupts=interrupts, snapshots=snapshots, snapshot_words=snapshot_words)
        if output is not None:
            result.saved_to = partial if result.interrupted and partial is not None else output
            try:
                modelfile.save(result.model, result.saved_to)
            except TlmError as e:
                # the folder went away, became read-only or full, or a user's file took
                # the name while training ran: keep the work in a new file elsewhere
                rescued = modelfile.rescue(result.model, result.saved_to)
                if not result.interrupted:
                    kept = (f"; the trained model is kept in {rescued} instead" if rescued
                            else "; the trained model could not be kept anywhere")
                    raise TlmError(f"{e}{kept}") from None
                # interrupted, and the save failed too: the caller says so
                result.save_error, result.saved_to = str(e), rescued
        interrupts.state = "at once"
    result.interrupted_while_saving = interrupts.requested and not result.interrupted
    return result
