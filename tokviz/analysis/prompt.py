"""analyze(): every token of a text with its probability, rank, entropy and the top-k expected there."""

from __future__ import annotations

from ..backends.protocol import check_backend
from ..checks import check_int, check_text, renamed_argument
from ..core.prompt_result import PromptAnalysis, prompt_analysis


def check_alternatives(lm, alternatives) -> int:
    """Candidates per position: 1 .. the most the model can report (its vocabulary, or a server's top-k)."""
    return check_int(alternatives, "alternatives", low=1, high=lm.max_alternatives,
                     hint=f" (the most {lm.name} reports per position)")


def analyze(lm, text: str, *, alternatives: int = 10, top_k: int | None = None) -> PromptAnalysis:
    """Score every token of text with one forward pass (or the server's answer), with the `alternatives` most
    probable tokens at each position and the distribution after the last token (top_k: the design's first
    name for alternatives, still accepted with a FutureWarning)."""
    alternatives = renamed_argument(top_k, alternatives, "analyze")
    lm = check_backend(lm, "analyze")
    check_text(text, "text")
    check_alternatives(lm, alternatives)
    return prompt_analysis(lm, text, lm.score_text(text, alternatives), alternatives)
