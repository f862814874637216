"""One exception type for every mistake a user can make, and how a command shows it.

The library raises `TlmError` with a message meant for a person; `TlmGroup`, the
click group of both commands (`tlm`, `wp`), turns it into a single line on
stderr and a non-zero exit, never a traceback; Ctrl-C is one line and exit 130.
"""

from __future__ import annotations

import click


class TlmError(Exception):
    """A problem with the user's input, files or settings, explained in one line."""


class TlmGroup(click.Group):
    """A click group whose errors are one line: `Error: ...` and an exit code,
    with no usage block and no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _one_line(e) from None
        except TlmError as e:
            raise click.ClickException(str(e)) from None
        except KeyboardInterrupt:  # Ctrl-C: one line and the shell's 128 + SIGINT
            click.echo("Interrupted", err=True)
            raise click.exceptions.Exit(130) from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The group's own options (`tlm --bogus`): one line too."""
        try:
            return super().parse_args(ctx, args)
        except _SHOWS_HELP:  # plain `tlm`: the help text is the answer
            raise
        except click.UsageError as e:
            raise _one_line(e) from None


_SHOWS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _one_line(e: click.UsageError) -> click.ClickException:
    error = click.ClickException(e.format_message())
    error.exit_code = e.exit_code
    return error
