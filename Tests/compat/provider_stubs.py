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

    def _json(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    RESPONSES = ("/v1/responses", "/openai/v1/responses")

    def do_GET(self):
        self.server.requests.append((f"GET {self.path}", {}))
        stored = self.server.responses.get(self.path.rsplit("/", 1)[-1])
        if not self.path.startswith(self.RESPONSES) or stored is None:
            return self._json(404, {"error": {"message": "No response found.", "type": "invalid_request_error", "code": None}})
        self._json(200, stored["response"])

    def do_DELETE(self):
        self.server.requests.append((f"DELETE {self.path}", {}))
        rid = self.path.rsplit("/", 1)[-1]
        if self.server.responses.pop(rid, None) is None:
            return self._json(404, {"error": {"message": "No response found.", "type": "invalid_request_error", "code": None}})
        self._json(200, {"id": rid, "object": "response", "deleted": True})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        self.server.requests.append((self.path, body))
        if self.path.startswith(self.RESPONSES):
            return self.openai_responses(body)
        if self.path.startswith("/v1/chat/completions"):
            return self.openai(body)
        if self.path.startswith("/v1/messages"):
            return self.anthropic(body)
        if self.path.startswith("/model/"):
            assert self.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSTUB/")
            return self.bedrock(body, stream=self.path.endswith("/converse-stream"))
        return self.gemini(body, stream="alt=sse" in self.path)

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

    def turn(self, body: dict, provider: str):
        """What the stub answers: a call to get_weather({"city": "Paris"}) when the request offers tools and holds no
        tool result yet; otherwise text — "the weather is sunny" once a tool result saying so came back (in any
        provider's format), else "hello from <provider>". Text comes as (first half, second half) for streams."""
        tools = body.get("tools") or (body.get("toolConfig") or {}).get("tools")
        answered = "sunny" in json.dumps((body.get("messages") or body.get("contents") or [])[-1:])
        if tools and not answered:
            return None
        text = "the weather is sunny" if answered else f"hello from {provider}"
        return text[:len(text) // 2], text[len(text) // 2:]

    CALL_ID, CALL_ARGUMENTS = "call_w1", ('{"city":', ' "Paris"}')

    def bedrock(self, body, stream: bool):
        # Bedrock's inputTokens leaves out the cache's tokens, as Anthropic's input_tokens does.
        usage = {"inputTokens": 4, "outputTokens": 6, "totalTokens": 16, "cacheReadInputTokens": 4, "cacheWriteInputTokens": 2}
        text = self.turn(body, "bedrock")
        stop = "end_turn" if text else "tool_use"
        if not stream:
            block = {"text": "".join(text)} if text else {
                "toolUse": {"toolUseId": self.CALL_ID, "name": "get_weather", "input": {"city": "Paris"}}}
            body = {"output": {"message": {"role": "assistant", "content": [block]}}, "stopReason": stop, "usage": usage}
            return self._write("application/json", json.dumps(body).encode())
        frames = [self.frame("messageStart", {"role": "assistant"})]
        if text:
            frames += [self.frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}}) for piece in text]
        else:
            frames.append(self.frame("contentBlockStart", {"contentBlockIndex": 0, "start": {
                "toolUse": {"toolUseId": self.CALL_ID, "name": "get_weather"}}}))
            frames += [self.frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": piece}}})
                       for piece in self.CALL_ARGUMENTS]
        frames += [self.frame("contentBlockStop", {"contentBlockIndex": 0}),
                   self.frame("messageStop", {"stopReason": stop}),
                   self.frame("metadata", {"usage": usage, "metrics": {"latencyMs": 5}})]
        self._write("application/vnd.amazon.eventstream", b"".join(frames))

    def openai(self, body):
        """As OpenAI does: a stream carries usage in a last chunk without choices only when include_usage asks."""
        usage = {"prompt_tokens": 10, "completion_tokens": 6, "total_tokens": 16,
                 "prompt_tokens_details": {"cached_tokens": 4, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 0}}
        base = {"id": "chatcmpl-1", "created": 1, "model": body["model"]}
        text = self.turn(body, "openai")
        finish = "stop" if text else "tool_calls"
        call = {"id": self.CALL_ID, "type": "function", "function": {"name": "get_weather", "arguments": "".join(self.CALL_ARGUMENTS)}}
        if not body.get("stream"):
            reply = {"role": "assistant", "content": "".join(text)} if text else {"role": "assistant", "content": None, "tool_calls": [call]}
            message = {**base, "object": "chat.completion", "usage": usage,
                       "choices": [{"index": 0, "message": reply, "finish_reason": finish}]}
            return self._write("application/json", json.dumps(message).encode())
        asked = (body.get("stream_options") or {}).get("include_usage") is True
        def chunk(delta, finish=None):
            out = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if asked:
                out["usage"] = None
            return out
        if text:
            chunks = [chunk({"role": "assistant", "content": text[0]}), chunk({"content": text[1]})]
        else:
            opening = {"index": 0, "id": self.CALL_ID, "type": "function", "function": {"name": "get_weather", "arguments": ""}}
            chunks = [chunk({"role": "assistant", "content": None, "tool_calls": [opening]})]
            chunks += [chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}) for piece in self.CALL_ARGUMENTS]
        chunks.append(chunk({}, finish))
        if asked:
            chunks.append({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        self._write("text/event-stream", ("".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode())

    def openai_responses(self, body):
        """OpenAI's Responses API with its state: stored responses continue by previous_response_id; streams are
        the typed events in their documented order."""
        conversation = []
        if body.get("previous_response_id"):
            previous = self.server.responses.get(body["previous_response_id"])
            if previous is None:
                return self._json(400, {"error": {"message": "Previous response not found.", "type": "invalid_request_error",
                                                  "param": "previous_response_id", "code": "previous_response_not_found"}})
            conversation = previous["conversation"]
        given = body.get("input")
        conversation = conversation + ([{"role": "user", "content": given}] if isinstance(given, str) else list(given or []))
        text = self.turn({"tools": body.get("tools"), "messages": conversation}, "openai")
        rid = f"resp_stub{len(self.server.responses) + 1:04d}{self.server.port}"
        if text:
            item = {"id": f"msg_{rid}", "type": "message", "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": "".join(text), "annotations": []}]}
        else:
            item = {"id": f"fc_{rid}", "type": "function_call", "call_id": self.CALL_ID, "name": "get_weather",
                    "arguments": "".join(self.CALL_ARGUMENTS), "status": "completed"}
        usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 4}, "output_tokens": 6,
                 "output_tokens_details": {"reasoning_tokens": 2}, "total_tokens": 16}
        response = {"id": rid, "object": "response", "created_at": 1, "status": "completed", "model": body["model"],
                    "output": [item], "usage": usage, "error": None, "incomplete_details": None,
                    "instructions": body.get("instructions"), "metadata": body.get("metadata") or {},
                    "tools": body.get("tools") or [], "tool_choice": body.get("tool_choice", "auto"),
                    "text": body.get("text") or {"format": {"type": "text"}}, "parallel_tool_calls": True,
                    "previous_response_id": body.get("previous_response_id"), "store": body.get("store", True),
                    "temperature": body.get("temperature"), "top_p": body.get("top_p"),
                    "max_output_tokens": body.get("max_output_tokens")}
        if body.get("store", True):
            self.server.responses[rid] = {"response": response, "conversation": conversation + [item]}
        if not body.get("stream"):
            return self._json(200, response)
        events = []

        def event(kind, **fields):
            events.append(f"event: {kind}\ndata: {json.dumps({'type': kind, 'sequence_number': len(events), **fields})}\n\n")
        started = {**response, "status": "in_progress", "output": [], "usage": None}
        event("response.created", response=started)
        event("response.in_progress", response=started)
        place = {"item_id": item["id"], "output_index": 0}
        if text:
            event("response.output_item.added", output_index=0, item={**item, "status": "in_progress", "content": []})
            event("response.content_part.added", **place, content_index=0, part={"type": "output_text", "text": "", "annotations": []})
            for piece in text:
                event("response.output_text.delta", **place, content_index=0, delta=piece, logprobs=[])
            event("response.output_text.done", **place, content_index=0, text="".join(text), logprobs=[])
            event("response.content_part.done", **place, content_index=0, part=item["content"][0])
        else:
            event("response.output_item.added", output_index=0, item={**item, "status": "in_progress", "arguments": ""})
            for piece in self.CALL_ARGUMENTS:
                event("response.function_call_arguments.delta", **place, delta=piece)
            event("response.function_call_arguments.done", **place, arguments=item["arguments"])
        event("response.output_item.done", output_index=0, item=item)
        event("response.completed", response=response)
        self._write("text/event-stream", "".join(events).encode())

    def anthropic(self, body):
        cache = {"cache_read_input_tokens": 4, "cache_creation_input_tokens": 2}
        text = self.turn(body, "anthropic")
        stop = "end_turn" if text else "tool_use"
        if not body.get("stream"):
            block = {"type": "text", "text": "".join(text)} if text else {
                "type": "tool_use", "id": self.CALL_ID, "name": "get_weather", "input": {"city": "Paris"}}
            message = {"id": "msg_1", "type": "message", "role": "assistant", "model": body["model"], "content": [block],
                       "stop_reason": stop, "stop_sequence": None, "usage": {"input_tokens": 4, "output_tokens": 6, **cache}}
            return self._write("application/json", json.dumps(message).encode())
        events = [("message_start", {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": body["model"], "content": [],
            "usage": {"input_tokens": 4, "output_tokens": 1, **cache}}})]
        if text:
            events.append(("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}))
            events += [("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})
                       for piece in text]
        else:
            events.append(("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {
                "type": "tool_use", "id": self.CALL_ID, "name": "get_weather", "input": {}}}))
            events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "input_json_delta", "partial_json": piece}})
                       for piece in self.CALL_ARGUMENTS]
        events += [("content_block_stop", {"type": "content_block_stop", "index": 0}),
                   ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop}, "usage": {"output_tokens": 6}}),
                   ("message_stop", {"type": "message_stop"})]
        self._write("text/event-stream", "".join(f"event: {n}\ndata: {json.dumps(p)}\n\n" for n, p in events).encode())

    def gemini(self, body, stream: bool):
        text = self.turn(body, "gemini")
        def response(part, finish=None):
            candidate = {"content": {"role": "model", "parts": [part]}}
            if finish:
                candidate["finishReason"] = finish
            out = {"candidates": [candidate], "modelVersion": "gemini-stub", "responseId": "r1"}
            if finish:
                # Gemini's promptTokenCount includes the cached content; thoughts are not part of the candidates.
                out["usageMetadata"] = {"promptTokenCount": 10, "cachedContentTokenCount": 4, "candidatesTokenCount": 4,
                                        "thoughtsTokenCount": 2, "totalTokenCount": 16}
            return out
        call = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
        if not stream:
            return self._write("application/json", json.dumps(response({"text": "".join(text)} if text else call, "STOP")).encode())
        events = [response({"text": text[0]}), response({"text": text[1]}, "STOP")] if text else [response(call, "STOP")]
        self._write("text/event-stream", "".join(f"data: {json.dumps(e)}\r\n\r\n" for e in events).encode())


class ProviderStubs:
    def __init__(self):
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.server.requests = []
        self.server.responses = {}
        self.server.port = self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list:
        return self.server.requests

    def stop(self):
        self.server.shutdown()
