"""In-context learning curves: how the probability of an answer grows with the number of examples shown.

icl_curve runs one teacher-forced pass per (k shots, example order), batched; icl_in_prompt is the cheap
variant that reads, in one pass over a K-shot prompt, how probable each example's own label was.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field

from ..backends.protocol import UNAVAILABLE_ENTROPY, require_known
from ..checks import check_int
from ..core.encoding import Encoded, Request, encode
from ..core.prompt_result import PromptAnalysis, TextScores, prompt_analysis, token_infos
from ..core.stats import RowStats
from ..errors import InvalidInputError
from .prompt import check_alternatives
from .templates import byte_span, check_examples, check_label, check_template, fill, overlapping, token_spans

DEFAULT_TEMPLATE = "{x} -> {y}\n"


@dataclass
class _Answer:
    """One prompt + answer text, tokenised whole, and which of its tokens are the answer's."""

    encoded: Encoded
    inside: list[int]  # text-token indices of the answer
    texts: list[str]  # every token's text

    @property
    def prompt(self) -> str:
        """The text before the answer's first token."""
        return "".join(self.texts[: self.inside[0]])

    @property
    def answer_tokens(self) -> list[str]:
        return [self.texts[i] for i in self.inside]

    def request(self, whole: bool) -> Request:
        """The answer's tokens, or (whole) every token up to the answer's last, for a strip."""
        if whole:
            return self.encoded.request(range(self.encoded.first_predicted, self.inside[-1] + 1))
        return self.encoded.request(self.inside)


def _locate(lm, text: str, span: tuple[int, int], what: str) -> _Answer:
    encoded = encode(lm, text, what=what)
    inside = overlapping(token_spans(lm, encoded.ids, text), byte_span(text, span))
    if inside[0] < encoded.first_predicted:
        raise InvalidInputError(
            f"The answer starts {what}, so its first token has no prediction: put text before {{y}}."
        )
    return _Answer(encoded=encoded, inside=inside, texts=lm.vocabulary.texts(encoded.ids))


def _strip(lm, answer: _Answer, stats: RowStats, alternatives: int) -> PromptAnalysis:
    """The tokens up to the answer's last, with what the model predicted at each (no `next`)."""
    encoded = Encoded(answer.encoded.context, answer.encoded.ids[: answer.inside[-1] + 1])
    scores = TextScores(token_infos(lm.vocabulary, encoded.ids, stats, encoded.first_predicted), [], None,
                        list(encoded.context))
    return prompt_analysis(lm, answer.prompt + "".join(answer.answer_tokens), scores, alternatives)


@dataclass
class ICLCurve:
    """P(answer | k examples + query) for k = 0..K shots, over several random orders of the examples.

    shots: [0, 1, ..., K]. orders: the example indices of each order (k shots = its first k).
    Per k, means over orders: answer_probs (the whole answer, the product of its tokens' probabilities,
    teacher-forced), first_token_probs, answer_ranks (1-based rank of the answer's first token),
    entropies (nats, of the next-token distribution where the answer starts).
    answer_prob_min / _max / _std: spread of the whole-answer probability over orders (std: population).
    *_by_order: the raw values, [k][order]. prompts[k]: the k-shot prompt of the first order, up to the
    answer's first token; answer_tokens[k]: the answer's tokens there (tokenised in place, so " Paris"
    may carry the template's space). forward_passes: model calls used (the k = 0 prompt, identical for
    every order, runs once). A served model may lack some of these numbers: they are None, the means over
    them too, and `unavailable` says why.
    """

    model_name: str
    template: str
    examples: list[tuple[str, str]]
    query: str
    answer: str
    seed: int
    shots: list[int]
    orders: list[list[int]]
    answer_probs: list[float]
    first_token_probs: list[float]
    answer_ranks: list[float]
    entropies: list[float]
    answer_prob_min: list[float]
    answer_prob_max: list[float]
    answer_prob_std: list[float]
    answer_probs_by_order: list[list[float]]
    first_token_probs_by_order: list[list[float]]
    answer_ranks_by_order: list[list[int]]
    entropies_by_order: list[list[float]]
    prompts: list[str]
    answer_tokens: list[list[str]]
    forward_passes: int
    strips: list[PromptAnalysis] = field(default_factory=list)
    alternatives: int = 5
    # numbers a served model's answer lacks (None above), each with the reason
    unavailable: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data["examples"] = [list(pair) for pair in self.examples]
        data["strips"] = [strip.to_dict() for strip in self.strips]
        return data

    def __repr__(self) -> str:
        points = ", ".join(f"{k}: {p:.3f}" for k, p in zip(self.shots, self.answer_probs, strict=True))
        return (f"ICLCurve(answer={self.answer!r}, orders={len(self.orders)}, "
                f"mean P(answer) by shots={{{points}}})")

    def table(self) -> str:
        rows = [f"{'shots':>5} {'P(answer)':>10} {'min':>7} {'max':>7} {'P(first)':>9} {'rank':>7} "
                f"{'H nats':>7}"]
        for i, k in enumerate(self.shots):
            rows.append(f"{k:>5} {self.answer_probs[i]:10.4f} {self.answer_prob_min[i]:7.4f} "
                        f"{self.answer_prob_max[i]:7.4f} {self.first_token_probs[i]:9.4f} "
                        f"{self.answer_ranks[i]:7.1f} {self.entropies[i]:7.3f}")
        return "\n".join(rows)


