"""The files a user names, checked the same way by every command when it reads
them (writing has its own module, tlm/writing.py).

An input must be a regular file that exists and can be read. A folder, a FIFO
(which can block forever) or a device (`/dev/zero` never ends) is refused in
one line before anything is read, and a file is read with a size limit, so a
wrong path never hangs tlm or fills the memory. Here too: the names of the
hidden temporaries that writers (tlm/writing.py, the vector cache) leave beside
a file while they work, and the clean-up of those a killed writer left.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
from pathlib import Path

from tlm.errors import TlmError

#: Texts are read whole; a file larger than this is refused rather than read
#: until the memory runs out. (A novel is about 1 MB.)
MAX_TEXT_BYTES = 1 << 30


def describe_mode(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def expand_user(path: str | os.PathLike) -> Path:
    """`~/x` and `~name/x` as the shell reads them (Path.expanduser raises a
    RuntimeError for a user who does not exist; this is one line instead)."""
    text = os.fspath(path)
    expanded = os.path.expanduser(text)
    if text.startswith("~") and expanded == text and not os.path.lexists(text):
        user = text[1:].split(os.sep, 1)[0]
        who = f"no user {user!r} on this machine" if user else "no home folder ($HOME is unset)"
        raise TlmError(f"{text}: there is {who}, so {text.split(os.sep, 1)[0]} names no folder")
    return Path(expanded)


def input_file(path: str | os.PathLike, what: str = "file", missing: str | None = None) -> Path:
    """`path` if it is a regular file tlm can read, else a TlmError in one line.

    `what` names the file in messages ("text file", "model file"); `missing` is
    the whole message for a file that does not exist."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise TlmError(
                f"{path} is a symbolic link to {os.readlink(path)}, which does not exist"
            ) from None
        raise TlmError(missing or f"{what} not found: {path}") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise TlmError(f"{path} is a symbolic link loop (it leads back to itself), "
                           f"not a {what}") from None
        raise TlmError(f"cannot read {path}: {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise TlmError(f"{path} is a folder, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise TlmError(
            f"{path} is {describe_mode(st.st_mode)}, not a {what}; tlm reads regular files"
        )
    if not os.access(path, os.R_OK):
        raise TlmError(f"cannot read {path}: permission denied")
    return path


def read_bytes(
    path: str | os.PathLike, what: str = "file", limit: int = MAX_TEXT_BYTES,
    missing: str | None = None,
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (see `input_file`)."""
    path = input_file(path, what, missing)
    too_big = f"{path} is larger than {limit / 2**20:.0f} MB; tlm reads {what}s up to that size"
    if path.stat().st_size > limit:
        raise TlmError(too_big)
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)  # a file that grew since stat() is still bounded
    except OSError as e:
        raise TlmError(f"cannot read {path}: {e.strerror}") from None
    if len(data) > limit:
        raise TlmError(too_big)
    return data


#: JSON documents tlm reads besides model files (a tokenizer, a weight index, a
#: cache's word list) are read whole; a larger one is refused. (Qwen's tokenizer
#: is about 11 MB; GloVe's 400,000 words about 5 MB.)
MAX_JSON_BYTES = 256 << 20


def read_json(path: str | os.PathLike, what: str = "JSON file",
              limit: int = MAX_JSON_BYTES) -> object:
    """The JSON document in a regular file of at most `limit` bytes, or a TlmError
    in one line: not JSON, or nested too deeply for Python's parser. The caller
    checks that what it holds has the shape it expects."""
    data = read_bytes(path, what, limit)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except RecursionError:
        raise TlmError(f"{path} is nested too deeply to be a {what}") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise TlmError(f"{path} is not a {what}: not valid JSON ({e})") from None


def read_text(path: str | os.PathLike, what: str = "text file") -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped), or a TlmError
    that says what the file is instead (UTF-16, binary, another encoding)."""
    data = read_bytes(path, what)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data[:4096]):
        raise TlmError(
            f"{path} is UTF-16 text; tlm reads UTF-8: convert it first "
            f"(iconv -f utf-16 -t utf-8 {path} > {Path(path).stem}-utf8.txt)"
        )
    if b"\x00" in data[:65536]:
        raise TlmError(f"{path} is a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TlmError(
            f"{path} is not UTF-8 text; convert it first (e.g. iconv -f latin1 -t utf-8)"
        ) from None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a zero byte beside every
    character, so every other byte is zero."""
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    zeros_even, zeros_odd = even.count(0), odd.count(0)
    little_endian = zeros_odd == len(odd) and zeros_even == 0
    return little_endian or (zeros_even == len(even) and zeros_odd == 0)


#: The "format" field of a tlm model file (tlm/modelfile.py reads and writes it).
MODEL_FORMAT = "tlm-model"


def looks_like_model(data: bytes) -> bool:
    """Whether bytes are, or were cut from, a tlm model file: JSON whose "format" is
    tlm's, with the keys in any order (the marker is searched for anywhere, so a
    truncated file is recognised too)."""
    return re.search(rb'"format"\s*:\s*"' + MODEL_FORMAT.encode() + rb'"', data) is not None


def is_model_file(path: Path) -> bool:
    """Whether the regular file at `path` is (or was, before it was cut) a tlm model."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as e:
        raise TlmError(f"{path} cannot be read ({e.strerror}); not replacing it") from None
    if looks_like_model(data[:256]):  # tlm writes "format" first: no need to parse it all
        return True
    try:
        d = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return looks_like_model(data)
    return isinstance(d, dict) and d.get("format") == MODEL_FORMAT



def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name one existing file (through links, `./`, hard links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


#: A file name may be 255 bytes; a temporary's name adds a dot, the process id and
#: a random part, so a long name is shortened (and kept apart by its hash) first.
LONG_NAME = 100


def _stem(name: str) -> str:
    """`name`, or for a long one its first characters and a hash of the whole."""
    if len(name.encode()) <= LONG_NAME:
        return name
    digest = hashlib.sha256(name.encode(errors="surrogateescape")).hexdigest()[:12]
    return f"{name[:40]}~{digest}"


def temporary_prefix(name: str) -> str:
    """The prefix of tlm's hidden temporaries beside a file or folder `name`:
    `.name.PID.`, so a later writer can tell whose they are (see `remove_stale`).
    A long name is shortened, so that a valid output name always has a valid
    temporary beside it."""
    return f".{_stem(name)}.{os.getpid()}."


def remove_stale(folder: Path, name: str) -> None:
    """Remove tlm's temporaries for `name` in `folder` whose writer is gone (a
    process killed part-way through a save); a live writer's are left alone."""
    prefix = f".{_stem(name)}."
    try:
        entries = [e for e in folder.iterdir() if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0 only asks
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process, or a number we cannot check: leave it
    return True
