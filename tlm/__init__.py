"""tlm: a tiny language model lab.

    import tlm
    model = tlm.load("model.json")
    model.E, model.vocab, model.word_to_idx, model.vectors
    model.generate(length=20, prompt="emma was", temperature=0.8, seed=1)
"""

from tlm.errors import TlmError
from tlm.modelfile import load, save

__all__ = ["TlmError", "load", "save"]
__version__ = "0.1.0"