def icl_curve(lm, examples: list[tuple[str, str]], query: str, answer: str, *,
              template: str = DEFAULT_TEMPLATE, seed: int = 0, orders: int = 5, max_shots: int | None = None,
              batch_size: int | None = None, alternatives: int = 5) -> ICLCurve:
    """Probability of `answer` after k = 0..K filled-template examples and the query, for `orders` random
    orders of the examples (seeded). K = len(examples), or max_shots.

    Each prompt is the filled examples followed by the template filled with (query, answer); the whole
    text is tokenised and the answer's tokens are those overlapping its characters, so the boundary is
    tokenised as the model would see it. Prompts are deduplicated and batched into few forward passes.
    alternatives: candidates kept per token of the strips (the first order's prompt at each k).
    """
    check_template(template)
    examples = check_examples(examples)
    if not isinstance(query, str):
        raise InvalidInputError(f"query must be a string, got {type(query).__name__}")
    check_label(answer, "answer")
    check_int(orders, "orders", low=1)
    check_alternatives(lm, alternatives)
    check_int(seed, "seed")
    max_k = len(examples) if max_shots is None else check_int(max_shots, "max_shots", low=0, high=len(examples))

    rng = random.Random(seed)
    permutations = [rng.sample(range(len(examples)), len(examples)) for _ in range(orders)]
    shots = [fill(template, x, y)[0] for x, y in examples]
    query_text, query_span = fill(template, query, answer)

    unique: dict[str, int] = {}  # text -> index in `answers`
    answers: list[_Answer] = []
    slots: list[list[int]] = []  # [k][order] -> index in `answers`
    for k in range(max_k + 1):
        row = []
        for order in permutations:
            prefix = "".join(shots[i] for i in order[:k])
            text = prefix + query_text
            if text not in unique:
                span = (query_span[0] + len(prefix), query_span[1] + len(prefix))
                try:
                    answers.append(_locate(lm, text, span, f"the {k}-shot prompt"))
                except InvalidInputError as error:
                    if k == 0 or "context window" not in str(error):
                        raise
                    raise InvalidInputError(
                        f"{k} shots do not fit in {lm.name}'s context of {lm.context_length} tokens; at most "
                        f"{k - 1} fit for every order (pass max_shots={k - 1}). {error}"
                    ) from error
                unique[text] = len(answers) - 1
            row.append(unique[text])
        slots.append(row)

    # The first order's prompt for each k is scored whole, for the strip a view shows; the others only at
    # the answer's tokens.
    whole = {row[0] for row in slots}
    requests = [a.request(i in whole) for i, a in enumerate(answers)]
    scored, passes = lm.score(requests, alternatives, batch_size=batch_size)
    strips = [_strip(lm, answers[row[0]], scored[row[0]], alternatives) for row in slots]
    stats = [s[len(s.logprob) - len(a.inside):] for s, a in zip(scored, answers, strict=True)]  # the answer's rows
    # A served model's answer may lack a log-probability (NaN: outside its top-k), and it knows no entropy
    # and a rank only inside its top-k (0 here): all of those are None, and so is a mean over them.
    logprob = [float(s.logprob.sum()) for s in stats]
    first = [_exp_or_none(float(s.logprob[0])) for s in stats]
    rank = [int(s.rank[0]) or None for s in stats]
    entropy = [None if s.entropy is None else float(s.entropy[0]) for s in stats]

    def per_k(values):
        return [[values[j] for j in row] for row in slots]

    answer_by_order = per_k([_exp_or_none(lp) for lp in logprob])
    ranks_by_order = per_k(rank)
    unavailable = {}
    if any(p is None for p in first):
        unavailable["answer_probs"] = UNAVAILABLE_ANSWER.format(k=getattr(lm, "logprobs", None))
    if any(h is None for h in entropy):
        unavailable["entropies"] = UNAVAILABLE_ENTROPY
    return ICLCurve(
        model_name=lm.name, template=template, examples=examples, query=query, answer=answer, seed=seed,
        shots=list(range(max_k + 1)), orders=permutations,
        answer_probs=[_mean_or_none(v) for v in answer_by_order],
        first_token_probs=[_mean_or_none(v) for v in per_k(first)],
        answer_ranks=[_mean_or_none(v) for v in ranks_by_order],
        entropies=[_mean_or_none(v) for v in per_k(entropy)],
        answer_prob_min=[_or_none(min, v) for v in answer_by_order],
        answer_prob_max=[_or_none(max, v) for v in answer_by_order],
        answer_prob_std=[_or_none(statistics.pstdev, v) for v in answer_by_order],
        answer_probs_by_order=answer_by_order, first_token_probs_by_order=per_k(first),
        answer_ranks_by_order=ranks_by_order, entropies_by_order=per_k(entropy),
        prompts=[answers[row[0]].prompt for row in slots],
        answer_tokens=[answers[row[0]].answer_tokens for row in slots], forward_passes=passes, strips=strips,
        alternatives=alternatives, unavailable=unavailable,
    )


