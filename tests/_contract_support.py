"""A stand-in for the real API: a small HTTP proxy in front of the emulator that can answer
one case differently, so the fidelity suite can be shown to fail where (and only where) it should.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Exchange:
    """One request through the proxy and the emulator's answer, which a change may rewrite."""

    method: str
    path: str
    query: dict[str, list[str]]
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, data: Any) -> None:
        self.body = json.dumps(data).encode()


Change = Callable[[Exchange], None]


@dataclass
class Proxy:
    """Forwards every request to ``upstream``; ``change`` may rewrite the answer."""

    upstream: str
    change: Optional[Change] = None
    requests: list[str] = field(default_factory=list)

    def start(self) -> str:
        proxy = self
        target = urlsplit(self.upstream)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.requests.append(f"{self.command} {self.path}")
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                parts = urlsplit(self.path)
                exchange = Exchange(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    answer.status,
                    {k.lower(): v for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP},
                    answer.read(),
                )
                conn.close()
                if proxy.change is not None:
                    proxy.change(exchange)
                self.send_response(exchange.status)
                for name, value in exchange.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(exchange.body)))
                self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(exchange.body)

            do_GET = do_POST = do_DELETE = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


# -- the changes: each makes the stand-in differ from the fake in ONE behaviour ----------------


def limit_accepted(x: Exchange) -> None:
    """A listing with limit 0 or 1001 answers 200 (an empty page) instead of 400."""
    if (
        x.method == "GET"
        and x.path.rstrip("/").endswith("/v1/files")
        and x.query.get("limit") in (["0"], ["1001"])
    ):
        x.status = 200
        x.set_json({"data": [], "next_page": None})


def request_id_dropped(x: Exchange) -> None:
    """Error answers come without the request-id header."""
    if x.status >= 400:
        x.headers.pop("request-id", None)


def not_found_reworded(x: Exchange) -> None:
    """A 404 for a (file_...) file id says so in other words."""
    if x.status == 404 and "/v1/files/file_" in x.path:
        data = x.json()
        data["error"]["message"] = "No such file."
        x.set_json(data)


def declared_type_replaced(x: Exchange) -> None:
    """The upload of table.dat declared text/csv is stored as text/plain."""
    if x.method == "POST" and x.status == 200 and x.path.rstrip("/").endswith("/v1/files"):
        data = x.json()
        if data.get("mime_type") == "text/csv" and data.get("filename") == "table.dat":
            data["mime_type"] = "text/plain"
            x.set_json(data)


def nested_reference_unchecked(x: Exchange) -> None:
    """A deleted file inside a tool_result is answered 200 (the reference is not looked at)."""
    if (
        x.method == "POST"
        and x.path.rstrip("/").endswith("/v1/messages")
        and x.status == 404
        and (b"tool_result" in x.request_body)
    ):
        x.status = 200
        x.set_json(
            {
                "id": "msg_01contract",
                "type": "message",
                "role": "assistant",
                "model": "claude-haiku-4-5",
                "content": [{"type": "text", "text": "Hi"}],
                "stop_reason": "max_tokens",
                "stop_sequence": None,
                "usage": {"input_tokens": 10, "output_tokens": 1},
            }
        )
