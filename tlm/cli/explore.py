"""`tlm explore KIND`: the geometry explorer's click commands.

Each subcommand loads the sources (`--model PATH`, `--pretrained NAME`, both
repeatable, side by side in the order given), calls one function of
tlm/explore.py per source, prints the table (tlm/explore_text.py) and, with
`--png FILE`, writes the picture (tlm/plot.py) through matplotlib's Agg
backend. A source that lacks a word is named on stderr and left out of the
table and the picture; only when no source is left is it an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tlm import writing
from tlm.errors import TlmError


# -- sources ----------------------------------------------------------------------------------
def load_sources(model_paths: tuple[str, ...], pretrained_names: tuple[str, ...],
                 report: Callable[[str], None] | None = None) -> dict[str, Any]:
    """{label: tlm Model or KeyedVectors}: the models (model.json when no source
    is given), then the pretrained vectors."""
    from tlm.compare import load_sources

    if not model_paths and not pretrained_names:
        model_paths = ("model.json",)
    return {label: source for label, source, _ in
            load_sources(model_paths, pretrained_names, report)}


def per_source(sources: dict[str, Any], analyse: Callable[[Any], Any]) -> dict[str, Any]:
    """{label: analyse(source)}; a source the analysis cannot use (a word it
    lacks, too few words) is named on stderr and left out, unless none is left."""
    results, errors = {}, []
    for label, source in sources.items():
        try:
            results[label] = analyse(source)
        except TlmError as e:
            errors.append((label, e))
    if not results:
        if len(errors) == 1:
            raise errors[0][1]
        raise TlmError("; ".join(f"{label}: {e}" for label, e in errors))
    for label, e in errors:
        click.echo(f"{label}: {e} (left out)", err=True)
    return results


# -- the picture ------------------------------------------------------------------------------
def check_png(path: Path | None) -> None:
    """Fail before any work if --png cannot be written, or would replace
    something that is not a picture (a model, a text, a device)."""
    if path is None:
        return
    writing.check_output(path, writing.PNG, option="--png")


def save_png(fig: Any, path: Path) -> None:
    """Write the figure whole or not at all (a temporary file renamed over `path`)."""
    import matplotlib.pyplot as plt

    try:
        writing.atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100), writing.PNG,
                             option="--png")
    finally:
        plt.close(fig)


def picture(png: Path | None, draw: Callable[[], Any]) -> None:
    """With --png, draw the figure without a display (Agg) and save it."""
    if png is None:
        return
    import matplotlib

    matplotlib.use("Agg")
    save_png(draw(), png)
    click.echo(f"Picture saved to {png}", err=True)


def finish(results: Any, png: Path | None, plot: Callable[[Any], Any]) -> None:
    """Print the table of the results and, with --png, save their picture."""
    from tlm.explore_text import render

    click.echo(render(results))
    picture(png, lambda: plot(results))


# -- the commands -----------------------------------------------------------------------------
def source_options(fn: Callable) -> Callable:
    """--model, --pretrained and --png, shared by every subcommand."""

    @click.option("--model", "model_paths", multiple=True, type=click.Path(),
                  help="A tlm model file (repeatable; default model.json when no source "
                       "is given).")
    @click.option("--pretrained", "pretrained_names", multiple=True, metavar="NAME|PATH",
                  help="Pretrained vectors (repeatable): glove-wiki-gigaword-50, "
                       "word2vec-same-corpus[:TEXT], a gensim-data name, hf:NAME (a "
                       "language model's token table) or a vectors file.")
    @click.option("--png", type=click.Path(path_type=Path),
                  help="Also write the picture to this PNG file (default: only the table).")
    @functools.wraps(fn)
    def wrapper(model_paths, pretrained_names, png, **kwargs):
        check_png(png)
        sources = load_sources(model_paths, pretrained_names,
                               report=lambda line: click.echo(line, err=True))
        return fn(sources=sources, png=png, **kwargs)

    return wrapper


@click.group()
def explore() -> None:
    """Look inside word vectors: one analysis per subcommand, several sources side by side
    (--model PATH and --pretrained NAME, repeatable); --png FILE also writes the picture."""


@explore.command()
@source_options
def norms(sources, png):
    """Row lengths (unit length?) and per-dimension means (centred?)."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, ex.norms), png, plot.norms)


