"""`tlm explore KIND`: the geometry explorer's click commands, made from tlm/analyses/.

Each subcommand is made from one analysis file's `ANALYSIS` (its arguments,
options, help and defaults): it loads the sources (`--model PATH`,
`--pretrained NAME`, both repeatable, side by side in the order given), runs
the computation per source, prints its text and, with `--png FILE`, writes
its picture. A source that lacks a word is named on stderr and left out of
the table and the picture; only when no source is left is it an error.

The group lists its commands from the analyses' file names, so `tlm --help`
imports none of them; `tlm explore KIND` imports only KIND's file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from tlm import writing
from tlm.errors import TlmError
from tlm.seeds import MAX_SEED
from tlm.terminal import visible


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


def per_source(sources: dict[str, Any], analyse: Callable[[Any], Any],
               missing: dict[str, str] | None = None) -> dict[str, Any]:
    """{label: analyse(source)}; a source the analysis cannot use (a word it
    lacks, too few words) is named on stderr (and in `missing`, with why) and left
    out, unless none is left."""
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
        click.echo(visible(f"{label}: {e} (left out)"), err=True)
        if missing is not None:
            missing[label] = str(e)
    return results


# -- the picture ------------------------------------------------------------------------------
def check_png(path: Path | None) -> None:
    """Fail before any work if --png cannot be written, or would replace
    something that is not a picture (a model, a text, a device)."""
    if path is None:
        return
    writing.check_output(path, writing.PNG, option="--png")


def save_png(fig: Any, path: Path) -> None:
    """Write the figure whole or not at all (a temporary file renamed over `path`),
    with tlm's own drawing settings whatever the user's matplotlibrc says."""
    from tlm.analyses._base import save

    writing.atomic_write(path, lambda f: save(fig, f, dpi=100), writing.PNG, option="--png")


def picture(png: Path | None, draw: Callable[[], Any]) -> None:
    """With --png, draw the figure (on an Agg canvas: no display) and save it."""
    if png is None:
        return
    save_png(draw(), png)
    click.echo(visible(f"Picture saved to {png}"), err=True)


# -- the commands, made from the analyses ---------------------------------------------------
def one_blas_thread() -> Any:
    """BLAS on one thread while an analysis runs. The explorer's products are small
    ((V, d) by (d,), (d, d) Gram matrices, SVDs of a few hundred rows); OpenBLAS's
    second thread gains little on them and, on a busy machine, spins while it waits:
    `explore pca` on MiniLM's table took 1.5 CPU s with two threads and 0.2-0.3 s
    with one at load average 8. Hubness runs its blocks on every core itself."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="blas")


def run_analysis(analysis: Any, sources: dict[str, Any], png: Path | None,
                 given: dict[str, Any]) -> Any:
    """Run one analysis on every source, print its text and, with --png, draw it;
    returns the results."""
    from tlm.analyses import render

    compute = analysis.compute
    if analysis.across:
        if len(sources) < 2:
            raise TlmError(f"{analysis.name} compares two or more sources: give --model/"
                           "--pretrained twice")
        result = compute(sources, **given)
        click.echo(visible(render({"vectors": result})))
        picture(png, lambda: analysis.draw(result))
        return result
    if analysis.each is None:
        results = per_source(sources, lambda s: compute(s, **given))
        click.echo(visible(analysis.render(results)))
        picture(png, lambda: analysis.draw(results))
        return results
    from tlm.analyses._base import Missing

    values = given.pop(analysis.each)  # one run per value (neighbours of each word)
    runs: dict[str, list] = {label: [] for label in sources}  # a row per value, in order
    tables = []
    for value in values:
        why: dict[str, str] = {}
        found = per_source(sources, lambda s, v=value: compute(s, v, **given), why)
        tables.append(analysis.render(found))
        for label in sources:
            runs[label].append(found[label] if label in found
                               else Missing(str(value), why.get(label, "")))
    click.echo(visible("\n\n".join(tables)))
    picture(png, lambda: analysis.draw(runs))
    return runs


