"""An nnsight model as a tokviz backend: scoring and the per-layer lens read inside nnsight traces.

nnsight (`nnsight.LanguageModel` / `TransformersModel`) wraps a Hugging Face model and runs it locally, on
NDIF's hosted models (`remote=True`) or on a vLLM engine. Only values saved in a trace come back, so every
number is reduced to top-k statistics inside the trace (reduce.py): a 70B model's lens sends back a few
kilobytes per position, not its logits. The model's modules are never run in this process.
"""

from __future__ import annotations

from functools import cached_property
from types import MappingProxyType

import torch

from ...core.encoding import encode
from ...core.prompt_result import TextScores, encoded_scores
from ...core.tokens import Vocabulary
from ...errors import CapabilityError, InvalidInputError
from ..local.forward import plan_passes
from ..protocol import BEAMS, BRANCHES, CHAT, LOGITS, MODULES
from .parts import TracedParts, traced_parts
from .trace import feature_pass, layer_pass, score_pass

NO_GENERATION = ("tokviz reads nnsight models by tracing a forward pass; generating through nnsight is not "
                 "supported yet: generate with the model loaded by tokviz.load_model, or score a text")
REFUSALS = MappingProxyType({
    BEAMS: NO_GENERATION, BRANCHES: NO_GENERATION, CHAT: NO_GENERATION,
    LOGITS: ("it needs the whole next-token logits, which tokviz reduces to top-k inside the nnsight trace "
             "(only saved values come back from where the model runs)"),
    MODULES: ("it edits the model's modules in this process; an nnsight model runs them inside its traces "
              "(maybe remotely): load the model with tokviz.load_model"),
})


def is_nnsight_model(obj) -> bool:
    """Whether obj is an nnsight model wrapper (told by its class, so nnsight need not be imported)."""
    return any(cls.__module__.split(".")[0] == "nnsight" and cls.__name__ == "Envoy" for cls in type(obj).__mro__)


def traced_backend(traced) -> TracedModel:
    return TracedModel(traced)


class TracedModel:
    """A model wrapped by nnsight, as a tokviz backend (every analysis makes one when given an nnsight model).

    remote: pass remote=True to nnsight's trace (NDIF's hosted models; needs nnsight's API key configured).
    Scoring and the layer studies (logit_lens, layer_law, refinement) work; generation, beams and whole
    logits do not (see unsupported).
    """

    def __init__(self, traced, *, remote: bool = False, name: str | None = None):
        if not is_nnsight_model(traced):
            raise InvalidInputError(f"TracedModel needs an nnsight model, got {type(traced).__name__}")
        self.traced = traced
        self.remote = bool(remote)
        self.module = traced._module  # the wrapped Hugging Face module (on the meta device when remote)
        self.tokenizer = getattr(traced, "tokenizer", None)
        if self.tokenizer is None:
            raise InvalidInputError("the nnsight model has no tokenizer: wrap it with tokenizer=...")
        config = self.module.config
        self.name = name or getattr(config, "_name_or_path", None) or type(self.module).__name__
        self.parts: TracedParts = traced_parts(self.module)

    # -- the backend protocol ------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return f"{self.name} (nnsight{', remote' if self.remote else ''})"

    @property
    def context_length(self) -> int | None:
        value = getattr(self.module.config, "max_position_embeddings", None)
        return value if isinstance(value, int) and value > 0 else None

    @property
    def vocab_size(self) -> int:
        return int(self.module.get_output_embeddings().weight.shape[0])

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.tokenizer, self.vocab_size)

    @property
    def max_alternatives(self) -> int:
        return self.vocab_size

    @property
    def unsupported(self):
        return REFUSALS

    @property
    def device(self) -> torch.device:
        """Where the trace's inputs go: the wrapped model's device (the CPU for a remote model's meta one)."""
        device = next(self.module.parameters()).device
        return torch.device("cpu") if device.type == "meta" else device

    def score(self, requests, alternatives: int = 1, *, batch_size: int | None = None):
        results = [None] * len(requests)
        passes = self._passes(requests, batch_size)
        for members, ids, slots, rows, targets in passes:
            stats = score_pass(self, ids, slots, rows, targets, alternatives)
            for i, part in zip(members, self._split(stats, [requests[i] for i in members])):
                results[i] = part
        return results, len(passes)

    def score_text(self, text: str, alternatives: int) -> TextScores:
        encoded = encode(self, text)
        (stats,), _ = self.score([encoded.request(with_next=True)], alternatives)
        return encoded_scores(self.vocabulary, encoded, stats)

    def generate(self, prompt: str, decoding, **run):
        raise CapabilityError(f"generation cannot run on {self.name}: {NO_GENERATION}", capability="generation")

    def missing_numbers(self, what: str, count: int) -> str:
        return (f"{what} needs the log-probability of {count} token(s) that {self.name} computed as NaN inside the "
                "nnsight trace, a numerical failure of the model itself, not a number tokviz left out")

    # -- the layer reader ------------------------------------------------------------------------------
    @property
    def num_layers(self) -> int:
        return len(self.parts.block_envoys(self.traced))

    def layer_stats(self, requests, alternatives: int, *, against_final: bool = False):
        results = [None] * len(requests)
        for members, ids, slots, rows, targets in self._passes(requests, None):
            per_layer = layer_pass(self, ids, slots, rows, targets, alternatives, against_final)
            chosen = [requests[i] for i in members]
            split = [self._split(stats, chosen) for stats in per_layer]  # [layer][request]
            for b, i in enumerate(members):
                results[i] = [layer[b] for layer in split]
        return results

    def layer_features(self, ids: list[int]) -> list[torch.Tensor]:
        return feature_pass(self, torch.tensor([ids], dtype=torch.long, device=self.device))

    # -- passes ---------------------------------------------------------------------------------------
    def _passes(self, requests, batch_size):
        """Per pass: members, right-padded ids [B, T] (a real token never attends to a later pad), and the
        flattened (slot, row, target) of every requested row."""
        out = []
        for members in plan_passes([len(r.ids) for r in requests], batch_size):
            width = max(len(requests[i].ids) for i in members)
            ids = torch.zeros((len(members), width), dtype=torch.long)
            for b, i in enumerate(members):
                ids[b, : len(requests[i].ids)] = torch.tensor(requests[i].ids)
            slots = torch.tensor([b for b, i in enumerate(members) for _ in requests[i].rows], dtype=torch.long)
            rows = torch.tensor([row for i in members for row in requests[i].rows], dtype=torch.long)
            targets = torch.tensor([t for i in members for t in requests[i].targets], dtype=torch.long)
            out.append((members, ids.to(self.device), slots, rows, targets))
        return out

    @staticmethod
    def _split(stats, requests):
        ends = torch.tensor([len(r.rows) for r in requests]).cumsum(0).tolist()
        return [stats[end - len(r.rows) : end] for r, end in zip(requests, ends)]

    def __repr__(self) -> str:
        return f"TracedModel({self.name!r}, remote={self.remote})"
