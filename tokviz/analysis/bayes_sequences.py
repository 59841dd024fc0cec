"""Outcome sequences for Bayesian ICL: drawing them from hidden distributions, and checking given ones."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..checks import check_int, check_real
from ..errors import InvalidInputError


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
    outcomes = check_outcomes(outcomes)
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


def check_outcomes(outcomes) -> tuple[str, ...]:
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


def check_sequences(sequences, outcomes: tuple[str, ...]) -> list[list[str]]:
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
