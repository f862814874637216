"""gensim-data: the vectors gensim's downloader keeps in ``~/gensim-data``.

A name such as ``word2vec-google-news-300`` is read from gensim's data folder
(``$GENSIM_DATA_DIR``, by default ``~/gensim-data``) when it was downloaded
before, else fetched with `gensim.downloader`. Offline, the fetch fails within
seconds with a message naming what works offline; it never hangs.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import gensim.downloader

from tlm import network
from tlm.errors import TlmError
from tlm.pretrained import cache, files

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

#: Word-vector models in gensim-data (gensim.downloader), all in word2vec format.
GENSIM_MODELS = (
    "glove-wiki-gigaword-50",
    "glove-wiki-gigaword-100",
    "glove-wiki-gigaword-200",
    "glove-wiki-gigaword-300",
    "glove-twitter-25",
    "glove-twitter-50",
    "glove-twitter-100",
    "glove-twitter-200",
    "word2vec-google-news-300",
    "word2vec-ruscorpora-300",
    "fasttext-wiki-news-subwords-300",
    "conceptnet-numberbatch-17-06-300",
)

#: Where gensim's downloader fetches from, and how long to wait for it.
DOWNLOAD_HOST = ("github.com", 443)
#: How long a download may stall before it fails instead of hanging.
DOWNLOAD_STALL = 30.0

OFFLINE_ALTERNATIVES = (
    "offline, use glove-wiki-gigaword-50 (installed with tlm), a local word2vec or GloVe file "
    "(give its path), or word2vec-same-corpus (gensim's Word2Vec trained on a model's own text)"
)


def data_dir() -> Path | None:
    """gensim's downloader folder: $GENSIM_DATA_DIR, else ~/gensim-data (None without a home)."""
    if os.environ.get("GENSIM_DATA_DIR"):
        return Path(os.environ["GENSIM_DATA_DIR"])
    home = cache.home()
    return home / "gensim-data" if home is not None else None


def data_file(name: str) -> Path | None:
    """The vectors file of `name` in gensim's data folder, if it was downloaded."""
    root = data_dir()
    if root is None or not (root / name).is_dir():
        return None
    candidates = sorted(p for p in (root / name).iterdir() if p.is_file() and p.suffix != ".py")
    preferred = [p for p in candidates if p.name.startswith(name)]
    found = preferred or candidates
    return found[0] if found else None


@contextlib.contextmanager
def _downloader_settings(folder: Path) -> Iterator[None]:
    """gensim's downloader reads its folder from a module global, and urllib its
    timeout from the socket default: set both for one download, then put them back."""
    old_dir, old_timeout = gensim.downloader.BASE_DIR, socket.getdefaulttimeout()
    gensim.downloader.BASE_DIR = str(folder)
    socket.setdefaulttimeout(DOWNLOAD_STALL)
    try:
        yield
    finally:
        gensim.downloader.BASE_DIR = old_dir
        socket.setdefaulttimeout(old_timeout)


def offline_alternatives(name: str) -> str:
    """What works offline instead of `name`: for a larger GloVe 6B (the lab's
    glove-wiki-gigaword-100), first the 50-d GloVe 6B vectors installed with tlm."""
    if name.startswith("glove-wiki-gigaword-"):
        return ("the same GloVe 6B words in 50 dimensions are installed with tlm and work "
                f"offline: glove-wiki-gigaword-50; {OFFLINE_ALTERNATIVES}")
    return OFFLINE_ALTERNATIVES


def download(name: str) -> Path:
    """Fetch `name` with gensim's downloader and return the file's path, or
    fail within seconds with a message naming the offline alternatives."""
    alternatives = offline_alternatives(name)
    folder = data_dir()
    if folder is None:
        raise TlmError(
            f"{name} needs gensim's data folder, but there is no home folder: set "
            f"GENSIM_DATA_DIR; {alternatives}"
        )
    if not network.reachable(*DOWNLOAD_HOST):
        raise TlmError(
            f"{name} is not in {folder} and cannot be downloaded ({DOWNLOAD_HOST[0]} is not "
            f"reachable); {alternatives}"
        )
    with _downloader_settings(folder):
        try:
            return Path(gensim.downloader.load(name, return_path=True))
        except (OSError, ValueError) as e:  # the network, the disk, an unknown name
            raise TlmError(f"downloading {name} failed ({e}); {alternatives}") from None
        except Exception as e:  # noqa: BLE001 - only the downloader's bare Exception(...)
            if type(e) is not Exception:  # a bad checksum or folder; anything else is a bug
                raise
            raise TlmError(f"downloading {name} failed ({e}); {alternatives}") from None


def load_gensim_data(name: str) -> KeyedVectors:
    """A gensim-data model: from gensim's data folder, or downloaded first."""
    path = data_file(name)
    root = data_dir()
    if path is None and root is not None and (root / name).is_dir():
        # gensim's downloader takes the folder for the data and hands back a file that
        # is not there: say so rather than load nothing
        raise TlmError(f"{root / name} holds no data file for {name} (an interrupted "
                       f"download?); remove that folder and try again, or "
                       f"{offline_alternatives(name)}")
    if path is None:
        path = download(name)
    return files.load_file(path, cache_name=name)
