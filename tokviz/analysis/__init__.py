"""Pure analysis functions: model in, result dataclasses out. Nothing here knows about the widget."""

from .bayes import BayesICL, OutcomeSequences, bayes_icl, draw_sequences
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
    "BayesICL",
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
    "OutcomeSequences",
    "Perplexity",
    "PromptAnalysis",
    "QAPrompt",
    "Refinement",
    "TokenInfo",
    "analyze",
    "bayes_icl",
    "draw_sequences",
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

# Comparing two results (issue 13).
from .compare import (
    ComparedUnit,
    Comparison,
    UnitSide,
    compare,
    compare_generations,
    compare_models,
    compare_texts,
)

__all__ += [
    "ComparedUnit",
    "Comparison",
    "UnitSide",
    "compare",
    "compare_generations",
    "compare_models",
    "compare_texts",
]

# Reshape (issue 13): one position's distribution under temperature / top-k / top-p, from kept logits.
from .reshape import (  # noqa: E402 (after the compare block)
    EntropyCurve,
    Reshaped,
    ReshapedToken,
    entropy_curve,
    next_logits,
    position_logits,
    reshape,
)

__all__ += ["EntropyCurve", "Reshaped", "ReshapedToken", "entropy_curve", "next_logits", "position_logits", "reshape"]
