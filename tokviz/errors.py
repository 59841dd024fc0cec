"""Errors tokviz raises, so callers (and the widget) can show a specific message."""


class TokvizError(Exception):
    """Base class of every error tokviz raises on purpose."""


class InvalidInputError(TokvizError, ValueError):
    """A prompt or parameter that cannot be used, with the reason in the message."""


class ModelNotFoundError(TokvizError, OSError):
    """A model name or path that cannot be loaded."""


class MissingDependencyError(TokvizError, ImportError):
    """An optional package needed for the requested feature is not installed."""


class UnsupportedModelError(TokvizError, TypeError):
    """A model whose architecture a method cannot handle (e.g. no final norm found)."""


class TokvizWarning(UserWarning):
    """Warnings tokviz emits (tests turn these into errors)."""
