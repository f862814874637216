"""Read text (files, NLTK's Gutenberg corpus), split it into word tokens, transform.

Tokenizing is NLTK's word-punct rule (`\\w+|[^\\w\\s]+`, `wordpunct_tokenize`):
words and runs of punctuation become separate tokens. The pattern runs in the
`regex` engine, as in NLTK (whose `\\w` takes in combining accents, unlike
`re`'s), but without NLTK: importing NLTK costs more than the rest of start-up
together, and NLTK stops a match after 5 s, which a text of some tens of
megabytes reaches. The rule never backtracks, so the time is linear in the text.

NLTK is not imported to read: its Gutenberg files are plain latin-1 text files
in a `corpora/gutenberg` folder on NLTK's data path, which is read here directly.
Only `download_gutenberg` imports it, to fetch the corpus with NLTK's own
downloader when it is missing (the `tlm` command does that; the library never
goes to the network by itself).

Transforms run in the order given, so `-t lower -t alpha` lower-cases and then
keeps only alphabetic tokens.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from tlm import network, paths
from tlm.errors import TlmError

Tokens = list[str]

#: Each transform maps one token to a token, or to None to drop it.
TRANSFORMS: dict[str, Callable[[str], str | None]] = {
    "lower": str.lower,
    "alpha": lambda token: token if token.isalpha() else None,
}


#: NLTK's WordPunctTokenizer pattern: a run of word characters, or a run of
#: characters that are neither word characters nor white space.
WORD_PUNCT = regex.compile(r"\w+|[^\w\s]+")
SPACE = regex.compile(r"\s")

#: A text is tokenized in pieces of about this many characters, cut at white space.
PIECE = 1 << 20


def tokenize(text: str) -> Tokens:
    """Split text into words and punctuation, as NLTK's `wordpunct_tokenize`.

    Every occurrence of a word is the same string object, so a long text costs
    a list of pointers plus one string per different word (a string per
    occurrence would take some 50 bytes for each word of the text)."""
    same: dict[str, str] = {}
    tokens: Tokens = []
    start = 0
    while start < len(text):
        space = SPACE.search(text, min(start + PIECE, len(text)))  # no token spans a space
        end = space.start() if space else len(text)
        tokens += [same.setdefault(t, t) for t in WORD_PUNCT.findall(text, start, end)]
        start = end + 1
    return tokens


def apply_transforms(tokens: Tokens, names: Sequence[str]) -> Tokens:
    """The tokens after each transform in turn (each is worked out once per
    different token, and every occurrence shares its result)."""
    for name in names:
        if name not in TRANSFORMS:
            raise TlmError(f"unknown transform {name!r}; choose from {', '.join(TRANSFORMS)}")
    if not names:
        return tokens
    result: dict[str, str | None] = {}
    for token in set(tokens):
        out: str | None = token
        for name in names:
            out = TRANSFORMS[name](out)
            if out is None:
                break
        result[token] = out
    same: dict[str, str] = {}  # "Emma" and "emma" both lower to one string
    for token, out in result.items():
        if out is not None:
            result[token] = same.setdefault(out, out)
    return [out for out in map(result.__getitem__, tokens) if out is not None]


#: Texts that ship with tlm (package data), so that the course's first command,
#: `tlm train --filepath chuck.txt`, works from any folder and any install.
CORPORA = Path(__file__).parent / "corpora"


def shipped_corpora() -> list[str]:
    """The names of the texts that ship with tlm: ['chuck.txt']."""
    return sorted(p.name for p in CORPORA.glob("*.txt"))


def shipped(path: str | os.PathLike) -> Path | None:
    """The text shipped with tlm that a missing `path` names (`chuck.txt` or
    `corpora/chuck.txt`), else None. A file that exists is always itself."""
    p = Path(path)
    if os.path.lexists(p) or p.parent not in (Path("."), Path("corpora")):
        return None
    return CORPORA / p.name if p.name in shipped_corpora() else None


def read_file(path: str | os.PathLike) -> str:
    """The text of a UTF-8 file, or a TlmError saying why it cannot be used
    (see `paths.read_text`); a missing file's message names the shipped texts.
    A tlm model file is not a text to train on (its JSON would train a model of
    braces and base64)."""
    if not os.path.lexists(path):
        names = ", ".join(shipped_corpora())
        raise TlmError(f"file not found: {path} (texts that ship with tlm: {names}, "
                       f"e.g. --filepath {names.split(', ')[0]})")
    text = paths.read_text(path)
    if paths.looks_like_model(text[:256].encode()):
        raise TlmError(f"{path} is a tlm model file, not a text to train on (--filepath takes "
                       "a plain text file)")
    return text


def nltk_data_path() -> list[str]:
    """The folders NLTK searches for its data, in NLTK's order (`nltk.data.path`):
    the folders in $NLTK_DATA, ~/nltk_data, then the usual system places.
    If NLTK is already loaded, its own (possibly changed) list."""
    if "nltk.data" in sys.modules:
        return list(sys.modules["nltk.data"].path)
    path = [os.path.expanduser(d) for d in os.environ.get("NLTK_DATA", "").split(os.pathsep) if d]
    if "APPENGINE_RUNTIME" not in os.environ and os.path.expanduser("~/") != "~/":
        path.append(os.path.expanduser("~/nltk_data"))
    path += [os.path.join(sys.prefix, "nltk_data"), os.path.join(sys.prefix, "share", "nltk_data"),
             os.path.join(sys.prefix, "lib", "nltk_data"), "/usr/share/nltk_data",
             "/usr/local/share/nltk_data", "/usr/lib/nltk_data", "/usr/local/lib/nltk_data"]
    return path


def find_gutenberg() -> Path | None:
    """The first `corpora/gutenberg` folder on NLTK's data path, or None."""
    for root in nltk_data_path():
        folder = Path(root) / "corpora" / "gutenberg"
        if folder.is_dir():
            return folder
    return None


