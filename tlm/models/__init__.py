"""The model registry: model type name -> class.

Which file is which model:

    tlm/model.py            embedding  the course's model: mean of the context rows of E, W, b
    tlm/models/mlp.py       mlp        Bengio et al. 2003: context rows in order, tanh layer
                                       (`tlm train --combine concat` and/or `--hidden H`)
    tlm/models/skipgram.py  skipgram   word2vec's skip-gram with negative sampling
    tlm/models/count.py     count      n-gram counts, with Laplace or Kneser-Ney smoothing

`MODELS` imports a model's module only when that type is asked for (they bring
numpy and scipy), so that `tlm --help` lists the types without loading any, and
loading an embedding model does not load the count model's scipy."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tlm.models.base import Model

#: The model types and their classes.
CLASSES = {
    "embedding": "tlm.model:EmbeddingModel",
    "mlp": "tlm.models.mlp:MLPModel",
    "skipgram": "tlm.models.skipgram:SkipGramModel",
    "count": "tlm.models.count:CountModel",
    "transformer": "tlm.models.transformer:TransformerModel",
}
#: The types `tlm train --model` offers, in its order. The MLP is also `--model
#: embedding --combine concat` and/or `--hidden H` (see `model_class`).
MODEL_TYPES = tuple(CLASSES)


def model_class(kind: str, settings: Mapping[str, Any]) -> type[Model]:
    """The class of a model of type `kind` with these settings (a model file's
    config, or the options given): an "embedding" model that concatenates its
    context or has a hidden layer is the MLP (files saved before the MLP had its
    own type say "embedding")."""
    if kind == "embedding" and (settings.get("combine") not in (None, "mean")
                                or settings.get("hidden")):
        kind = "mlp"
    return MODELS[kind]


class _Registry(Mapping):
    """{type name: model class}, each class imported on first use."""

    def __getitem__(self, name: str) -> type[Model]:
        module, _, cls = CLASSES[name].partition(":")
        return getattr(importlib.import_module(module), cls)

    def __contains__(self, name: object) -> bool:
        return name in CLASSES

    def __iter__(self) -> Iterator[str]:
        return iter(CLASSES)

    def __len__(self) -> int:
        return len(CLASSES)


MODELS: Mapping[str, type[Model]] = _Registry()


def __getattr__(name: str) -> Any:
    if name == "Model":
        from tlm.models.base import Model

        return Model
    for type_name, where in CLASSES.items():
        if where.endswith(":" + name):
            return MODELS[type_name]
    raise AttributeError(f"module 'tlm.models' has no attribute {name!r}")


__all__ = ["MODELS", "MODEL_TYPES", "CountModel", "EmbeddingModel", "MLPModel", "Model",
           "SkipGramModel", "TransformerModel", "model_class"]
