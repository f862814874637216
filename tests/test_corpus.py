"""Reading text: files, NLTK's Gutenberg corpus (from a tiny data folder the test
writes), tokenizing and transforms."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tlm
import tlm.corpus
import tlm.gutenberg
from tlm.corpus import TRANSFORMS, apply_transforms, load_corpus, read_file, tokenize
from tlm.errors import TlmError


def test_tokenize_splits_words_and_punctuation():
    assert tokenize("Emma Woodhouse, handsome, clever...") == [
        "Emma", "Woodhouse", ",", "handsome", ",", "clever", "..."]
    assert tokenize("It's 10 o'clock!") == ["It", "'", "s", "10", "o", "'", "clock", "!"]
    assert tokenize("") == []


VARIED = (
    "Emma Woodhouse, handsome, clever...\n\tand rich;  3.88$ -- (x_y) don't!?\r\n"
    "na\u00efve caf\u00e9 \u00c6sir \u0436\u0438\u0437\u043d\u044c \u4e2d\u6587\u5b57 "
    "e\u0301t\u00e9 \u0661\u0662\u0663 \u00b2 \u2153 \U0001f600\U0001f600 a\u00a0b\u2003c "
    "\u2018quoted\u2019 \u00abguillemets\u00bb ___ __init__ \x00\x0b\x0c\x1c end."
)


def test_tokenize_gives_the_same_tokens_as_nltk_wordpunct():
    nltk_tokenize = pytest.importorskip("nltk.tokenize").wordpunct_tokenize
    for text in (VARIED, VARIED * 50, "", "   ", "!!!", "word", "a\n\nb", "\u00e9\u00e9.\u00e9"):
        assert tokenize(text) == nltk_tokenize(text)


def test_tokenize_in_pieces_gives_the_same_tokens_and_shares_each_word(monkeypatch):
    """The text is tokenized in pieces cut at white space (here of 7 characters), and
    every occurrence of a word, before and after the transforms, is one string."""
    whole = tokenize(VARIED * 3)
    monkeypatch.setattr(tlm.corpus, "PIECE", 7)
    tokens = tokenize(VARIED * 3)
    assert tokens == whole
    assert tokens[0] is tokens[len(tokens) // 3] and tokens[0] == "Emma"
    lowered = apply_transforms(tokenize("Emma emma EMMA, Emma!"), ["lower"])
    assert lowered == ["emma", "emma", "emma", ",", "emma", "!"]
    assert len({id(t) for t in lowered if t == "emma"}) == 1


def test_tokenize_a_long_line_without_spaces():
    """One line of 3 million characters and no space: every token comes back
    (NLTK's own tokenizer gives up on such texts when they are large)."""
    text = "wood,chuck" * 300_000
    tokens = tokenize(text)
    assert len(tokens) == 600_001
    assert tokens[:4] == ["wood", ",", "chuckwood", ","]


def test_transforms_apply_in_order():
    tokens = tokenize("Emma's HAPPY, 3 times!")
    assert apply_transforms(tokens, ["lower"]) == ["emma", "'", "s", "happy", ",", "3", "times",
                                                   "!"]
    assert apply_transforms(tokens, ["lower", "alpha"]) == ["emma", "s", "happy", "times"]
    assert apply_transforms(tokens, ["alpha"]) == ["Emma", "s", "HAPPY", "times"]
    assert apply_transforms(tokens, []) == tokens
    assert {"lower", "alpha"} <= set(TRANSFORMS)


def test_unknown_transform_names_the_choices():
    with pytest.raises(TlmError, match="'upper'.*lower.*alpha"):
        apply_transforms(["a"], ["upper"])
    with pytest.raises(TlmError, match="'upper'"):  # before reading any file
        load_corpus(["/no/such/file.txt"], transforms=["upper"])


def test_read_file(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes("\ufeffcaf\u00e9 au lait".encode())  # a BOM is not a word
    assert read_file(good) == "caf\u00e9 au lait"
    with pytest.raises(TlmError, match="not found"):
        read_file(tmp_path / "nope.txt")
    with pytest.raises(TlmError, match="folder"):
        read_file(tmp_path)
    (tmp_path / "zeros.bin").write_bytes(b"abc\x00def")
    with pytest.raises(TlmError, match="binary"):
        read_file(tmp_path / "zeros.bin")
    (tmp_path / "latin.txt").write_bytes("na\u00efve".encode("latin-1"))
    with pytest.raises(TlmError, match="not UTF-8"):
        read_file(tmp_path / "latin.txt")


def test_load_corpus_keeps_one_document_per_source(tmp_path):
    (tmp_path / "a.txt").write_text("Hello, World!", encoding="utf-8")
    (tmp_path / "b.txt").write_text("hello again", encoding="utf-8")
    corpus = load_corpus([tmp_path / "a.txt", tmp_path / "b.txt"], transforms=["lower", "alpha"])
    assert corpus.documents == [["hello", "world"], ["hello", "again"]]
    assert corpus.sources == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    assert corpus.n_tokens == 4 and corpus.tokens() == ["hello", "world", "hello", "again"]
    with pytest.raises(TlmError, match="no text"):
        load_corpus([])


# -- NLTK Gutenberg, from a data folder the test writes -----------------------------------


def test_gutenberg_through_the_cli(run, nltk_data):
    result = run("train", "--gutenberg", "tiny-chuck.txt", "-t", "lower", "-t", "alpha",
                 "--epochs", "2", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "Model saved to model.json" in result.stdout
    model = tlm.load("model.json")
    assert model.vocab == ["a", "chuck", "could", "how", "if", "much", "wood", "would"]
    assert model.info["sources"] == ["gutenberg:tiny-chuck.txt"]
    assert model.info["transforms"] == ["lower", "alpha"]


def test_gutenberg_several_files_and_latin1(nltk_data, chuck):
    corpus = load_corpus([chuck], gutenberg=["tiny-emma.txt", "tiny-chuck.txt"],
                         transforms=["lower", "alpha"])
    assert corpus.sources == [str(chuck), "gutenberg:tiny-emma.txt", "gutenberg:tiny-chuck.txt"]
    assert corpus.documents[1] == ["emma", "woodhouse", "handsome", "clever", "and", "rich",
                                   "emma", "was", "na\u00efve"]


def test_unknown_gutenberg_id_lists_the_ones_there(run, nltk_data, one_line_error):
    line = one_line_error(run("train", "--gutenberg", "austen-emma.txt"),
                          "unknown", "austen-emma.txt", "tiny-chuck.txt", "tiny-emma.txt")
    assert line.startswith("Error:")
    assert not (nltk_data.parent / "model.json").exists()


def test_gutenberg_folder_without_texts(run, tmp_path, monkeypatch, one_line_error):
    (tmp_path / "data" / "corpora" / "gutenberg").mkdir(parents=True)
    monkeypatch.setattr(tlm.corpus, "nltk_data_path", lambda: [str(tmp_path / "data")])
    one_line_error(run("train", "--gutenberg", "austen-emma.txt"), "austen-emma.txt", "none")


@pytest.fixture
def no_gutenberg(tmp_path, monkeypatch):
    """NLTK's data path is one empty folder, $NLTK_DATA names it (so a download goes
    there), and NLTK's downloader must not be reached unless a test says how."""
    import nltk.downloader

    root = tmp_path / "empty-nltk-data"
    root.mkdir()
    monkeypatch.setenv("NLTK_DATA", str(root))
    monkeypatch.setattr(tlm.corpus, "nltk_data_path", lambda: [str(root)])

    def no_downloader(*args, **kwargs):
        raise AssertionError("the downloader ran")

    monkeypatch.setattr(nltk.downloader.Downloader, "incr_download", no_downloader)
    return root


@pytest.fixture
def online(monkeypatch):
    """The first connection succeeds (nothing is sent: the downloader is faked too)."""
    import socket

    seen = []

    def connect(address, timeout=None):
        seen.append((address, timeout))
        return socket.socket()  # never connected; closed at once by the caller

    monkeypatch.setattr(socket, "create_connection", connect)
    return seen


def fake_downloads(monkeypatch, messages):
    """NLTK's downloader replaced by a generator: `messages(download_dir)` yields."""
    import nltk.downloader

    def incr_download(self, info_or_id, download_dir=None, *args, **kwargs):
        assert info_or_id == "gutenberg"
        yield from messages(Path(download_dir))

    monkeypatch.setattr(nltk.downloader.Downloader, "incr_download", incr_download)


def test_gutenberg_offline_fails_in_seconds_saying_it_needs_the_network(
        run, no_gutenberg, monkeypatch, one_line_error, model_file, unchanged):
    import socket

    def offline(address, timeout=None):
        assert timeout is not None and timeout <= 3
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(socket, "create_connection", offline)
    still = unchanged([model_file])
    start = time.perf_counter()
    result = run("train", "--gutenberg", "austen-emma.txt", "--output", model_file)
    assert time.perf_counter() - start < 5
    one_line_error(result, "gutenberg", "needs the network", "not reachable", "NLTK_DATA",
                   "--filepath")
    assert "EOFError" not in result.output + result.stderr
    still()
    assert list(no_gutenberg.iterdir()) == []


def test_a_name_server_that_never_answers_fails_in_seconds(
        run, no_gutenberg, monkeypatch, one_line_error):
    """The resolver ignores socket timeouts (it waited 11-61 s): the check gives up anyway."""
    import socket
    import threading

    from tlm import network

    release = threading.Event()

    def lookup_hangs(*args, **kwargs):
        release.wait(60)
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(socket, "create_connection", lookup_hangs)
    monkeypatch.setattr(network, "TIMEOUT", 0.5)
    start = time.perf_counter()
    try:
        result = run("train", "--gutenberg", "austen-emma.txt")
    finally:
        release.set()
    assert time.perf_counter() - start < 3
    one_line_error(result, "needs the network", "not reachable")


def test_gutenberg_is_downloaded_on_first_use(run, no_gutenberg, online, monkeypatch):
    def messages(target):
        from nltk.downloader import FinishDownloadMessage, ProgressMessage

        yield ProgressMessage(0)
        folder = target / "corpora" / "gutenberg"
        folder.mkdir(parents=True)
        (folder / "austen-emma.txt").write_bytes(b"Emma Woodhouse, handsome, clever, and rich.")
        yield ProgressMessage(100)
        yield FinishDownloadMessage(None)

    fake_downloads(monkeypatch, messages)
    result = run("train", "--gutenberg", "austen-emma.txt", "--epochs", "1", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Downloading NLTK's Gutenberg corpus to {no_gutenberg} ...\n"
    assert online[0][0] == ("raw.githubusercontent.com", 443)
    assert tlm.load("model.json").info["sources"] == ["gutenberg:austen-emma.txt"]
    again = run("train", "--gutenberg", "austen-emma.txt", "--epochs", "1", "--quiet")
    assert again.exit_code == 0 and again.stderr == ""  # there now: no second download


def test_a_stalled_download_is_given_up_at_the_time_limit(run, no_gutenberg, online,
                                                          monkeypatch, one_line_error):
    def messages(target):
        from nltk.downloader import ProgressMessage

        yield ProgressMessage(5)
        time.sleep(30)  # the server stops sending
        yield ProgressMessage(6)

    fake_downloads(monkeypatch, messages)
    monkeypatch.setattr(tlm.gutenberg, "DOWNLOAD_TIME_LIMIT", 0.5)
    start = time.perf_counter()
    result = run("train", "--gutenberg", "austen-emma.txt", "--quiet")
    assert time.perf_counter() - start < 5
    one_line_error(result, "took more than 0.5 s", "stopped", "NLTK_DATA")
    assert not (no_gutenberg / "corpora").exists()


def test_a_failed_download_is_one_line(run, no_gutenberg, online, monkeypatch, one_line_error):
    def messages(target):
        from nltk.downloader import ErrorMessage

        yield ErrorMessage(None, "Error loading gutenberg: <urlopen error timed out>")

    fake_downloads(monkeypatch, messages)
    one_line_error(run("train", "--gutenberg", "austen-emma.txt", "--quiet"),
                   "downloading NLTK's Gutenberg corpus failed", "timed out")

    def crashes(target):
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
        yield

    fake_downloads(monkeypatch, crashes)
    one_line_error(run("train", "--gutenberg", "austen-emma.txt", "--quiet"),
                   "failed", "end-of-stream")


def test_the_library_never_downloads(no_gutenberg):
    with pytest.raises(TlmError, match="not installed.*downloads it when the network"):
        load_corpus(gutenberg=["austen-emma.txt"])


def test_gutenberg_is_read_without_importing_nltk_from_nltks_own_path(tmp_path):
    """In a fresh process: the search path is NLTK's (same folders, same order, with
    $NLTK_DATA first), and reading a Gutenberg file and tokenizing it never imports NLTK."""
    folder = tmp_path / "data" / "corpora" / "gutenberg"
    folder.mkdir(parents=True)
    (folder / "tiny.txt").write_bytes("Emma was na\u00efve.".encode("latin-1"))
    script = (
        "import sys, tlm.corpus as c\n"
        "docs = c.load_corpus(gutenberg=['tiny.txt'], transforms=['lower']).documents\n"
        "assert docs == [['emma', 'was', 'na\u00efve', '.']], docs\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'nltk'], 'nltk imported'\n"
        "ours = c.nltk_data_path()\n"
        "import nltk.data\n"
        "assert ours == nltk.data.path, (ours, nltk.data.path)\n"
    )
    env = {**os.environ, "NLTK_DATA": f"{tmp_path / 'data'}{os.pathsep}{tmp_path / 'more'}"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_evaluate_fetches_the_held_out_gutenberg_text_too(run, no_gutenberg, online,
                                                          monkeypatch, model_file):
    def messages(target):
        folder = target / "corpora" / "gutenberg"
        folder.mkdir(parents=True)
        (folder / "held.txt").write_bytes(b"how much wood would a wood chuck chuck")
        yield from ()

    fake_downloads(monkeypatch, messages)
    pairs = model_file.parent / "pairs.txt"
    pairs.write_text("wood\tchuck\t5\nhow\tmuch\t3\nwould\tcould\t4\n", encoding="utf-8")
    result = run("evaluate", "--model", model_file, "--gutenberg", "held.txt", "--no-analogies",
                 "--similarity-file", pairs)
    assert "Downloading NLTK's Gutenberg corpus" in result.stderr
    assert "perplexity" in result.stdout, result.output + result.stderr