UNAVAILABLE_ANSWER = ("the served model's answer holds no log-probability for the answer at some k: its first token "
                      "is outside the top {k} the server reports there (a shifted server's numbers are read from "
                      "the top-k; tokviz.connect(..., logprobs=K) asks for more)")


def _or_none(summary, values: list) -> float | None:
    """summary(values), or None when some value is unknown (a served model's)."""
    return None if any(v is None for v in values) else summary(values)


def _mean_or_none(values: list) -> float | None:
    return _or_none(statistics.fmean, values)


def _exp_or_none(logprob: float) -> float | None:
    return None if math.isnan(logprob) else math.exp(logprob)


@dataclass
class ICLInPrompt:
    """One pass over a K-shot prompt: how probable each example's own label was, given the examples
    before it and its input.

    prompt: the filled examples, concatenated. tokens: the prompt's per-token texts.
    label_token_indices[i]: indices (into tokens) of the tokens overlapping example i's label.
    label_probs[i]: probability of that whole label (product over its tokens); label_logprobs[i]: its log.
    first_token_probs / first_token_ranks / entropies: at the label's first token.
    """

    model_name: str
    template: str
    examples: list[tuple[str, str]]
    prompt: str
    tokens: list[str]
    label_token_indices: list[list[int]]
    label_probs: list[float]
    label_logprobs: list[float]
    first_token_probs: list[float]
    first_token_ranks: list[int]
    entropies: list[float]

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data["examples"] = [list(pair) for pair in self.examples]
        return data

    def __repr__(self) -> str:
        probs = ", ".join(f"{p:.3f}" for p in self.label_probs[:12])
        more = ", ..." if len(self.label_probs) > 12 else ""
        return f"ICLInPrompt({len(self.examples)} examples, label_probs=[{probs}{more}])"

    def table(self) -> str:
        rows = [f"{'#':>3}  {'example':<30} {'P(label)':>9} {'P(first)':>9} {'rank':>6}"]
        for i, (x, y) in enumerate(self.examples):
            shown = f"{x!r} -> {y!r}"
            rows.append(f"{i:>3}  {shown[:30]:<30} {self.label_probs[i]:9.4f} "
                        f"{self.first_token_probs[i]:9.4f} {self.first_token_ranks[i]:>6}")
        return "\n".join(rows)


def icl_in_prompt(lm, examples: list[tuple[str, str]], *,
                  template: str = DEFAULT_TEMPLATE) -> ICLInPrompt:
    """Read, from one forward pass over all examples filled into the template, each label's probability."""
    check_template(template)
    examples = check_examples(examples)
    if not examples:
        raise InvalidInputError("examples is empty: give at least one (x, y) pair")
    parts, spans = [], []
    length = 0
    for x, y in examples:
        text, (start, end) = fill(template, x, y)
        parts.append(text)
        spans.append((start + length, end + length))
        length += len(text)
    prompt = "".join(parts)
    encoded = encode(lm, prompt, what="the prompt of all examples")
    token_bytes = token_spans(lm, encoded.ids, prompt)
    inside = [overlapping(token_bytes, byte_span(prompt, span)) for span in spans]
    if inside[0][0] < encoded.first_predicted:
        raise InvalidInputError("The first label starts the prompt, so it has no prediction: "
                                "put text before {y}.")
    row = {token: r for r, token in enumerate(sorted({i for indices in inside for i in indices}))}
    (stats,), _ = lm.score([encoded.request(list(row))])  # only the labels' tokens are scored
    require_known(lm, stats.logprob, "the labels' probabilities")
    logprob = stats.logprob.tolist()
    rank = [r or None for r in stats.rank.tolist()]  # a served model: None outside its top-k, no entropy
    entropy = stats.entropy.tolist() if stats.entropy is not None else [None] * len(logprob)
    firsts = [row[indices[0]] for indices in inside]
    label_logprobs = [sum(logprob[row[i]] for i in indices) for indices in inside]
    return ICLInPrompt(
        model_name=lm.name, template=template, examples=examples, prompt=prompt,
        tokens=lm.vocabulary.texts(encoded.ids), label_token_indices=inside,
        label_probs=[math.exp(lp) for lp in label_logprobs], label_logprobs=label_logprobs,
        first_token_probs=[math.exp(logprob[r]) for r in firsts],
        first_token_ranks=[rank[r] for r in firsts],
        entropies=[entropy[r] for r in firsts],
    )
