"""tokviz: see what a language model predicts, token by token, in a notebook."""

from .analysis.bayes import bayes_icl
from .analysis.bayes_result import BayesICL
from .analysis.bayes_sequences import OutcomeSequences, draw_sequences
from .analysis.compare import compare, compare_generations, compare_models, compare_texts
from .analysis.compare_result import ComparedUnit, Comparison, UnitSide
from .analysis.generation import generate
from .analysis.icl import ICLCurve, ICLInPrompt, icl_curve, icl_in_prompt
from .analysis.loom import Loom, loom
from .analysis.perplexity import Perplexity, perplexity
from .analysis.prompt import analyze
from .analysis.scoring import LabelScore, LabelScores, LabelToken, score_labels
from .backends.local.loading import load_model
from .backends.local.model import LanguageModel
from .backends.protocol import Backend
from .backends.served.connect import connect
from .backends.served.model import ServedModel
from .backends.traced import TracedModel
from .core.beams import Beam, BeamNode
from .core.decoding import DecodingParams
from .core.generation_result import Generation
from .core.prompt_result import PromptAnalysis, TextScores
from .core.token_info import Candidate, TokenInfo
from .errors import (
    CapabilityError,
    InvalidInputError,
    MissingDependencyError,
    ModelNotFoundError,
    NumberUnavailableError,
    PromptLogprobsUnsupportedError,
    ServedContextError,
    ServerAuthError,
    ServerError,
    ServerProtocolError,
    ServerTimeoutError,
    ServerUnreachableError,
    TokvizError,
    UnknownServedModelError,
    UnsupportedModelError,
)
from .studies.layer_importance import LayerImportance, layer_importance
from .studies.layer_law import LayerLaw, layer_law
from .studies.lens import LogitLens, logit_lens
from .studies.lens_measures import Trajectory
from .studies.position_logits import position_logits
from .studies.qa_prompts import QAPrompt, multidoc_prompts
from .studies.refinement import Refinement, refinement
from .studies.reshape import entropy_curve, reshape
from .studies.reshape_result import EntropyCurve, Reshaped, ReshapedToken
from .studies.tuned_lens import TunedLens
from .studies.tuned_lens_training import tuned_lens
from .widgets.bayes_view import BayesView
from .widgets.beams_view import BeamTreeView
from .widgets.compare_view import CompareView
from .widgets.icl_view import ICLView
from .widgets.labels_view import LabelScoresView
from .widgets.lens_view import LogitLensView
from .widgets.loom_view import LoomView
from .widgets.reshape_view import ReshapeView
from .widgets.widget import TokenViz

__version__ = "0.1.0"

__all__ = [
    "Backend",
    "BayesICL",
    "BayesView",
    "Beam",
    "BeamNode",
    "BeamTreeView",
    "Candidate",
    "CapabilityError",
    "CompareView",
    "ComparedUnit",
    "Comparison",
    "DecodingParams",
    "EntropyCurve",
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
    "Loom",
    "LoomView",
    "MissingDependencyError",
    "ModelNotFoundError",
    "NumberUnavailableError",
    "OutcomeSequences",
    "Perplexity",
    "PromptAnalysis",
    "PromptLogprobsUnsupportedError",
    "QAPrompt",
    "Refinement",
    "ReshapeView",
    "Reshaped",
    "ReshapedToken",
    "ServedContextError",
    "ServedModel",
    "ServerAuthError",
    "ServerError",
    "ServerProtocolError",
    "ServerTimeoutError",
    "ServerUnreachableError",
    "TextScores",
    "TokenInfo",
    "TokenViz",
    "TokvizError",
    "TracedModel",
    "Trajectory",
    "TunedLens",
    "UnitSide",
    "UnknownServedModelError",
    "UnsupportedModelError",
    "analyze",
    "bayes_icl",
    "compare",
    "compare_generations",
    "compare_models",
    "compare_texts",
    "connect",
    "draw_sequences",
    "entropy_curve",
    "generate",
    "icl_curve",
    "icl_in_prompt",
    "layer_importance",
    "layer_law",
    "load_model",
    "logit_lens",
    "loom",
    "multidoc_prompts",
    "perplexity",
    "position_logits",
    "refinement",
    "reshape",
    "score_labels",
    "tuned_lens",
]
