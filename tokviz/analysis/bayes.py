"""In-context learning as Bayesian updating: a model reading coin flips (or die rolls) next to the
Bayesian posterior predictive, Laplace's rule and the running frequency.

A sequence of outcomes drawn from a hidden distribution is written into a template as one text
("Coin flips: H, T, T, H"). One forward pass over that text gives, right before every outcome, the model's
probability of each outcome token: observation n (0-based) is predicted from the n outcomes before it. Those
probabilities, normalised over the outcomes (the mass the model puts on any other token is kept apart as
`outside`), are set beside three references computed from the same counts:

- the posterior predictive under a symmetric Dirichlet(alpha) prior, (count_k + alpha) / (n + K alpha),
  with alpha fitted to the model (`bayes`);
- Laplace's rule of succession, the same with alpha = 1 (for a coin (h + 1) / (n + 2)) (`laplace`);
- the running frequency count_k / n (`frequency`), undefined at n = 0 (NaN there, left out of its means).

The fit: alpha maximises the expected log-likelihood that the Dirichlet predictive gives to outcomes drawn
from the model's own predictions, sum over (sequence, n >= 1) of sum_k q_k log r_k(alpha); equivalently it
minimises the mean KL(model || Dirichlet predictive). n = 0 is left out: there every alpha predicts the
uniform distribution. The search is one-dimensional over log alpha in [ALPHA_LOW, ALPHA_HIGH]: a grid, then a
golden-section refinement around the best grid point; `alpha_at_bound` says when the best alpha is a
bound (the model then updates faster or slower than any alpha in range describes).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import numpy as np

from ..backends.protocol import require_known
from ..checks import check_int, check_real
from ..core.encoding import Encoded, Request, encode
from ..errors import InvalidInputError
from .templates import byte_span, overlapping, token_spans

PLACEHOLDER = "{sequence}"
DEFAULT_TEMPLATE = "Here is a sequence of coin flips (H = heads, T = tails): {sequence}"
DEFAULT_SEPARATOR = ", "
REFERENCES = ("bayes", "laplace", "frequency")
# The search range of the fitted prior strength alpha (per outcome): a grid of ALPHA_GRID points, evenly
# spaced in log alpha, then a golden-section search between the best grid point's neighbours.
ALPHA_LOW = 1e-3
ALPHA_HIGH = 1e3
ALPHA_GRID = 241


# --- the references in closed form ----------------------------------------------------------------

def dirichlet_predictive(counts, alpha: float) -> np.ndarray:
    """Posterior predictive of a symmetric Dirichlet(alpha) prior after `counts` [..., K] observations of
    each outcome: (count_k + alpha) / (n + K alpha), n = sum of the counts. alpha = 1: Laplace's rule."""
    counts = np.asarray(counts, dtype=np.float64)
    k = counts.shape[-1]
    return (counts + alpha) / (counts.sum(-1, keepdims=True) + k * alpha)


def frequency(counts) -> np.ndarray:
    """The running frequency count_k / n; NaN where n = 0 (no observation yet: no frequency)."""
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, counts / np.where(n > 0, n, 1.0), np.nan)


def total_variation(q, r) -> np.ndarray:
    """1/2 sum_k |q_k - r_k| over the last axis: for two outcomes, |q_1 - r_1| (the absolute difference of
    the first outcome's probability). NaN where r is NaN."""
    return 0.5 * np.abs(np.asarray(q, dtype=np.float64) - np.asarray(r, dtype=np.float64)).sum(-1)


def kl_divergence(q, r) -> np.ndarray:
    """KL(q || r) = sum_k q_k log(q_k / r_k) in nats over the last axis; 0 log 0 = 0, and inf where r gives
    probability 0 to an outcome q does not (the frequency after a run of one outcome). NaN where r is NaN."""
    q = np.asarray(q, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * (np.log(q) - np.log(r)), 0.0)
    terms = np.where(np.isnan(r), np.nan, terms)
    return terms.sum(-1)


