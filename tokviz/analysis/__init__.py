"""Pure analysis functions: model in, result dataclasses out. Nothing here knows about the widget."""

from .prompt import PromptAnalysis, analyze
from .results import Candidate, TokenInfo

__all__ = ["Candidate", "PromptAnalysis", "TokenInfo", "analyze"]
