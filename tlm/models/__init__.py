"""The model registry: model type name -> class."""

from tlm.models.base import Model
from tlm.models.count import CountModel
from tlm.models.embedding import EmbeddingModel
from tlm.models.skipgram import SkipGramModel

MODELS: dict[str, type[Model]] = {
    EmbeddingModel.type: EmbeddingModel,
    SkipGramModel.type: SkipGramModel,
    CountModel.type: CountModel,
}

__all__ = ["MODELS", "Model", "CountModel", "EmbeddingModel", "SkipGramModel"]
