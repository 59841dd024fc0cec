"""Pure analysis functions: model in, result dataclasses out. Nothing here knows about the widget."""

from .beams import Beam, BeamNode
from .generation import Generation, generate
from .icl import ICLCurve, ICLInPrompt, icl_curve, icl_in_prompt
from .layer_law import LayerLaw, layer_law
from .lens import LogitLens, logit_lens
from .perplexity import Perplexity, perplexity
from .prompt import PromptAnalysis, analyze
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
    "LayerLaw",
    "LogitLens",
    "Perplexity",
    "PromptAnalysis",
    "TokenInfo",
    "analyze",
    "generate",
    "icl_curve",
    "icl_in_prompt",
    "layer_law",
    "logit_lens",
    "perplexity",
    "score_labels",
]

# Reshape (issue 13): one position's distribution under temperature / top-k / top-p, from kept logits.
from .reshape import (
    EntropyCurve,
    Reshaped,
    ReshapedToken,
    entropy_curve,
    next_logits,
    position_logits,
    reshape,
)

__all__ += ["EntropyCurve", "Reshaped", "ReshapedToken", "entropy_curve", "next_logits", "position_logits", "reshape"]
