"""Argument checks shared by every public function: one wording for one kind of mistake.

Each check returns the value it accepted (so callers can write `n = check_int(n, "n", low=1)`) and raises
InvalidInputError naming the argument, what it must be, and what it was given.
"""

from __future__ import annotations

import math
import numbers
import warnings

from .errors import InvalidInputError


def is_int(value) -> bool:
    """A true integer (Python or numpy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value) -> bool:
    """A finite real number (int or float, Python or numpy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _int_words(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return "an integer"
    if low == 1:
        return "a positive integer"
    if low == 0:
        return "a non-negative integer"
    if low is not None:
        return f"an integer >= {low}"
    return "an integer" if high is None else f"an integer <= {high}"


def check_int(value, name: str, *, low: int | None = None, high: int | None = None, hint: str = "") -> int:
    """An integer in [low, high] (either bound may be None)."""
    if not is_int(value) or (high is None and low is not None and value < low):
        raise InvalidInputError(f"{name} must be {_int_words(low, high)}{hint}; got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bound = f"between {low} and {high}" if low is not None else f"at most {high}"
        raise InvalidInputError(f"{name} must be {bound}{hint}; got {value!r}")
    return int(value)


def check_real(value, name: str, *, low: float | None = None, high: float | None = None, low_open: bool = False,
               hint: str = "") -> float:
    """A finite number in [low, high], or (low, high] with low_open."""
    fits = is_real(value) and (low is None or (value > low if low_open else value >= low)) and (
        high is None or value <= high)
    if not fits:
        if low is not None and high is not None:
            what = f"in {'(' if low_open else '['}{low}, {high}]"
        elif low is not None:
            what = f"a finite number {'>' if low_open else '>='} {low}"
        else:
            what = "a finite number" if high is None else f"a finite number <= {high}"
        raise InvalidInputError(f"{name} must be {what}{hint}; got {value!r}")
    return float(value)


def check_bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name} must be True or False, got {value!r}")
    return value


def check_text(text, what: str = "text", *, empty_hint: str = "give at least one character to analyse") -> str:
    """A non-empty string."""
    if not isinstance(text, str):
        raise InvalidInputError(f"{what} must be a string, got {type(text).__name__}: {text!r}")
    if text == "":
        raise InvalidInputError(f"{what} is empty: {empty_hint}")
    return text


def renamed_argument(old_value, value, function: str, old: str = "top_k", new: str = "alternatives"):
    """The value of an argument that was renamed: the old name still works, with a FutureWarning."""
    if old_value is None:
        return value
    warnings.warn(f"{function}({old}=...) is now {function}({new}=...): {old} is only the sampling filter of "
                  f"generate()", FutureWarning, stacklevel=3)
    return old_value


def check_count(value, name: str, vocab_size: int) -> int:
    """How many candidates to keep per position: 1 .. the vocabulary size."""
    return check_int(value, name, low=1, high=vocab_size, hint=" (the vocabulary size)")
