"""Transport adapters that let a ``requests.Session`` (and so simple-salesforce) reach an emulated org.

Mount either one for ``"https://"``: every Salesforce URL the client builds (login, token, data) lands on it.

- ``EmulatorAdapter(emulator)`` answers in-process from an ``OrgEmulator``.
- ``ForwardingAdapter(base_url)`` relays each request to a ``run_emulator`` server over plain HTTP.
"""

import io
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from sfemulator.app import OrgEmulator

_HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "accept-encoding"}


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        return timeout[1]
    return timeout


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if hasattr(body, "read"):
        return body.read()
    return b"".join(body)


class EmulatorAdapter(BaseAdapter):
    """Answers a session's requests from an in-process ``OrgEmulator``."""

    def __init__(self, emulator: OrgEmulator) -> None:
        super().__init__()
        self.emulator = emulator

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        args = (request.method or "GET", target, dict(request.headers), _body_bytes(request.body))
        limit = _read_timeout(timeout)
        if limit is None:
            status, headers, body = self.emulator.handle(*args)
        else:
            status, headers, body = self._handle_within(args, limit, request)
        return self.build_response(request, status, headers, body)

    def _handle_within(self, args: tuple[Any, ...], limit: float, request: requests.PreparedRequest) -> Any:
        # A slow org keeps working after the client gives up, as a real server would.
        outcome: list[Any] = []
        worker = threading.Thread(target=lambda: outcome.append(self.emulator.handle(*args)), daemon=True)
        worker.start()
        worker.join(limit)
        if not outcome:
            raise requests.exceptions.ReadTimeout(
                f"Read timed out. (read timeout={limit}) from the org emulator", request=request
            )
        return outcome[0]

    def build_response(
        self, request: requests.PreparedRequest, status: int, headers: dict[str, str], body: bytes
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = io.BytesIO(body)
        response._content = body
        response.reason = _REASONS.get(status, "")
        response.url = request.url or ""
        response.request = request
        # The stub wants an HTTPAdapter; requests only calls send() on it (auth retries), which any adapter has.
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        pass


class ForwardingAdapter(BaseAdapter):
    """Relays a session's https requests to a running emulator server at ``base_url`` (http://127.0.0.1:PORT)."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self._transport = HTTPAdapter(max_retries=0)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        forwarded = request.copy()
        forwarded.url = f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        forwarded.headers = CaseInsensitiveDict(
            {key: value for key, value in request.headers.items() if key.lower() not in _HOP_BY_HOP}
        )
        body = _body_bytes(request.body)
        forwarded.body = body
        forwarded.headers["Content-Length"] = str(len(body))
        forwarded.headers["X-Forwarded-Host"] = parts.netloc
        # requests raises ConnectTimeout / ReadTimeout / ConnectionError from here, as for any server.
        response = self._transport.send(forwarded, stream=stream, timeout=timeout, verify=verify)
        response.url = request.url or ""
        response.request = request
        # The stub wants an HTTPAdapter; requests only calls send() on it (auth retries), which any adapter has.
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        self._transport.close()


_REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
