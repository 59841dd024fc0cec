"""Compare two results token by token: two models on one text, two prompts, two generations.

`compare(a, b)` takes two results (PromptAnalysis or Generation) and lines their tokens up in *units*:

- **Same text** (two models, maybe with different tokenizers): aligned by character spans. A unit is a
  minimal run of tokens on each side whose spans end at the same character offset; a token whose bytes
  end inside a character (a partial-UTF-8 piece, or text followed by a character's first bytes) cannot end
  a unit, so it joins the token that completes the character. A unit's log-probability on each side is the
  sum of its tokens' log-probabilities: by the chain rule, log P(that text | everything before), which is
  comparable across tokenizers. A side's first token (no prediction) makes its unit's value None.
- **Different texts** (two prompts, two generations): the token sequences are aligned by token text (the
  raw bytes for a token with no text of its own). The common prefix is matched first, the rest with
  difflib's longest matching blocks; matched tokens are compared one to one, every unmatched token is a
  one-sided unit. The first unit that is not a match is the *divergence* (for two generations of one
  prompt: the first generated token that differs). After it, matched tokens have different contexts.

The numbers are each result's own (docs/numbers.md): nothing is recomputed here. `compare_models`,
`compare_texts` and `compare_generations` run the analyses and compare them in one call. The alignment
algorithms are in token_alignment.py, the result types in compare_result.py.
"""

from __future__ import annotations

import math

from ..backends.protocol import check_backend
from ..checks import check_text
from ..core.generation_result import Generation
from ..core.prompt_result import PromptAnalysis, mean_perplexity
from ..core.token_info import TokenInfo
from ..errors import InvalidInputError
from .compare_result import Comparison
from .generation import generate
from .prompt import analyze
from .token_alignment import align_by_characters, align_by_tokens

ALIGNMENTS = ("auto", "characters", "tokens")


def compare(a, b, *, names: tuple[str, str] = ("A", "B"), align: str = "auto") -> Comparison:
    """Line up two results (PromptAnalysis or Generation) unit by unit; differences are b - a.

    align: "auto" (character spans when both texts are equal, else token matching), "characters" (the
    texts must be equal) or "tokens".
    """
    tokens_a, from_a = _tokens_of(a, "a")
    tokens_b, from_b = _tokens_of(b, "b")
    names = _check_names(names)
    if align not in ALIGNMENTS:
        raise InvalidInputError(f"align must be one of {', '.join(map(repr, ALIGNMENTS))}; got {align!r}")
    text_a, text_b = _joined(tokens_a), _joined(tokens_b)
    if align == "characters" and text_a != text_b:
        raise InvalidInputError(
            "align='characters' needs the same text on both sides; these differ from character "
            f"{_common_prefix(text_a, text_b)} on: use align='tokens' (or 'auto')")
    by_characters = align == "characters" or (align == "auto" and text_a == text_b)
    if by_characters:
        units, divergence = align_by_characters(tokens_a, tokens_b), None
    else:
        units, divergence = align_by_tokens(tokens_a, tokens_b)
    divergence_char = None
    if divergence is not None:
        unit = units[divergence]
        divergence_char = (unit.a or unit.b).start
    differences = [u.difference for u in units if u.difference is not None]
    return Comparison(
        names=names, alignment="characters" if by_characters else "tokens", units=units,
        texts=(text_a, text_b), models=(_model_name(a), _model_name(b)), results=(a, b),
        generated_from=(from_a, from_b), perplexities=(_perplexity(a, tokens_a), _perplexity(b, tokens_b)),
        mean_difference=math.fsum(differences) / len(differences) if differences else None,
        aligned=len(differences), divergence=divergence, divergence_char=divergence_char,
        vocabularies=(a.vocabulary, b.vocabulary),
    )


