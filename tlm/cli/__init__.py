"""The `tlm` command: click commands only. Each parses its options, calls one
library function and prints the result; mistakes become one line on stderr."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tlm.cli.group import TlmGroup
from tlm.corpus import TRANSFORMS, shipped
from tlm.models import MODEL_TYPES
from tlm.models.config import (
    ACTIVATIONS,
    COMBINE,
    DECAYS,
    OPTIMIZERS,
    POSITIONS,
    SMOOTHINGS,
    CountConfig,
    EmbeddingConfig,
    MLPConfig,
    SkipGramConfig,
    TransformerConfig,
)
from tlm.terminal import visible

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tlm.history import Epoch
    from tlm.models.base import Model
    from tlm.train import Progress


def format_epoch(entry: Epoch, epochs: int) -> str:
    """`Epoch 2/5 loss=2.3512`, with the held-out loss when there is one."""
    if entry.skipped:
        return f"Epoch {entry.epoch}/{epochs} skipped: {entry.skipped}"
    line = f"Epoch {entry.epoch}/{epochs} loss={entry.loss:.4f}"
    if entry.val_loss is not None:
        line += f" val_loss={entry.val_loss:.4f} val_ppl={entry.val_ppl:.1f}"
        if entry.val_impossible:
            line += (f" ({entry.val_impossible} of {entry.val_scored} held-out words "
                     "never seen after their context)")
    if entry.interrupted_after is not None:
        line += f" (interrupted after {entry.interrupted_after} of {entry.of} examples)"
    return line


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes:02}:{seconds:02}"


class TrainingOutput:
    """Training's terminal output: one line per epoch and, on a terminal, click's
    progress bar for the whole run under them (none when the output is not a
    terminal):

        Epoch 3/10 [######--------------]   31%  00:01:31  elapsed 00:41

    with click's estimate of the time left for the whole run. The bar is wiped
    for each epoch line and at the end."""

    STEPS = 1000  # the bar counts thousandths of the run

    def __init__(self, file: Any = None) -> None:
        self.start = time.perf_counter()
        self.progress: Progress | None = None
        self.bar = click.progressbar(length=self.STEPS, width=20, fill_char="#", empty_char="-",
                                     bar_template="%(label)s [%(bar)s] %(info)s",
                                     item_show_func=self._elapsed, file=file)
        self.file = self.bar.file
        try:
            self.live = self.file.isatty()
        except (AttributeError, ValueError):  # no file, or a closed one
            self.live = False

    def _elapsed(self, _: Any) -> str:
        return f" elapsed {_clock(time.perf_counter() - self.start)}"

    def __enter__(self) -> TrainingOutput:
        return self

    def update(self, progress: Progress) -> None:
        if not self.live:
            return
        self.bar.label = f"Epoch {progress.epoch}/{progress.epochs}"
        if self.progress is None:
            self.bar.__enter__()
        self.progress = progress
        target = int(progress.fraction * self.STEPS)
        if target > self.bar.pos:
            self.bar.update(target - self.bar.pos)

    def epoch_line(self, model: Model, entry: Epoch) -> None:
        self._wipe()
        click.echo(format_epoch(entry, model.config.epochs), file=self.file)

    def _wipe(self) -> None:
        if self.live and self.progress is not None:
            self.file.write("\r\x1b[2K")  # the bar's line, cleared; the next update redraws it

    def __exit__(self, *exc: Any) -> None:
        if self.live and self.progress is not None:
            self._wipe()
            self.file.write("\x1b[?25h")  # the cursor click's bar hid, shown again
            self.file.flush()
            self.bar.hidden = True         # so that click writes no line of its own
            self.bar.__exit__(*exc)


def snapshot_line(model: Model, path: Path) -> str:
    """What the snapshots cost: `Snapshots: 21 frames of E for 2,061 words x 32
    (float16), 3.5 MB of the 5.8 MB model file`."""
    snap = model.snapshots
    _, K, d = snap.E.shape
    stored = 4 * -(-snap.nbytes // 3)  # base64
    return (f"Snapshots: {snap.frames} frames of E for {K:,} words x {d} (float16), "
            f"{_megabytes(stored)} of the {_megabytes(path.stat().st_size)} model file")


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def fetch_gutenberg(quiet: bool = False) -> None:
    """Download NLTK's Gutenberg corpus if it is not there, saying so on stderr
    (with the percentage on a terminal)."""
    from tlm.corpus import find_gutenberg

    if find_gutenberg() is not None:
        return
    # NLTK's downloader takes longer to import than the rest of start-up together:
    # only when a download is needed
    from tlm.gutenberg import download_gutenberg, gutenberg_download_dir

    line = f"Downloading NLTK's Gutenberg corpus to {gutenberg_download_dir()}"
    live = not quiet and sys.stderr.isatty()
    started = []

    def show(percent: int) -> None:  # the first call comes once the server has answered
        if quiet:
            return
        if live:
            click.echo(f"\r{line}: {percent}%", err=True, nl=False)
        elif not started:
            click.echo(line + " ...", err=True)
        started.append(percent)

    try:
        download_gutenberg(show)
    finally:
        if live and started:
            click.echo("", err=True)  # end the percentage line


#: `tlm --help` lists the commands in the order a learner meets them.
ORDER = ("train", "generate", "info", "evaluate", "compare", "compare-lm", "explore", "atlas",
         "export")


class Commands(TlmGroup):
    """The `tlm` group: its commands in `ORDER`, each with its whole first sentence."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        rank = {name: i for i, name in enumerate(ORDER)}
        return sorted(self.commands, key=lambda name: (rank.get(name, len(ORDER)), name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands[name]
            if not command.hidden:
                rows.append((name, command.short_help or first_sentence(command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def first_sentence(text: str) -> str:
    """A command's description for `tlm --help`: its help's first sentence, whole."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


@click.group(cls=Commands)
@click.version_option(package_name="tlm")
def cli() -> None:
    """tlm: train tiny word-level language models and look inside them."""


EMB, SG, COUNT, TF = EmbeddingConfig, SkipGramConfig, CountConfig, TransformerConfig


@cli.command()
@click.option("--filepath", "filepaths", multiple=True, type=click.Path(),
              help="A text file to train on (repeatable). chuck.txt, the course's tongue "
                   "twister, ships with tlm.")
@click.option("--gutenberg", multiple=True, metavar="FILEID",
              help="A file of NLTK's Gutenberg corpus, e.g. austen-emma.txt (repeatable).")
@click.option("-t", "--transform", "transforms", multiple=True,
              type=click.Choice(list(TRANSFORMS)),
              help="Applied to the words in the order given: lower makes every word lower "
                   "case (Emma and emma are one word); alpha drops every word that is not all "
                   "letters (punctuation, numbers).")
@click.option("--model", "model_type", type=click.Choice(MODEL_TYPES), default="embedding",
              show_default=True,
              help="embedding: the course's model (tlm/model.py); with --combine concat or "
                   "--hidden it is mlp, Bengio et al.'s (tlm/models/mlp.py). skipgram: "
                   "word2vec's (tlm/models/skipgram.py). count: n-gram counts "
                   "(tlm/models/count.py).")
@click.option("--context-window", type=int,
              help=f"Words of context (embedding, count; default {EMB.context_window}; a count "
                   f"model may use 0); transformer: the training window (default "
                   f"{TF.context_window}).")
@click.option("--combine", type=click.Choice(COMBINE),
              help=f"Embedding, mlp: {COMBINE[0]} of the context vectors (embedding's default; "
                   "word order lost) or concat (in order, as Bengio et al. 2003: the mlp; "
                   f"its default {MLPConfig.combine}).")
@click.option("--hidden", type=click.IntRange(min=0),
              help="Embedding, mlp: units of one tanh layer before the output (the mlp; "
                   f"default {MLPConfig.hidden}: none); transformer: feed-forward units "
                   f"(default {TF.hidden}: 4 x --dim).")
@click.option("--positions", type=click.Choice(POSITIONS),
              help=f"Transformer: how word order enters (default {TF.positions}).")
@click.option("--layers", type=click.IntRange(min=1),
              help=f"Transformer: blocks (default {TF.layers}).")
@click.option("--heads", type=click.IntRange(min=1),
              help=f"Transformer: attention heads; must divide --dim (default {TF.heads}).")
@click.option("--tie/--no-tie", default=None,
              help="Transformer: the output reads the input table E (default) or its own W.")
@click.option("--dropout", type=float,
              help=f"Transformer: dropout rate in training (default {TF.dropout:g}).")
@click.option("--activation", type=click.Choice(ACTIVATIONS),
              help=f"Transformer: the feed-forward's non-linearity (default {TF.activation}).")
@click.option("--optimizer", type=click.Choice(OPTIMIZERS),
              help=f"Transformer: {OPTIMIZERS[0]} (default) or plain {OPTIMIZERS[1]}.")
@click.option("--warmup", type=float,
              help=f"Transformer: share of the run over which the learning rate rises from 0 "
                   f"(default {TF.warmup:g}).")
@click.option("--decay", type=click.Choice(DECAYS),
              help=f"Transformer: how the learning rate falls to 0 after the warm-up (default "
                   f"{TF.decay}).")
@click.option("--weight-decay", type=float,
              help=f"Transformer: AdamW's weight decay of the weight matrices (default "
                   f"{TF.weight_decay:g}; 0: none; --optimizer adam only).")
@click.option("--smoothing", type=click.Choice(SMOOTHINGS),
              help=f"Count: none (the course's model; default {COUNT.smoothing}), laplace (add-k) "
                   "or kneser-ney (interpolated, modified).")
@click.option("--add-k", type=float,
              help=f"Count, laplace: added to every count (default {COUNT.add_k:g}).")
@click.option("--discount", type=float,
              help="Count, kneser-ney: one discount in (0, 1) for every order, instead of the "
                   "three per order estimated from counts of counts (the default).")
@click.option("--window", type=int,
              help=f"Skipgram: context words up to this far on each side (default {SG.window}).")
@click.option("--negative", type=int,
              help=f"Skipgram: negative words drawn per context word (default {SG.negative}; 0 "
                   "trains on positive pairs only, which pulls every vector together).")
@click.option("--sample", type=float,
              help="Skipgram: subsample frequent words (word2vec's formula): a word that makes up "
                   "more than about 2.6 x this share of the text is kept with probability "
                   f"(sqrt(share/sample) + 1) * sample/share (default {SG.sample:g}; 0 keeps "
                   "every word).")
@click.option("--workers", type=int,
              help="Skipgram: threads that train side by side, each on its own batches, "
                   "without waiting for each other, as word2vec's and gensim's do (default: "
                   "one per core; at most one per 512 words of the vocabulary, and one if "
                   "--batch-size is under 512). With more than one a run is not repeatable "
                   "to the bit; --workers 1 is.")
@click.option("--dim", type=int,
              help=f"Vector dimensions (default {EMB.dim}; transformer {TF.dim}).")
@click.option("--epochs", type=int,
              help=f"Passes over the text (default {EMB.epochs}). An epoch's loss is the mean "
                   "over the epoch while the parameters were changing, so it lags behind a loss "
                   "taken after the epoch (val_loss).")
@click.option("--lr", type=float,
              help="Learning rate per example: each example (skipgram: each word pair) moves "
                   "the parameters by lr times its own gradient, whatever --batch-size "
                   f"(embedding default {EMB.lr * 256:g}/256 = {EMB.lr:.4f}, or "
                   f"{EMB.small_text_lr:g} on a text with fewer examples than one batch, "
                   "which is trained one example at a time so that it learns within an epoch; "
                   f"skipgram {SG.lr:g}, decaying linearly; transformer: the step of the "
                   f"batch's mean gradient, default {TF.lr:g}, decaying linearly).")
@click.option("--batch-size", type=int,
              help=f"Examples per SGD step (default: embedding {EMB.batch_size}, skipgram "
                   f"{SG.batch_size}, transformer {TF.batch_size} windows); speed, not step "
                   "size. A text with fewer examples than one batch (the tongue twister's 30) "
                   "is trained one example at a time.")
@click.option("--min-count", type=int,
              help="Words seen fewer times in the training part become <unk>, the one row the "
                   "model then has for all of them (skipgram: are dropped) "
                   f"(default {EMB.min_count}: every word is kept and there is no <unk>; "
                   f"skipgram {SG.min_count}).")
@click.option("--val-fraction", type=float,
              help="Hold out this last part of the text (no part of the vocabulary or of "
                   "training) and report its loss and perplexity after each epoch; held-out "
                   "words outside the vocabulary are not scored "
                   f"(default {EMB.val_fraction:g}: none).")
@click.option("--seed", type=int,
              help="Makes training reproducible (default: a random seed, recorded in the model "
                   "file, so any run can be repeated).")
@click.option("--output", type=click.Path(path_type=Path), default=Path("model.json"),
              show_default=True,
              help="Where to save the model. It may replace a model file, nothing else; a "
                   "symbolic link is followed (the file it points to is replaced). Ctrl-C "
                   "saves the model trained so far (beside a model already there, as "
                   "NAME.partial.json).")
@click.option("--snapshots", type=click.IntRange(min=1), default=None, metavar="N",
              help="Keep E at the start and at N points evenly spread over training, with "
                   "the loss at each, in the model file (float16; a large vocabulary keeps its "
                   "2,000 most frequent words and the word groups): the frames of `tlm explore "
                   "movie` and the atlas's training movie (models with word vectors; default: "
                   "none).")
@click.option("--interact", is_flag=True, help="Open a Python shell with the model afterwards.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def train(filepaths, gutenberg, transforms, model_type, output, snapshots, interact, quiet,
          **settings):
    """Train a model on a text and save it (default model.json)."""
    from tlm.train import fit

    if snapshots:
        from tlm.analyses.categories import GROUPS  # the words the maps colour

        settings["snapshots"] = snapshots
        settings["snapshot_words"] = [w for words in GROUPS.values() for w in words]

    if gutenberg:
        fetch_gutenberg(quiet)
    for path in filepaths:
        if shipped(path) is not None and not quiet:
            click.echo(f"using tlm's corpora/{Path(path).name}", err=True)
    if quiet:
        result = fit(model_type, filepaths, gutenberg, transforms, output=output, **settings)
    else:
        with TrainingOutput() as out:
            result = fit(model_type, filepaths, gutenberg, transforms, output=output,
                         on_epoch=out.epoch_line, on_batch=out.update, **settings)
    n, total = result.epochs_done, result.model.config.epochs
    if result.interrupted:
        last = result.history[-1] if result.history else None
        part = (f", and {last.interrupted_after} of {last.of} examples of epoch "
                f"{last.epoch}" if last is not None and last.interrupted_after else "")
        if result.save_error is not None and result.saved_to is not None:
            click.echo(visible(f"Interrupted: the model trained so far ({n} of {total} epochs "
                               f"done{part}) could not be saved ({result.save_error}); it is "
                               f"kept in {result.saved_to} instead"), err=True)
            sys.exit(130)
        if result.save_error is not None:
            click.echo(visible(f"Interrupted: the model trained so far ({n} of {total} epochs "
                               f"done{part}) could not be saved ({result.save_error}); "
                               "nothing was written, and any file already at --output is as "
                               "it was"), err=True)
            sys.exit(130)
        kept = f"; {output} is unchanged" if result.saved_to != output else ""
        click.echo(f"Interrupted: saved the model trained so far ({n} of {total} epochs "
                   f"done{part}) to {result.saved_to}{kept}", err=True)
        sys.exit(130)
    if not quiet:
        last = result.history[-1] if result.history else None
        if last is not None and last.val_scored is not None:  # what val_loss was taken over
            click.echo(f"Held out: val_loss over {last.val_scored} positions; "
                       f"{last.val_unknown} whose next word is not in the training part's "
                       "vocabulary are not scored")
        click.echo(f"Model saved to {output}")
        if result.model.snapshots is not None:
            click.echo(snapshot_line(result.model, output))
    if result.interrupted_while_saving:  # Ctrl-C came while the finished model was being saved
        click.echo(f"Interrupted: the save finished first ({n} of {total} epochs done)", err=True)
        sys.exit(130)
    if interact:
        from tlm.interact import interact as shell

        shell(result.model, model_path=str(output))


@cli.command()
@click.option("--model", "model_path", type=click.Path(), default="model.json", show_default=True)
@click.option("--length", type=click.IntRange(min=0), default=20, show_default=True,
              help="How many words to sample.")
@click.option("--prompt", help="Words to start from (default: none, the first word is sampled).")
@click.option("--temperature", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Below 1 sharper, above 1 more random, 0 always the likeliest word.")
@click.option("--top-k", type=click.IntRange(min=1),
              help="Sample only among the k likeliest (default: among all words).")
@click.option("--seed", type=int, help="Makes sampling reproducible (default: a random draw).")
@click.option("--interact", is_flag=True, help="Open a Python shell with the model afterwards.")
def generate(model_path, length, prompt, temperature, top_k, seed, interact):
    """Sample text from a trained model."""
    from tlm import modelfile
    from tlm.generate import check_length, generate_words, unknown_words

    model = modelfile.load(model_path)
    extra = {}
    if model.predicts_next_word or not interact:
        if interact:  # the shell gets the text: it is held whole
            check_length(length)
        words = generate_words(model, length, prompt, temperature, top_k, seed)
        for word in unknown_words(model, prompt):
            click.echo(visible(_unknown_note(model, word)), err=True)
        text = stream(words, keep=interact)
        if interact:
            extra["text"] = text
    else:
        click.echo(
            f"{visible(model_path)} is a {model.type} model: it has word vectors but no next-word "
            "probabilities, so there is no text to generate; opening the shell.",
            err=True,
        )
    if interact:
        from tlm.interact import interact as shell

        shell(model, model_path=model_path, **extra)


def stream(words: Iterator[str], keep: bool = False, chunk: int = 1000) -> str:
    """Print the words on one line as they come, `chunk` at a time (a text of any
    length is never held whole), with control characters made visible. Returns the
    text if `keep`, else ""."""
    kept, part, first = [], [], True
    for word in words:
        part.append(word)
        if len(part) == chunk:
            click.echo(("" if first else " ") + visible(" ".join(part)), nl=False)
            first = False
            if keep:
                kept.extend(part)
            part = []
    click.echo(("" if first or not part else " ") + visible(" ".join(part)))
    return " ".join(kept + part) if keep else ""


def _unknown_note(model: Model, word: str) -> str:
    from tlm.vocab import spelling_hint

    reads = "reads it as <unk>" if model.vocabulary.has_unk else model.unknown_context
    return (
        f"Note: {word!r} is not in the model's vocabulary (seen fewer than --min-count "
        f"{model.config.min_count} times in its training text, or never), so the model "
        f"{reads}{spelling_hint(word, model.vocab)}"
    )


@cli.command()
@click.option("--model", "model_path", type=click.Path(), default="model.json", show_default=True)
def info(model_path):
    """Summarise a model: type, vocabulary, arrays, settings, loss history."""
    from tlm import modelfile
    from tlm.summary import summarize

    s = summarize(modelfile.load(model_path))
    lines = []
    if s.dimensions is not None:
        lines.append(f"{model_path}: {s.type} model, {s.words} words, {s.dimensions} dimensions")
    else:  # a count model
        lines.append(f"{model_path}: {s.type} model, {s.words} words, {s.contexts} contexts of "
                     f"{s.settings['context_window']} words")
    lines.append("arrays: " + ", ".join(f"{name} {shape}" for name, shape in s.arrays.items()))
    lines.append("settings: " + ", ".join(f"{k}={v}" for k, v in s.settings.items()))
    for key, value in s.info.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        lines.append(f"{key}: {value}")
    snap = s.snapshots
    if snap is not None:
        lines.append(f"snapshots: {snap.frames} frames of E for {snap.E.shape[1]:,} words, at "
                     f"epochs {', '.join(f'{a:g}' for a in snap.at)} (tlm explore movie)")
    if s.history:
        lines.append("history:")
        lines.extend("  " + format_epoch(entry, s.epochs) for entry in s.history)
    else:
        lines.append("history: not trained")
    for line in lines:  # every field of the file, its words too, with controls made visible
        click.echo(visible(line, keep=""))


def _to_stderr(line: str) -> None:
    click.echo(visible(line), err=True)


@cli.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--model", "model_path", type=click.Path(), default="model.json", show_default=True)
@click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
              help="Vectors to set beside the model (repeatable; default glove-wiki-gigaword-50): "
                   "word2vec-same-corpus[:TEXT], a gensim-data name, hf:NAME (a language "
                   "model's token table), encoder:minilm (a sentence encoder run in NumPy), "
                   "a word2vec/GloVe file or another tlm model.")
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True,
              help="Nearest words per column.")
@click.option("--similarity", "as_pairs", is_flag=True,
              help="Read WORDS as pairs (W1 W2 [W3 W4 ...]) and print each pair's cosine "
                   "similarity, one row per source.")
def compare(words, model_path, pretrained_names, k, as_pairs):
    """Nearest words to each WORD side by side: the model, then each pretrained source."""
    from tlm import modelfile
    from tlm.compare import (
        neighbors_columns,
        render_neighbors,
        render_similarity,
        similarities,
        sources_for,
    )

    if as_pairs and len(words) % 2:
        raise click.UsageError("--similarity takes words in pairs: W1 W2 [W3 W4 ...]")
    model = modelfile.load(model_path)
    names = pretrained_names or ("glove-wiki-gigaword-50",)
    sources = sources_for(model, model_path, names, report=_to_stderr)
    if as_pairs:
        pairs = zip(words[::2], words[1::2], strict=True)
        tables = [render_similarity(a, b, similarities(a, b, sources), sources)
                  for a, b in pairs]
    else:
        tables = [render_neighbors(w, neighbors_columns(w, sources, k)) for w in words]
    click.echo(visible("\n\n".join(tables)))


@cli.command()
@click.option("--model", "model_paths", multiple=True, type=click.Path(),
              help="A tlm model file (repeatable; default model.json unless --pretrained is "
                   "given alone).")
@click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
              help="Also score these vectors, in the same table (repeatable): "
                   "glove-wiki-gigaword-50, word2vec-same-corpus[:TEXT], a gensim-data name, "
                   "hf:NAME, encoder:minilm or a file.")
@click.option("--filepath", "filepaths", multiple=True, type=click.Path(),
              help="Held-out text for perplexity (next-word models; read with the model's "
                   "transforms; repeatable).")
@click.option("--gutenberg", multiple=True, metavar="FILEID",
              help="Held-out text from NLTK's Gutenberg corpus (repeatable).")
@click.option("--similarity-file", "pair_files", multiple=True, type=click.Path(),
              help="Word pairs scored by people, 'word1 word2 score' per line (repeatable; "
                   "replaces WordSim-353 and SimLex-999).")
@click.option("--analogy-file", "analogy_files", multiple=True, type=click.Path(),
              help="Analogy questions in gensim's questions-words.txt format (repeatable; "
                   "replaces the Google analogies).")
@click.option("--no-analogies", is_flag=True,
              help="Skip the analogy questions (they take a while on 400000 GloVe words).")
@click.option("--restrict-vocab", type=click.IntRange(min=1), default=30000, show_default=True,
              help="Analogy answers are searched among this many most frequent words.")
def evaluate(model_paths, pretrained_names, filepaths, gutenberg, pair_files, analogy_files,
             no_analogies, restrict_vocab):
    """Score word vectors on word-similarity (WordSim-353, SimLex-999) and analogy (Google)
    benchmarks, each with the share of it the vocabulary covers; and next-word models by
    perplexity on held-out text."""
    from tlm.evaluate import evaluate as run
    from tlm.evaluate import render_evaluation

    if not model_paths and not pretrained_names:
        model_paths = ("model.json",)
    if gutenberg:
        fetch_gutenberg()
    analogies = () if no_analogies else (analogy_files or None)
    evaluation = run(model_paths, pretrained_names, filepaths, gutenberg, pair_files or None,
                     analogies, restrict_vocab, report=_to_stderr)
    click.echo(visible(render_evaluation(evaluation)))


@cli.command("compare-lm")
@click.option("--model", "model_paths", multiple=True, type=click.Path(), required=True,
              help="A next-word model file: embedding or count (repeatable).")
@click.option("--filepath", "filepaths", multiple=True, type=click.Path(),
              help="The held-out text (repeatable), read with each model's transforms.")
@click.option("--gutenberg", multiple=True, metavar="FILEID",
              help="Held-out text from NLTK's Gutenberg corpus (repeatable).")
@click.option("--last", type=float,
              help="Score only this last share of the text: what --val-fraction held out "
                   "when the models were trained on it (default: the whole text).")
@click.option("--length", type=click.IntRange(min=1), default=12, show_default=True,
              help="Words in each model's sample.")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Seed of the samples.")
@click.option("--per-token", is_flag=True,
              help="Also: the words the first model predicts better and worse than the second, "
                   "with examples (the two must share a vocabulary).")
def compare_lm(model_paths, filepaths, gutenberg, last, length, seed, per_token):
    """Next-word models side by side: perplexity on the same held-out text, training
    time, parameters, and a sample from each."""
    from tlm.compare_lm import compare_lm as run
    from tlm.compare_lm import render

    if per_token and len(model_paths) < 2:
        raise click.UsageError("--per-token compares the first two --model files: give two")
    click.echo(visible(render(run(model_paths, filepaths, gutenberg, last, length, seed))))
    if per_token:
        from tlm import modelfile
        from tlm.compare_lm import held_out_documents
        from tlm.per_token import format_per_token
        from tlm.per_token import per_token as gains

        a, b = modelfile.load(model_paths[0]), modelfile.load(model_paths[1])
        better, worse = gains(a, b, held_out_documents(a, filepaths, gutenberg, last))
        click.echo(visible("\n" + format_per_token(Path(model_paths[0]).name,
                                                   Path(model_paths[1]).name, better, worse)))


@cli.command()
@click.option("--model", "model_path", type=click.Path(), default="model.json", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["word2vec", "tsv"]), default="word2vec",
              show_default=True,
              help="word2vec: text format any word2vec tool reads. tsv: vectors for TensorFlow's "
                   "Embedding Projector, with the words in a metadata file beside them.")
@click.option("--output", type=click.Path(path_type=Path),
              help="The file to write (default vectors.txt, or vectors.tsv for tsv). With tsv "
                   "the words go beside it: vectors.tsv -> vectors-metadata.tsv; load both at "
                   "projector.tensorflow.org.")
@click.option("--force", is_flag=True,
              help="Replace an existing file (never a model file or the --model itself).")
def export(model_path, fmt, output, force):
    """Write a model's word vectors for other tools."""
    from tlm import modelfile
    from tlm.export import export as write

    output = output or Path("vectors.tsv" if fmt == "tsv" else "vectors.txt")
    files = write(modelfile.load(model_path), output, fmt, force, inputs=[model_path])
    click.echo(visible("Wrote " + " and ".join(str(f) for f in files)))


def _progress_on_terminal() -> bool:
    return sys.stderr.isatty()


@cli.command()
@click.option("--model", "model_paths", multiple=True, type=click.Path(),
              help="A tlm model file (repeatable).")
@click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
              help="Vectors to set beside the models (repeatable): glove-wiki-gigaword-50, "
                   "word2vec-same-corpus[:TEXT], a gensim-data name, hf:NAME, "
                   "encoder:minilm or a word2vec/GloVe file.")
@click.option("--output", type=click.Path(path_type=Path), default=Path("atlas.html"),
              show_default=True, help="The HTML page to write.")
@click.option("--projection", type=click.Choice(["pca", "umap"]), default="pca",
              show_default=True, help="How the maps flatten the vectors (umap needs umap-learn).")
@click.option("-n", "n", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Most frequent words of each source on its map.")
@click.option("--force", is_flag=True,
              help="Replace an existing file that is not an atlas page (never a model file or "
                   "one of the sources).")
def atlas(model_paths, pretrained_names, output, projection, n, force):
    """Write one self-contained, offline HTML page about the sources: a card each,
    an interactive map of each vocabulary, neighbours and analogies, and the
    explorer's analyses side by side."""
    from tlm import atlas as page

    target = page.check_output(output, [*model_paths, *pretrained_names], force)
    progress = _to_stderr if _progress_on_terminal() else None
    try:
        sources = page.load_sources(model_paths, pretrained_names, report=_to_stderr)
        result = page.build(sources, projection, n, report=progress)
        page.write(result, target, force)
    except KeyboardInterrupt:
        click.echo(f"Interrupted: {output} was not written", err=True)
        sys.exit(130)
    names = ", ".join(s.id for s in result.sections)
    click.echo(visible(f"Wrote {output} ({result.size / 1e6:.1f} MB), {len(result.sections)} "
                       f"sections: {names}"))
    for section in result.sections:
        for note in section.notes:
            click.echo(visible(f"  note, {section.id}: {note}"))


from tlm.cli.explore import explore  # noqa: E402 (the explore group lives in its own module)

cli.add_command(explore)


def main() -> None:
    cli(prog_name="tlm")
