"""Label scoring: how probable the model finds a template filled with each candidate label."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..backends.protocol import require_known
from ..core.encoding import encode
from ..errors import InvalidInputError, NumberUnavailableError
from .templates import byte_span, check_labels, check_template, fill, overlapping, token_spans

NORMALIZE = ("label", "mean", "full")


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


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

    text: the filled template. logprob: log P(text), the sum over every token with a prediction (None when a
    served model's answer lacks some token's log-probability outside the label).
    label_logprob: the part of that sum from the tokens overlapping the label's characters (a token such
    as " positive" that also holds the template's space counts). mean_label_logprob: label_logprob per
    label token. label_tokens: how many tokens overlap the label. tokens: the per-token breakdown.
    """

    label: str
    text: str
    logprob: float | None
    label_logprob: float
    mean_label_logprob: float
    label_tokens: int
    tokens: list[LabelToken] = field(default_factory=list)

    def score(self, normalize: str) -> float:
        if normalize == "full" and self.logprob is None:
            raise NumberUnavailableError(
                f"the whole text's log-probability for label {self.label!r} is unknown (the server's answer lacks "
                "some of its tokens' numbers): use normalize='label' or 'mean'")
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


def score_labels(lm, template: str, x: str, labels: list[str], *, normalize: str = "label",
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
        if inside[0] < encoded.first_predicted:
            raise InvalidInputError(
                f"Label {label!r} starts the text, so its first token has no prediction (the tokenizer adds "
                "no BOS token): put some text before {y} in the template."
            )
        prepared.append((label, text, encoded, inside))

    stats, passes = lm.score([encoded.request() for _, _, encoded, _ in prepared], batch_size=batch_size)
    scores = []
    for (label, text, encoded, inside), stat in zip(prepared, stats, strict=True):
        first = encoded.first_predicted
        require_known(lm, stat.logprob[[i - first for i in inside]], f"the score of label {label!r}")
        # The request scored every token from `first` on; a served model's answer may lack some (NaN -> None).
        logprobs = [None] * first + [None if math.isnan(lp) else lp for lp in stat.logprob.tolist()]
        texts = lm.vocabulary.texts(encoded.ids)
        members = set(inside)
        tokens = [LabelToken(i, t, texts[i], logprobs[i], i in members) for i, t in enumerate(encoded.ids)]
        label_logprob = float(sum(logprobs[i] for i in inside))
        known = None not in logprobs[first:]
        scores.append(LabelScore(
            label=label, text=text, logprob=float(sum(logprobs[first:])) if known else None,
            label_logprob=label_logprob, mean_label_logprob=label_logprob / len(inside),
            label_tokens=len(inside), tokens=tokens,
        ))
    probs = softmax([s.score(normalize) for s in scores])
    best = max(range(len(scores)), key=lambda i: scores[i].score(normalize))
    return LabelScores(template=template, x=x, labels=labels, normalize=normalize, scores=scores, probs=probs,
                       predicted=labels[best], model_name=lm.name, forward_passes=passes)
