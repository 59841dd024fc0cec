"""The Dirichlet references of Bayesian ICL in closed form, and the fit of the prior strength alpha.

The fit: alpha maximises the expected log-likelihood that the Dirichlet predictive gives to outcomes drawn
from the model's own predictions, sum over (sequence, n >= 1) of sum_k q_k log r_k(alpha); equivalently it
minimises the mean KL(model || Dirichlet predictive). n = 0 is left out: there every alpha predicts the
uniform distribution. The search is one-dimensional over log alpha in [ALPHA_LOW, ALPHA_HIGH]: a grid, then a
golden-section refinement around the best grid point; `fit_alpha` says when the best alpha is a bound (the
model then updates faster or slower than any alpha in range describes).
"""

from __future__ import annotations

import math

import numpy as np

# The search range of the fitted prior strength alpha (per outcome): a grid of ALPHA_GRID points, evenly
# spaced in log alpha, then a golden-section search between the best grid point's neighbours.
ALPHA_LOW = 1e-3
ALPHA_HIGH = 1e3
ALPHA_GRID = 241


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
