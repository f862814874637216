"""The click group of both console scripts (`tlm`, `wp`): how a command shows
what went wrong.

A `TlmError` from the library becomes one line, `Error: ...`, on stderr and
exit 1; a usage mistake one line and exit 2, with no usage block; Ctrl-C one
line and exit 130; and output that cannot be written (a closed pipe, a full
disk behind `> /dev/full`) one line too. Never a traceback.
"""

from __future__ import annotations

import errno

import click

from tlm.errors import TlmError
from tlm.terminal import visible


class TlmGroup(click.Group):
    """A click group whose errors are one line: `Error: ...` and an exit code,
    with no usage block and no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _one_line(e) from None
        except TlmError as e:
            raise click.ClickException(visible(str(e))) from None
        except KeyboardInterrupt:  # Ctrl-C: one line and the shell's 128 + SIGINT
            click.echo("Interrupted", err=True)
            raise click.exceptions.Exit(130) from None
        except OSError as e:  # the output cannot be written: `> /dev/full`, a closed pipe
            raise output_failed(e) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The group's own options (`tlm --bogus`): one line too."""
        try:
            return super().parse_args(ctx, args)
        except _SHOWS_HELP:  # plain `tlm`: the help text is the answer
            raise
        except click.UsageError as e:
            raise _one_line(e) from None


def output_failed(e: OSError) -> click.exceptions.Exit | click.ClickException:
    """A closed pipe (`tlm generate | head -1`) ends quietly, as other Unix tools
    do (exit 141, 128 + SIGPIPE); any other OSError that reached the command line
    is one line."""
    if e.errno == errno.EPIPE:
        return click.exceptions.Exit(141)
    where = f"{e.filename}: " if e.filename else ""
    return click.ClickException(f"cannot write the output: {where}{e.strerror or e}")


_SHOWS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _one_line(e: click.UsageError) -> click.ClickException:
    error = click.ClickException(visible(e.format_message()))
    error.exit_code = e.exit_code
    return error
