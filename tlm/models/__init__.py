"""The model registry: model type name -> class.

The classes are imported on first use of `MODELS` (they bring numpy and scipy),
so that `tlm --help` can list the model types without loading them."""

from __future__ import annotations

from typing import Any

#: The model types, in the order `tlm train --model` lists them.
MODEL_TYPES = ("embedding", "skipgram", "count")


def __getattr__(name: str) -> Any:
    if name == "MODELS":
        from tlm.models.count import CountModel
        from tlm.models.embedding import EmbeddingModel
        from tlm.models.skipgram import SkipGramModel

        classes = (EmbeddingModel, SkipGramModel, CountModel)
        globals()["MODELS"] = models = {cls.type: cls for cls in classes}
        return models
    if name == "Model":
        from tlm.models.base import Model

        return Model
    if name in ("CountModel", "EmbeddingModel", "SkipGramModel"):
        return {cls.__name__: cls for cls in __getattr__("MODELS").values()}[name]
    raise AttributeError(f"module 'tlm.models' has no attribute {name!r}")


__all__ = ["MODELS", "MODEL_TYPES", "Model", "CountModel", "EmbeddingModel", "SkipGramModel"]