def compare_models(lm_a, lm_b, text: str, *, names: tuple[str, str] | None = None,
                   alternatives: int = 10) -> Comparison:
    """The same text scored by two models (tokenizers may differ): analyze with each, then compare.
    names default to the models' names (A and B when those are equal)."""
    lm_a = check_backend(lm_a, "compare_models (lm_a)")
    lm_b = check_backend(lm_b, "compare_models (lm_b)")
    check_text(text)
    if names is None:
        names = (lm_a.name, lm_b.name) if lm_a.name != lm_b.name else ("A", "B")
    return compare(analyze(lm_a, text, alternatives=alternatives), analyze(lm_b, text, alternatives=alternatives),
                   names=names)


def compare_texts(lm, text_a: str, text_b: str, *, names: tuple[str, str] = ("A", "B"),
                  alternatives: int = 10) -> Comparison:
    """Two texts (say two prompts) scored by one model, aligned by matching tokens."""
    lm = check_backend(lm, "this comparison")
    check_text(text_a, "text_a")
    check_text(text_b, "text_b")
    return compare(analyze(lm, text_a, alternatives=alternatives), analyze(lm, text_b, alternatives=alternatives),
                   names=names)


def compare_generations(lm, prompt: str, a: dict, b: dict, *, names: tuple[str, str] | None = None,
                        **common) -> Comparison:
    """Two generations from one prompt: `a` and `b` hold each run's own settings, `common` the shared ones
    (any `tokviz.generate` argument), e.g.
    `compare_generations(lm, prompt, {"seed": 1}, {"seed": 2}, do_sample=True, max_new_tokens=20)`.
    names default to the settings that differ ("seed=1" vs "seed=2")."""
    lm = check_backend(lm, "this comparison")
    for name, settings in (("a", a), ("b", b)):
        if not isinstance(settings, dict):
            raise InvalidInputError(f"{name} must be a dict of generate() settings, e.g. {{'seed': 1}}; "
                                    f"got {type(settings).__name__}")
        clash = sorted(set(settings) & set(common))
        if clash:
            raise InvalidInputError(f"{', '.join(clash)} given both in {name} and as a shared setting")
    gen_a = generate(lm, prompt, **common, **a)
    gen_b = generate(lm, prompt, **common, **b)
    if names is None:
        names = _setting_names(a, b)
    return compare(gen_a, gen_b, names=names)


# --- inputs --------------------------------------------------------------------------------------------


def _tokens_of(result, name: str) -> tuple[list[TokenInfo], int | None]:
    """A result's tokens (a Generation: prompt then generated) and where the generated part starts."""
    if isinstance(result, Generation):
        return [*result.prompt.tokens, *result.tokens], len(result.prompt.tokens)
    if isinstance(result, PromptAnalysis):
        return list(result.tokens), None
    hint = " (nothing given)" if result is None else ""
    raise InvalidInputError(
        f"compare() needs two results from tokviz.analyze or tokviz.generate; {name} is "
        f"{type(result).__name__}{hint}. To compare models or texts directly use tokviz.compare_models or "
        "tokviz.compare_texts")


def _check_names(names) -> tuple[str, str]:
    if (not isinstance(names, (tuple, list)) or len(names) != 2
            or not all(isinstance(n, str) and n.strip() for n in names)):
        raise InvalidInputError(f"names must be two non-empty strings, e.g. ('A', 'B'); got {names!r}")
    if names[0] == names[1]:
        raise InvalidInputError(f"names must differ, or the view cannot tell the sides apart; got {names!r}")
    return str(names[0]), str(names[1])


def _joined(tokens: list[TokenInfo]) -> str:
    return "".join(t.text for t in tokens)


def _common_prefix(x: str, y: str) -> int:
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return n


def _model_name(result) -> str:
    return result.prompt.model_name if isinstance(result, Generation) else result.model_name


def _perplexity(result, tokens: list[TokenInfo]) -> float | None:
    if isinstance(result, PromptAnalysis):
        return result.perplexity
    return mean_perplexity([t.logprob for t in tokens if t.logprob is not None])


def _setting_names(a: dict, b: dict) -> tuple[str, str]:
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    names = tuple(", ".join(f"{k}={s.get(k)!r}" for k in keys) or "run" for s in (a, b))
    return names if names[0] != names[1] else ("A", "B")
