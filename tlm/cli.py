"""The `tlm` command: click commands only. Each parses its options, calls one
library function and prints the result; mistakes become one line on stderr."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tlm.corpus import TRANSFORMS, shipped
from tlm.errors import TlmGroup
from tlm.models import MODEL_TYPES

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tlm.evaluate import AnalogyScore, Evaluation, PairScore, VectorScores
    from tlm.models.base import Model
    from tlm.perplexity import Perplexity
    from tlm.train import Progress


def format_epoch(entry: dict[str, Any], epochs: int) -> str:
    """`Epoch 2/5 loss=2.3512`, with the held-out loss when there is one."""
    line = f"Epoch {entry['epoch']}/{epochs} loss={entry['loss']:.4f}"
    if "val_loss" in entry:
        line += f" val_loss={entry['val_loss']:.4f} val_ppl={entry['val_ppl']:.1f}"
        if entry.get("val_impossible"):
            line += (f" ({entry['val_impossible']} of {entry['val_scored']} held-out words "
                     "never seen after their context)")
    if "interrupted_after" in entry:
        line += f" (interrupted after {entry['interrupted_after']} of {entry['of']} examples)"
    return line


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes:02}:{seconds:02}"


class ProgressBar:
    """Training's terminal output: one line per epoch and, on a terminal once the
    run has taken half a second, a bar for the whole run under them:

        Epoch 3/10 [######--------------]  31% elapsed 00:41 eta 01:31

    The ETA is the elapsed time scaled by what is left of the run. The bar is
    redrawn at most ten times a second and wiped at the end."""

    WIDTH = 20

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.perf_counter()
        self.drawn_at: float | None = None  # when the bar was last drawn

    def __enter__(self) -> ProgressBar:
        return self

    def update(self, progress: Progress) -> None:
        now = time.perf_counter()
        elapsed = now - self.start
        if not self.enabled or elapsed < 0.5:
            return
        if self.drawn_at is not None and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        click.echo("\r" + bar_line(progress, elapsed, self.WIDTH) + "\x1b[K", nl=False, color=True)

    def epoch_line(self, model: Model, entry: dict[str, Any]) -> None:
        self._wipe()
        click.echo(format_epoch(entry, model.config.epochs))

    def _wipe(self) -> None:
        if self.drawn_at is not None:
            click.echo("\r\x1b[2K", nl=False, color=True)
            self.drawn_at = None

    def __exit__(self, *exc: Any) -> None:
        self._wipe()


def bar_line(progress: Progress, elapsed: float, width: int = 20) -> str:
    f = progress.fraction
    filled = int(f * width)
    eta = _clock(elapsed * (1 - f) / f) if f >= 0.01 else "?"  # too early to tell
    return (f"Epoch {progress.epoch}/{progress.epochs} [{'#' * filled}{'-' * (width - filled)}] "
            f"{f:4.0%} elapsed {_clock(elapsed)} eta {eta}")


def fetch_gutenberg(quiet: bool = False) -> None:
    """Download NLTK's Gutenberg corpus if it is not there, saying so on stderr
    (with the percentage on a terminal)."""
    from tlm.corpus import download_gutenberg, find_gutenberg, gutenberg_download_dir

    if find_gutenberg() is not None:
        return
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


@click.group(cls=TlmGroup)
@click.version_option(package_name="tlm")
def cli() -> None:
    """tlm: train tiny word-level language models and look inside them."""


@cli.command()
@click.option("--filepath", "filepaths", multiple=True, type=click.Path(),
              help="A text file to train on (repeatable).")
@click.option("--gutenberg", multiple=True, metavar="FILEID",
              help="A file of NLTK's Gutenberg corpus, e.g. austen-emma.txt (repeatable).")
@click.option("-t", "--transform", "transforms", multiple=True,
              type=click.Choice(list(TRANSFORMS)), help="Applied to the tokens in order.")
@click.option("--model", "model_type", type=click.Choice(MODEL_TYPES), default="embedding",
              show_default=True, help="Which model to train.")
@click.option("--context-window", type=int,
              help="Words of context (embedding, count; default 2; a count model may use 0); "
                   "transformer: the training window (default 64).")
@click.option("--combine", type=click.Choice(["mean", "concat"]),
              help="Embedding: mean of the context vectors (default; word order lost) or "
                   "concat (in order, as Bengio et al. 2003).")
@click.option("--hidden", type=click.IntRange(min=0),
              help="Embedding: units of one tanh layer before the output (default 0: none); "
                   "transformer: feed-forward units (default 0: 4 x --dim).")
@click.option("--positions", type=click.Choice(["learned", "sinusoidal", "rope", "alibi", "none"]),
              help="Transformer: how word order enters (default rope).")
@click.option("--layers", type=click.IntRange(min=1), help="Transformer: blocks (default 2).")
@click.option("--heads", type=click.IntRange(min=1),
              help="Transformer: attention heads; must divide --dim (default 4).")
@click.option("--tie/--no-tie", default=None,
              help="Transformer: the output reads the input table E (default) or its own W.")
@click.option("--dropout", type=float, help="Transformer: dropout rate in training (default 0.1).")
@click.option("--activation", type=click.Choice(["gelu", "relu"]),
              help="Transformer: the feed-forward's non-linearity (default gelu).")
@click.option("--optimizer", type=click.Choice(["adam", "sgd"]),
              help="Transformer: adam (default) or plain sgd.")
@click.option("--smoothing", type=click.Choice(["none", "laplace", "kneser-ney"]),
              help="Count: none (the course's model; default), laplace (add-k) or kneser-ney "
                   "(interpolated, modified).")
@click.option("--add-k", type=float, help="Count, laplace: added to every count (default 1).")
@click.option("--discount", type=float,
              help="Count, kneser-ney: one discount in (0, 1) for every order, instead of the "
                   "three per order estimated from counts of counts (the default).")
@click.option("--window", type=int,
              help="Skipgram: context words up to this far on each side (default 5).")
@click.option("--negative", type=int,
              help="Skipgram: negative words drawn per context word (default 5; 0 trains on "
                   "positive pairs only, which pulls every vector together).")
@click.option("--sample", type=float,
              help="Skipgram: subsample frequent words (word2vec's formula): a word that makes up "
                   "more than about 2.6 x this share of the text is kept with probability "
                   "(sqrt(share/sample) + 1) * sample/share (default 1e-3; 0 keeps every word).")
@click.option("--dim", type=int, help="Vector dimensions (default 32; transformer 128).")
@click.option("--epochs", type=int,
              help="Passes over the text (default 5). An epoch's loss is the mean over the "
                   "epoch while the parameters were changing, so it lags behind a loss taken "
                   "after the epoch (val_loss).")
@click.option("--lr", type=float,
              help="Learning rate per example: each example (skipgram: each word pair) moves "
                   "the parameters by lr times its own gradient, whatever --batch-size "
                   "(embedding default 3/256 = 0.0117; skipgram 0.025, decaying linearly); "
                   "transformer: the step of the batch's mean gradient (default 0.002, decaying "
                   "linearly).")
@click.option("--batch-size", type=int,
              help="Examples per SGD step (default: embedding 256, skipgram 2048, transformer 32 "
                   "windows); speed, not "
                   "step size.")
@click.option("--min-count", type=int,
              help="Words seen fewer times in the training part become <unk> (skipgram: are "
                   "dropped) (default 1; skipgram 5).")
@click.option("--val-fraction", type=float,
              help="Hold out this last part of the text (no part of the vocabulary or of "
                   "training) and report its loss and perplexity after each epoch; held-out "
                   "words outside the vocabulary are <unk> and not scored (default 0: none).")
@click.option("--seed", type=int,
              help="Makes training reproducible (default: a random seed, recorded in the model "
                   "file, so any run can be repeated).")
@click.option("--output", type=click.Path(path_type=Path), default=Path("model.json"),
              show_default=True,
              help="Where to save the model. It may replace a model file, nothing else; a "
                   "symbolic link is followed (the file it points to is replaced).")
@click.option("--interact", is_flag=True, help="Open a Python shell with the model afterwards.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def train(filepaths, gutenberg, transforms, model_type, output, interact, quiet, **settings):
    """Train a model on a text and save it (default model.json)."""
    from tlm import modelfile
    from tlm.interrupts import Interrupts
    from tlm.train import fit

    modelfile.check_model_output(output, inputs=filepaths)  # before training, not after
    if gutenberg:
        fetch_gutenberg(quiet)
    for path in filepaths:
        if shipped(path) is not None and not quiet:
            click.echo(f"using tlm's corpora/{Path(path).name}", err=True)
    # An interrupted run never replaces a model that is there: it goes beside it.
    partial = output.with_name(f"{output.stem}.partial{output.suffix}") if output.exists() else None
    if partial is not None:
        modelfile.check_model_output(partial, option="the file for an interrupted run,")
    with Interrupts() as interrupts:  # from the end of training until saved, Ctrl-C waits
        if quiet:
            result = fit(model_type, filepaths, gutenberg, transforms, interrupts=interrupts,
                         **settings)
        else:
            with ProgressBar(enabled=sys.stdout.isatty()) as bar:
                result = fit(model_type, filepaths, gutenberg, transforms, interrupts=interrupts,
                             on_epoch=bar.epoch_line, on_batch=bar.update, **settings)
        saved_to = partial if result.interrupted and partial is not None else output
        modelfile.save(result.model, saved_to)
        interrupts.state = "at once"
    n, total = result.epochs_done, result.model.config.epochs
    if result.interrupted:
        last = result.history[-1] if result.history else {}
        part = (f", and {last['interrupted_after']} of {last['of']} examples of epoch "
                f"{last['epoch']}" if "interrupted_after" in last else "")
        kept = f"; {output} is unchanged" if saved_to != output else ""
        click.echo(f"Interrupted: saved the model trained so far ({n} of {total} epochs "
                   f"done{part}) to {saved_to}{kept}", err=True)
        sys.exit(130)
    if not quiet:
        last = result.history[-1] if result.history else {}
        if "val_scored" in last:  # what val_loss and val_ppl were taken over
            click.echo(f"Held out: val_loss over {last['val_scored']} positions; "
                       f"{last['val_unknown']} whose next word is <unk> (not in the training "
                       "part's vocabulary) are not scored")
        click.echo(f"Model saved to {output}")
    if interrupts.requested:  # Ctrl-C came while the finished model was being saved
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
    from tlm.generate import unknown_words

    model = modelfile.load(model_path)
    extra = {}
    if model.predicts_next_word or not interact:
        text = model.generate(length, prompt, temperature, top_k, seed)
        if model.vocabulary.has_unk:
            for word in unknown_words(model, prompt):
                click.echo(_unknown_note(model, word), err=True)
        click.echo(text)
        extra["text"] = text
    else:
        click.echo(
            f"{model_path} is a {model.type} model: it has word vectors but no next-word "
            "probabilities, so there is no text to generate; opening the shell.",
            err=True,
        )
    if interact:
        from tlm.interact import interact as shell

        shell(model, model_path=model_path, **extra)


def _unknown_note(model, word: str) -> str:
    from tlm.vocab import spelling_hint

    return (
        f"Note: {word!r} is not in the model's vocabulary (seen fewer than --min-count "
        f"{model.config.min_count} times in its training text, or never), so the model reads "
        f"it as <unk>{spelling_hint(word, model.vocab)}"
    )


@cli.command()
@click.option("--model", "model_path", type=click.Path(), default="model.json", show_default=True)
def info(model_path):
    """Summarise a model: type, vocabulary, arrays, settings, loss history."""
    from tlm import modelfile
    from tlm.summary import summarize

    s = summarize(modelfile.load(model_path))
    if s.dimensions is not None:
        click.echo(f"{model_path}: {s.type} model, {s.words} words, {s.dimensions} dimensions")
    else:  # a count model
        click.echo(f"{model_path}: {s.type} model, {s.words} words, {s.contexts} contexts of "
                   f"{s.settings['context_window']} words")
    click.echo("arrays: " + ", ".join(f"{name} {shape}" for name, shape in s.arrays.items()))
    click.echo("settings: " + ", ".join(f"{k}={v}" for k, v in s.settings.items()))
    for key, value in s.info.items():
        if isinstance(value, list):
            value = ", ".join(map(str, value)) or "none"
        click.echo(f"{key}: {value}")
    if s.history:
        click.echo("history:")
        for entry in s.history:
            click.echo("  " + format_epoch(entry, s.settings["epochs"]))
    else:
        click.echo("history: not trained")


def _to_stderr(line: str) -> None:
    click.echo(line, err=True)


@cli.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--model", "model_path", type=click.Path(), default="model.json", show_default=True)
@click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
              help="Vectors to set beside the model (repeatable; default glove-wiki-gigaword-50): "
                   "word2vec-same-corpus[:TEXT], a gensim-data name, hf:NAME (a language "
                   "model's token table), a word2vec/GloVe file or another tlm model.")
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True,
              help="Nearest words per column.")
@click.option("--similarity", "as_pairs", is_flag=True,
              help="Read WORDS as pairs (W1 W2 [W3 W4 ...]) and print each pair's cosine "
                   "similarity, one row per source.")
def compare(words, model_path, pretrained_names, k, as_pairs):
    """Nearest words to each WORD side by side: the model, then each pretrained source."""
    from tlm import modelfile
    from tlm.compare import neighbors_table, similarity_table, sources_for

    if as_pairs and len(words) % 2:
        raise click.UsageError("--similarity takes words in pairs: W1 W2 [W3 W4 ...]")
    model = modelfile.load(model_path)
    names = pretrained_names or ("glove-wiki-gigaword-50",)
    sources = sources_for(model, model_path, names, report=_to_stderr)
    if as_pairs:
        pairs = zip(words[::2], words[1::2], strict=True)
        tables = [similarity_table(a, b, sources) for a, b in pairs]
    else:
        tables = [neighbors_table(word, sources, k) for word in words]
    click.echo("\n\n".join(tables))


# -- tlm evaluate's report -------------------------------------------------------------------
def _covered(covered: int, total: int) -> str:
    share = covered / total
    return f"{covered} of {total}" if 0 < share < 0.001 else f"{share:.1%} of {total}"


def _pair_cell(s: PairScore) -> str:
    value = "n/a" if s.spearman is None else f"{s.spearman:.3f}"
    return f"{value} ({_covered(s.covered, s.total)})"


def _analogy_cell(s: AnalogyScore) -> str:
    value = "n/a" if s.accuracy is None else f"{s.accuracy:.1%}"
    return f"{value} ({_covered(s.covered, s.total)})"


def format_table(rows: Sequence[VectorScores], restrict_vocab: int) -> str:
    """One row per source, one column per benchmark, and a line on how to read them."""
    if not rows:
        return ""
    header = [""] + [s.benchmark for s in rows[0].pairs] + [s.benchmark for s in rows[0].analogies]
    body = [
        [r.label] + [_pair_cell(s) for s in r.pairs] + [_analogy_cell(s) for s in r.analogies]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [header, *body]]
    if rows[0].pairs:
        lines.append(
            "word similarity: Spearman correlation with human scores over the pairs whose "
            "words the vocabulary has (share of pairs covered)"
        )
    if rows[0].analogies:
        lines.append(
            f"analogies: right answers (nearest word to b - a + c among the {restrict_vocab} "
            "most frequent) over the questions whose words are among them (share covered)"
        )
    return "\n".join(lines)


def format_perplexity(label: str, p: Perplexity) -> str:
    line = (
        f"{label}: perplexity {p.perplexity:.1f} (mean loss {p.loss:.4f}) over {p.scored} of "
        f"{p.tokens} held-out tokens; not scored: {p.unknown} outside the vocabulary (<unk>), "
        f"{p.tokens - p.positions} at the start of a text (too little context)"
    )
    if p.impossible:
        line += (f"; inf because {p.impossible} of the {p.scored} scored words were never seen "
                 "after their context (probability 0)")
    return line


def format_evaluation(e: Evaluation) -> str:
    """The benchmark table, then a line per model on the held-out text."""
    lines = [format_table(e.rows, e.restrict_vocab)]
    for score in e.held_out:
        if score.perplexity is None:
            lines.append(f"{score.label}: no perplexity (it has vectors, not next-word "
                         "probabilities)")
        else:
            lines.append(format_perplexity(score.label, score.perplexity))
    return "\n".join(line for line in lines if line)


@cli.command()
@click.option("--model", "model_paths", multiple=True, type=click.Path(),
              help="A tlm model file (repeatable; default model.json unless --pretrained is "
                   "given alone).")
@click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
              help="Also score these vectors, in the same table (repeatable): "
                   "glove-wiki-gigaword-50, word2vec-same-corpus[:TEXT], a gensim-data name, "
                   "hf:NAME or a file.")
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

    if not model_paths and not pretrained_names:
        model_paths = ("model.json",)
    if gutenberg:
        fetch_gutenberg()
    analogies = () if no_analogies else (analogy_files or None)
    evaluation = run(model_paths, pretrained_names, filepaths, gutenberg, pair_files or None,
                     analogies, restrict_vocab, report=_to_stderr)
    click.echo(format_evaluation(evaluation))


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
    from tlm.compare_lm import format_scores

    if per_token and len(model_paths) < 2:
        raise click.UsageError("--per-token compares the first two --model files: give two")
    click.echo(format_scores(run(model_paths, filepaths, gutenberg, last, length, seed)))
    if per_token:
        from tlm import modelfile
        from tlm.compare_lm import held_out_documents
        from tlm.per_token import format_per_token
        from tlm.per_token import per_token as gains

        a, b = modelfile.load(model_paths[0]), modelfile.load(model_paths[1])
        better, worse = gains(a, b, held_out_documents(a, filepaths, gutenberg, last))
        click.echo("\n" + format_per_token(Path(model_paths[0]).name, Path(model_paths[1]).name,
                                           better, worse))


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
    click.echo("Wrote " + " and ".join(str(f) for f in files))


def _progress_on_terminal() -> bool:
    return sys.stderr.isatty()


@cli.command()
@click.option("--model", "model_paths", multiple=True, type=click.Path(),
              help="A tlm model file (repeatable).")
@click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
              help="Vectors to set beside the models (repeatable): glove-wiki-gigaword-50, "
                   "word2vec-same-corpus[:TEXT], a gensim-data name, hf:NAME or a "
                   "word2vec/GloVe file.")
@click.option("--output", type=click.Path(path_type=Path), default=Path("atlas.html"),
              show_default=True, help="The HTML page to write.")
@click.option("--projection", type=click.Choice(["pca", "umap"]), default="pca",
              show_default=True, help="How the maps flatten the vectors (umap needs umap-learn).")
@click.option("-n", "n", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Most frequent words of each source on its map.")
def atlas(model_paths, pretrained_names, output, projection, n):
    """Write one self-contained, offline HTML page about the sources: a card each,
    an interactive map of each vocabulary, neighbours and analogies, and the
    explorer's analyses side by side."""
    from tlm import atlas as page

    target = page.check_output(output, [*model_paths, *pretrained_names])
    progress = _to_stderr if _progress_on_terminal() else None
    try:
        sources = page.load_sources(model_paths, pretrained_names, report=_to_stderr)
        result = page.build(sources, projection, n, report=progress)
        page.write(result, target)
    except KeyboardInterrupt:
        click.echo(f"Interrupted: {output} was not written", err=True)
        sys.exit(130)
    names = ", ".join(s.id for s in result.sections)
    click.echo(f"Wrote {output} ({result.size / 1e6:.1f} MB), {len(result.sections)} sections: "
               f"{names}")
    for section in result.sections:
        for note in section.notes:
            click.echo(f"  note, {section.id}: {note}")


from tlm.cli_explore import explore  # noqa: E402 (the explore group lives in its own module)

cli.add_command(explore)


def main() -> None:
    cli(prog_name="tlm")
