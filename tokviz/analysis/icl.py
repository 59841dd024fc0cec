"""In-context learning curves: how the probability of an answer grows with the number of examples shown.

icl_curve runs one teacher-forced pass per (k shots, example order), batched; icl_in_prompt is the cheap
variant that reads, in one pass over a K-shot prompt, how probable each example's own label was.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass

from ..checks import check_int
from ..errors import InvalidInputError
from ..models import LanguageModel
from .encoding import encode
from .scoring import batched_stats, byte_span, check_label, check_template, fill, overlapping, token_spans

DEFAULT_TEMPLATE = "{x} -> {y}\n"


def check_examples(examples) -> list[tuple[str, str]]:
    if isinstance(examples, str) or not isinstance(examples, (list, tuple)):
        raise InvalidInputError(f"examples must be a list of (x, y) pairs, got {type(examples).__name__}")
    checked = []
    for i, pair in enumerate(examples):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise InvalidInputError(f"examples[{i}] must be an (x, y) pair, got {pair!r}")
        x, y = pair
        if not isinstance(x, str):
            raise InvalidInputError(f"examples[{i}] input must be a string, got {type(x).__name__}")
        checked.append((x, check_label(y, f"examples[{i}] label")))
    return checked


@dataclass
class _Answer:
    """One prompt + answer text, tokenised whole, with the answer's token positions."""

    ids: list[int]  # context + tokens up to the last answer token
    start: int  # position (in ids) of the first answer token
    prompt: str  # the text before the first answer token
    answer_tokens: list[str]


def _locate(lm: LanguageModel, text: str, span: tuple[int, int], what: str) -> _Answer:
    encoded = encode(lm, text, what=what)
    inside = overlapping(token_spans(lm, encoded.ids, text), byte_span(text, span))
    offset = len(encoded.context)
    if offset + inside[0] == 0:
        raise InvalidInputError(
            f"The answer starts {what}, so its first token has no prediction: put text before {{y}}."
        )
    texts = lm.vocabulary.texts(encoded.ids)
    return _Answer(ids=encoded.all_ids[: offset + inside[-1] + 1], start=offset + inside[0],
                   prompt="".join(texts[: inside[0]]), answer_tokens=[texts[i] for i in inside])


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
    every order, runs once).
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

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data["examples"] = [list(pair) for pair in self.examples]
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


def icl_curve(lm: LanguageModel, examples: list[tuple[str, str]], query: str, answer: str, *,
              template: str = DEFAULT_TEMPLATE, seed: int = 0, orders: int = 5, max_shots: int | None = None,
              batch_size: int | None = None) -> ICLCurve:
    """Probability of `answer` after k = 0..K filled-template examples and the query, for `orders` random
    orders of the examples (seeded). K = len(examples), or max_shots.

    Each prompt is the filled examples followed by the template filled with (query, answer); the whole
    text is tokenised and the answer's tokens are those overlapping its characters, so the boundary is
    tokenised as the model would see it. Prompts are deduplicated and batched into few forward passes.
    """
    check_template(template)
    examples = check_examples(examples)
    if not isinstance(query, str):
        raise InvalidInputError(f"query must be a string, got {type(query).__name__}")
    check_label(answer, "answer")
    check_int(orders, "orders", low=1)
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

    stats, passes = batched_stats(lm, [a.ids for a in answers], [a.start for a in answers],
                                  batch_size=batch_size)
    logprob = [float(s.logprob.sum()) for s in stats]
    first = [math.exp(float(s.logprob[0])) for s in stats]
    rank = [int(s.rank[0]) for s in stats]
    entropy = [float(s.entropy[0]) for s in stats]

    def per_k(values):
        return [[values[j] for j in row] for row in slots]

    answer_by_order = per_k([math.exp(lp) for lp in logprob])
    ranks_by_order = per_k(rank)
    return ICLCurve(
        model_name=lm.name, template=template, examples=examples, query=query, answer=answer, seed=seed,
        shots=list(range(max_k + 1)), orders=permutations,
        answer_probs=[statistics.fmean(v) for v in answer_by_order],
        first_token_probs=[statistics.fmean(v) for v in per_k(first)],
        answer_ranks=[statistics.fmean(v) for v in ranks_by_order],
        entropies=[statistics.fmean(v) for v in per_k(entropy)],
        answer_prob_min=[min(v) for v in answer_by_order], answer_prob_max=[max(v) for v in answer_by_order],
        answer_prob_std=[statistics.pstdev(v) for v in answer_by_order],
        answer_probs_by_order=answer_by_order, first_token_probs_by_order=per_k(first),
        answer_ranks_by_order=ranks_by_order, entropies_by_order=per_k(entropy),
        prompts=[answers[row[0]].prompt for row in slots],
        answer_tokens=[answers[row[0]].answer_tokens for row in slots], forward_passes=passes,
    )


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


def icl_in_prompt(lm: LanguageModel, examples: list[tuple[str, str]], *,
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
    offset = len(encoded.context)
    token_bytes = token_spans(lm, encoded.ids, prompt)
    inside = [overlapping(token_bytes, byte_span(prompt, span)) for span in spans]
    if offset + inside[0][0] == 0:
        raise InvalidInputError("The first label starts the prompt, so it has no prediction: "
                                "put text before {y}.")
    (stats,), _ = batched_stats(lm, [encoded.all_ids], [1])
    # stats row r scores position r + 1; text token i sits at position offset + i.
    rows = [[offset + i - 1 for i in indices] for indices in inside]
    logprob = stats.logprob.tolist()
    label_logprobs = [sum(logprob[r] for r in row) for row in rows]
    return ICLInPrompt(
        model_name=lm.name, template=template, examples=examples, prompt=prompt,
        tokens=lm.vocabulary.texts(encoded.ids), label_token_indices=inside,
        label_probs=[math.exp(lp) for lp in label_logprobs], label_logprobs=label_logprobs,
        first_token_probs=[math.exp(logprob[row[0]]) for row in rows],
        first_token_ranks=[int(stats.rank[row[0]]) for row in rows],
        entropies=[float(stats.entropy[row[0]]) for row in rows],
    )
