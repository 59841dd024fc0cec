"""Where the answer is refined across layers, and which layers it needs.

Kongmanee (arXiv 2501.15054) asks, for GPT-2 on multi-document question answering, how many layers pass
between the first layer whose logit-lens prediction is the answer and the layer from which the prediction
stays the answer, as the relevant document moves through the context; she reports that this gap is an
inverted U over the document's position. Here the same measure runs on any causal LM, on the QA set
shipped with tokviz (`tokviz.data.multidoc`), together with a layer-importance measure: how much the
answer's log-probability drops when one decoder layer is skipped.

Layer numbering is the logit lens's (lens.py): layer 0 = the embedding output, layer l = the hidden state
after decoder block l, layer L = the model's own output. Skipping layer l (1..L) removes block l's
residual update: the block's output is its input.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch

from ..backends.local.forward import Request, final_states, padded_batch, plan_passes, project_stats, score
from ..backends.local.model import LanguageModel
from ..backends.local.model_parts import decoder_layers, model_parts
from ..backends.protocol import HIDDEN_STATES, require
from ..checks import check_int, check_text, is_int
from ..core.encoding import Encoded, encode, tokenize
from ..data.multidoc import QAItem, multidoc_items
from ..errors import InvalidInputError
from .lens import first_correct_and_settled

# ----------------------------------------------------------------------------------------------------
# Prompts


@dataclass(frozen=True)
class QAPrompt:
    """A multi-document prompt: `num_docs` documents, the one that answers the question at `position`
    (1-based), then the question and the start of the answer sentence. `answer` (leading space) is what
    should come next; its first token is the one scored. document_ids: the item ids of the documents, in
    prompt order."""

    text: str
    answer: str
    item_id: str
    num_docs: int
    position: int
    document_ids: tuple[str, ...]


def format_prompt(documents: Sequence[str], item: QAItem) -> str:
    """The prompt text: one line per document, the question, and 'Answer: ' with the document's words
    before the answer (the answer's first token is the next token)."""
    lines = [f"Document {i}: {doc}" for i, doc in enumerate(documents, start=1)]
    return "\n".join([*lines, f"Question: {item.question}", f"Answer: {item.prefix}"])


def multidoc_prompts(num_docs: int, *, positions: Sequence[int] | None = None, limit: int | None = None,
                     seed: int = 0, items: Sequence[QAItem] | None = None) -> list[QAPrompt]:
    """Prompts with num_docs documents, the relevant one at each position in turn.

    For each asked item, num_docs - 1 distractor documents are drawn once (without replacement, from the
    other items, with a random.Random seeded by seed, num_docs and the item's id) and kept in one order;
    the relevant document is inserted among them at each position, so only its position changes.
    positions: 1-based positions to use (default 1..num_docs). limit: ask only the first `limit` items
    (distractors still come from all of them). items: the pool (default: the shipped set).
    Ordered by item, then position.
    """
    pool = list(multidoc_items() if items is None else items)
    if not pool or not all(isinstance(item, QAItem) for item in pool):
        raise InvalidInputError("items must be a non-empty sequence of QAItem (or None for the shipped set)")
    check_int(num_docs, "num_docs", low=1, high=len(pool), hint=f" (the pool has {len(pool)} items)")
    check_int(seed, "seed")
    if positions is None:
        positions = range(1, num_docs + 1)
    elif isinstance(positions, (str, bytes)) or not isinstance(positions, Sequence) or not positions:
        raise InvalidInputError(f"positions must be a non-empty list of positions 1..{num_docs}; got {positions!r}")
    positions = [check_int(p, "position", low=1, high=num_docs) for p in positions]
    asked = pool if limit is None else pool[: check_int(limit, "limit", low=1)]
    prompts = []
    for item in asked:
        others = [other for other in pool if other.id != item.id]
        distractors = random.Random(f"{seed}:{num_docs}:{item.id}").sample(others, num_docs - 1)
        for position in positions:
            docs = [*distractors[: position - 1], item, *distractors[position - 1 :]]
            prompts.append(QAPrompt(
                text=format_prompt([d.document for d in docs], item), answer=item.answer, item_id=item.id,
                num_docs=num_docs, position=position, document_ids=tuple(d.id for d in docs)))
    return prompts


def answer_request(lm: LanguageModel, prompt: str, answer: str | int, *, what: str = "prompt") -> Request:
    """The scoring request for the answer's first token right after the prompt.

    answer: a string (the answer's first token is token len(tokens(prompt)) of prompt + answer, provided
    the prompt's tokens are a prefix of those of prompt + answer, i.e. the tokenizer does not merge across
    the boundary; otherwise the first token is not defined and InvalidInputError says so), or a token id
    (scored as the token after the prompt's tokens).
    """
    check_text(prompt, what)
    if is_int(answer):
        check_int(answer, f"answer of {what}", low=0, high=lm.vocab_size - 1)
        alone = encode(lm, prompt, what=what, room=1)
        return Encoded(alone.context, [*alone.ids, int(answer)]).request([len(alone.ids)])
    if not isinstance(answer, str):
        raise InvalidInputError(f"the answer of {what} must be a string or a token id, got {answer!r}")
    check_text(answer, f"answer of {what}")
    alone = tokenize(lm, prompt, what=what)
    whole = encode(lm, prompt + answer, what=what)
    n = len(alone.ids)
    if whole.context != alone.context or whole.ids[:n] != alone.ids or len(whole.ids) == n:
        raise InvalidInputError(
            f"the answer {answer!r} does not start a new token after {what} (the tokenizer merges it with the "
            f"prompt's last token), so its first token is not defined; end the prompt before the space")
    return whole.request([n])


def _prompts_and_answers(prompts, answers) -> tuple[list[str], list, list[QAPrompt | None]]:
    if isinstance(prompts, (str, QAPrompt)) or not isinstance(prompts, Sequence) or not prompts:
        raise InvalidInputError("prompts must be a non-empty list of QAPrompt or of strings")
    if all(isinstance(p, QAPrompt) for p in prompts):
        if answers is not None:
            raise InvalidInputError("QAPrompts carry their answers: leave answers=None")
        return [p.text for p in prompts], [p.answer for p in prompts], list(prompts)
    if not all(isinstance(p, str) for p in prompts):
        raise InvalidInputError("prompts must all be QAPrompt or all be strings")
    if isinstance(answers, str) or not isinstance(answers, Sequence) or len(answers) != len(prompts):
        raise InvalidInputError(f"answers must be a list of {len(prompts)} answers (strings or token ids), "
                                f"one per prompt; got {answers!r}")
    return list(prompts), list(answers), [None] * len(prompts)


# ----------------------------------------------------------------------------------------------------
# Refinement: first layer with the answer on top, the layer from which it stays there, the gap


@dataclass
class RefinementRecord:
    """One prompt, at the answer's first token. first_correct: the first lens layer (0..L) whose top-1
    is the answer (None if none is). stays_first: the first layer from which the top-1 is the answer at
    every later layer, the output included (None unless the final prediction is correct). gap =
    stays_first - first_correct (None unless correct). answer_ranks / answer_probs: per layer 0..L."""

    item_id: str | None
    num_docs: int | None
    position: int | None
    answer_id: int
    final_top1: int
    correct: bool
    first_correct: int | None
    stays_first: int | None
    gap: int | None
    answer_prob: float
    answer_ranks: list[int] = field(repr=False)
    answer_probs: list[float] = field(repr=False)


@dataclass
class PositionSummary:
    """The records of one (num_docs, position): count, accuracy (final top-1 = answer), and over the
    correct ones the mean first_correct, stays_first and gap (None when no record is correct); mean_prob:
    the mean probability of the answer's first token at the output, over all records."""

    num_docs: int | None
    position: int | None
    count: int
    correct: int
    accuracy: float
    mean_first: float | None
    mean_stays: float | None
    mean_gap: float | None
    mean_prob: float


@dataclass
class GapShape:
    """The gap's shape over positions for one num_docs (correct records only).

    mean_gaps[i]: mean gap at positions[i]. curvature: the x^2 coefficient of a least-squares quadratic
    gap = a + b x + c x^2 through every correct record, x = (position - 1) / (num_docs - 1) in [0, 1]
    (negative = bent down, as an inverted U); curvature_ci: its 95% interval over `boots` bootstrap
    resamples of the items (each item's records kept together). middle_mean: mean gap over the records at
    positions strictly between the first and the last. verdict: "inverted U" when the interval lies below 0
    and middle_mean exceeds the mean gap at both ends; "U" for the mirror image; otherwise "no clear
    curvature" (also when num_docs < 3 or a position has no correct record)."""

    num_docs: int
    positions: list[int]
    mean_gaps: list[float | None]
    counts: list[int]
    first: float | None
    last: float | None
    middle_mean: float | None
    curvature: float | None
    curvature_ci: tuple[float, float] | None
    verdict: str


@dataclass
class Refinement:
    """Per prompt, where the logit lens first ranks the answer first and from where it stays first.

    layers: the number of lens layers (L + 1: the embeddings, every block, the output).
    """

    model_name: str
    layers: int
    records: list[RefinementRecord]

    def __repr__(self) -> str:
        correct = sum(r.correct for r in self.records)
        return (f"Refinement({len(self.records)} prompts, {correct} correct, {self.layers} lens layers, "
                f"model={self.model_name!r})")

    def to_dict(self) -> dict:
        return {"model_name": self.model_name, "layers": self.layers,
                "records": [vars(r).copy() for r in self.records]}

    def summary(self) -> list[PositionSummary]:
        """One PositionSummary per (num_docs, position), sorted."""
        groups: dict[tuple, list[RefinementRecord]] = {}
        for r in self.records:
            groups.setdefault((r.num_docs, r.position), []).append(r)

        def mean(values):
            return float(np.mean(values)) if values else None

        out = []
        for (n, p), rs in sorted(groups.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1] or 0)):
            ok = [r for r in rs if r.correct]
            out.append(PositionSummary(
                num_docs=n, position=p, count=len(rs), correct=len(ok), accuracy=len(ok) / len(rs),
                mean_first=mean([r.first_correct for r in ok]), mean_stays=mean([r.stays_first for r in ok]),
                mean_gap=mean([r.gap for r in ok]), mean_prob=float(np.mean([r.answer_prob for r in rs]))))
        return out

    def shape(self, num_docs: int, *, boots: int = 1000, seed: int = 0) -> GapShape:
        """The gap's shape over the positions of num_docs documents (see GapShape)."""
        records = [r for r in self.records if r.num_docs == num_docs]
        if not records:
            raise InvalidInputError(f"no records with num_docs={num_docs}")
        positions = sorted({r.position for r in records})
        ok = [r for r in records if r.correct]
        by_pos = {p: [r.gap for r in ok if r.position == p] for p in positions}
        mean_gaps = [float(np.mean(by_pos[p])) if by_pos[p] else None for p in positions]
        counts = [len(by_pos[p]) for p in positions]
        ends = (positions[0], positions[-1])
        middle = [r.gap for r in ok if ends[0] < r.position < ends[1]]
        first, last = mean_gaps[0], mean_gaps[-1]
        middle_mean = float(np.mean(middle)) if middle else None
        curvature = ci = None
        verdict = "no clear curvature"
        span = max(num_docs - 1, 1)
        if len(positions) >= 3 and all(counts):
            def fit(rs):
                x = np.array([(r.position - 1) / span for r in rs], dtype=np.float64)
                if len(set(x.tolist())) < 3:
                    return None
                return float(np.polyfit(x, np.array([r.gap for r in rs], dtype=np.float64), 2)[0])

            curvature = fit(ok)
            by_item: dict = {}
            for r in ok:
                by_item.setdefault(r.item_id, []).append(r)
            keys = list(by_item)
            rng = np.random.default_rng(seed)
            samples = []
            for _ in range(boots):
                c = fit([r for k in rng.choice(len(keys), len(keys)) for r in by_item[keys[k]]])
                if c is not None:
                    samples.append(c)
            if samples:
                low, high = np.percentile(samples, [2.5, 97.5])
                ci = (float(low), float(high))
                if middle_mean is not None and high < 0 and middle_mean > max(first, last):
                    verdict = "inverted U"
                elif middle_mean is not None and low > 0 and middle_mean < min(first, last):
                    verdict = "U"
        return GapShape(num_docs=num_docs, positions=positions, mean_gaps=mean_gaps, counts=counts, first=first,
                        last=last, middle_mean=middle_mean, curvature=curvature, curvature_ci=ci, verdict=verdict)

    def plot(self, ax=None, *, what: str = "mean_gap"):
        """A PositionSummary field (mean_gap, accuracy, mean_first, mean_stays) against position, one line
        per num_docs; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        rows = self.summary()
        for n in sorted({s.num_docs for s in rows if s.num_docs is not None}):
            pts = [(s.position, getattr(s, what)) for s in rows if s.num_docs == n and getattr(s, what) is not None]
            ax.plot([p for p, _ in pts], [v for _, v in pts], "o-", label=f"{n} documents")
        ax.set_xlabel("position of the relevant document")
        ax.set_ylabel(what.replace("_", " "))
        ax.legend()
        return ax


@torch.inference_mode()
def refinement(lm: LanguageModel, prompts, answers: Sequence[str | int] | None = None, *,
               batch_size: int | None = None) -> Refinement:
    """The logit lens at the answer's first token of every prompt: where the answer is first ranked first,
    from where it stays first, and whether the model's own prediction is the answer.

    prompts: QAPrompts (multidoc_prompts; they carry answer, num_docs and position) or strings with one
    answer each (a string or a token id; see answer_request). The distribution scored is the one after
    the prompt's last token. Each lens layer l < L is softmax(lm_head(final_norm(h_l))) with the model's own modules (as
    logit_lens); layer L is the model's output. Prompts run in right-padded batches (forward.plan_passes:
    at most 4,096 tokens per pass, or batch_size prompts); only one row per prompt and layer goes
    through the head.
    """
    require(lm, HIDDEN_STATES, "refinement across layers")
    texts, answer_texts, meta = _prompts_and_answers(prompts, answers)
    parts = model_parts(lm.model)  # fail before any forward pass if the model is not supported
    requests = [answer_request(lm, t, a, what=f"prompts[{i}]") for i, (t, a) in enumerate(zip(texts, answer_texts))]
    top1: list[list[int]] = []  # [prompt][layer]
    ranks: list[list[int]] = []
    probs: list[list[float]] = []
    order: list[int] = []
    for members in plan_passes([len(r.ids) for r in requests], batch_size):
        ids, mask = padded_batch(lm, requests, members)
        out = final_states(lm, ids, mask, all_layers=True)
        device = out.states.device
        slots = torch.arange(len(members), device=device)
        rows = torch.tensor([requests[i].rows[0] for i in members], device=device)
        targets = torch.tensor([requests[i].targets[0] for i in members])
        L = len(out.layers) - 1
        per_layer = []
        for layer in range(L + 1):
            if layer == L:
                states, project, owned = out.states[slots, rows], out.project, out.owned
            else:
                h = out.layers[layer]
                states, project, owned = h[slots.to(h.device), rows.to(h.device)], parts.logits, True
            per_layer.append(project_stats(states, project, targets, 1, lm.vocab_size, owned=owned, entropy=False))
        for b, i in enumerate(members):
            order.append(i)
            top1.append([int(s.top_ids[b, 0]) for s in per_layer])
            ranks.append([int(s.rank[b]) for s in per_layer])
            probs.append([float(s.logprob[b].exp()) for s in per_layer])
        del out
    back = {i: k for k, i in enumerate(order)}
    records = []
    for i, request in enumerate(requests):
        column = top1[back[i]]
        answer = request.targets[0]
        (first,), (settled,) = first_correct_and_settled([[t] for t in column], [answer])
        correct = column[-1] == answer
        m = meta[i]
        records.append(RefinementRecord(
            item_id=m.item_id if m else None, num_docs=m.num_docs if m else None, position=m.position if m else None,
            answer_id=answer, final_top1=column[-1], correct=correct, first_correct=first,
            stays_first=settled if correct else None, gap=settled - first if correct else None,
            answer_prob=probs[back[i]][-1], answer_ranks=ranks[back[i]], answer_probs=probs[back[i]]))
    return Refinement(model_name=lm.name, layers=len(top1[0]), records=records)


# ----------------------------------------------------------------------------------------------------
# Layer importance: the answer's log-probability with one layer skipped


@contextmanager
def skipped_layer(model: torch.nn.Module, layer: int) -> Iterator[None]:
    """Inside the block, decoder block `layer` (1-based, as the lens counts) passes its input through
    unchanged: its residual update (attention and MLP) is removed. A forward hook replaces the block's
    output with its input; it is removed on leaving, whatever happened inside."""
    blocks = decoder_layers(model)
    check_int(layer, "layer", low=1, high=len(blocks))

    def identity(module, args, kwargs, output):
        hidden = args[0] if args else kwargs["hidden_states"]
        if isinstance(output, tuple):
            return (hidden, *output[1:])
        if isinstance(output, torch.Tensor):
            return hidden
        raise TypeError(f"cannot skip {type(module).__name__}: it returns {type(output).__name__}")

    handle = blocks[layer - 1].register_forward_hook(identity, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()


@dataclass
class LayerImportance:
    """The answer's log-probability at its first token, with each decoder layer skipped in turn.

    layers: the skipped layers (1-based). baseline_logprobs[j]: prompt j with nothing skipped.
    skipped_logprobs[i][j]: prompt j with layers[i] skipped. drops[i] = mean over prompts of
    baseline - skipped (nats; positive = the layer helps the answer). baseline_accuracy / accuracy[i]:
    the share of prompts whose top-1 is the answer, without / with layers[i] skipped.
    """

    model_name: str
    layers: list[int]
    baseline_logprobs: list[float]
    skipped_logprobs: list[list[float]]
    drops: list[float]
    baseline_accuracy: float
    accuracy: list[float]

    def __repr__(self) -> str:
        top = sorted(zip(self.drops, self.layers), reverse=True)[:3]
        named = ", ".join(f"{l}: {d:.2f}" for d, l in top)
        return (f"LayerImportance({len(self.layers)} layers, largest drops (layer: nats) {named}, "
                f"model={self.model_name!r})")

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def essential(self, threshold: float = 1.0) -> list[int]:
        """The layers whose removal lowers the answer's log-probability by at least `threshold` nats on
        average (1 nat: the answer's probability falls to about a third), largest drop first."""
        found = [(d, l) for d, l in zip(self.drops, self.layers) if d >= threshold]
        return [l for _, l in sorted(found, reverse=True)]

    def plot(self, ax=None, *, threshold: float = 1.0):
        """One bar per skipped layer (drop in nats), essential layers highlighted; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3))
        essential = set(self.essential(threshold))
        colours = ["#b2182b" if l in essential else "#7f7f7f" for l in self.layers]
        ax.bar(self.layers, self.drops, color=colours)
        ax.axhline(threshold, color="#b2182b", linewidth=0.8, linestyle="--")
        ax.set_xlabel("skipped layer")
        ax.set_ylabel("drop in log P(answer), nats")
        return ax


@torch.inference_mode()
def layer_importance(lm: LanguageModel, prompts, answers: Sequence[str | int] | None = None, *,
                     layers: Sequence[int] | None = None, batch_size: int | None = None) -> LayerImportance:
    """The drop in the answer's log-probability when each decoder layer is skipped (skipped_layer),
    averaged over prompts. The answer's first token is scored after each prompt (answer_request) by the
    scoring core (batched, one head row per prompt). layers: which layers to skip (default: all, 1..L);
    one batched pass over the prompts per layer, plus one with nothing skipped.
    """
    require(lm, HIDDEN_STATES, "layer importance")
    texts, answer_texts, _ = _prompts_and_answers(prompts, answers)
    blocks = decoder_layers(lm.model)
    chosen = list(range(1, len(blocks) + 1)) if layers is None else list(layers)
    if not chosen:
        raise InvalidInputError("layers must name at least one layer")
    chosen = [check_int(l, "layer", low=1, high=len(blocks)) for l in chosen]
    requests = [answer_request(lm, t, a, what=f"prompts[{i}]") for i, (t, a) in enumerate(zip(texts, answer_texts))]

    def run():
        stats, _ = score(lm, requests, 1, batch_size=batch_size)
        return ([float(s.logprob[0]) for s in stats],
                [int(s.top_ids[0, 0]) == r.targets[0] for s, r in zip(stats, requests)])

    base, base_ok = run()
    skipped, accuracy = [], []
    for layer in chosen:
        with skipped_layer(lm.model, layer):
            logprobs, ok = run()
        skipped.append(logprobs)
        accuracy.append(sum(ok) / len(ok))
    drops = [float(np.mean([b - s for b, s in zip(base, row)])) for row in skipped]
    return LayerImportance(model_name=lm.name, layers=chosen, baseline_logprobs=base, skipped_logprobs=skipped,
                           drops=drops, baseline_accuracy=sum(base_ok) / len(base_ok), accuracy=accuracy)
