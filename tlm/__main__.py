"""`python -m tlm` runs the `tlm` command (as `uv run python -m tlm` does, too)."""

from tlm.console import tlm

if __name__ == "__main__":
    tlm()