def gutenberg_folder() -> Path:
    """`find_gutenberg()`, or a TlmError saying how to get the corpus. Never downloads."""
    folder = find_gutenberg()
    if folder is None:
        raise TlmError(
            "NLTK's Gutenberg corpus is not installed: `tlm train --gutenberg ...` downloads "
            "it when the network is there; offline, set NLTK_DATA to a folder that has "
            "corpora/gutenberg/*.txt, or train on a file with --filepath"
        )
    return folder


#: How long fetching the Gutenberg corpus (about 4 MB) may take, in seconds.
DOWNLOAD_TIME_LIMIT = 120.0


def gutenberg_download_dir() -> Path:
    """Where a download goes: the first folder of $NLTK_DATA, else ~/nltk_data
    (both are on NLTK's data path, so the corpus is found there afterwards)."""
    first = os.environ.get("NLTK_DATA", "").split(os.pathsep)[0]
    return paths.expand_user(first) if first else paths.expand_user("~") / "nltk_data"


def download_gutenberg(on_progress: Callable[[int], None] | None = None) -> Path:
    """Fetch NLTK's Gutenberg corpus with NLTK's own downloader into
    `gutenberg_download_dir()` and return its folder. `on_progress(percent)`
    hears how far it is, first with 0 once the server has answered. Offline it
    fails within network.TIMEOUT seconds; a download that stalls is given up
    after DOWNLOAD_TIME_LIMIT seconds (it runs in a daemon thread, and NLTK
    writes a package beside its place and renames it, so an abandoned download
    leaves no half corpus)."""
    import queue
    import threading
    import time
    from urllib.parse import urlsplit

    from nltk.downloader import Downloader, ErrorMessage, ProgressMessage

    downloader = Downloader()
    host = urlsplit(downloader.url).hostname or "raw.githubusercontent.com"
    # offline: fail now, in seconds (the name lookup too), not inside NLTK after its timeouts
    if not network.reachable(host, 443):
        raise TlmError(
            "--gutenberg needs NLTK's Gutenberg corpus, which is not installed, and "
            f"downloading it needs the network ({host} is not reachable). Offline, set "
            "NLTK_DATA to a folder that has corpora/gutenberg/*.txt, or use --filepath"
        )

    target = gutenberg_download_dir()
    if on_progress is not None:
        on_progress(0)
    messages: queue.Queue = queue.Queue()

    def fetch() -> None:
        try:
            for message in downloader.incr_download("gutenberg", str(target)):
                messages.put(message)
        except Exception as e:  # whatever NLTK raises is handed to the waiting thread
            messages.put(e)
        messages.put(None)

    threading.Thread(target=fetch, daemon=True, name="tlm-gutenberg-download").start()
    deadline = time.monotonic() + DOWNLOAD_TIME_LIMIT
    while True:
        try:
            message = messages.get(timeout=max(deadline - time.monotonic(), 0))
        except queue.Empty:
            raise TlmError(
                f"downloading NLTK's Gutenberg corpus took more than {DOWNLOAD_TIME_LIMIT:g} s "
                "and was stopped; try again, or set NLTK_DATA to a folder that has "
                "corpora/gutenberg/*.txt"
            ) from None
        if message is None:
            break
        if isinstance(message, Exception):
            raise TlmError(f"downloading NLTK's Gutenberg corpus failed: {message}") from None
        if isinstance(message, ErrorMessage):
            raise TlmError(f"downloading NLTK's Gutenberg corpus failed: {message.message}")
        if isinstance(message, ProgressMessage) and on_progress is not None:
            on_progress(int(message.progress))
    folder = target / "corpora" / "gutenberg"
    if not folder.is_dir():
        raise TlmError(f"NLTK's downloader finished but {folder} is not there")
    return folder


