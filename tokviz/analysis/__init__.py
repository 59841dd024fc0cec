"""Pure analysis functions: model in, result dataclasses out. Nothing here knows about the widget."""

from .icl import ICLCurve, ICLInPrompt, icl_curve, icl_in_prompt
from .prompt import PromptAnalysis, analyze
from .results import Candidate, TokenInfo
from .scoring import LabelScore, LabelScores, LabelToken, score_labels

__all__ = [
    "Candidate",
    "ICLCurve",
    "ICLInPrompt",
    "LabelScore",
    "LabelScores",
    "LabelToken",
    "PromptAnalysis",
    "TokenInfo",
    "analyze",
    "icl_curve",
    "icl_in_prompt",
    "score_labels",
]
