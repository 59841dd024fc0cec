"""Label scoring: how probable the model finds a template filled with each candidate label.

Also the pieces the in-context-learning curves share (icl.py): filling a template while remembering where
the label sits, finding the tokens that overlap it, and batched teacher-forced forward passes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import torch

from ..checks import check_int, check_text
from ..errors import InvalidInputError, UnsupportedModelError
from ..models import LanguageModel
from .distributions import PositionStats, position_stats
from .encoding import encode

_PLACEHOLDER = re.compile(r"\{x\}|\{y\}")
# Logits of one batched pass are [sequences x tokens x vocabulary] floats: keep that near 256 MB.
_LOGIT_BUDGET = 2**26
# Padding costs compute too: a batch holds at most this many padded tokens per real one.
_MAX_PADDING = 1.25
NORMALIZE = ("label", "mean", "full")


# ---------------------------------------------------------------------------------------------------
# Templates, spans, batched passes (shared with icl.py)


def check_template(template, what: str = "template") -> str:
    if not isinstance(template, str):
        raise InvalidInputError(f"{what} must be a string, got {type(template).__name__}")
    if "{x}" not in template or template.count("{y}") != 1:
        raise InvalidInputError(
            f"{what} must contain the placeholder {{x}} (the input) and {{y}} exactly once (the label); "
            f"got {template!r}"
        )
    return template


def check_label(label, what: str = "label") -> str:
    return check_text(label, what, empty_hint="it would tokenize to no tokens, so it has no probability")


def fill(template: str, x: str, y: str) -> tuple[str, tuple[int, int]]:
    """The template with {x} and {y} replaced in one pass (so braces inside x or y stay literal), and the
    character span of y in the result."""
    parts: list[str] = []
    length = 0
    span = (0, 0)
    last = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[last : match.start()])
        length += match.start() - last
        value = x if match.group() == "{x}" else y
        if match.group() == "{y}":
            span = (length, length + len(y))
        parts.append(value)
        length += len(value)
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), span


def byte_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A character span of text as a span of its UTF-8 bytes."""
    return len(text[: span[0]].encode()), len(text[: span[1]].encode())


def token_spans(lm: LanguageModel, ids: list[int], text: str) -> list[tuple[int, int]]:
    """Byte span of each token within text.encode(), from the tokens' own bytes.

    Byte-level BPE tokens concatenate to the text exactly. Otherwise (SentencePiece adds a space in
    front of the first word) the per-token texts, which join to the decoded text, are used; a token that
    holds only part of a character then has zero width at the start of that character.
    """
    target = text.encode()
    pieces = [lm.vocabulary.bytes_of(i) for i in ids]
    if b"".join(pieces) != target:
        pieces = [t.encode() for t in lm.vocabulary.texts(ids)]
        if b"".join(pieces) != target:
            raise UnsupportedModelError(
                f"The tokens of {text[:60]!r} do not spell the text back (the tokenizer of {lm.name} "
                "normalises text), so tokviz cannot tell which tokens belong to the label."
            )
    spans = []
    position = 0
    for piece in pieces:
        spans.append((position, position + len(piece)))
        position += len(piece)
    return spans


def overlapping(spans: list[tuple[int, int]], target: tuple[int, int]) -> list[int]:
    """Indices of the tokens whose bytes overlap target (a zero-width token belongs to the next byte)."""
    start, end = target
    return [i for i, (a, b) in enumerate(spans) if (a < end and b > start if a < b else start <= a < end)]


