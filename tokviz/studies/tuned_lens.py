"""The tuned lens (Belrose et al. 2023): one affine translator per layer, learned so that decoding the
translated hidden state with the model's own final norm and unembedding matches the final layer.

translator_l(h) = h + W_l h + b_l, with W_l, b_l zero at the start (the identity: the logit lens).
Layer numbering is the logit lens's (lens.py): translators for layers 0..L-1; layer L is the model's
output and is never translated. Training is in tuned_lens_training.py; this module holds the trained
lens, applies it, and saves and loads it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from ..backends.local.forward import FinalStates
from ..errors import InvalidInputError

FORMAT_VERSION = 1


def model_fingerprint(model: torch.nn.Module) -> str:
    """A short hash of the model's architecture and a strided sample of every parameter: a lens trained on
    one model is refused by another, even one with the same name (two random inits, a fine-tune)."""
    digest = hashlib.sha256()
    digest.update(type(model).__name__.encode())
    with torch.no_grad():
        for name, p in model.named_parameters():
            flat = p.detach().reshape(-1)
            step = max(1, flat.numel() // 64)
            digest.update(name.encode())
            digest.update(str(tuple(p.shape)).encode())
            digest.update(flat[::step][:64].double().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


@dataclass
class TunedLens:
    """Translators for lens layers 0..L-1: weights [L, d, d] (W_l), biases [L, d] (b_l), float32.

    model_name / fingerprint: the model it was trained on (model_fingerprint). settings: how it was
    trained (tokens, steps, seed, ...). train_kl[l]: mean KL(final || layer l) in nats on the training
    tokens after training, and logit_kl[l] the same for the untrained logit lens (the identity).
    """

    model_name: str
    fingerprint: str
    weights: torch.Tensor
    biases: torch.Tensor
    settings: dict = field(default_factory=dict)
    train_kl: list[float] = field(default_factory=list)
    logit_kl: list[float] = field(default_factory=list)
    seconds: float | None = None

    def __post_init__(self):
        if self.weights.ndim != 3 or self.weights.shape[1] != self.weights.shape[2]:
            raise InvalidInputError(f"weights must be [layers, d, d], not {list(self.weights.shape)}")
        if self.biases.shape != self.weights.shape[:2]:
            raise InvalidInputError(f"biases must be [layers, d] = {list(self.weights.shape[:2])}")

    @property
    def layers(self) -> int:
        """Translated layers (L: the model's decoder blocks; lens layers 0..L-1)."""
        return self.weights.shape[0]

    @property
    def name(self) -> str:
        tokens = self.settings.get("tokens")
        return "tuned lens" + (f" ({tokens:,} generated tokens, seed {self.settings.get('seed')})" if tokens else "")

    def __repr__(self) -> str:
        return f"TunedLens({self.layers} translators, d={self.weights.shape[1]}, model={self.model_name!r})"

    def translator(self, layer: int, hidden: torch.Tensor) -> torch.Tensor:
        """translator_layer(hidden) = hidden + W hidden + b, in the hidden state's dtype."""
        w = self.weights[layer].to(hidden.device, hidden.dtype)
        b = self.biases[layer].to(hidden.device, hidden.dtype)
        return hidden + hidden @ w.T + b

    def check_model(self, lm) -> None:
        if model_fingerprint(lm.model) != self.fingerprint:
            raise InvalidInputError(
                f"this tuned lens was trained on {self.model_name!r} (fingerprint {self.fingerprint}), not on "
                f"this model {lm.name!r}; train one for it with tokviz.tuned_lens(lm)")

    def translate(self, lm, out: FinalStates) -> FinalStates:
        """An all-layers pass with layers 0..L-1 replaced by their translations (layer L unchanged)."""
        self.check_model(lm)
        if out.layers is None or len(out.layers) != self.layers + 1:
            raise InvalidInputError(f"the tuned lens has {self.layers} translators; the pass has "
                                    f"{0 if out.layers is None else len(out.layers) - 1} layers below the output")
        layers = (*(self.translator(l, h) for l, h in enumerate(out.layers[:-1])), out.layers[-1])
        return replace(out, layers=layers)

    # -- files: a .pt of the tensors and a .json of everything else, side by side --------------------
    def save(self, path) -> Path:
        """Write the lens to `path` (a .pt file; a .json with its settings beside it). Returns the path."""
        path = Path(path).with_suffix(".pt")
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"weights": self.weights.cpu(), "biases": self.biases.cpu()}, path)
        meta = {"format": FORMAT_VERSION, "model_name": self.model_name, "fingerprint": self.fingerprint,
                "settings": self.settings, "train_kl": self.train_kl, "logit_kl": self.logit_kl,
                "seconds": self.seconds}
        path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
        return path

    @classmethod
    def load(cls, path) -> TunedLens:
        """Read a lens written by save()."""
        path = Path(path).with_suffix(".pt")
        if not path.exists() or not path.with_suffix(".json").exists():
            raise InvalidInputError(f"no tuned lens at {path} (expected {path.name} and "
                                    f"{path.with_suffix('.json').name})")
        meta = json.loads(path.with_suffix(".json").read_text())
        if meta.get("format") != FORMAT_VERSION:
            raise InvalidInputError(f"{path} is tuned-lens format {meta.get('format')}, not {FORMAT_VERSION}")
        tensors = torch.load(path, weights_only=True)
        return cls(model_name=meta["model_name"], fingerprint=meta["fingerprint"], weights=tensors["weights"],
                   biases=tensors["biases"], settings=meta["settings"], train_kl=meta["train_kl"],
                   logit_kl=meta["logit_kl"], seconds=meta["seconds"])
