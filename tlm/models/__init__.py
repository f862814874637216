"""The model registry: model type name -> class."""

from tlm.models.base import Model
from tlm.models.embedding import EmbeddingModel
from tlm.models.skipgram import SkipGramModel

MODELS: dict[str, type[Model]] = {
    EmbeddingModel.type: EmbeddingModel,
    SkipGramModel.type: SkipGramModel,
}

__all__ = ["MODELS", "Model", "EmbeddingModel", "SkipGramModel"]
