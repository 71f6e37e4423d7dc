"""The org emulator as a standalone, threaded HTTP server (``python manage.py run_emulator DIR --port P``).

It speaks plain HTTP on a local port; clients reach it through ``ForwardingAdapter``, since
simple-salesforce always builds https URLs.
"""

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sfemulator.app import OrgEmulator

logger = logging.getLogger(__name__)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: OrgEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # typeshed allows bytes for an address family we do not bind
            host = host.decode()
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a paging client reuses its connection
    server: EmulatorServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.server.emulator.handle(self.command, self.path, dict(self.headers), body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


def make_server(emulator: OrgEmulator, host: str = "127.0.0.1", port: int = 0) -> EmulatorServer:
    """Bind (port 0 picks a free one); raises OSError when the port is taken."""
    return EmulatorServer((host, port), emulator)
