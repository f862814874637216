"""The model registry: model type name -> class."""

from tlm.models.base import Model
from tlm.models.embedding import EmbeddingModel

MODELS: dict[str, type[Model]] = {
    EmbeddingModel.type: EmbeddingModel,
}

__all__ = ["MODELS", "Model", "EmbeddingModel"]
