"""The model registry: model type name -> class.

`MODELS` imports a model's module only when that type is asked for (they bring
numpy and scipy), so that `tlm --help` lists the types without loading any, and
loading an embedding model does not load the count model's scipy."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tlm.models.base import Model

#: The model types, in the order `tlm train --model` lists them, and their classes.
CLASSES = {
    "embedding": "tlm.models.embedding:EmbeddingModel",
    "skipgram": "tlm.models.skipgram:SkipGramModel",
    "count": "tlm.models.count:CountModel",
    "transformer": "tlm.models.transformer:TransformerModel",
}
MODEL_TYPES = tuple(CLASSES)


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


__all__ = ["MODELS", "MODEL_TYPES", "Model", "CountModel", "EmbeddingModel", "SkipGramModel",
           "TransformerModel"]
