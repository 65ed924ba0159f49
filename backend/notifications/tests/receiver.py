"""A local HTTP receiver on a free loopback port, in a thread: stands in for webhook targets and
the Telegram Bot API. It records every request and, when given the secret, checks its signature
the way a real receiver should (see CELERY_SETUP.md)."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")


class Receiver:
    def __init__(self, *, secret: str | None = None) -> None:
        self.secret = secret
        self.requests: list[dict] = []
        # Scripted answers (status, body), used in order before falling back to `default`.
        self.script: deque[tuple[int, bytes]] = deque()
        self.default: tuple[int, bytes] = (200, b'{"ok":true}')
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    status, answer = receiver.script.popleft() if receiver.script else receiver.default
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": dict(self.headers.items()),
                            "body": body,
                            "json": json.loads(body) if body else None,
                            "signature_valid": (
                                signature_valid(receiver.secret, body, self.headers.get("X-Signature", ""))
                                if receiver.secret is not None else None
                            ),
                            "status": status,
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for it, and every test stops a receiver.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def respond(self, *answers: tuple[int, bytes | str]) -> None:
        for status, body in answers:
            self.script.append((status, body.encode() if isinstance(body, str) else body))

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
