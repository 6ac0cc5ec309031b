"""A small OpenAI-compatible upstream for the compatibility tests: the requested model picks the behaviour
(`ok`, `rate-limited` → 429 with Retry-After 0, `broken` → 500, `slow` → answers after 3 s), `fault_rate`
injects 500s into any of them, and it also accepts OTLP trace exports."""
import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port


class _Upstream(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, body: dict, headers: dict | None = None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send(200, {"object": "list", "data": []})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path.endswith("/v1/traces"):
            return self._send(200, {})
        model = json.loads(body or b"{}").get("model", "")
        if random.random() < self.server.fault_rate:
            return self._send(500, {"error": {"message": "injected fault", "type": "server_error", "code": None}})
        if model == "rate-limited":
            return self._send(429, {"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}},
                              {"retry-after": "0"})
        if model == "broken":
            return self._send(500, {"error": {"message": "boom", "type": "server_error", "code": None}})
        if model == "slow":
            time.sleep(3)
        self._send(200, {"id": "chatcmpl-stub", "object": "chat.completion", "created": 1, "model": model,
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "stub"}, "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}})


class UpstreamStub:
    def __init__(self):
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _Upstream)
        # Share of chat requests answered with an injected 500 (changed while the test runs).
        self.server.fault_rate = 0.0
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
