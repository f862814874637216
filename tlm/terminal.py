"""What tlm prints of text that came from a file: control characters made visible.

A word in a model's vocabulary, a token of a language model, a field of a
model file or a file's name can hold any character, among them the terminal's
own commands: `\\x1b]0;...\\x07` retitles the window, OSC 52 writes the
clipboard, `\\x1b[2J` clears the screen, U+202E turns the rest of a line
around. Printed byte for byte, a handed file would drive the learner's
terminal. So every command prints such text through `visible`, which writes
each such character as its Python escape (`\\x1b`, `\\u202e`), the way `repr`
shows it; everything else (letters of any script, emoji) is left alone.

A lone surrogate (`\\ud800`, which JSON can hold but UTF-8 cannot encode) is
shown the same way, so that printing it cannot fail either.
"""

from __future__ import annotations

import re

#: Characters `str.isprintable` refuses: controls (C0, DEL, C1), format
#: characters (bidi overrides, zero-width joiners), separators other than the
#: space, surrogates, private use and unassigned code points.
_HIDDEN = re.compile("[^ -~]")  # anything outside printable ASCII is looked at


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch.isprintable():
        return ch
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, keep: str = "\n\t") -> str:
    """`text` with every character a terminal would act on, or could not print,
    written as its escape; the characters in `keep` (tlm's own line breaks and
    tabs) are left as they are."""
    return _HIDDEN.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def visible_word(text: str) -> str:
    """`visible` for one word, label or name: a line break in it is shown too."""
    return visible(text, keep="")
