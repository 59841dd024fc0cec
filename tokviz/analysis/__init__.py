"""Pure analysis functions: model in, result dataclasses out. Nothing here knows about the widget."""

from .beams import Beam, BeamNode
from .generation import Generation, generate
from .icl import ICLCurve, ICLInPrompt, icl_curve, icl_in_prompt
from .layer_law import LayerLaw, layer_law
from .lens import LogitLens, logit_lens
from .perplexity import Perplexity, perplexity
from .prompt import PromptAnalysis, analyze
from .refinement import LayerImportance, QAPrompt, Refinement, layer_importance, multidoc_prompts, refinement
from .scoring import LabelScore, LabelScores, LabelToken, score_labels
from .token_info import Candidate, TokenInfo

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
    "LayerImportance",
    "LayerLaw",
    "LogitLens",
    "Perplexity",
    "PromptAnalysis",
    "QAPrompt",
    "Refinement",
    "TokenInfo",
    "analyze",
    "generate",
    "icl_curve",
    "icl_in_prompt",
    "layer_importance",
    "layer_law",
    "logit_lens",
    "multidoc_prompts",
    "perplexity",
    "refinement",
    "score_labels",
]
