"""Every file tlm writes: one rule for what it may replace, and the atomic write.

The rule, the same for every command that writes (train, export, atlas,
explore's pictures):

- a new file, or an empty one, may be written;
- an existing file may be replaced when it is of the kind the command writes
  (a tlm model for `tlm train`, a PNG for `--png`, a tlm page for `tlm
  atlas`): a second run replaces the first run's output;
- anything else is replaced only with `--force`, and even then never a tlm
  model file (unless the command writes models) and never one of the
  command's own inputs.

The rule is checked twice: before any work (so a long training run does not
end in a refusal) and again at the moment of the rename, because the file may
have changed while the work ran (a user's text saved at `--output`
mid-training is not overwritten).

The write itself is atomic: a temporary file beside the target is filled,
flushed to disk and renamed over it, so an existing file is replaced whole or
not at all. A symbolic link is written through (the file it points to is
replaced and the link stays a link); a device or FIFO is never replaced.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tlm import paths
from tlm.errors import TlmError

#: How much of an existing file is read to tell its kind.
HEAD_BYTES = 4096


@dataclass(frozen=True)
class Kind:
    """A kind of file a command writes: its name for messages, and how to tell an
    existing file of that kind (from its first `HEAD_BYTES` bytes; None: never
    told, so replacing an existing file always needs --force)."""

    name: str
    recognise: Callable[[Path, bytes], bool] | None = None
    #: Whether this kind is tlm's model file (which other kinds never replace).
    is_model: bool = False


def _has_magic(magic: bytes) -> Callable[[Path, bytes], bool]:
    return lambda path, head: head.startswith(magic)


PNG = Kind("PNG picture", _has_magic(b"\x89PNG\r\n\x1a\n"))
GIF = Kind("GIF animation", _has_magic(b"GIF8"))
MP4 = Kind("MP4 video", lambda path, head: head[4:8] == b"ftyp")
EXPORT = Kind("export")  # word2vec and TSV files: no way to tell them from a user's text
MODEL = Kind("tlm model file", lambda path, head: paths.is_model_file(path), is_model=True)
#: What tlm/static/atlas.html.j2 writes in every page's head: an HTML page whose
#: head names tlm's atlas as its generator.
_ATLAS_MARK = re.compile(rb'\A\s*<!doctype html>.*?<meta name="generator" content="tlm [^"<>]*'
                         rb' atlas">', re.IGNORECASE | re.DOTALL)
ATLAS = Kind("tlm atlas page", lambda path, head: _ATLAS_MARK.match(head) is not None)


def _head(path: Path, option: str, shown: str | os.PathLike) -> bytes | None:
    """The first bytes of the regular file at `path`, or None when there is none."""
    try:
        with path.open("rb") as f:
            return f.read(HEAD_BYTES)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise TlmError(
            f"{option} {shown} cannot be read ({e.strerror}); not replacing it"
        ) from None


def _may_replace(target: Path, kind: Kind, force: bool, option: str,
                 shown: str | os.PathLike) -> None:
    """Raise unless the rule lets a file of `kind` replace what is at `target` now."""
    try:
        st = target.stat()
    except FileNotFoundError:
        return
    except OSError as e:
        raise TlmError(f"{option} {shown}: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise TlmError(f"{option} {shown} is not a regular file; not replacing it")
    head = _head(target, option, shown)
    if not head or not head.strip():
        return  # gone meanwhile, or empty: nothing to lose
    if kind.recognise is not None and kind.recognise(target, head):
        return
    if not kind.is_model and paths.is_model_file(target):
        raise TlmError(f"{option} {shown} is a tlm model file; not replacing it")
    if kind.is_model:
        raise TlmError(f"{option} {shown} exists and is not a tlm model file; not replacing it")
    if not force:
        what = f"is not a {kind.name}" if kind.recognise is not None else "exists"
        raise TlmError(f"{option} {shown} {what}; not replacing it (add --force to replace it)")


def check_output(
    path: str | os.PathLike,
    kind: Kind | None = None,
    inputs: Sequence[str | os.PathLike] = (),
    force: bool = False,
    option: str = "--output",
) -> Path:
    """Fail before any work, not after it, if `path` cannot be written: a folder,
    a missing or read-only folder, a device or FIFO, a read-only file, one of
    `inputs`, or (with a `kind`) a file the rule above does not let this
    command replace. Returns the file that will be written: `path`, or the file
    a symbolic link `path` points to."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    _not_system(path, target, option)
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise TlmError(f"{option} {path} is a symbolic link loop; not writing to it") from None
        raise TlmError(f"{option} {path}: {e.strerror}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise TlmError(f"{option} {path} is a folder; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise TlmError(f"{option} {path} is {paths.describe_mode(st.st_mode)}, not a regular "
                       "file; not replacing it")
    if st is not None and (st.st_mode & 0o222 == 0 or not os.access(target, os.W_OK)):
        raise TlmError(
            f"{option} {path} is read-only; not replacing it (make it writable with "
            f"chmod u+w {path}, or give another {option})"
        )
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise TlmError(f"{option} {path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise TlmError(f"{option} {path}: the folder {parent} is not writable")
    if kind is not None and not kind.is_model and paths.is_model_file(target):
        raise TlmError(f"{option} {path} is a tlm model file; not replacing it")
    for source in inputs:
        if paths.same_file(path, source):
            raise TlmError(f"{option} {path} is an input of this command; not replacing it")
    if kind is not None:
        _may_replace(target, kind, force, option, path)
    return target


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None],
                 kind: Kind | None = None, force: bool = False,
                 option: str = "--output") -> Path:
    """`write(f)` fills a temporary binary file beside `path`, which is flushed to
    disk and renamed over `path`: an existing file is replaced whole or not at
    all. With a `kind`, the rule is checked again just before the rename. The
    new file keeps the permissions of the one it replaces. An OSError becomes a
    TlmError, and no temporary file is left."""
    return atomic_write_all([(path, write)], kind, force, option)[0]


