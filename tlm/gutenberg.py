"""Fetch NLTK's Gutenberg corpus with NLTK's own downloader, once, when it is missing.

The `tlm` command calls this before `--gutenberg` texts are read (tlm/corpus.py
reads them without NLTK); the library never goes to the network by itself.
Importing NLTK costs more than the rest of start-up together, which is why
this is a module of its own, imported only when a download is needed.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from nltk.downloader import Downloader, ErrorMessage, ProgressMessage

from tlm import network, paths
from tlm.errors import TlmError

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
