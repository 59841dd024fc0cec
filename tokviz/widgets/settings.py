"""TokenViz's number settings: the ranges its fields allow now, and one-off settings for a single run.

The ranges start from decoding.LIMITS and tighten with what the widget knows, so the view refuses a value
inline with the rule Generate would apply, instead of accepting it and failing later: max new tokens up to
what the context window leaves after the prompt, and temperature above 0 while sampling.
"""

from __future__ import annotations

import dataclasses

from ..checks import check_bool
from ..core.decoding import LIMITS, DecodingParams, Range
from ..errors import InvalidInputError

# TokenViz's number traits checked against a Range; alternatives' upper bound is the model's.
DECODING_TRAITS = ("max_new_tokens", "temperature", "top_k", "top_p", "num_beams")
SWITCHES = ("do_sample", "stop_at_newline")
ONE_OFF = (*DECODING_TRAITS, *SWITCHES)


def setting_limits(lm, prompt_length: int | None, do_sample: bool) -> dict[str, Range]:
    """Each number setting's range. prompt_length: tokens of the prompt last analysed, BOS included (None:
    none yet, so at least one token)."""
    ranges = {name: LIMITS[name] for name in DECODING_TRAITS}
    if lm.context_length is not None:
        room = max(1, lm.context_length - (prompt_length or 1))
        ranges["max_new_tokens"] = dataclasses.replace(LIMITS["max_new_tokens"], high=room)
    if do_sample:  # 0 means greedy, which sampling cannot be
        ranges["temperature"] = dataclasses.replace(LIMITS["temperature"], low_open=True)
    ranges["alternatives"] = Range(low=1, high=lm.max_alternatives, integer=True)
    return ranges


def check_number(name: str, value, limits: dict[str, Range]) -> None:
    """A number setting: its own range (decoding.LIMITS) first, for the plainer message, then what the prompt
    and the sampling switch leave of it (`limits`, from setting_limits)."""
    if name in LIMITS:
        LIMITS[name].check_setting(value, name)
    limits[name].check_setting(value, name)


def one_off_decoding(current: dict, overrides: dict, limits: dict[str, Range]) -> DecodingParams:
    """DecodingParams from the widget's current settings with `overrides` (same names and meaning as the
    traits, e.g. top_k 0 = off) for one run, each checked as the trait would be against `limits`, the
    ranges for that run's own sampling switch."""
    unknown = sorted(set(overrides) - set(ONE_OFF))
    if unknown:
        raise InvalidInputError(f"unknown setting(s) {unknown}; a run takes {', '.join(ONE_OFF)}")
    for name, value in overrides.items():
        if name in SWITCHES:
            check_bool(value, name)
    settings = {**current, **overrides}
    for name in DECODING_TRAITS:
        if name in overrides:
            check_number(name, overrides[name], limits)
    return DecodingParams.from_settings(**{n: settings[n] for n in DECODING_TRAITS}, do_sample=settings["do_sample"],
                                        stop="\n" if settings["stop_at_newline"] else None)
