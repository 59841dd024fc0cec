"""DecodingParams: the settings of one generation, checked once, used by generate, the widget and the CLI.

One rule for every setting: each is checked against its range whatever the decoding mode, so a nonsense
value is never accepted silently. Sampling-only settings (temperature, top_k, top_p, seed) then have no
effect unless do_sample is True, and are recorded as None in a greedy generation's params. Temperature 0
is allowed only without sampling (it means greedy, as in most APIs).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import check_bool, check_int, check_real
from ..errors import InvalidInputError


@dataclass(frozen=True)
class Range:
    """The values one numeric setting accepts: [low, high], or (low, high] with low_open; None = unbounded.

    step: the natural increment (number fields step by it). off: the value that the widget and CLI use for
    "filter off" where DecodingParams uses None (top_k 0, top_p 1.0).
    """

    low: float | None = None
    high: float | None = None
    integer: bool = False
    low_open: bool = False
    step: float = 1
    off: float | None = None

    def check(self, value, name: str, hint: str = ""):
        """The value if it is in range, else InvalidInputError naming `name` and the range."""
        if self.integer:
            return check_int(value, name, low=self.low, high=self.high, hint=hint)
        return check_real(value, name, low=self.low, high=self.high, low_open=self.low_open, hint=hint)

    def is_off(self, value) -> bool:
        return self.off is not None and value == self.off and not isinstance(value, bool)

    def check_setting(self, value, name: str):
        """A widget/CLI value: the range, or the `off` value."""
        if self.is_off(value):
            return value
        hint = "" if self.off is None else f" ({self.off} = off)"
        return self.check(value, name, hint)

    def to_json(self) -> dict:
        return {"low": self.low, "high": self.high, "integer": self.integer, "low_open": self.low_open,
                "step": self.step, "off": self.off}


# The one table of numeric decoding ranges: DecodingParams checks against it, the widget validates its
# traits with it and sends it to the view, whose number fields take min/max/step from it.
LIMITS: dict[str, Range] = {
    "max_new_tokens": Range(low=1, integer=True),
    "temperature": Range(low=0, step=0.1),
    "top_k": Range(low=1, integer=True, off=0),
    "top_p": Range(low=0, high=1, low_open=True, step=0.05, off=1.0),
    "num_beams": Range(low=1, integer=True),
    "seed": Range(integer=True),
}


@dataclass(frozen=True)
class DecodingParams:
    """How to decode: greedy (default), sampling (do_sample=True) or beam search (num_beams > 1).

    top_k / top_p: sampling filters (None = off). seed: makes sampling reproducible. stop: strings that
    end the completion (excluded from it).
    """

    max_new_tokens: int = 20
    do_sample: bool = False
    temperature: float = 1.0
    top_k: int | None = None
    top_p: float | None = None
    num_beams: int = 1
    seed: int | None = None
    stop: tuple[str, ...] = ()

    def __post_init__(self):
        LIMITS["max_new_tokens"].check(self.max_new_tokens, "max_new_tokens")
        check_bool(self.do_sample, "do_sample")
        check_real(self.temperature, "temperature")
        if self.temperature < LIMITS["temperature"].low or (self.do_sample and self.temperature == 0):
            raise InvalidInputError(
                f"temperature must be > 0 when sampling, and never negative (0 without sampling means greedy); "
                f"got {self.temperature}"
            )
        if self.top_k is not None:
            LIMITS["top_k"].check(self.top_k, "top_k", hint=" (or None for no top-k filter)")
        if self.top_p is not None:
            LIMITS["top_p"].check(self.top_p, "top_p", hint=" (or None for no top-p filter)")
        LIMITS["num_beams"].check(self.num_beams, "num_beams", hint=" (1 = no beam search)")
        if self.seed is not None:
            LIMITS["seed"].check(self.seed, "seed", hint=" or None")
        object.__setattr__(self, "stop", _check_stop(self.stop))

    @classmethod
    def from_settings(cls, **settings) -> DecodingParams:
        """DecodingParams from widget/CLI settings, where a filter's `off` value in LIMITS (top_k 0,
        top_p 1.0) stands for None."""
        return cls(**{name: None if _is_off(name, value) else value for name, value in settings.items()})

    @property
    def samples_each_token(self) -> bool:
        """Sampling without beams: each token is drawn from a distribution of its own, so its probability
        under that distribution (sampled_prob) exists. Beam sampling draws (beam, token) pairs jointly."""
        return self.do_sample and self.num_beams == 1

    @property
    def sampling_filters(self) -> dict:
        """The sampling settings that take effect (all None when not sampling)."""
        used = self.do_sample
        return {"temperature": self.temperature if used else None, "top_k": self.top_k if used else None,
                "top_p": self.top_p if used else None}


def _is_off(name: str, value) -> bool:
    return name in LIMITS and LIMITS[name].is_off(value)


def _check_stop(stop) -> tuple[str, ...]:
    if stop is None:
        return ()
    stops = [stop] if isinstance(stop, str) else stop
    if not isinstance(stops, (list, tuple)) or not all(isinstance(s, str) for s in stops):
        raise InvalidInputError(f"stop must be a string or a list of strings, got {stop!r}")
    if any(s == "" for s in stops):
        raise InvalidInputError("stop strings must not be empty")
    return tuple(dict.fromkeys(stops))
