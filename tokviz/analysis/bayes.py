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

alpha is fitted as dirichlet.py describes; `alpha_at_bound` says when the best alpha is a bound of the search
range. Drawing sequences is in bayes_sequences.py, writing them into texts in bayes_texts.py, the result
type in bayes_result.py.
"""

from __future__ import annotations

import math

import numpy as np

from ..backends.protocol import require_known
from ..checks import check_int, check_real
from ..core.encoding import Request
from ..errors import InvalidInputError
from .bayes_result import REFERENCES, BayesICL
from .bayes_sequences import OutcomeSequences, check_outcomes, check_sequences
from .bayes_texts import DEFAULT_SEPARATOR, DEFAULT_TEMPLATE, check_template, outcome_token_ids, write_sequence
from .dirichlet import (
    ALPHA_HIGH,
    ALPHA_LOW,
    dirichlet_predictive,
    doubling_windows,
    fit_alpha,
    frequency,
    kl_divergence,
    total_variation,
)


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
    outcomes = check_outcomes(("H", "T") if outcomes is None else outcomes)
    seqs = check_sequences(sequences, outcomes)
    if hidden is None:
        hidden = [None] * len(seqs)
    prefix, suffix = check_template(template)
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

    ids = outcome_token_ids(lm, outcomes, prefix, suffix, separator)
    written = [write_sequence(lm, seq, prefix, suffix, separator, f"sequence {i}") for i, seq in enumerate(seqs)]
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
