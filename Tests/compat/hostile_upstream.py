"""An OpenAI-compatible upstream that misbehaves on purpose; the requested model picks how."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port

LEAKED_KEY = "sk-proj-LeakedUpstreamKey1234567890abcdef"
# SSE line endings the spec allows.
FRAMINGS = {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}


def chunk(text: str) -> dict:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _raw(self, status: int, content_type: str, data: bytes, headers: dict | None = None):
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, body: dict, headers: dict | None = None):
        self._raw(status, "application/json", json.dumps(body).encode(), headers)

    def do_GET(self):
        self._json(200, {"object": "list", "data": []})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        behaviour = body.get("model", "")
        stream = body.get("stream", False)
        if behaviour == "auth":
            return self._json(401, {"error": {"message": f"Incorrect API key provided: {LEAKED_KEY}", "type": "invalid_request_error",
                                              "code": "invalid_api_key"}})
        if behaviour == "forbidden":
            return self._json(403, {"error": {"message": "account acct_98765 has no access to internal-host.corp:8443"}})
        if behaviour == "retry-huge":
            return self._json(429, {"error": {"message": "slow down"}}, {"retry-after": "1e300"})
        if behaviour == "server-secret":
            return self._json(500, {"error": {"message": "backend 10.0.3.7:9000 failed with key " + LEAKED_KEY}})
        if behaviour == "bad-json":
            return self._raw(200, "application/json", b'{"choices": 5}')
        if behaviour == "not-json":
            return self._raw(200, "application/json", b"\x00\xff<html>")
        if behaviour == "usage-overflow":
            return self._json(200, {"id": "x", "object": "chat.completion", "model": "m",
                                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "a\u0000b"}, "finish_reason": "stop"}],
                                    "usage": {"prompt_tokens": 9223372036854775807, "completion_tokens": 9223372036854775807,
                                              "total_tokens": -1}})
        if stream:
            return self.stream(behaviour)
        self._json(200, {"id": "x", "object": "chat.completion", "model": "m",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    def stream(self, behaviour: str):
        events = [chunk("Hello"), chunk(" there"), {**chunk(""), "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                                                     "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}}]
        if behaviour in FRAMINGS:
            end = FRAMINGS[behaviour]
            data = b"".join(b"data: " + json.dumps(e).encode() + end + end for e in events) + b"data: [DONE]" + end + end
        elif behaviour == "decorated":
            # Comments, ids, event names, a retry field, and one event's JSON spread over many data lines.
            lines = json.dumps(events[0], indent=1).encode().split(b"\n")
            data = b": keep-alive\n\nid: 1\nretry: 10\n" + b"".join(b"data: " + line + b"\n" for line in lines) + b"\n"
            data += b"".join(b"event: message\nid: 2\ndata: " + json.dumps(e).encode() + b"\n\n" for e in events[1:])
            data += b": bye\ndata: [DONE]\n"
        elif behaviour == "garbage":
            data = b"data: this is not json\n\n"
        elif behaviour == "huge-event":
            data = b"data: " + b"x" * (5 * 1024 * 1024)
        elif behaviour == "error-event":
            data = b"data: " + json.dumps(chunk("partial")).encode() + b"\n\n" + \
                b'data: {"error":{"message":"overloaded at 10.9.9.9","type":"server_error"}}\n\n'
        else:
            data = b"data: " + json.dumps(chunk("ok")).encode() + b"\n\ndata: [DONE]\n\n"
        self._raw(200, "text/event-stream", data)


class HostileUpstream:
    def __init__(self):
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _Hostile)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
