"""HTTP for served models: JSON requests and server-sent-event streams over the standard library, every
fault turned into a ServerError that names what to check. An API key is sent in the Authorization header
and redacted from every message."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

from ...errors import (
    ServedContextError,
    ServerAuthError,
    ServerError,
    ServerProtocolError,
    ServerTimeoutError,
    ServerUnreachableError,
    UnknownServedModelError,
)


class Secret:
    """An API key that prints as <hidden> (repr, str, vars(), a traceback's locals)."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None):
        self._value = value

    def reveal(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>" if self._value else "None"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("an API key is not pickled")


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def excerpt(data, limit: int = 300) -> str:
    text = data if isinstance(data, str) else json.dumps(data)[:limit]
    return text[:limit] + ("..." if len(text) > limit else "")


def open_response(base_url: str, method: str, path: str, payload: dict | None, api_key: str | None, timeout: float):
    """The server's HTTP response to one request; every fault before the answer starts is a ServerError."""
    url = base_url + path
    headers = {"Accept": "application/json"}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        return urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as error:
        detail = redact(error.read().decode("utf-8", errors="replace"), api_key)
        raise http_error(error.code, url, detail) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise timeout_error(base_url, path, timeout) from None
        raise ServerUnreachableError(
            f"no server answers at {base_url} ({redact(str(reason), api_key)}): is it running, and is the URL "
            "right?") from None
    except TimeoutError:
        raise timeout_error(base_url, path, timeout) from None
    except (ConnectionError, OSError, http.client.HTTPException) as error:
        raise dropped_error(base_url, path, error) from None


def timeout_error(base_url: str, path: str, timeout: float) -> ServerTimeoutError:
    return ServerTimeoutError(f"the server at {base_url} did not answer {path} within {timeout:g} s")


def dropped_error(base_url: str, path: str, error: BaseException) -> ServerUnreachableError:
    return ServerUnreachableError(f"the connection to {base_url} dropped during {path} ({type(error).__name__})")


def request_json(base_url: str, method: str, path: str, payload: dict | None, api_key: str | None,
             timeout: float):
    response = open_response(base_url, method, path, payload, api_key, timeout)
    try:
        with response:
            raw = response.read()
    except TimeoutError:
        raise timeout_error(base_url, path, timeout) from None
    except (ConnectionError, OSError, http.client.HTTPException) as error:  # reset or dropped mid-answer
        raise dropped_error(base_url, path, error) from None
    try:
        return json.loads(raw)
    except ValueError:
        raise ServerProtocolError(
            f"{base_url + path} did not answer with JSON (is {base_url} an OpenAI-compatible server?): "
            f"{excerpt(redact(raw.decode('utf-8', errors='replace'), api_key))}") from None


def events(response, base_url: str, path: str, timeout: float) -> Iterator[dict]:
    """The JSON events of a server-sent-events answer (`data: {...}` lines), until `data: [DONE]`. A
    connection lost or silent for `timeout` seconds mid-answer is a ServerUnreachableError / ServerTimeoutError."""
    with response:
        while True:
            try:
                line = response.readline()
            except TimeoutError:
                raise timeout_error(base_url, path, timeout) from None
            except (ConnectionError, OSError, http.client.HTTPException) as error:
                raise dropped_error(base_url, path, error) from None
            if not line:
                raise ServerUnreachableError(
                    f"the connection to {base_url} dropped during {path} (the stream ended without [DONE])")
            line = line.strip()
            if not line.startswith(b"data:"):
                continue  # blank separators, comments (": ping"), event names
            data = line[len(b"data:"):].strip()
            if data == b"[DONE]":
                return
            try:
                event = json.loads(data)
            except ValueError:
                raise ServerProtocolError(f"{base_url + path} streamed an event that is not JSON: "
                                          f"{excerpt(data.decode('utf-8', errors='replace'))}") from None
            if isinstance(event, dict) and "error" in event:
                raise ServerError(f"{base_url + path} reported an error mid-stream: {excerpt(event['error'])}")
            yield event


def http_error(code: int, url: str, detail: str) -> ServerError:
    short = excerpt(detail)
    if code in (401, 403):
        return ServerAuthError(f"the server refused the request to {url} (HTTP {code}): the API key is missing "
                               "or wrong")
    if code == 404:
        lowered = detail.lower()
        if "model" in lowered and "not" in lowered and "found" in lowered and "/v1/" in url:
            return UnknownServedModelError(f"{url}: HTTP 404, the server does not serve that model: {short}")
        return ServerProtocolError(f"{url} does not exist (HTTP 404): is the base URL right? tokviz expects an "
                                   "OpenAI-compatible server's root, e.g. http://127.0.0.1:8000")
    lowered = detail.lower()
    if "context" in lowered and any(w in lowered for w in ("exceed", "longer", "maximum", "too long")):
        return ServedContextError(f"the prompt is longer than the server's context window: {short}")
    return ServerError(f"{url} answered HTTP {code}: {short}")