@torch.inference_mode()
def batched_stats(lm: LanguageModel, sequences: list[list[int]], starts: list[int], *,
                  batch_size: int | None = None) -> tuple[list[PositionStats], int]:
    """Teacher-forced statistics of sequence[start:] for each id sequence, from as few forward passes as
    fit the logits budget (or batch_size sequences per pass). Returns the stats and the number of passes.

    Sequences are right-padded and masked: a real token never attends to a later pad, so padding changes
    nothing but the batch shape.
    """
    if batch_size is not None:
        check_int(batch_size, "batch_size", low=1, hint=" or None")
    token_budget = max(1, _LOGIT_BUDGET // lm.vocab_size)
    order = sorted(range(len(sequences)), key=lambda i: -len(sequences[i]))
    chunks: list[list[int]] = []
    real = 0  # tokens of the current chunk that are not padding
    for i in order:  # longest first, so each chunk's first sequence sets its width
        chunk = chunks[-1] if chunks else None
        padded = (len(chunk) + 1) * len(sequences[chunk[0]]) if chunk else 0
        if (chunk and (batch_size is None or len(chunk) < batch_size) and padded <= token_budget
                and padded <= _MAX_PADDING * (real + len(sequences[i]))):
            chunk.append(i)
            real += len(sequences[i])
        else:
            chunks.append([i])
            real = len(sequences[i])
    pad = lm.tokenizer.pad_token_id
    pad = pad if pad is not None else (lm.tokenizer.eos_token_id or 0)
    results: list[PositionStats | None] = [None] * len(sequences)
    for chunk in chunks:
        width = len(sequences[chunk[0]])
        ids = torch.full((len(chunk), width), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, i in enumerate(chunk):
            ids[row, : len(sequences[i])] = torch.tensor(sequences[i])
            mask[row, : len(sequences[i])] = 1
        logits = lm.model(input_ids=ids.to(lm.device), attention_mask=mask.to(lm.device),
                          use_cache=False).logits
        for row, i in enumerate(chunk):
            sequence, start = sequences[i], starts[i]
            targets = torch.tensor(sequence[start:], device=logits.device)
            # logits[p] predicts the token at p + 1
            results[i] = position_stats(logits[row, start - 1 : len(sequence) - 1], targets, 1)
        del logits
    return results, len(chunks)  # type: ignore[return-value]


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


# ---------------------------------------------------------------------------------------------------
# score_labels


@dataclass
class LabelToken:
    """One token of a filled template: its log-probability (None: no prediction, the text's first token
    without a BOS) and whether its characters overlap the label."""

    index: int
    token_id: int
    text: str
    logprob: float | None
    in_label: bool

    def to_dict(self) -> dict:
        return {"index": self.index, "token_id": self.token_id, "text": self.text, "logprob": self.logprob,
                "in_label": self.in_label}


@dataclass
class LabelScore:
    """The template filled with one label.

    text: the filled template. logprob: log P(text), the sum over every token with a prediction.
    label_logprob: the part of that sum from the tokens overlapping the label's characters (a token such
    as " positive" that also holds the template's space counts). mean_label_logprob: label_logprob per
    label token. label_tokens: how many tokens overlap the label. tokens: the per-token breakdown.
    """

    label: str
    text: str
    logprob: float
    label_logprob: float
    mean_label_logprob: float
    label_tokens: int
    tokens: list[LabelToken] = field(default_factory=list)

    def score(self, normalize: str) -> float:
        return {"label": self.label_logprob, "mean": self.mean_label_logprob, "full": self.logprob}[normalize]

    def to_dict(self) -> dict:
        return {
            "label": self.label, "text": self.text, "logprob": self.logprob,
            "label_logprob": self.label_logprob,
            "mean_label_logprob": self.mean_label_logprob, "label_tokens": self.label_tokens,
            "tokens": [t.to_dict() for t in self.tokens],
        }


@dataclass
class LabelScores:
    """Scores of every label for one input.

    scores: one LabelScore per label, in the given order. normalize: which score the distribution uses,
    "label" (label_logprob), "mean" (mean_label_logprob) or "full" (logprob of the whole text).
    probs: softmax of that score over the labels (sums to 1). predicted: the label with the highest score.
    forward_passes: model calls used.
    """

    template: str
    x: str
    labels: list[str]
    normalize: str
    scores: list[LabelScore]
    probs: list[float]
    predicted: str
    model_name: str
    forward_passes: int = 1

    def __getitem__(self, label: str) -> LabelScore:
        return self.scores[self.labels.index(label)]

    @property
    def distribution(self) -> dict[str, float]:
        return dict(zip(self.labels, self.probs, strict=True))

    def to_dict(self) -> dict:
        return {
            "template": self.template, "x": self.x, "labels": list(self.labels), "normalize": self.normalize,
            "scores": [s.to_dict() for s in self.scores], "probs": list(self.probs),
            "predicted": self.predicted, "model_name": self.model_name, "forward_passes": self.forward_passes,
        }

    def __repr__(self) -> str:
        pairs = zip(self.labels[:6], self.probs[:6], strict=True)
        shown = ", ".join(f"{label!r}: {p:.3f}" for label, p in pairs)
        more = ", ..." if len(self.labels) > 6 else ""
        return (f"LabelScores(predicted={self.predicted!r}, probs={{{shown}{more}}}, "
                f"normalize={self.normalize!r})")

    def table(self) -> str:
        """A plain-text table: each label's log-probabilities and its share of the distribution."""
        width = max(8, *(len(repr(label)) for label in self.labels))
        rows = [f"  {'label':<{width}} {'log P(text)':>12} {'log P(label)':>13} {'mean/token':>11} "
                f"{'tokens':>6} {'prob':>7}"]
        for s, p in zip(self.scores, self.probs, strict=True):
            mark = "*" if s.label == self.predicted else " "
            rows.append(f"{mark} {s.label!r:<{width}} {s.logprob:12.3f} {s.label_logprob:13.3f} "
                        f"{s.mean_label_logprob:11.3f} {s.label_tokens:>6} {p:7.3f}")
        rows.append(f"(prob = softmax of the {self.normalize!r} score; * = predicted)")
        return "\n".join(rows)


def check_labels(labels) -> list[str]:
    if isinstance(labels, str) or not isinstance(labels, (list, tuple)):
        raise InvalidInputError(f"labels must be a list of strings, got {type(labels).__name__}")
    if not labels:
        raise InvalidInputError("labels is empty: give at least one label to score")
    for i, label in enumerate(labels):
        check_label(label, f"labels[{i}]")
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise InvalidInputError(f"labels must be distinct; repeated: {', '.join(map(repr, duplicates))}")
    return list(labels)


def score_labels(lm: LanguageModel, template: str, x: str, labels: list[str], *, normalize: str = "label",
                 batch_size: int | None = None) -> LabelScores:
    """Score each label y by the model's probability of template with {x} -> x and {y} -> y.

    normalize picks the score the distribution over labels is a softmax of: "label" (log-prob of the
    label's tokens, default), "mean" (that per label token) or "full" (log-prob of the whole text).
    All labels run in one padded forward pass when they fit (batch_size caps the sequences per pass).
    """
    check_template(template)
    if not isinstance(x, str):
        raise InvalidInputError(f"x must be a string, got {type(x).__name__}")
    labels = check_labels(labels)
    if normalize not in NORMALIZE:
        choices = ", ".join(map(repr, NORMALIZE))
        raise InvalidInputError(f"normalize must be one of {choices}; got {normalize!r}")

    prepared = []
    for label in labels:
        text, span = fill(template, x, label)
        encoded = encode(lm, text, what=f"the template filled with label {label!r}")
        inside = overlapping(token_spans(lm, encoded.ids, text), byte_span(text, span))
        if not encoded.context and inside[0] == 0:
            raise InvalidInputError(
                f"Label {label!r} starts the text, so its first token has no prediction (the tokenizer adds "
                "no BOS token): put some text before {y} in the template."
            )
        prepared.append((label, text, encoded, inside))

    stats, passes = batched_stats(lm, [p[2].all_ids for p in prepared], [1] * len(prepared),
                                  batch_size=batch_size)
    scores = []
    for (label, text, encoded, inside), stat in zip(prepared, stats, strict=True):
        offset = len(encoded.context)
        # Text token i sits at position offset + i; stats row r scores position r + 1.
        logprobs = stat.logprob.tolist()[offset - 1 if offset else 0 :]
        if not offset:
            logprobs = [None, *logprobs]
        texts = lm.vocabulary.texts(encoded.ids)
        members = set(inside)
        tokens = [LabelToken(i, t, texts[i], logprobs[i], i in members) for i, t in enumerate(encoded.ids)]
        label_logprob = float(sum(logprobs[i] for i in inside))
        scores.append(LabelScore(
            label=label, text=text, logprob=float(sum(lp for lp in logprobs if lp is not None)),
            label_logprob=label_logprob, mean_label_logprob=label_logprob / len(inside),
            label_tokens=len(inside), tokens=tokens,
        ))
    probs = softmax([s.score(normalize) for s in scores])
    best = max(range(len(scores)), key=lambda i: scores[i].score(normalize))
    return LabelScores(template=template, x=x, labels=labels, normalize=normalize, scores=scores, probs=probs,
                       predicted=labels[best], model_name=lm.name, forward_passes=passes)
