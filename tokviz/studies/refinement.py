"""Where the answer is refined across layers.

Kongmanee (arXiv 2501.15054) asks, for GPT-2 on multi-document question answering, how many layers pass
between the first layer whose logit-lens prediction is the answer and the layer from which the prediction
stays the answer, as the relevant document moves through the context; she reports that this gap is an
inverted U over the document's position. Here the same measure runs on any causal LM, on the QA set
shipped with tokviz (`tokviz.data.multidoc`, prompts from qa_prompts.py); layer_importance.py asks the
companion question, which layers the answer needs.

Layer numbering is the logit lens's (lens.py): layer 0 = the embedding output, layer l = the hidden state
after decoder block l, layer L = the model's own output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from ..backends.local.forward import final_states, padded_batch, plan_passes
from ..backends.local.model import LanguageModel
from ..backends.local.model_parts import model_parts
from ..backends.protocol import HIDDEN_STATES, LayerReader, as_backend, require
from ..core.encoding import Request
from ..core.progress import progress_bar
from ..errors import InvalidInputError
from .lens import first_correct_and_settled, lens_layer_stats
from .qa_prompts import answer_request, prompts_and_answers


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
    lens_name: str = "logit lens"

    def __repr__(self) -> str:
        correct = sum(r.correct for r in self.records)
        return (f"Refinement({len(self.records)} prompts, {correct} correct, {self.layers} layers of the "
                f"{self.lens_name}, model={self.model_name!r})")

    def to_dict(self) -> dict:
        return {"model_name": self.model_name, "layers": self.layers, "lens_name": self.lens_name,
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
               batch_size: int | None = None, progress: bool = True, lens=None) -> Refinement:
    """The logit lens at the answer's first token of every prompt: where the answer is first ranked first,
    from where it stays first, and whether the model's own prediction is the answer.

    prompts: QAPrompts (multidoc_prompts; they carry answer, num_docs and position) or strings with one
    answer each (a string or a token id; see answer_request). The distribution scored is the one after
    the prompt's last token. Each lens layer l < L is softmax(lm_head(final_norm(h_l))) with the model's own modules (as
    logit_lens); layer L is the model's output. Prompts run in right-padded batches (forward.plan_passes:
    at most 4,096 tokens per pass, or batch_size prompts); only one row per prompt and layer goes
    through the head. progress: show a progress bar over the passes. lens: a TunedLens
    (tokviz.tuned_lens) to read layers 0..L-1 through its translators instead of the logit lens.
    """
    lm = as_backend(lm)
    require(lm, HIDDEN_STATES, "refinement across layers")
    texts, answer_texts, meta = prompts_and_answers(prompts, answers)
    reader = lm if isinstance(lm, LayerReader) else None  # a model that reads its own layers (nnsight)
    parts = None if reader else model_parts(lm.model)  # fail before any forward pass if it is not supported
    requests = [answer_request(lm, t, a, what=f"prompts[{i}]") for i, (t, a) in enumerate(zip(texts, answer_texts))]
    top1: list[list[int]] = []  # [prompt][layer]
    ranks: list[list[int]] = []
    probs: list[list[float]] = []
    order: list[int] = []
    passes = [] if reader else plan_passes([len(r.ids) for r in requests], batch_size)
    if reader:
        answers_only = [Request(r.ids, r.rows[:1], r.targets[:1]) for r in requests]
        for i, per_layer in enumerate(reader.layer_stats(answers_only, 1)):
            order.append(i)
            top1.append([int(s.top_ids[0, 0]) for s in per_layer])
            ranks.append([int(s.rank[0]) for s in per_layer])
            probs.append([float(s.logprob[0].exp()) for s in per_layer])
    for members in progress_bar(passes, "refinement: passes over the prompts", enabled=progress):
        ids, mask = padded_batch(lm, requests, members)
        out = final_states(lm, ids, mask, all_layers=True)
        if lens is not None:
            out = lens.translate(lm, out)
        device = out.states.device
        slots = torch.arange(len(members), device=device)
        rows = torch.tensor([requests[i].rows[0] for i in members], device=device)
        targets = torch.tensor([requests[i].targets[0] for i in members])
        per_layer = lens_layer_stats(lm, out, parts.logits, slots, rows, targets, 1)
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
    return Refinement(model_name=lm.name, layers=len(top1[0]), records=records,
                      lens_name="logit lens" if lens is None else lens.name)
