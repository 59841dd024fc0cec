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
`compare_texts` and `compare_generations` run the analyses and compare them in one call.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

from ..backends.protocol import check_backend
from ..checks import check_text
from ..core.generation_result import Generation
from ..core.prompt_result import PromptAnalysis, mean_perplexity
from ..core.text_table import render, token_label
from ..core.token_info import TokenInfo
from ..errors import InvalidInputError
from .generation import generate
from .prompt import analyze

ALIGNMENTS = ("auto", "characters", "tokens")


@dataclass(frozen=True)
class UnitSide:
    """One side of a compared unit: its tokens, where they lie in that side's text, and their log-probability.

    start / end: character offsets in the side's text ("".join of its token texts).
    logprob: the sum of the tokens' log-probabilities (natural log) = log P(these tokens | everything
    before them); None when one of them has no prediction (the side's first token).
    """

    tokens: tuple[TokenInfo, ...]
    start: int
    end: int

    @property
    def logprob(self) -> float | None:
        values = [t.logprob for t in self.tokens]
        return None if not values or any(v is None for v in values) else float(math.fsum(values))

    @property
    def prob(self) -> float | None:
        lp = self.logprob
        return None if lp is None else math.exp(lp)

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)

    @property
    def token_ids(self) -> list[int]:
        return [t.token_id for t in self.tokens]

    @property
    def generated(self) -> bool:
        """Whether these tokens were generated (not part of the prompt)."""
        return any(t.generated for t in self.tokens)

    def to_dict(self) -> dict:
        return {"tokens": [t.to_dict() for t in self.tokens], "start": self.start, "end": self.end,
                "logprob": self.logprob, "prob": self.prob}


@dataclass(frozen=True)
class ComparedUnit:
    """One column of a comparison: side `a` over side `b`. A side is None where the unit is the other
    side's only (an unmatched token when the texts differ)."""

    index: int
    a: UnitSide | None
    b: UnitSide | None

    @property
    def matched(self) -> bool:
        return self.a is not None and self.b is not None

    @property
    def difference(self) -> float | None:
        """b's log-probability minus a's (nats); None unless both sides have one."""
        la = None if self.a is None else self.a.logprob
        lb = None if self.b is None else self.b.logprob
        return None if la is None or lb is None else lb - la

    def side(self, which: int) -> UnitSide | None:
        return self.a if which == 0 else self.b

    def to_dict(self) -> dict:
        return {"index": self.index, "a": None if self.a is None else self.a.to_dict(),
                "b": None if self.b is None else self.b.to_dict(), "difference": self.difference}