@explore.command()
@click.option("-n", "--pairs", "n", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Random pairs of distinct words.")
@click.option("--seed", type=int, default=0, show_default=True)
@source_options
def background(sources, png, n, seed):
    """Cosine and distance of random word pairs: the baseline for every similarity."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, lambda s: ex.background(s, n, seed)), png, plot.background)


@explore.command()
@click.argument("word_pairs", nargs=-1, metavar="[A:B]...")
@source_options
def pairs(sources, png, word_pairs):
    """Cosine and distance of word pairs (default: the notebook's eleven), each against
    the random-pair background."""
    from tlm import explore as ex
    from tlm import plot

    chosen = ex._pairs_of(word_pairs) if word_pairs else ex.DEFAULT_PAIRS
    finish(per_source(sources, lambda s: ex.pairs(s, chosen)), png, plot.pairs)


@explore.command()
@click.argument("words", nargs=-1, required=True)
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--skip-variants", is_flag=True,
              help="Leave out the word's own surface variants (King, kings).")
@source_options
def neighbors(sources, png, words, k, skip_variants):
    """The k nearest words to each WORD (or 'king - man + woman'), with where random
    pairs stand."""
    from tlm import explore as ex
    from tlm import explore_text, plot

    results: dict[str, list] = {}
    tables = []
    for word in words:
        found = per_source(sources, lambda s, w=word: ex.neighbors(s, w, k, skip_variants))
        tables.append(explore_text.render(found))
        for label, r in found.items():
            results.setdefault(label, []).append(r)
    click.echo("\n\n".join(tables))
    picture(png, lambda: plot.neighbors(results))


@explore.command()
@click.argument("a")
@click.argument("b")
@click.argument("c")
@click.option("--expected", metavar="D", help="The answer you expect (default: none; for "
              "man king woman, queen).")
@click.option("--candidate", "candidates", multiple=True, metavar="WORD",
              help="Rank the expected word among these (repeatable; default a list around "
                   "king/queen).")
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True)
@source_options
def analogy(sources, png, a, b, c, expected, candidates, k):
    """A is to B as C is to ?: the words nearest B - A + C, and how the expected answer fares."""
    from tlm import explore as ex
    from tlm import plot

    if expected is None and (a, b, c) == ("man", "king", "woman"):
        expected = "queen"
    finish(per_source(sources, lambda s: ex.analogy(s, a, b, c, expected, candidates or None,
                                                    k)), png, plot.analogy)


@explore.command("cos-vs-euclid")
@click.argument("query")
@click.option("-n", type=click.IntRange(min=1), default=10, show_default=True,
              help="Words where the rankings disagree most.")
@source_options
def cos_vs_euclid(sources, png, query, n):
    """Every word's cosine and distance from QUERY (a word or 'king - man + woman')."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, lambda s: ex.cos_vs_euclid(s, query, n)), png,
           plot.cos_vs_euclid)


@explore.command()
@click.argument("words", nargs=-1)
@click.option("--x", "x", default="man:king", show_default=True, metavar="FROM:TO",
              help="The first direction (royalty).")
@click.option("--y", "y", default="man:woman", show_default=True, metavar="FROM:TO",
              help="The second direction (gender).")
@source_options
def axes(sources, png, words, x, y):
    """Words projected on two directions, raw and unit-length."""
    from tlm import explore as ex
    from tlm import plot

    chosen = words or ex.AXIS_WORDS
    finish(per_source(sources, lambda s: ex.axes(s, chosen, x, y)), png, plot.axes)


@explore.command()
@click.argument("word_pairs", nargs=-1, metavar="[A:B]...")
@click.option("--seed", type=int, default=0, show_default=True)
@source_options
def directions(sources, png, word_pairs, seed):
    """Is a relation one direction? Consistency of the offsets A -> B (default: plurals)."""
    from tlm import explore as ex
    from tlm import plot

    chosen = ex._pairs_of(word_pairs) if word_pairs else ex.PLURAL_PAIRS
    finish(per_source(sources, lambda s: ex.directions(s, chosen, seed)), png, plot.directions)


@explore.command()
@click.argument("words", nargs=-1)
@source_options
def numbers(sources, png, words):
    """The cosine matrix of one..ten (or WORDS in order): are neighbours in value near?"""
    from tlm import explore as ex
    from tlm import plot

    chosen = words or ex.NUMBER_WORDS
    finish(per_source(sources, lambda s: ex.numbers(s, chosen)), png, plot.numbers)


@explore.command()
@click.option("--groups", "groups_file", type=click.Path(),
              help="Groups from a text file, one per line: 'name: word word word' (default: "
                   "royalty, animals, cities, emotions, tech, food, sports, science).")
@source_options
def categories(sources, png, groups_file):
    """Mean cosine within and between word groups, and the groups on a 2-D PCA."""
    from tlm import explore as ex
    from tlm import plot

    groups = ex.read_groups(groups_file) if groups_file else ex.GROUPS
    finish(per_source(sources, lambda s: ex.categories(s, groups)), png, plot.categories)


@explore.command()
@click.argument("words", nargs=-1)
@click.option("-n", type=click.IntRange(min=1), default=20, show_default=True,
              help="Random words (when no WORDS are given).")
@click.option("--dims", type=click.IntRange(min=1), default=50, show_default=True,
              help="The first this many dimensions.")
@click.option("--seed", type=int, default=0, show_default=True)
@source_options
def matrix(sources, png, words, n, dims, seed):
    """A slice of the embedding matrix: N random words (or WORDS) x the first DIMS."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, lambda s: ex.matrix(s, n, dims, seed, words)), png, plot.matrix)


@explore.command()
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--sample", type=click.IntRange(min=2), default=20000, show_default=True,
              help="Words sampled (seeded) when the vocabulary is larger.")
@click.option("--seed", type=int, default=0, show_default=True)
@source_options
def hubness(sources, png, k, sample, seed):
    """How often each word is among the others' k nearest (hubs are everyone's neighbour)."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, lambda s: ex.hubness(s, k, sample, seed)), png, plot.hubness)


@explore.command()
@source_options
def pca(sources, png):
    """Variance per principal component, and random-pair cosine before/after centring."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, ex.pca), png, plot.pca)


@explore.command()
@click.argument("words", nargs=-1)
@click.option("-k", type=click.IntRange(min=1), default=10, show_default=True)
@source_options
def overlap(sources, png, words, k):
    """How much two or more sources agree: nearest-word overlap and rank correlation."""
    from tlm import explore as ex
    from tlm import plot

    if len(sources) < 2:
        raise TlmError("overlap compares two or more sources: give --model/--pretrained twice")
    finish(ex.overlap(sources, words or None, k), png, plot.overlap)


@explore.command()
@source_options
def frequency(sources, png):
    """Word frequency rank against vector length."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, ex.frequency), png, plot.frequency)


@explore.command()
@source_options
def loss(sources, png):
    """Training curves (loss and held-out loss per epoch) of model files."""
    from tlm import explore as ex
    from tlm import plot

    finish(per_source(sources, ex.loss), png, plot.loss)