def make_command(analysis: Any) -> click.Command:
    """The click command of one analysis: its arguments, its options (their
    defaults read from the computation's signature, so written once) and the
    source options every subcommand shares."""
    import inspect

    from tlm.analyses._base import pairs_of

    defaults = {n: p.default for n, p in inspect.signature(analysis.compute).parameters.items()}
    params: list[click.Parameter] = []
    for arg in analysis.arguments:
        nargs = -1 if arg.many else 1
        params.append(click.Argument([arg.name], nargs=nargs, required=arg.required or not arg.many,
                                     metavar=arg.metavar))
    for opt in analysis.options:
        default = defaults.get(opt.name)
        scalar = isinstance(default, int | float | str | bool) and opt.convert is None
        names = [opt.flag or f"--{opt.name.replace('_', '-')}", *opt.flags, opt.name]
        if opt.type is bool:
            params.append(click.Option(names, is_flag=True, help=opt.help))
        else:
            kind = click.IntRange(min=1) if opt.type is int else opt.type
            if opt.name == "seed":  # every command's seeds: 0 to 2^32 - 1 (tlm/seeds.py)
                kind = click.IntRange(0, MAX_SEED)
            params.append(click.Option(names, type=kind, multiple=opt.multiple,
                                       default=default if scalar else None,
                                       show_default=scalar, metavar=opt.metavar, help=opt.help))

    def callback(model_paths, pretrained_names, png, gif=None, mp4=None, **values):
        check_png(png)
        if gif is not None:
            writing.check_output(gif, writing.GIF, option="--gif")
        if mp4 is not None:
            check_mp4(mp4)
        given = {}
        for arg in analysis.arguments:
            value = values[arg.name]
            if arg.many and not value and analysis.each != arg.name:
                continue  # none given: the computation's own default
            given[arg.name] = pairs_of(value) if arg.pairs else value
        for opt in analysis.options:
            value = values[opt.name]
            if value is None or (opt.multiple and not value) or (opt.type is bool and not value):
                continue
            given[opt.name] = opt.convert(value) if opt.convert else value
        sources = load_sources(model_paths, pretrained_names,
                               report=lambda line: click.echo(visible(line), err=True))
        with one_blas_thread():
            results = run_analysis(analysis, sources, png, given)
        if gif is not None:
            save_animation(analysis, results, gif, "gif")
        if mp4 is not None:
            save_animation(analysis, results, mp4, "mp4")

    command = click.Command(analysis.name, callback=callback, params=params,
                            help=analysis.question + "\n\n" + analysis.look_for,
                            short_help=analysis.question)
    if analysis.animate is not None:
        command.params += [
            click.Option(["--gif"], type=click.Path(path_type=Path),
                         help="Also write the animation to this GIF file (one --model)."),
            click.Option(["--mp4"], type=click.Path(path_type=Path),
                         help="Also write the animation to this MP4 video (one --model; "
                              "needs ffmpeg)."),
        ]
    return source_options(command)


def check_mp4(path: Path) -> None:
    """Fail before any work if --mp4 cannot be written: no ffmpeg, or a file it may
    not replace."""
    from matplotlib.animation import writers

    if not writers.is_available("ffmpeg"):
        raise TlmError("--mp4 needs ffmpeg, which is not installed (apt-get install ffmpeg); "
                       "--gif FILE needs nothing more")
    writing.check_output(path, writing.MP4, option="--mp4")


def save_animation(analysis: Any, results: dict[str, Any], path: Path, kind: str) -> None:
    """The analysis's animation of one source, as a GIF (matplotlib's Pillow writer)
    or an MP4 (its ffmpeg writer), written whole or not at all."""
    import tempfile

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.animation import FFMpegWriter, PillowWriter

    if len(results) != 1:
        raise TlmError(f"--{kind} animates one source; give one --model, not {len(results)}")
    (label, result), = results.items()
    result.label = label
    animation = analysis.animate(result)
    writer = PillowWriter(fps=8) if kind == "gif" else FFMpegWriter(fps=8)
    with tempfile.TemporaryDirectory() as folder:  # the writers write to a named file
        drawn = Path(folder) / f"movie.{kind}"
        animation.save(drawn, writer=writer, dpi=80)
        data = drawn.read_bytes()
    writing.atomic_write(path, lambda f: f.write(data),
                         writing.GIF if kind == "gif" else writing.MP4, option=f"--{kind}")
    click.echo(f"Animation saved to {path} ({len(data) / 1e6:.1f} MB)", err=True)


def source_options(command: click.Command) -> click.Command:
    """--model, --pretrained and --png, shared by every subcommand."""
    command.params += [
        click.Option(["--model", "model_paths"], multiple=True, type=click.Path(),
                     help="A tlm model file (repeatable; default model.json when no source "
                          "is given)."),
        click.Option(["--pretrained", "pretrained_names"], multiple=True, metavar="NAME|PATH",
                     help="Pretrained vectors (repeatable): glove-wiki-gigaword-50, "
                          "word2vec-same-corpus[:TEXT], a gensim-data name, hf:NAME (a "
                          "language model's token table), encoder:minilm (a sentence "
                          "encoder) or a vectors file."),
        click.Option(["--png"], type=click.Path(path_type=Path),
                     help="Also write the picture to this PNG file (default: only the table)."),
    ]
    return command


def questions() -> dict[str, str]:
    """{command name: the question it answers}: a command per file of tlm/analyses/,
    its question the file's first docstring line, read without importing the
    package (numpy, matplotlib), so `tlm explore --help` stays quick."""
    import ast
    from importlib import resources

    folder = resources.files("tlm").joinpath("analyses")
    found = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".py") and not path.name.startswith("_"):
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            found[path.name.removesuffix(".py").replace("_", "-")] = doc.split("\n")[0]
    return found


class ExploreGroup(click.Group):
    """The subcommands, one per file of tlm/analyses/, made when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(questions())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in questions():
            return None
        from tlm.analyses import load

        return make_command(load(name))  # imports this analysis's file alone

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list in --help, from the files' questions: no analysis is imported."""
        limit = formatter.width - 6 - max(len(n) for n in questions())
        rows = [(name, click.Command(name, help=q).get_short_help_str(limit))
                for name, q in questions().items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=ExploreGroup)
def explore() -> None:
    """Look inside word vectors: one analysis per subcommand, several sources side by side
    (--model PATH and --pretrained NAME, repeatable); --png FILE also writes the picture."""
