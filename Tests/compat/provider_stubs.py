"""Minimal OpenAI, Anthropic, Gemini and Bedrock upstreams in their own wire formats, for SDK tests through the gateway.
Every request body is kept in `ProviderStubs.requests` (path, body).

Every stub reports the same usage in its own terms (`USAGE`, in OpenAI's: cached and reasoning tokens are parts of
the input and output totals): 10 input tokens of which 4 were read from the prompt cache, and — where the provider
reports them — 2 written to it (Anthropic, Bedrock); 6 output tokens of which 2 were reasoning (OpenAI, Gemini)."""
import json
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port

USAGE = {"input": 10, "output": 6, "cache_read": 4}
CACHE_CREATION = {"anthropic": 2, "bedrock": 2}
REASONING = {"openai": 2, "gemini": 2}


def usage_of(provider: str) -> dict:
    """The counts, by `llm_tokens_total` type, one answer from `provider`'s stub reports."""
    return {**USAGE, "cache_creation": CACHE_CREATION.get(provider, 0), "reasoning": REASONING.get(provider, 0)}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _write(self, content_type: str, data: bytes):
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        self.server.requests.append((self.path, body))
        if self.path.startswith("/v1/chat/completions"):
            return self.openai(body)
        if self.path.startswith("/v1/messages"):
            return self.anthropic(body)
        if self.path.startswith("/model/"):
            assert self.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSTUB/")
            return self.bedrock(stream=self.path.endswith("/converse-stream"))
        return self.gemini(stream="alt=sse" in self.path)

    @staticmethod
    def frame(event_type: str, payload: dict) -> bytes:
        """One AWS event-stream message: prelude, string headers, JSON payload, CRC32s."""
        headers = b""
        for name, value in ((":event-type", event_type), (":message-type", "event"), (":content-type", "application/json")):
            headers += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value)) + value.encode()
        data = json.dumps(payload).encode()
        prelude = struct.pack(">II", 16 + len(headers) + len(data), len(headers))
        prelude += struct.pack(">I", zlib.crc32(prelude))
        message = prelude + headers + data
        return message + struct.pack(">I", zlib.crc32(message))

    def bedrock(self, stream: bool):
        # Bedrock's inputTokens leaves out the cache's tokens, as Anthropic's input_tokens does.
        usage = {"inputTokens": 4, "outputTokens": 6, "totalTokens": 16, "cacheReadInputTokens": 4, "cacheWriteInputTokens": 2}
        if not stream:
            body = {"output": {"message": {"role": "assistant", "content": [{"text": "hello from bedrock"}]}},
                    "stopReason": "end_turn", "usage": usage}
            return self._write("application/json", json.dumps(body).encode())
        frames = [self.frame("messageStart", {"role": "assistant"}),
                  self.frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "hello from "}}),
                  self.frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "bedrock"}}),
                  self.frame("contentBlockStop", {"contentBlockIndex": 0}),
                  self.frame("messageStop", {"stopReason": "end_turn"}),
                  self.frame("metadata", {"usage": usage, "metrics": {"latencyMs": 5}})]
        self._write("application/vnd.amazon.eventstream", b"".join(frames))

    def openai(self, body):
        """As OpenAI does: a stream carries usage in a last chunk without choices only when include_usage asks."""
        usage = {"prompt_tokens": 10, "completion_tokens": 6, "total_tokens": 16,
                 "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0}}
        base = {"id": "chatcmpl-1", "created": 1, "model": body["model"]}
        if not body.get("stream"):
            message = {**base, "object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "message": {"role": "assistant", "content": "hello from openai"}, "finish_reason": "stop"}]}
            return self._write("application/json", json.dumps(message).encode())
        asked = (body.get("stream_options") or {}).get("include_usage") is True
        def chunk(delta, finish=None):
            out = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if asked:
                out["usage"] = None
            return out
        chunks = [chunk({"role": "assistant", "content": "hello from "}), chunk({"content": "openai"}), chunk({}, "stop")]
        if asked:
            chunks.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        self._write("text/event-stream", ("".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode())

    def anthropic(self, body):
        cache = {"cache_read_input_tokens": 4, "cache_creation_input_tokens": 2}
        if not body.get("stream"):
            message = {"id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
                       "content": [{"type": "text", "text": "hello from anthropic"}], "stop_reason": "end_turn",
                       "stop_sequence": None, "usage": {"input_tokens": 4, "output_tokens": 6, **cache}}
            return self._write("application/json", json.dumps(message).encode())
        events = [
            ("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
                                                                     "model": body["model"], "content": [], "usage": {"input_tokens": 4, "output_tokens": 1, **cache}}}),
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hello from "}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "anthropic"}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        self._write("text/event-stream", "".join(f"event: {n}\ndata: {json.dumps(p)}\n\n" for n, p in events).encode())

    def gemini(self, stream: bool):
        def response(text, finish=None):
            candidate = {"content": {"role": "model", "parts": [{"text": text}]}}
            if finish:
                candidate["finishReason"] = finish
            out = {"candidates": [candidate], "modelVersion": "gemini-stub", "responseId": "r1"}
            if finish:
                # Gemini's promptTokenCount includes the cached content; thoughts are not part of the candidates.
                out["usageMetadata"] = {"promptTokenCount": 10, "cachedContentTokenCount": 4, "candidatesTokenCount": 4,
                                        "thoughtsTokenCount": 2, "totalTokenCount": 16}
            return out
        if not stream:
            return self._write("application/json", json.dumps(response("hello from gemini", "STOP")).encode())
        events = [response("hello from "), response("gemini", "STOP")]
        self._write("text/event-stream", "".join(f"data: {json.dumps(e)}\r\n\r\n" for e in events).encode())


class ProviderStubs:
    def __init__(self):
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.server.requests = []
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list:
        return self.server.requests

    def stop(self):
        self.server.shutdown()
