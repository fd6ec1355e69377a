"""A local HTTP stand-in for the platforms' own servers (Slack Web API, Microsoft login, Bot Connector).

It answers from a table of routes and records every request, so a test can wait
for what the coach posted. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


Handler = Callable[[Recorded], Tuple[int, Any]]


class StandIn:
    def __init__(self, port: int = 0) -> None:
        self.routes: List[Tuple[str, str, Handler]] = []  # (method, path prefix, handler)
        self.recorded: List[Recorded] = []
        self._lock = threading.Lock()
        self._port = port
        self.server: Optional[http.server.ThreadingHTTPServer] = None
        self._serving = False

    def route(self, method: str, prefix: str, handler: Handler) -> "StandIn":
        self.routes.append((method, prefix, handler))
        return self

    @property
    def running(self) -> bool:
        return self._serving

    @property
    def url(self) -> str:
        port = self.server.server_address[1] if self.server else self._port
        return f"http://127.0.0.1:{port}"

    def reserve(self) -> "StandIn":
        """Bind the port now but do not listen yet: connections are refused until ``start``.

        Holding the bound socket keeps another process from taking the port in between,
        which a port number chosen early and bound late cannot promise.
        """
        if self.server is None:
            self.server = self._build()
        return self

    def start(self) -> "StandIn":
        if self._serving:
            return self
        self.reserve()
        assert self.server is not None
        self.server.server_activate()
        self._serving = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def _build(self) -> http.server.ThreadingHTTPServer:
        stand_in = self

        class RequestHandler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                record = Recorded(self.command, urlsplit(self.path).path, dict(self.headers.items()), body)
                with stand_in._lock:
                    stand_in.recorded.append(record)
                status, payload = 404, {"ok": False, "error": "unknown_method"}
                for method, prefix, handler in stand_in.routes:
                    if method == self.command and record.path.startswith(prefix):
                        status, payload = handler(record)
                        break
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", self._port), RequestHandler, bind_and_activate=False)
        server.daemon_threads = True
        try:
            server.server_bind()
        except OSError:
            server.server_close()
            raise
        return server

    def stop(self) -> None:
        if self.server is not None:
            if self._serving:
                self.server.shutdown()
            self.server.server_close()
            self.server = None
            self._serving = False

    def matching(self, predicate: Callable[[Recorded], bool]) -> List[Recorded]:
        with self._lock:
            return [r for r in self.recorded if predicate(r)]

    def wait_for(
        self, predicate: Callable[[Recorded], bool], count: int, timeout: float = 30.0, settle: float = 0.4
    ) -> List[Recorded]:
        """Wait until at least ``count`` matching requests arrived and no more came for ``settle`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.matching(predicate)
            if len(found) >= count and time.monotonic() - found[-1].at >= settle:
                return found
            time.sleep(0.05)
        found = self.matching(predicate)
        raise AssertionError(
            f"expected {count} request(s) on the stand-in, got {len(found)}: "
            f"{[(r.method, unquote(r.path)) for r in found]}"
        )