def expected_loglik(alpha: float, q, counts) -> float:
    """Mean over rows of sum_k q_k log r_k(alpha), r = dirichlet_predictive(counts, alpha): the expected
    log-likelihood of the Dirichlet predictive for outcomes drawn from q."""
    r = dirichlet_predictive(counts, alpha)
    return float(np.mean(np.sum(np.asarray(q, dtype=np.float64) * np.log(r), axis=-1)))


def fit_alpha(q, counts, *, low: float = ALPHA_LOW, high: float = ALPHA_HIGH) -> tuple[float, bool]:
    """The alpha in [low, high] whose Dirichlet predictive is closest to the predictions q [M, K] made
    after `counts` [M, K]: argmax of expected_loglik (= argmin of the mean KL(q || r(alpha))). Returns it and
    whether it lies at a bound. Rows with no observation (n = 0) carry no information about alpha and should
    be left out; with no rows the answer is NaN."""
    q = np.asarray(q, dtype=np.float64).reshape(-1, np.shape(q)[-1])
    counts = np.asarray(counts, dtype=np.float64).reshape(q.shape)
    if not len(q):
        return math.nan, False
    logq = np.log(q, where=q > 0, out=np.zeros_like(q))
    entropy = float(np.mean(np.sum(q * logq, axis=-1)))  # constant: KL = entropy - loglik

    def loss(x: float) -> float:
        return entropy - expected_loglik(math.exp(x), q, counts)

    xs = np.linspace(math.log(low), math.log(high), ALPHA_GRID)
    losses = [loss(float(x)) for x in xs]
    best = int(np.argmin(losses))
    a, b = float(xs[max(best - 1, 0)]), float(xs[min(best + 1, len(xs) - 1)])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = loss(c), loss(d)
    while b - a > 1e-10:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = loss(d)
    x = (a + b) / 2.0
    if losses[best] < loss(x):  # the refinement never does worse than the grid
        x = float(xs[best])
    if best in (0, len(xs) - 1) and min(x - math.log(low), math.log(high) - x) < 1e-6:
        return (low if best == 0 else high), True  # exactly the bound, not exp(log(bound))
    return math.exp(x), False


def doubling_windows(max_n: int) -> list[tuple[int, int]]:
    """Windows of n for the per-window fits: [1, 1], [2, 3], [4, 7], [8, 15], ... up to max_n."""
    windows, low = [], 1
    while low <= max_n:
        windows.append((low, min(2 * low - 1, max_n)))
        low *= 2
    return windows


# --- drawing sequences ----------------------------------------------------------------------------

@dataclass
class OutcomeSequences:
    """Outcome sequences drawn from hidden distributions (draw_sequences).

    sequences[i]: the outcomes of sequence i; hidden[i]: the probabilities (one per outcome) it was drawn
    with; labels[i]: the name of its hidden distribution (sequences sharing one form a group in the view).
    """

    outcomes: tuple[str, ...]
    sequences: list[list[str]]
    hidden: list[list[float]]
    labels: list[str]
    seed: int

    def __len__(self) -> int:
        return len(self.sequences)


def _hidden_label(outcomes: tuple[str, ...], probs: list[float]) -> str:
    if len(outcomes) == 2:
        return f"P({outcomes[0]}) = {probs[0]:.3g}"
    return "p = (" + ", ".join(f"{p:.2g}" for p in probs) + ")"


