"""Generation: what generate() returns, a completion and the model's numbers for each of its tokens."""

from __future__ import annotations

from dataclasses import dataclass, field

from .beams import Beam, BeamNode
from .completion import STOP_REASONS
from .decoding import DecodingParams
from .prompt_result import PromptAnalysis
from .text_table import candidate_list, prob_cell, render, token_label
from .token_info import Candidate, TokenInfo


@dataclass
class Generation:
    """A completion and the model's numbers for each generated token.

    prompt: the PromptAnalysis of the prompt (with chat=True, of the chat-templated prompt).
    tokens: one TokenInfo per generated token (generated=True, index continuing after the prompt's);
    a final EOS token is included, a token after a stop string is not.
    text: the completion; it excludes a final EOS token and ends right before a stop string.
    stopped_by: "length" | "eos" | "stop" | "cancelled". stop_string: the stop string that matched.
    beams: num_beams > 1 only, the finished beams best first. beam_tree: per step, every live beam.
    decoding: the decoding settings used. details: what the backend adds about the run (alternatives,
    EOS ids, forced tokens, ...). params: both as one dict, sampling filters None when not sampling.
    unavailable: numbers this generation cannot give (None on every token), each with the reason.
    next / next_entropy: the `alternatives` most probable tokens after the last generated token, and that
    distribution's entropy (nats); empty / None when the generation ended with EOS (the text is over).
    """

    prompt: PromptAnalysis
    tokens: list[TokenInfo]
    text: str
    stopped_by: str
    beams: list[Beam] = field(default_factory=list)
    beam_tree: list[list[BeamNode]] = field(default_factory=list)
    decoding: DecodingParams = field(default_factory=DecodingParams)
    details: dict = field(default_factory=dict)
    stop_string: str | None = None
    unavailable: dict[str, str] = field(default_factory=dict)
    next: list[Candidate] = field(default_factory=list)
    next_entropy: float | None = None

    def __post_init__(self):
        if self.stopped_by not in STOP_REASONS:
            raise ValueError(f"stopped_by must be one of {STOP_REASONS}, got {self.stopped_by!r}")

    @property
    def params(self) -> dict:
        decoding = self.decoding
        return {"max_new_tokens": decoding.max_new_tokens, "do_sample": decoding.do_sample,
                **decoding.sampling_filters, "num_beams": decoding.num_beams, "stop": list(decoding.stop),
                "seed": decoding.seed, **self.details}

    @property
    def vocabulary(self):
        return self.prompt.vocabulary

    @property
    def full_text(self) -> str:
        return self.prompt.text + self.text

    @property
    def token_ids(self) -> list[int]:
        return [t.token_id for t in self.tokens]

    def to_dict(self) -> dict:
        return {
            "prompt": self.prompt.to_dict(),
            "tokens": [t.to_dict() for t in self.tokens],
            "text": self.text,
            "full_text": self.full_text,
            "stopped_by": self.stopped_by,
            "stop_string": self.stop_string,
            "beams": [b.to_dict() for b in self.beams],
            "beam_tree": [[n.to_dict() for n in step] for step in self.beam_tree],
            "params": dict(self.params),
            "unavailable": dict(self.unavailable),
            "next": [c.to_dict() for c in self.next],
            "next_entropy": self.next_entropy,
        }

    def __repr__(self) -> str:
        preview = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return (f"Generation({len(self.tokens)} tokens, stopped_by={self.stopped_by!r}, text={preview!r}, "
                f"model={self.prompt.model_name!r})")

    def table(self, top: int = 3) -> str:
        """A plain-text table of the generated tokens, their probabilities and `top` candidates each."""
        columns = [("#", 4, ">"), ("token", 12, "<"), ("prob", 8, ">"), ("sampled", 8, ">"), ("rank", 6, ">"),
                   ("top candidates", 0, "<")]
        rows = [[str(t.index), token_label(t.text, t.bytes), prob_cell(t.prob),
                 prob_cell(t.sampled_prob), str(t.rank), candidate_list(t.top, top)]
                for t in self.tokens]
        lines = render(columns, rows)
        stop = f" ({self.stop_string!r})" if self.stop_string is not None else ""
        lines.append(f"stopped by: {self.stopped_by}{stop}")
        lines.extend(f"beam {i}: {b.score:.4f} {b.text!r}" for i, b in enumerate(self.beams))
        lines.append(f"completion: {self.text!r}")
        return "\n".join(lines)