@dataclass
class Comparison:
    """Two results lined up unit by unit (see the module docstring for the alignment rule).

    names: what each side is called (A, B). alignment: "characters" (one text, aligned by character
    spans) or "tokens" (two texts, aligned by matching token text). units: the aligned units, in order.
    texts: each side's text (its tokens' texts joined: prompt plus generated tokens for a Generation).
    models: each side's model name. results: the two results compared.
    generated_from: for each side, the index in its token list where the generated part starts (the
    number of prompt tokens); None for a PromptAnalysis.
    perplexities: each side's exp(-mean log-prob) over its tokens with a prediction (a PromptAnalysis:
    its own `perplexity`; a Generation: over prompt and generated tokens together).
    mean_difference: mean of b - a (nats) over the units where both sides have a log-probability.
    aligned: how many units have both values. divergence: index of the first unit where the texts differ
    (alignment "tokens"; None when one text equals the other), divergence_char: its character offset,
    the same on both sides (everything before it is shared).
    """

    names: tuple[str, str]
    alignment: str
    units: list[ComparedUnit]
    texts: tuple[str, str]
    models: tuple[str, str]
    results: tuple[object, object] = field(repr=False)
    generated_from: tuple[int | None, int | None]
    perplexities: tuple[float | None, float | None]
    mean_difference: float | None
    aligned: int
    divergence: int | None
    divergence_char: int | None
    # Each side's Vocabulary when its result carries one: lets the view
    # show special tokens as tags. Display only; no number depends on it.
    vocabularies: tuple[object, object] = field(default=(None, None), repr=False, compare=False)

    @property
    def differences(self) -> list[float | None]:
        """b - a per unit (nats), None where a side has no value."""
        return [u.difference for u in self.units]

    def to_dict(self) -> dict:
        return {
            "names": list(self.names), "alignment": self.alignment, "texts": list(self.texts),
            "models": list(self.models), "generated_from": list(self.generated_from),
            "perplexities": list(self.perplexities), "mean_difference": self.mean_difference,
            "aligned": self.aligned, "divergence": self.divergence, "divergence_char": self.divergence_char,
            "units": [u.to_dict() for u in self.units],
        }

    def __repr__(self) -> str:
        mean = "None" if self.mean_difference is None else f"{self.mean_difference:+.3f}"
        where = "" if self.divergence is None else f", divergence=unit {self.divergence}"
        return (f"Comparison({self.names[0]!r} vs {self.names[1]!r}, {len(self.units)} units by {self.alignment}, "
                f"mean difference={mean} nats{where})")

    def table(self) -> str:
        """A plain-text table: one line per unit with both sides' tokens, log-probs and the difference."""
        a, b = self.names

        def cells(side: UnitSide | None) -> list[str]:
            if side is None:
                return ["", ""]
            label = " ".join(token_label(t.text, t.bytes) for t in side.tokens)
            return [label, "" if side.logprob is None else f"{side.logprob:.3f}"]

        columns = [("#", 4, ">"), (a, 12, "<"), (f"log p {a}", 8, ">"), (b, 12, "<"), (f"log p {b}", 8, ">"),
                   ("b - a", 0, "<")]
        rows = []
        for u in self.units:
            d = u.difference
            mark = "  <- first difference" if u.index == self.divergence else ""
            rows.append([str(u.index), *cells(u.a), *cells(u.b), ("" if d is None else f"{d:+.3f}") + mark])
        lines = render(columns, rows)
        ppl = ", ".join(f"{n} {'-' if p is None else f'{p:.2f}'}" for n, p in zip(self.names, self.perplexities))
        mean = "-" if self.mean_difference is None else f"{self.mean_difference:+.3f}"
        lines.append(f"mean difference ({b} - {a}): {mean} nats over {self.aligned} units; perplexity: {ppl}")
        return "\n".join(lines)


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
        units, divergence = _by_characters(tokens_a, tokens_b), None
    else:
        units, divergence = _by_tokens(tokens_a, tokens_b)
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
    check_backend(lm_a, "compare_models (lm_a)")
    check_backend(lm_b, "compare_models (lm_b)")
    check_text(text)
    if names is None:
        names = (lm_a.name, lm_b.name) if lm_a.name != lm_b.name else ("A", "B")
    return compare(analyze(lm_a, text, alternatives=alternatives), analyze(lm_b, text, alternatives=alternatives),
                   names=names)


def compare_texts(lm, text_a: str, text_b: str, *, names: tuple[str, str] = ("A", "B"),
                  alternatives: int = 10) -> Comparison:
    """Two texts (say two prompts) scored by one model, aligned by matching tokens."""
    check_backend(lm, "this comparison")
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
    check_backend(lm, "this comparison")
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


# --- alignment ---------------------------------------------------------------------------------------------