def draw_sequences(outcomes=("H", "T"), hidden=(0.2, 0.5, 0.8), *, per_hidden: int = 4, length: int = 16,
                   seed: int = 0) -> OutcomeSequences:
    """`per_hidden` sequences of `length` outcomes for each hidden distribution, seeded.

    hidden: a list of distributions, each a probability per outcome or, for two outcomes, the probability
    p of the first one (the second gets 1 - p); or an integer m: m distributions drawn from the uniform
    Dirichlet (every distribution equally likely), with the same seed.
    """
    outcomes = _check_outcomes(outcomes)
    check_int(per_hidden, "per_hidden", low=1)
    check_int(length, "length", low=1)
    check_int(seed, "seed")
    rng = random.Random(seed)
    k = len(outcomes)
    if isinstance(hidden, int) and not isinstance(hidden, bool):
        check_int(hidden, "hidden", low=1)
        draws = []
        for _ in range(hidden):
            gammas = [rng.gammavariate(1.0, 1.0) for _ in range(k)]
            draws.append([g / sum(gammas) for g in gammas])
        hidden = draws
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple)) or not hidden:
        raise InvalidInputError(f"hidden must be a non-empty list of distributions or a count, got {hidden!r}")
    distributions = []
    for i, h in enumerate(hidden):
        if k == 2 and not isinstance(h, (list, tuple)):
            p = check_real(h, f"hidden[{i}]", low=0.0, high=1.0)
            h = [p, 1.0 - p]
        if not isinstance(h, (list, tuple)) or len(h) != k:
            raise InvalidInputError(f"hidden[{i}] must give one probability per outcome ({k}), got {h!r}")
        probs = [check_real(p, f"hidden[{i}][{j}]", low=0.0, high=1.0) for j, p in enumerate(h)]
        if abs(sum(probs) - 1.0) > 1e-9:
            raise InvalidInputError(f"hidden[{i}] must sum to 1, got {sum(probs)!r}")
        distributions.append(probs)
    sequences, per_sequence, labels = [], [], []
    for probs in distributions:
        for _ in range(per_hidden):
            sequences.append(rng.choices(outcomes, weights=probs, k=length))
            per_sequence.append(list(probs))
            labels.append(_hidden_label(outcomes, probs))
    return OutcomeSequences(outcomes=outcomes, sequences=sequences, hidden=per_sequence, labels=labels, seed=seed)


# --- the analysis ---------------------------------------------------------------------------------

