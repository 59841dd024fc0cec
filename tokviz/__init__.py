"""tokviz: see what a language model predicts, token by token, in a notebook."""

from .analysis import Candidate, PromptAnalysis, TokenInfo, analyze
from .errors import (
    InvalidInputError,
    MissingDependencyError,
    ModelNotFoundError,
    TokvizError,
    UnsupportedModelError,
)
from .models import LanguageModel, load_model

__version__ = "0.1.0"

__all__ = [
    "Candidate",
    "InvalidInputError",
    "LanguageModel",
    "MissingDependencyError",
    "ModelNotFoundError",
    "PromptAnalysis",
    "TokenInfo",
    "TokvizError",
    "UnsupportedModelError",
    "analyze",
    "load_model",
]
