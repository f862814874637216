"""The one rule for what a command may replace (tlm/writing.py), checked before the
work and again at the rename, and temporaries that fit beside any valid name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tlm import paths, writing
from tlm.errors import TlmError

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
MODEL_BYTES = b'{"format": "tlm-model", "version": 1}'
TEXT_BYTES = b"how much wood would a wood chuck chuck\n"
PAGE_BYTES = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
              b'<meta name="generator" content="tlm 0.1.0 atlas">\n<title>tlm atlas')
HTML_BYTES = b"<!DOCTYPE html><html><head><title>my own page</title></head></html>"

# (what is there, the kind written, --force, may it be replaced?)
RULE = [
    (None, writing.PNG, False, True),            # a new file
    (b"", writing.PNG, False, True),             # an empty one
    (b"  \n", writing.EXPORT, False, True),      # only white space
    (PNG_BYTES, writing.PNG, False, True),       # a picture by a picture
    (TEXT_BYTES, writing.PNG, False, False),     # a text by a picture: no
    (TEXT_BYTES, writing.PNG, True, True),       # ... unless --force
    (MODEL_BYTES, writing.PNG, True, False),     # a model by a picture: never
    (MODEL_BYTES, writing.EXPORT, True, False),  # a model by an export: never
    (TEXT_BYTES, writing.EXPORT, False, False),  # an export replaces only with --force
    (PNG_BYTES, writing.EXPORT, True, True),
    (MODEL_BYTES, writing.MODEL, False, True),   # a model by a model
    (MODEL_BYTES[:30], writing.MODEL, False, True),  # a cut model is still a model
    (TEXT_BYTES, writing.MODEL, False, False),   # a text by a model: never
    (TEXT_BYTES, writing.MODEL, True, False),
    (PNG_BYTES, writing.MODEL, False, False),
    (PAGE_BYTES, writing.ATLAS, False, True),    # a page by a page
    (TEXT_BYTES, writing.ATLAS, False, False),   # `tlm atlas --output chuck.txt`: no
    (TEXT_BYTES, writing.ATLAS, True, True),     # ... unless --force
    (HTML_BYTES, writing.ATLAS, False, False),   # a user's own page is not an atlas
    (PAGE_BYTES[20:], writing.ATLAS, False, False),  # the mark must be in the head
    (MODEL_BYTES, writing.ATLAS, True, False),   # a model by a page: never
    (PAGE_BYTES, writing.PNG, False, False),
]


@pytest.mark.parametrize(("there", "kind", "force", "allowed"), RULE)
def test_the_rule_before_the_work_and_at_the_rename(tmp_path: Path, there, kind, force, allowed):
    path = tmp_path / "out"
    if there is not None:
        path.write_bytes(there)
    if allowed:
        writing.check_output(path, kind, force=force)
        writing.atomic_write(path, lambda f: f.write(b"new"), kind, force)
        assert path.read_bytes() == b"new"
        return
    with pytest.raises(TlmError, match="not replacing it"):
        writing.check_output(path, kind, force=force)
    # A file that was fine before the work and changed meanwhile: the rename refuses too
    path.unlink()
    writing.check_output(path, kind, force=force)

    def write(f):
        path.write_bytes(there)  # a user saves their file there while tlm works
        f.write(b"new")

    with pytest.raises(TlmError, match="not replacing it"):
        writing.atomic_write(path, write, kind, force)
    assert path.read_bytes() == there
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left


def test_never_an_input(tmp_path: Path):
    text = tmp_path / "chuck.txt"
    text.write_bytes(TEXT_BYTES)
    link = tmp_path / "link.txt"
    link.symlink_to(text)
    for path in (text, link):
        with pytest.raises(TlmError, match="is an input of this command"):
            writing.check_output(path, writing.EXPORT, inputs=[text], force=True)


def test_a_valid_long_name_has_a_temporary_beside_it(tmp_path: Path):
    path = tmp_path / ("m" * 250 + ".json")  # 255 bytes: the longest name a folder takes
    writing.atomic_write(path, lambda f: f.write(MODEL_BYTES), writing.MODEL)
    assert path.read_bytes() == MODEL_BYTES
    assert len(paths.temporary_prefix(path.name)) < 80


def test_a_long_names_stale_temporary_is_cleaned(tmp_path: Path):
    name = "m" * 250 + ".json"
    stale = tmp_path / (paths.temporary_prefix(name).replace(str(os.getpid()), "999999999")
                        + "abc.tmp")
    stale.write_bytes(b"half a model")
    writing.atomic_write(tmp_path / name, lambda f: f.write(MODEL_BYTES), writing.MODEL)
    assert not stale.exists()