@dataclass
class BayesICL:
    """The model's predictions along outcome sequences beside the Bayesian references (module docstring).

    Per sequence s and n = 0 .. length - 1 (the prediction of observation n from the n before it), arrays
    padded with NaN beyond a sequence's length (`valid` marks the real entries), K = len(outcomes):
    - token_probs [S, N, K]: the model's probability of each outcome's token (full-vocabulary softmax);
    - outside [S, N]: 1 - their sum, the probability of every other token;
    - model [S, N, K]: token_probs normalised over the outcomes;
    - counts [S, N, K]: how often each outcome occurred before n;
    - bayes / laplace / frequency [S, N, K]: the references (frequency NaN at n = 0).
    Per n (over the sequences long enough; `count[n]` of them): tv[ref][n], the mean total variation
    1/2 sum_k |model_k - ref_k| (two outcomes: the mean |model - ref| of the first outcome's probability);
    kl[ref][n], the mean KL(model || ref) in nats (inf when a reference gives 0 to an outcome, as the
    frequency does before it has seen it); mean_outside[n]. frequency's entries at n = 0 are NaN.
    alpha: the fitted prior strength per outcome (strength = K alpha pseudo-observations in all; Laplace:
    alpha = 1); alpha_at_bound: it lies at the search range's edge. Stability: alpha_by_n[n] fitted on the
    predictions at n alone (NaN at n = 0), alpha_by_window[i] on windows[i] = (first n, last n);
    kl_one_alpha / kl_window_alpha: the mean KL(model || Dirichlet) over every prediction with n >= 1 under
    the one alpha and under each window's own alpha (close values: one alpha describes every n).
    texts[s]: the text of sequence s; prompt_ends[s][n]: where the prompt predicting observation n ends
    (a character offset into texts[s]; the outcome's token may carry the separator's space).
    outcome_tokens: each outcome's token as it appears in the texts; forward_passes: model calls used.
    """

    model_name: str
    template: str
    separator: str
    outcomes: tuple[str, ...]
    outcome_tokens: list[str]
    outcome_ids: list[int]
    sequences: list[list[str]]
    labels: list[str]
    hidden: list[list[float] | None]
    texts: list[str]
    prompt_ends: list[list[int]]
    valid: np.ndarray
    token_probs: np.ndarray
    outside: np.ndarray
    model: np.ndarray
    counts: np.ndarray
    bayes: np.ndarray
    laplace: np.ndarray
    frequency: np.ndarray
    count: np.ndarray
    tv: dict[str, np.ndarray]
    kl: dict[str, np.ndarray]
    mean_outside: np.ndarray
    alpha: float
    alpha_at_bound: bool
    alpha_by_n: np.ndarray
    windows: list[tuple[int, int]]
    alpha_by_window: list[float]
    kl_one_alpha: float
    kl_window_alpha: float
    forward_passes: int
    alpha_bounds: tuple[float, float] = (ALPHA_LOW, ALPHA_HIGH)
    groups: list[str] = field(default_factory=list)

    @property
    def strength(self) -> float:
        """K alpha: the prior's weight in pseudo-observations (Laplace: K)."""
        return len(self.outcomes) * self.alpha

    @property
    def lengths(self) -> list[int]:
        return [len(s) for s in self.sequences]

    @property
    def alpha_spread(self) -> float:
        """max / min of the per-window alphas: 1 = the same prior strength at every n."""
        values = [a for a in self.alpha_by_window if not math.isnan(a)]
        return max(values) / min(values) if values else math.nan

    def reference(self, name: str) -> np.ndarray:
        if name not in REFERENCES:
            raise InvalidInputError(f"reference must be one of {', '.join(REFERENCES)}; got {name!r}")
        return getattr(self, name)

    def select(self, label: str | None = None) -> np.ndarray:
        """Indices of the sequences with this label (every sequence for None)."""
        if label is None:
            return np.arange(len(self.sequences))
        chosen = [i for i, lab in enumerate(self.labels) if lab == label]
        if not chosen:
            raise InvalidInputError(f"no sequence is labelled {label!r}; labels: {', '.join(map(repr, self.groups))}")
        return np.array(chosen)

    def distances(self, label: str | None = None, n: range | None = None) -> dict[str, dict[str, float]]:
        """Mean total variation and mean KL(model || ref) of each reference over the predictions of the
        sequences labelled `label` (all: None) at the n in `n` (default: every n >= 1)."""
        rows = self.select(label)
        ns = range(1, self.valid.shape[1]) if n is None else n
        mask = np.zeros_like(self.valid)
        mask[np.ix_(rows, [i for i in ns if 0 <= i < self.valid.shape[1]])] = True
        mask &= self.valid
        out: dict[str, dict[str, float]] = {"tv": {}, "kl": {}}
        for name in REFERENCES:
            ref = self.reference(name)[mask]
            keep = ~np.isnan(ref).any(-1)
            q = self.model[mask][keep]
            out["tv"][name] = float(total_variation(q, ref[keep]).mean()) if len(q) else math.nan
            out["kl"][name] = float(kl_divergence(q, ref[keep]).mean()) if len(q) else math.nan
        return out

    def closest(self, label: str | None = None, n: range | None = None, measure: str = "tv") -> str:
        """The reference nearest to the model (mean `measure`, "tv" or "kl") over those predictions."""
        values = self.distances(label, n)[measure]
        return min(REFERENCES, key=lambda name: values[name])

    def to_dict(self) -> dict:
        def plain(value):
            if isinstance(value, np.ndarray):
                return [plain(v) for v in value.tolist()] if value.ndim else plain(value.item())
            if isinstance(value, list):
                return [plain(v) for v in value]
            if isinstance(value, float) and math.isnan(value):
                return None
            return value

        data = {k: plain(v) for k, v in self.__dict__.items() if k not in ("tv", "kl")}
        data["outcomes"] = list(self.outcomes)
        data["windows"] = [list(w) for w in self.windows]
        data["tv"] = {k: plain(v) for k, v in self.tv.items()}
        data["kl"] = {k: plain(v) for k, v in self.kl.items()}
        data["strength"] = self.strength
        return data

    def __repr__(self) -> str:
        return (f"BayesICL({len(self.sequences)} sequences of {', '.join(self.outcomes)}, "
                f"alpha={self.alpha:.3g}, forward_passes={self.forward_passes})")

    def table(self, decimals: int = 3) -> str:
        """Per n: sequences, mean |model - ref| (total variation) and mean KL(model || ref) for each reference,
        the mean mass outside the outcomes, and alpha fitted at that n alone."""
        def cell(x: float) -> str:
            return f"{'-':>{decimals + 3}}" if math.isnan(x) else f"{x:{decimals + 3}.{decimals}f}"

        head = (f"{'n':>3} {'seqs':>4} | {'|d| bayes':>9} {'laplace':>8} {'freq':>8} | {'KL bayes':>9} "
                f"{'laplace':>8} {'freq':>8} | {'outside':>7} {'alpha_n':>8}")
        rows = [head]
        for n in range(len(self.count)):
            values = [self.tv[r][n] for r in REFERENCES] + [self.kl[r][n] for r in REFERENCES]
            tv = " ".join(f"{cell(v):>{w}}" for v, w in zip(values[:3], (9, 8, 8)))
            kl = " ".join(f"{cell(v):>{w}}" for v, w in zip(values[3:], (9, 8, 8)))
            alpha = self.alpha_by_n[n]
            shown_alpha = "-" if math.isnan(alpha) else f"{alpha:.3g}"
            rows.append(f"{n:>3} {int(self.count[n]):>4} | {tv} | {kl} | {cell(self.mean_outside[n]):>7} "
                        f"{shown_alpha:>8}")
        return "\n".join(rows)


