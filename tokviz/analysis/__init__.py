"""Pure analysis functions: model in, result dataclasses out. Nothing here knows about the widget."""

from .beams import Beam, BeamNode
from .generation import Generation, generate
from .icl import ICLCurve, ICLInPrompt, icl_curve, icl_in_prompt
from .prompt import PromptAnalysis, analyze
from .results import Candidate, TokenInfo
from .scoring import LabelScore, LabelScores, LabelToken, score_labels

__all__ = [
    "Beam",
    "BeamNode",
    "Candidate",
    "Generation",
    "ICLCurve",
    "ICLInPrompt",
    "LabelScore",
    "LabelScores",
    "LabelToken",
    "PromptAnalysis",
    "TokenInfo",
    "analyze",
    "generate",
    "icl_curve",
    "icl_in_prompt",
    "score_labels",
]
