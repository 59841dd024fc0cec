"""Models traced with nnsight: every analysis accepts an nnsight model as the backend TracedModel."""

from ..protocol import register_adapter
from .model import TracedModel, is_nnsight_model, traced_backend

register_adapter(is_nnsight_model, traced_backend)

__all__ = ["TracedModel"]