def _check_outcomes(outcomes) -> tuple[str, ...]:
    if isinstance(outcomes, str) or not isinstance(outcomes, (list, tuple)):
        raise InvalidInputError(f"outcomes must be a list of strings such as ('H', 'T'), got {outcomes!r}")
    if len(outcomes) < 2:
        raise InvalidInputError(f"outcomes needs at least two outcomes, got {list(outcomes)!r}")
    for i, o in enumerate(outcomes):
        if not isinstance(o, str) or not o:
            raise InvalidInputError(f"outcomes[{i}] must be a non-empty string, got {o!r}")
    if len(set(outcomes)) != len(outcomes):
        raise InvalidInputError(f"outcomes must be distinct, got {list(outcomes)!r}")
    return tuple(outcomes)


def _check_sequences(sequences, outcomes: tuple[str, ...]) -> list[list[str]]:
    if isinstance(sequences, str) or not isinstance(sequences, (list, tuple)):
        raise InvalidInputError(f"sequences must be a list of outcome sequences, got {type(sequences).__name__}")
    if not sequences:
        raise InvalidInputError("sequences is empty: give at least one sequence of outcomes")
    checked = []
    single = all(len(o) == 1 for o in outcomes)
    for i, seq in enumerate(sequences):
        if isinstance(seq, str):
            if not single:
                raise InvalidInputError(f"sequences[{i}] is a string, which only works when every outcome is one "
                                        f"character; give a list of outcomes instead")
            seq = list(seq)
        if not isinstance(seq, (list, tuple)):
            raise InvalidInputError(f"sequences[{i}] must be a list of outcomes, got {type(seq).__name__}")
        if not seq:
            raise InvalidInputError(f"sequences[{i}] is empty: give at least one outcome")
        for j, o in enumerate(seq):
            if o not in outcomes:
                raise InvalidInputError(f"sequences[{i}][{j}] is {o!r}, which is not one of the outcomes "
                                        f"{', '.join(map(repr, outcomes))}")
        checked.append(list(seq))
    return checked


