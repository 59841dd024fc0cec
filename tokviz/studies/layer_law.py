"""He & Su's law of next-token prediction: how linearly predictable the next token is, layer by layer.

He & Su (2024), "A Law of Next-Token Prediction in Large Language Models" (arXiv 2408.13442), fit a linear
map from each layer's hidden state to the next token and find that the unexplained fraction, the
prediction residual PR_l, falls by a roughly constant factor per layer: log10 PR_l = a + b (l - 1).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import torch

from ..backends.local.forward import final_states
from ..backends.local.model import LanguageModel
from ..backends.local.model_parts import final_norm, plain_norm
from ..backends.protocol import HIDDEN_STATES, LayerReader, as_backend, require
from ..checks import check_int
from ..core.encoding import encode
from ..core.progress import progress_bar
from ..data import corpus_paragraphs
from ..errors import InvalidInputError, TokvizWarning

METHODS = ("id", "onehot")


@dataclass
class LayerLaw:
    """Prediction residuals per layer and the fitted law (layers 1..L; the embeddings are excluded).

    pr[i]: in-sample PR of layer layers[i] = mean((y - y_hat)^2) / Var(y) on all examples.
    heldout_pr[i]: the same measure on the odd-numbered sequences, fitted on the even-numbered ones
    (None where there were too few examples to fit). slope b, intercept a: log10 PR_l = a + b (l - 1);
    rho = 10^b, the factor by which each layer multiplies PR; pearson_r of log10 PR against l.
    pr_ratio = PR_L / PR_1. reduction_shares[i]: the share of the total fall of log10 PR from layer 1 to
    layer L that happens from layer layers[i] to layers[i + 1] (L - 1 entries, summing to 1).
    method: "id" (the paper's measure, scalar token id) or "onehot" (a variant; see layer_law).
    """

    model_name: str
    method: str
    layers: list[int]
    pr: list[float]
    heldout_pr: list[float | None]
    slope: float
    intercept: float
    rho: float
    pearson_r: float
    pr_ratio: float
    reduction_shares: list[float]
    heldout_slope: float | None
    heldout_pearson_r: float | None
    num_examples: int
    num_sequences: int
    hidden_size: int
    top_tokens: int | None = None

    def __post_init__(self):
        L = len(self.layers)
        if len(self.pr) != L or len(self.heldout_pr) != L:
            raise ValueError(f"pr and heldout_pr must have one entry per layer ({L})")
        if len(self.reduction_shares) != L - 1:
            raise ValueError(f"reduction_shares must have {L - 1} entries (one per step between layers)")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def __repr__(self) -> str:
        return (f"LayerLaw(method={self.method!r}, layers=1..{self.layers[-1]}, slope={self.slope:.4f}, "
                f"rho={self.rho:.4f}, r={self.pearson_r:.3f}, PR_L/PR_1={self.pr_ratio:.3f}, "
                f"examples={self.num_examples}, model={self.model_name!r})")

    def plot(self, ax=None):
        """log10 PR against layer with the fitted line (and held-out PR if present); returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        layers = np.array(self.layers)
        ax.plot(layers, np.log10(self.pr), "o", label="in-sample PR")
        held = [(l, p) for l, p in zip(self.layers, self.heldout_pr) if p is not None]
        if held:
            ax.plot([l for l, _ in held], [math.log10(p) for _, p in held], "s", mfc="none",
                    label="held-out PR")
        ax.plot(layers, self.intercept + self.slope * (layers - 1), "-",
                label=f"fit: rho={self.rho:.3f}, r={self.pearson_r:.3f}")
        ax.set_xlabel("layer l")
        ax.set_ylabel("log10 PR_l")
        ax.set_title(f"Law of next-token prediction ({self.method}), {self.model_name}")
        ax.legend()
        return ax


def chunk_paragraphs(tokenizer, paragraphs, max_tokens: int = 256) -> list[str]:
    """Join consecutive paragraphs (with blank lines) into texts of at most max_tokens tokens each."""
    chunks: list[str] = []
    current = ""
    for paragraph in paragraphs:
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if current and len(tokenizer(candidate, add_special_tokens=False)["input_ids"]) > max_tokens:
            chunks.append(current)
            candidate = paragraph
        current = candidate
    if current:
        chunks.append(current)
    return chunks


class _Fit:
    """Ordinary least squares with intercept, through the normal equations of standardised features.

    One Gram matrix per half of the data serves both the full fit (sum of the halves) and the held-out
    fit, which is what keeps 30 layers x ~7,000 examples x 577 columns fast on a CPU. Centring handles the
    intercept exactly, and scaling every column to unit variance keeps the float64 system well conditioned.
    """

    def __init__(self, x: torch.Tensor, fit_mask: torch.Tensor):
        x = x.double()
        self.mean = x.mean(0)
        self.scale = x.std(0).clamp_min(1e-12)
        self.x = (x - self.mean) / self.scale
        self.fit_mask = fit_mask
        self.gram_fit = self.x[fit_mask].T @ self.x[fit_mask]
        self.gram_rest = self.x[~fit_mask].T @ self.x[~fit_mask]

    def _solve(self, gram, x, y):
        # lstsq on the small square system: a rank-deficient Gram (constant columns) still gets a solution.
        y_mean = y.mean(0)
        x_mean = x.mean(0)
        coef = torch.linalg.lstsq(gram - len(x) * torch.outer(x_mean, x_mean), x.T @ (y - y_mean)).solution
        return coef, y_mean - x_mean @ coef

    @staticmethod
    def _ratio(x, y, coef, intercept) -> float:
        residual = y - x @ coef - intercept
        return float(residual.pow(2).sum() / (y - y.mean(0)).pow(2).sum())

    def in_sample(self, y: torch.Tensor) -> float:
        coef, intercept = self._solve(self.gram_fit + self.gram_rest, self.x, y)
        return self._ratio(self.x, y, coef, intercept)

    def held_out(self, y: torch.Tensor) -> float:
        fit, rest = self.fit_mask, ~self.fit_mask
        coef, intercept = self._solve(self.gram_fit, self.x[fit], y[fit])
        return self._ratio(self.x[rest], y[rest], coef, intercept)


def _targets(next_ids: torch.Tensor, method: str, top_tokens: int) -> torch.Tensor:
    if method == "id":
        return next_ids.double()[:, None]
    # One column per frequent token plus one "any other token" column, so every row is one-hot.
    frequent = [t for t, _ in Counter(next_ids.tolist()).most_common(top_tokens)]
    column = {t: i for i, t in enumerate(frequent)}
    index = torch.tensor([column.get(t, len(frequent)) for t in next_ids.tolist()])
    return torch.nn.functional.one_hot(index, len(frequent) + 1).double()


def _law(pr: list[float]) -> tuple[float, float, float]:
    """slope, intercept and Pearson r of log10 PR against l - 1."""
    steps = np.arange(len(pr), dtype=np.float64)
    logs = np.log10(np.asarray(pr, dtype=np.float64))
    slope, intercept = np.polyfit(steps, logs, 1)
    r = float(np.corrcoef(steps, logs)[0, 1]) if len(pr) > 2 else float(np.sign(logs[-1] - logs[0]))
    return float(slope), float(intercept), r


@torch.inference_mode()
def _collect(lm: LanguageModel, texts: list[str], show_progress: bool):
    """Per sequence: next-token ids [T-1] and, per layer 1..L, features [T-1, d] (float32, or float64 for a
    float64 model, on the CPU)."""
    reader = lm if isinstance(lm, LayerReader) else None  # a model that reads its own layers (nnsight)
    norm = None if reader else plain_norm(final_norm(lm.model))
    sequences = []
    for i, text in enumerate(progress_bar(texts, "layer law: reading texts", enabled=show_progress)):
        encoded = encode(lm, text, what=f"texts[{i}]")
        ids = encoded.all_ids
        if len(ids) < 2:
            continue
        if reader:
            sequences.append((torch.tensor(ids[1:]), reader.layer_features(ids)))
            continue
        # the logits are not needed (skip the [T, vocab] head); layers in lens order, embedding output first
        hidden = final_states(lm, encoded.tensor(lm.device), all_layers=True).layers
        L = len(hidden) - 1
        # h_L is already normed by the model; h_1..h_{L-1} get the final norm without its learned gain.
        features = [_stored(norm(hidden[l][0, :-1])) for l in range(1, L)]
        features.append(_stored(hidden[L][0, :-1]))
        sequences.append((torch.tensor(ids[1:]), features))
    return sequences


def _stored(features: torch.Tensor) -> torch.Tensor:
    # float64 features stay float64: features of random or small models can be ill-conditioned (1e8) enough
    # that float32 rounding moves PR in the third digit
    return (features if features.dtype == torch.float64 else features.float()).cpu()


def layer_law(lm: LanguageModel, texts: list[str] | None = None, *, method: str = "id",
              max_tokens: int = 256, top_tokens: int = 100, progress: bool = True) -> LayerLaw:
    """Measure He & Su's law of next-token prediction on lm.

    Every position j < T - 1 of every text is one example: x = h_l[j], the hidden state after layer l,
    and y = the id of token j + 1. h_1..h_{L-1} pass through a fresh final norm of the model's kind with
    no learned gain (same eps); h_L is used as transformers returns it (already normed). For each layer an
    ordinary least-squares fit with intercept (float64; normal equations of standardised features solved
    with torch.linalg.lstsq) gives the prediction residual
    PR_l = mean((y - y_hat)^2) / Var(y), in-sample as in the paper; because an in-sample fit also explains
    noise (R^2 ~ d/N), a held-out PR (fit on even-numbered texts, measured on odd-numbered ones) is reported
    beside it. Use at least 10 x hidden_size examples; fewer gives a TokvizWarning.

    method="id" is the paper's measure (their released code regresses the scalar token id).
    method="onehot" is a variant closer to the paper's prose: a multi-output fit on one-hot targets of the
    top_tokens most frequent next tokens plus one column for all other tokens; PR is then the summed
    squared residual over the summed variance of the columns.

    texts: None for the corpus shipped in tokviz.data, joined into chunks of at most max_tokens tokens;
    otherwise each text is one sequence. Memory: L x examples x hidden_size float32 values on the CPU.
    progress: show progress bars (reading the texts, fitting the layers); about 1.5 minutes on the default
    model and corpus on a 2-core CPU.
    """
    lm = as_backend(lm)
    require(lm, HIDDEN_STATES, "the layer law")
    if method not in METHODS:
        raise InvalidInputError(f"method must be 'id' (the paper's) or 'onehot' (variant); got {method!r}")
    check_int(top_tokens, "top_tokens", low=1)
    if texts is None:
        texts = chunk_paragraphs(lm.tokenizer, corpus_paragraphs(), max_tokens)
    elif isinstance(texts, str) or not isinstance(texts, (list, tuple)) or not texts:
        raise InvalidInputError("texts must be a non-empty list of strings (or None for the shipped corpus)")
    if lm.num_layers < 2:
        raise InvalidInputError(f"{lm.name} has {lm.num_layers} layer(s); the law needs at least 2")

    sequences = _collect(lm, list(texts), progress)
    d = sequences[0][1][0].shape[1] if sequences else 0
    n = sum(len(y) for y, _ in sequences)
    if n <= d + 1:
        raise InvalidInputError(
            f"layer_law needs more examples than hidden_size + 1 = {d + 1} (at least 10 x {d} = {10 * d} "
            f"is advisable); these texts give {n}. Pass more or longer texts, or texts=None."
        )
    if n < 10 * d:
        warnings.warn(f"layer_law: {n} examples for hidden size {d}; the in-sample PR is biased low below "
                      f"about {10 * d}; compare with heldout_pr", TokvizWarning, stacklevel=2)
    y_all = _targets(torch.cat([y for y, _ in sequences]), method, top_tokens)
    fit_mask = torch.cat([torch.full((len(y),), i % 2 == 0) for i, (y, _) in enumerate(sequences)])
    can_hold_out = len(sequences) >= 2 and int(fit_mask.sum()) > d + 1

    num_layers = len(sequences[0][1])
    pr: list[float] = []
    heldout: list[float | None] = []
    for layer in progress_bar(range(num_layers), "layer law: fitting layers", enabled=progress):
        fit = _Fit(torch.cat([features[layer] for _, features in sequences]), fit_mask)
        pr.append(fit.in_sample(y_all))
        heldout.append(fit.held_out(y_all) if can_hold_out else None)

    slope, intercept, r = _law(pr)
    logs = np.log10(pr)
    total = logs[0] - logs[-1]
    shares = [float((logs[i] - logs[i + 1]) / total) if total != 0 else 0.0 for i in range(num_layers - 1)]
    held_slope = held_r = None
    if can_hold_out and all(p is not None and p > 0 for p in heldout):
        held_slope, _, held_r = _law(heldout)
    return LayerLaw(
        model_name=lm.name, method=method, layers=list(range(1, num_layers + 1)), pr=pr, heldout_pr=heldout,
        slope=slope, intercept=intercept, rho=10**slope, pearson_r=r, pr_ratio=pr[-1] / pr[0],
        reduction_shares=shares, heldout_slope=held_slope, heldout_pearson_r=held_r, num_examples=n,
        num_sequences=len(sequences), hidden_size=d, top_tokens=top_tokens if method == "onehot" else None,
    )


# --- The law against the paper -------------------------------------------------------------------

# What He & Su report (arXiv 2408.13442; ../shared/DESIGN.md section 11): log10 PR falls linearly with the
# layer, i.e. every layer contributes about equally, with a Pearson r between layer and log10 PR of about
# -0.98 to -0.997 across their models (GPT-1, GPT-2-XL, Llama, Mistral, ...), embeddings excluded. They
# publish no per-layer factor that would carry over to another model, so none is compared.
PAPER_PEARSON_R = (-0.997, -0.98)


def paper_comparison(law: LayerLaw) -> list[dict]:
    """Rows (measure, paper, tokviz in-sample, tokviz held-out) putting a measured law beside He & Su's
    reported figures. "Near-equal contributions" is read through the per-step shares of the total fall of
    log10 PR (equal contributions: every share = 1 / (L - 1)), their spread, and the share of the fall in
    the first half of the steps (equal contributions: about half); where PR does not fall from layer 1 to
    layer L there is no fall to share ("n/a"). The held-out column uses heldout_pr. The paper's column is
    text: the reported range of r, and the law's statements where no number is reported."""

    def shares(pr):
        if pr is None or any(p is None or p <= 0 for p in pr):
            return None
        logs = np.log10(np.asarray(pr, dtype=np.float64))
        total = logs[0] - logs[-1]
        return None if total <= 0 else (logs[:-1] - logs[1:]) / total  # no fall: no shares of it

    def fmt(value, digits=3):
        return "n/a" if value is None else f"{value:.{digits}f}"

    steps = len(law.layers) - 1
    equal = 1 / steps
    measured = {"in-sample": shares(law.pr), "held-out": shares(law.heldout_pr)}

    def share_stats(s):
        if s is None:
            return None
        half = steps // 2
        return {"max": float(s.max()), "min": float(s.min()), "negative": int((s < 0).sum()),
                "first_half": float(s[:half].sum()), "half": half}

    stats = {k: share_stats(v) for k, v in measured.items()}
    low, high = PAPER_PEARSON_R

    def row(measure, paper, in_sample, held_out):
        return {"measure": measure, "paper": paper, "tokviz in-sample": in_sample, "tokviz held-out": held_out}

    def pick(key, digits=3, percent=False):
        out = []
        for name in ("in-sample", "held-out"):
            s = stats[name]
            if s is None:
                out.append("n/a (PR_L >= PR_1)")
            elif percent:
                out.append(f"{100 * s[key]:.1f}%")
            else:
                out.append(str(s[key]) if isinstance(s[key], int) else fmt(s[key], digits))
        return out

    half = steps // 2
    return [
        row("Pearson r (layer, log10 PR)", f"{low} to {high}", fmt(law.pearson_r), fmt(law.heldout_pearson_r)),
        row("per-layer factor rho = 10^slope", "< 1, constant", fmt(law.rho, 4),
            fmt(None if law.heldout_slope is None else 10**law.heldout_slope, 4)),
        row("PR_L / PR_1", "(no figure at hand)", fmt(law.pr_ratio),
            fmt(None if law.heldout_pr[0] is None or law.heldout_pr[-1] is None
                else law.heldout_pr[-1] / law.heldout_pr[0])),
        row(f"largest share of the fall in one step (equal: {100 * equal:.1f}%)", f"near-equal, ~{100 * equal:.1f}%",
            *pick("max", percent=True)),
        row("smallest share of the fall in one step", f"near-equal, ~{100 * equal:.1f}%", *pick("min", percent=True)),
        row(f"steps where PR rises (of {steps})", "none (implied by near-equal)", *pick("negative")),
        row(f"share of the fall in the first {half} of {steps} steps", f"~{100 * half / steps:.0f}% (implied)",
            *pick("first_half", percent=True)),
    ]
