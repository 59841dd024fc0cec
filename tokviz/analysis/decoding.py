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
        check_int(self.max_new_tokens, "max_new_tokens", low=1)
        check_bool(self.do_sample, "do_sample")
        check_real(self.temperature, "temperature")
        if self.temperature < 0 or (self.do_sample and self.temperature == 0):
            raise InvalidInputError(
                f"temperature must be > 0 when sampling, and never negative (0 without sampling means greedy); "
                f"got {self.temperature}"
            )
        if self.top_k is not None:
            check_int(self.top_k, "top_k", low=1, hint=" (or None for no top-k filter)")
        if self.top_p is not None:
            check_real(self.top_p, "top_p", low=0, high=1, low_open=True, hint=" (or None for no top-p filter)")
        check_int(self.num_beams, "num_beams", low=1, hint=" (1 = no beam search)")
        if self.seed is not None:
            check_int(self.seed, "seed", hint=" or None")
        object.__setattr__(self, "stop", _check_stop(self.stop))

    @property
    def sampling_filters(self) -> dict:
        """The sampling settings that take effect (all None when not sampling)."""
        used = self.do_sample
        return {"temperature": self.temperature if used else None, "top_k": self.top_k if used else None,
                "top_p": self.top_p if used else None}


def _check_stop(stop) -> tuple[str, ...]:
    if stop is None:
        return ()
    stops = [stop] if isinstance(stop, str) else stop
    if not isinstance(stops, (list, tuple)) or not all(isinstance(s, str) for s in stops):
        raise InvalidInputError(f"stop must be a string or a list of strings, got {stop!r}")
    if any(s == "" for s in stops):
        raise InvalidInputError("stop strings must not be empty")
    return tuple(dict.fromkeys(stops))