def atomic_write_all(writes: Sequence[tuple[str | os.PathLike, Callable[[BinaryIO], None]]],
                     kind: Kind | None = None, force: bool = False,
                     option: str = "--output") -> list[Path]:
    """`atomic_write` for files that belong together (the TSV pair): each is written
    to its temporary file first, and only when all are complete (and the rule
    still allows every one) are they renamed into place, so a failure while
    writing (a full disk) changes none of them."""
    done: list[tuple[str, Path]] = []
    current = Path(writes[0][0])
    try:
        for path, write in writes:
            current = _target(Path(path), option)
            done.append((_write_temporary(current, write), current))
        if kind is not None:
            for (_, target), (path, _) in zip(done, writes, strict=True):
                _may_replace(target, kind, force, option, path)  # again, at the rename
        for tmp, current in done:
            os.replace(tmp, current)
    except BaseException as e:
        for tmp, _ in done:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise TlmError(f"cannot write {current}: {e.strerror or e}") from None
        raise
    return [target for _, target in done]


def write_new(name: str, write: Callable[[BinaryIO], None],
              folders: Sequence[str | os.PathLike]) -> Path | None:
    """A new file named after `name` (NAME.rescued-XXXX.json) in the first of
    `folders` that takes it, holding what `write` wrote; None when none does.
    The file is created, never opened over an existing one, so it replaces
    nothing: the last resort of a save that failed (its folder deleted or made
    read-only while training ran), so the work is not lost."""
    stem, suffix = Path(name).stem[:100], Path(name).suffix[:20]
    for folder in folders:
        if _is_system(os.path.abspath(folder)):
            continue
        try:
            fd, new = tempfile.mkstemp(prefix=f"{stem}.rescued-", suffix=suffix, dir=folder)
        except OSError:
            continue
        try:
            _fill(fd, new, write)
        except OSError:  # a full disk there (the file is gone): try the next folder
            continue
        return Path(new)
    return None


#: Folders of the system's own files: a process's descriptors (/proc/self/fd/1),
#: devices (/dev/stdout), the kernel's settings. tlm writes none of them, whatever
#: they lead to (a terminal, a pipe, the file a shell redirected to), nor through
#: a link that passes through them. /dev/shm is an ordinary (memory) folder.
SYSTEM_FOLDERS = ("/proc", "/dev", "/sys")


def _is_system(p: str) -> bool:
    parts = Path(p).parts
    return len(parts) > 1 and "/" + parts[1] in SYSTEM_FOLDERS and parts[1:3] != ("dev", "shm")


def _not_system(path: Path, target: Path, option: str) -> None:
    """Refuse `path` if it, any link on the way, or its `target` is a system file."""
    hops = [os.path.abspath(path)]
    for _ in range(40):  # the kernel's own limit on links followed
        if not os.path.islink(hops[-1]):
            break
        hops.append(os.path.abspath(os.path.join(os.path.dirname(hops[-1]),
                                                 os.readlink(hops[-1]))))
    for p in [*hops, str(target)]:
        if _is_system(p):
            raise TlmError(f"{option} {path} is a system file ({p}); tlm writes only ordinary "
                           "files: give a file name")


def _target(path: Path, option: str = "--output") -> Path:
    """The file a write to `path` replaces: through a symbolic link, never a device
    or a system file."""
    original = path
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    _not_system(original, path, option)
    if path.exists() and not path.is_file():
        raise TlmError(f"{path} is not a regular file; not replacing it")
    return path


def _write_temporary(path: Path, write: Callable[[BinaryIO], None]) -> str:
    """A complete, flushed temporary file beside `path` holding what `write` wrote.
    A temporary left by an earlier, killed save of `path` is removed first."""
    paths.remove_stale(path.parent, path.name)
    try:
        fd, tmp = tempfile.mkstemp(prefix=paths.temporary_prefix(path.name), suffix=".tmp",
                                   dir=path.parent)
    except OSError as e:
        raise TlmError(f"cannot write {path}: {e.strerror or e}") from None
    _fill(fd, tmp, write)
    try:
        os.chmod(tmp, _file_mode(path))  # mkstemp makes it private (0600)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _fill(fd: int, name: str, write: Callable[[BinaryIO], None]) -> None:
    """`write` into the new file `name` open as `fd`, flushed to disk; on any failure
    (a full disk, Ctrl-C) the file is removed and the error raised."""
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The permissions of the file being replaced, or the usual ones for a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
