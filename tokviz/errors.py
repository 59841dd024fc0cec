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


class ServerError(TokvizError, ConnectionError):
    """A served model (tokviz.connect) could not give what was asked; the message says why. Never holds
    the API key."""


class ServerUnreachableError(ServerError):
    """Nothing answers at the base URL (server not running, wrong host or port), or the connection dropped."""


class ServerAuthError(ServerError):
    """The server refused the API key (HTTP 401 / 403)."""


class ServerTimeoutError(ServerError, TimeoutError):
    """The server did not answer within the timeout."""


class UnknownServedModelError(ServerError):
    """The server does not serve the model named (the message lists the ones it does)."""


class ServerProtocolError(ServerError):
    """The server answered, but not as an OpenAI-compatible completions server does (wrong URL path,
    missing fields), or with numbers tokviz cannot check or align."""


class PromptLogprobsUnsupportedError(ServerError):
    """The server gives no log-probabilities of prompt tokens (echo + logprobs), which analyses need."""


class ServedContextError(ServerError, InvalidInputError):
    """A prompt longer than the server's context window."""


class CapabilityError(InvalidInputError):
    """Something this model cannot do for tokviz (beam search on a server, hidden states through a text API,
    ...): the message names what and why, and, where there is one, the way round it. `capability` is the
    name in tokviz.backends.protocol (e.g. "hidden_states")."""

    def __init__(self, message: str, *, capability: str | None = None):
        super().__init__(message)
        self.capability = capability


class NumberUnavailableError(TokvizError):
    """A number an analysis needs that the model's answer does not hold (a served token outside the top-k
    it reports, a padded row a model turned into NaN); the message says why and what to do."""