def _check_template(template) -> tuple[str, str]:
    if not isinstance(template, str) or template.count(PLACEHOLDER) != 1:
        raise InvalidInputError(f"template must be a string holding {PLACEHOLDER} exactly once (where the outcomes "
                                f"go), got {template!r}")
    prefix, suffix = template.split(PLACEHOLDER)
    return prefix, suffix


@dataclass
class _Text:
    """One sequence written out: its tokens and, per observation, the text token holding it."""

    text: str
    encoded: Encoded
    positions: list[int]
    starts: list[int]  # character offset where each observation's token starts


def _write(lm, seq: list[str], prefix: str, suffix: str, separator: str, what: str) -> _Text:
    """The text of a sequence, tokenised, with each observation's token located; every observation must be
    exactly one token that ends where the outcome ends (it may carry the separator's space)."""
    text = prefix + separator.join(seq) + suffix
    encoded = encode(lm, text, what=what)
    spans = token_spans(lm, encoded.ids, text)
    data = text.encode()
    positions, starts = [], []
    at = len(prefix)
    for j, outcome in enumerate(seq):
        if j:
            at += len(separator)
        begin, end = byte_span(text, (at, at + len(outcome)))
        inside = overlapping(spans, (begin, end))
        if len(inside) != 1 or spans[inside[0]][1] != end:
            pieces = [lm.vocabulary.texts([encoded.ids[i]])[0] for i in inside]
            raise InvalidInputError(
                f"outcome {outcome!r} is not one token where {what} puts it (observation {j}): it is tokenised as "
                f"{pieces!r} in {text[:80]!r}. Each outcome must be a single token after the separator: choose "
                f"other outcomes or another separator (byte-level tokenizers keep a leading space with a letter, "
                f"e.g. ', ' with 'H' and 'T'; digits are split from the space before them)."
            )
        if inside[0] < encoded.first_predicted:
            raise InvalidInputError(f"the first outcome starts {what}, so nothing predicts it: put text before "
                                    f"{PLACEHOLDER} in the template")
        positions.append(inside[0])
        starts.append(len(data[: spans[inside[0]][0]].decode("utf-8", "replace")))
        at += len(outcome)
    return _Text(text, encoded, positions, starts)


def _outcome_ids(lm, outcomes: tuple[str, ...], prefix: str, suffix: str,
                 separator: str) -> list[int]:
    """Each outcome's token id, from a probe text holding it twice (after the prefix and after the separator):
    both must be the same single token, and the outcomes' tokens must differ."""
    ids = []
    for outcome in outcomes:
        probe = _write(lm, [outcome, outcome], prefix, suffix, separator, f"the probe text for outcome {outcome!r}")
        first, later = (probe.encoded.ids[p] for p in probe.positions)
        if first != later:
            shown = lm.vocabulary.texts([first, later])
            raise InvalidInputError(
                f"outcome {outcome!r} is tokenised as {shown[0]!r} after the template's prefix but as {shown[1]!r} "
                f"after the separator {separator!r}: end the prefix the way the separator ends"
            )
        ids.append(first)
    if len(set(ids)) != len(ids):
        raise InvalidInputError(f"two outcomes are the same token: {list(outcomes)!r} -> {ids}")
    return ids


