"""Output that cannot be written (issue class: tracebacks at the edge): `tlm
generate > /dev/full` is one line and exit 1 from the real entry point, not
Python's OSError or its 'Exception ignored' at exit; a closed pipe ends quietly
with the exit code Unix tools give (141)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from conftest import REPO

from tlm.cli.group import output_failed

ENTRY = "from tlm.console import tlm; tlm()"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_generate_into_a_full_disk_is_one_line(trained: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-c", ENTRY, "generate", "--model", str(trained), "--length", "50"],
            stdout=full, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path, timeout=60,
        )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "Error: cannot write the output: No space left on device"
    ]


def test_a_closed_pipe_ends_quietly_and_other_errors_are_one_line() -> None:
    closed = output_failed(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    assert isinstance(closed, click.exceptions.Exit) and closed.exit_code == 141
    full = output_failed(OSError(errno.ENOSPC, "No space left on device", "out.txt"))
    assert isinstance(full, click.ClickException)
    assert full.format_message() == "cannot write the output: out.txt: No space left on device"