def _by_characters(tokens_a: list[TokenInfo], tokens_b: list[TokenInfo]) -> list[ComparedUnit]:
    """Units of two tokenizations of one text: minimal runs that end at the same character offset."""
    groups_a, groups_b = _groups(tokens_a), _groups(tokens_b)
    units: list[ComparedUnit] = []
    i = j = 0
    start = 0
    while i < len(groups_a) and j < len(groups_b):
        run_a, end_a = list(groups_a[i][0]), groups_a[i][1]
        run_b, end_b = list(groups_b[j][0]), groups_b[j][1]
        i, j = i + 1, j + 1
        while end_a != end_b:
            if end_a < end_b and i < len(groups_a):
                run_a += groups_a[i][0]
                end_a = groups_a[i][1]
                i += 1
            elif end_b < end_a and j < len(groups_b):
                run_b += groups_b[j][0]
                end_b = groups_b[j][1]
                j += 1
            else:  # cannot happen for one text; guards against a malformed result
                raise InvalidInputError("the two token sequences do not cover the same text")
        units.append(ComparedUnit(len(units), UnitSide(tuple(run_a), start, end_a),
                                  UnitSide(tuple(run_b), start, end_b)))
        start = end_a
    if i < len(groups_a) or j < len(groups_b):
        raise InvalidInputError("the two token sequences do not cover the same text")
    return units


def _groups(tokens: list[TokenInfo]) -> list[tuple[list[TokenInfo], int]]:
    """Tokens grouped so each group ends on a character boundary, with that boundary's character offset.
    A token whose bytes end inside a character joins the token that completes the character; trailing
    tokens that never complete one join the last group."""
    groups: list[tuple[list[TokenInfo], int]] = []
    run: list[TokenInfo] = []
    offset = 0
    for token in tokens:
        run.append(token)
        offset += len(token.text)
        if token.text and not _ends_inside_character(token.bytes):
            groups.append((run, offset))
            run = []
    if run:
        if groups:
            groups[-1][0].extend(run)
            groups[-1] = (groups[-1][0], offset)
        else:
            groups.append((run, offset))
    return groups


def _ends_inside_character(data: bytes) -> bool:
    """True when `data` ends with the first bytes of a UTF-8 character it does not finish."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return False
        if byte >= 0xC0:  # a lead byte: how long its character is
            return back < (4 if byte >= 0xF0 else 3 if byte >= 0xE0 else 2)
    return False


def _by_tokens(tokens_a: list[TokenInfo], tokens_b: list[TokenInfo]) -> tuple[list[ComparedUnit], int | None]:
    """Units of two token sequences aligned by token text: the common prefix first, then difflib's matching
    blocks; unmatched tokens are one-sided units (a's before b's). Also the first unit that is not a match."""
    keys_a, keys_b = [_key(t) for t in tokens_a], [_key(t) for t in tokens_b]
    starts_a, starts_b = _starts(tokens_a), _starts(tokens_b)
    prefix = 0
    while prefix < min(len(keys_a), len(keys_b)) and keys_a[prefix] == keys_b[prefix]:
        prefix += 1
    units: list[ComparedUnit] = []

    def side(tokens, starts, k):
        return UnitSide((tokens[k],), starts[k], starts[k + 1])

    def add(ka: int | None, kb: int | None):
        units.append(ComparedUnit(len(units), None if ka is None else side(tokens_a, starts_a, ka),
                                  None if kb is None else side(tokens_b, starts_b, kb)))

    for k in range(prefix):
        add(k, k)
    matcher = difflib.SequenceMatcher(None, keys_a[prefix:], keys_b[prefix:], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for k in range(a1 - a0):
                add(prefix + a0 + k, prefix + b0 + k)
            continue
        for k in range(prefix + a0, prefix + a1):
            add(k, None)
        for k in range(prefix + b0, prefix + b1):
            add(None, k)
    divergence = prefix if prefix < len(units) else None
    return units, divergence


def _key(token: TokenInfo):
    """What two tokens must share to match: their text, or the raw bytes of a token with no text."""
    return token.text if token.text else token.bytes


def _starts(tokens: list[TokenInfo]) -> list[int]:
    """Character offset where each token's text starts, plus the end of the last one."""
    starts = [0]
    for t in tokens:
        starts.append(starts[-1] + len(t.text))
    return starts


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
