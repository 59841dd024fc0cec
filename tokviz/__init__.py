"""tokviz: see what a language model predicts, token by token, in a notebook."""

from .analysis import (
    BayesICL,
    Beam,
    BeamNode,
    Candidate,
    Generation,
    ICLCurve,
    ICLInPrompt,
    LabelScore,
    LabelScores,
    LabelToken,
    LayerImportance,
    LayerLaw,
    LogitLens,
    OutcomeSequences,
    Perplexity,
    PromptAnalysis,
    QAPrompt,
    Refinement,
    TokenInfo,
    analyze,
    bayes_icl,
    draw_sequences,
    generate,
    icl_curve,
    icl_in_prompt,
    layer_importance,
    layer_law,
    logit_lens,
    multidoc_prompts,
    perplexity,
    refinement,
    score_labels,
)
from .errors import (
    InvalidInputError,
    MissingDependencyError,
    ModelNotFoundError,
    TokvizError,
    UnsupportedModelError,
)
from .models import LanguageModel, load_model
from .views import BayesView, BeamTreeView, ICLView, LabelScoresView, LogitLensView
from .widget import TokenViz

__version__ = "0.1.0"

__all__ = [
    "BayesICL",
    "BayesView",
    "Beam",
    "BeamNode",
    "BeamTreeView",
    "Candidate",
    "Generation",
    "ICLCurve",
    "ICLInPrompt",
    "ICLView",
    "InvalidInputError",
    "LabelScore",
    "LabelScores",
    "LabelScoresView",
    "LabelToken",
    "LanguageModel",
    "LayerImportance",
    "LayerLaw",
    "LogitLens",
    "LogitLensView",
    "MissingDependencyError",
    "ModelNotFoundError",
    "OutcomeSequences",
    "Perplexity",
    "PromptAnalysis",
    "QAPrompt",
    "Refinement",
    "TokenInfo",
    "TokenViz",
    "TokvizError",
    "UnsupportedModelError",
    "analyze",
    "bayes_icl",
    "draw_sequences",
    "generate",
    "icl_curve",
    "icl_in_prompt",
    "layer_importance",
    "layer_law",
    "load_model",
    "logit_lens",
    "multidoc_prompts",
    "perplexity",
    "refinement",
    "score_labels",
]

# Comparing two results (issue 13): tokviz.compare(...) and its view.
from .analysis.compare import (
    ComparedUnit,
    Comparison,
    UnitSide,
    compare,
    compare_generations,
    compare_models,
    compare_texts,
)
from .views import CompareView

__all__ += [
    "CompareView",
    "ComparedUnit",
    "Comparison",
    "UnitSide",
    "compare",
    "compare_generations",
    "compare_models",
    "compare_texts",
]

# Reshape (issue 13): one position's distribution under temperature / top-k / top-p, with live controls.
from .analysis import Reshaped, position_logits, reshape  # noqa: E402 (after the compare block)
from .views import ReshapeView  # noqa: E402

__all__ += ["ReshapeView", "Reshaped", "position_logits", "reshape"]

# Served models (issue 14): tokviz.connect(base_url) -> a ServedModel that analyze accepts.
from .errors import (  # noqa: E402
    PromptLogprobsUnsupportedError,
    ServedContextError,
    ServedUnavailableError,
    ServedUnsupportedError,
    ServerAuthError,
    ServerError,
    ServerProtocolError,
    ServerTimeoutError,
    ServerUnreachableError,
    UnknownServedModelError,
)
from .served import ServedModel, connect  # noqa: E402

__all__ += [
    "PromptLogprobsUnsupportedError",
    "ServedContextError",
    "ServedModel",
    "ServedUnavailableError",
    "ServedUnsupportedError",
    "ServerAuthError",
    "ServerError",
    "ServerProtocolError",
    "ServerTimeoutError",
    "ServerUnreachableError",
    "UnknownServedModelError",
    "connect",
]