def read_gutenberg(fileid: str) -> str:
    """The text of one file of NLTK's Gutenberg corpus (latin-1, as NLTK reads it)."""
    folder = gutenberg_folder()
    ids = sorted(p.name for p in folder.glob("*.txt") if not p.name.startswith("."))
    if fileid not in ids:
        available = ", ".join(ids) or f"none (the folder {folder} has no .txt files)"
        raise TlmError(f"unknown Gutenberg file {fileid!r}; available: {available}")
    return paths.read_bytes(folder / fileid, "Gutenberg file").decode("latin-1")


@dataclass
class Corpus:
    """Documents as token lists, plus where they came from."""

    documents: list[Tokens]
    sources: list[str]

    @property
    def n_tokens(self) -> int:
        return sum(len(d) for d in self.documents)

    def tokens(self) -> Tokens:
        return [t for d in self.documents for t in d]


def load_corpus(
    filepaths: Sequence[str | os.PathLike] = (),
    gutenberg: Sequence[str] = (),
    transforms: Sequence[str] = (),
) -> Corpus:
    """Read every source, tokenize and transform it. Each source is one document,
    so no context window spans two files. A missing path that names a text
    shipped with tlm (`chuck.txt`) reads that text (see `shipped`)."""
    if not filepaths and not gutenberg:
        raise TlmError("no text given: use --filepath PATH or --gutenberg FILEID")
    for name in transforms:  # fail before reading a whole novel
        apply_transforms([], [name])
    filepaths = [shipped(p) or p for p in filepaths]
    texts = [(str(p), read_file(p)) for p in filepaths]
    texts += [(f"gutenberg:{g}", read_gutenberg(g)) for g in gutenberg]
    documents, sources = [], []
    for source, text in texts:
        tokens = apply_transforms(tokenize(text), transforms)
        if not tokens:
            why = "is empty" if not text.strip() else "has no tokens left after the transforms"
            raise TlmError(f"{source} {why}")
        documents.append(tokens)
        sources.append(source)
    return Corpus(documents, sources)