def bayes_icl(lm, sequences, outcomes=None, *, template: str = DEFAULT_TEMPLATE,
              separator: str = DEFAULT_SEPARATOR, labels=None, windows=None, alpha_bounds=(ALPHA_LOW, ALPHA_HIGH),
              batch_size: int | None = None) -> BayesICL:
    """The model's predictive distribution over `outcomes` after every observation of every sequence, beside
    the Dirichlet posterior predictive (alpha fitted), Laplace's rule and the running frequency.

    sequences: lists of outcomes (a string works when every outcome is one character), or the OutcomeSequences that
    draw_sequences returns (its outcomes, labels and hidden distributions are then used). Each sequence is
    written as template.replace("{sequence}", separator.join(sequence)) and read in one forward pass (the
    sequences are batched). labels: a name per sequence; sequences with one label form a group (the view's
    curves, BayesICL.distances). windows: (first n, last n) ranges for the per-window alphas (default
    [1, 1], [2, 3], [4, 7], ...). alpha_bounds: the search range of alpha.
    """
    hidden: list[list[float] | None]
    if isinstance(sequences, OutcomeSequences):
        outcomes = sequences.outcomes if outcomes is None else outcomes
        if tuple(outcomes) != sequences.outcomes:
            raise InvalidInputError(f"outcomes {outcomes!r} differ from the drawn sequences' {sequences.outcomes!r}")
        labels = sequences.labels if labels is None else labels
        hidden = [list(h) for h in sequences.hidden]
        sequences = sequences.sequences
    else:
        hidden = None  # type: ignore[assignment]
    outcomes = _check_outcomes(("H", "T") if outcomes is None else outcomes)
    seqs = _check_sequences(sequences, outcomes)
    if hidden is None:
        hidden = [None] * len(seqs)
    prefix, suffix = _check_template(template)
    if not isinstance(separator, str):
        raise InvalidInputError(f"separator must be a string, got {type(separator).__name__}")
    if labels is None:
        labels = ["all sequences"] * len(seqs)
    if isinstance(labels, str) or not isinstance(labels, (list, tuple)) or len(labels) != len(seqs):
        raise InvalidInputError(f"labels must be a list of one string per sequence ({len(seqs)}), got {labels!r}")
    labels = [str(label) for label in labels]
    low, high = (check_real(b, f"alpha_bounds[{i}]", low=0.0, low_open=True) for i, b in enumerate(alpha_bounds))
    if not low < high:
        raise InvalidInputError(f"alpha_bounds must be (low, high) with low < high, got {alpha_bounds!r}")

    ids = _outcome_ids(lm, outcomes, prefix, suffix, separator)
    written = [_write(lm, seq, prefix, suffix, separator, f"sequence {i}") for i, seq in enumerate(seqs)]
    k = len(outcomes)
    requests = []
    for i, (seq, w) in enumerate(zip(seqs, written)):
        for j, (outcome, p) in enumerate(zip(seq, w.positions)):
            if w.encoded.ids[p] != ids[outcomes.index(outcome)]:
                raise InvalidInputError(f"outcome {outcome!r} at sequences[{i}][{j}] is tokenised as another token "
                                        f"than elsewhere: check the separator and the template")
        # One request per sequence, each observation's row asked K times, once against each outcome's token.
        base = w.encoded.request(w.positions)
        requests.append(Request(ids=base.ids, rows=[row for row in base.rows for _ in range(k)],
                                targets=[t for _ in base.rows for t in ids]))
    stats, passes = lm.score(requests, 1, batch_size=batch_size)
    for st in stats:
        require_known(lm, st.logprob, "the outcomes' probabilities")

    s_count, n_max = len(seqs), max(len(s) for s in seqs)
    valid = np.zeros((s_count, n_max), dtype=bool)
    token_probs = np.full((s_count, n_max, k), np.nan)
    counts = np.zeros((s_count, n_max, k))
    for i, (seq, st) in enumerate(zip(seqs, stats)):
        length = len(seq)
        valid[i, :length] = True
        token_probs[i, :length] = np.exp(st.logprob.double().cpu().numpy()).reshape(length, k)
        seen = np.zeros(k)
        for j, outcome in enumerate(seq):
            counts[i, j] = seen
            seen[outcomes.index(outcome)] += 1
    counts[~valid] = np.nan
    total = token_probs.sum(-1)
    outside = 1.0 - total
    model = token_probs / total[..., None]

    later = valid.copy()
    later[:, 0] = False  # n >= 1: where alpha matters
    alpha, at_bound = fit_alpha(model[later], counts[later], low=low, high=high)
    laplace = dirichlet_predictive(counts, 1.0)
    bayes = dirichlet_predictive(counts, alpha)
    freq = frequency(counts)

    count = valid.sum(0)
    tv: dict[str, np.ndarray] = {}
    kl: dict[str, np.ndarray] = {}
    for name, ref in zip(REFERENCES, (bayes, laplace, freq)):
        tv[name] = _mean_per_n(total_variation(model, ref), valid)
        kl[name] = _mean_per_n(kl_divergence(model, ref), valid)
    mean_outside = _mean_per_n(outside, valid)

    alpha_by_n = np.full(n_max, np.nan)
    for n in range(1, n_max):
        alpha_by_n[n] = fit_alpha(model[valid[:, n], n], counts[valid[:, n], n], low=low, high=high)[0]
    windows = doubling_windows(n_max - 1) if windows is None else _check_windows(windows, n_max - 1)
    alpha_by_window = []
    window_kl = np.zeros_like(valid, dtype=np.float64)
    for first, last in windows:
        inside = later.copy()
        inside[:, :first] = False
        inside[:, last + 1:] = False
        a = fit_alpha(model[inside], counts[inside], low=low, high=high)[0]
        alpha_by_window.append(a)
        if inside.any():
            window_kl[inside] = kl_divergence(model[inside], dirichlet_predictive(counts[inside], a))
    covered = np.zeros_like(later)
    for first, last in windows:
        covered[:, first : last + 1] = True
    covered &= later
    kl_one = float(kl_divergence(model[covered], bayes[covered]).mean()) if covered.any() else math.nan
    kl_windows = float(window_kl[covered].mean()) if covered.any() else math.nan

    groups = list(dict.fromkeys(labels))
    return BayesICL(
        model_name=lm.name, template=template, separator=separator, outcomes=outcomes,
        outcome_tokens=lm.vocabulary.texts(ids), outcome_ids=ids, sequences=seqs, labels=labels, hidden=hidden,
        texts=[w.text for w in written], prompt_ends=[w.starts for w in written], valid=valid,
        token_probs=token_probs, outside=outside, model=model, counts=counts, bayes=bayes, laplace=laplace,
        frequency=freq, count=count, tv=tv, kl=kl, mean_outside=mean_outside, alpha=alpha, alpha_at_bound=at_bound,
        alpha_by_n=alpha_by_n, windows=windows, alpha_by_window=alpha_by_window, kl_one_alpha=kl_one,
        kl_window_alpha=kl_windows, forward_passes=passes, alpha_bounds=(low, high), groups=groups,
    )


def _mean_per_n(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Mean over sequences at each n of values [S, N], over the valid entries; NaN where any is NaN (the
    frequency at n = 0) or none is valid; inf stays inf."""
    out = np.full(values.shape[1], np.nan)
    for n in range(values.shape[1]):
        column = values[valid[:, n], n]
        if len(column) and not np.isnan(column).any():
            out[n] = float(column.mean())
    return out


def _check_windows(windows, max_n: int) -> list[tuple[int, int]]:
    if isinstance(windows, (str, bytes)) or not isinstance(windows, (list, tuple)) or not windows:
        raise InvalidInputError(f"windows must be a non-empty list of (first n, last n) pairs, got {windows!r}")
    checked = []
    for i, w in enumerate(windows):
        if not isinstance(w, (list, tuple)) or len(w) != 2:
            raise InvalidInputError(f"windows[{i}] must be a (first n, last n) pair, got {w!r}")
        first = check_int(w[0], f"windows[{i}] first n", low=1)
        last = check_int(w[1], f"windows[{i}] last n", low=first)
        if first > max_n:
            raise InvalidInputError(f"windows[{i}] starts at n = {first}, beyond the longest sequence's last "
                                    f"prediction (n = {max_n})")
        checked.append((first, last))
    return checked
