"""Spans exported over OTLP/HTTP, decoded with the official opentelemetry-proto package."""
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from conftest import free_port

TRACE_ID = "5b8efff798038103d269b633813fc60c"
STREAM_TRACE_ID = "6c9f000898038103d269b633813fc60d"
PARENT_SPAN = "eee19b7ec3c1b174"


class Recorder(ThreadingHTTPServer):
    """Records every request: path, headers, raw body."""

    def __init__(self, handler):
        super().__init__(("127.0.0.1", free_port()), handler)
        self.requests = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class CollectorHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.send_header("content-type", self.headers.get("content-type", "application/x-protobuf"))
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class OpenAIUpstreamHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, request))
        body = json.dumps({
            "id": "chatcmpl-upstream-1", "object": "chat.completion", "created": 1, "model": "gpt-test-2024",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10,
                      "prompt_tokens_details": {"cached_tokens": 5}, "completion_tokens_details": {"reasoning_tokens": 2}},
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def collector():
    server = Recorder(CollectorHandler)
    yield server
    server.shutdown()


@pytest.fixture
def upstream():
    server = Recorder(OpenAIUpstreamHandler)
    yield server
    server.shutdown()


def run_traffic(start_gateway, collector, upstream, protocol):
    config = f"providers:\n  mock:\n    models: [mock-gpt]\n  upstream:\n    type: openai\n    base_url: {upstream.url}\n"
    # A direct `provider/model` route is priced too: 2 plain input, 5 cached, 3 output → 2 + 2.5 + 6 = $10.5 per million.
    config += "pricing:\n  prices:\n    upstream:\n      gpt-test: {input: 1, output: 2, cached_input: 0.5}\n"
    gateway = start_gateway(config, env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test",
    })
    import urllib.request
    request = urllib.request.Request(
        f"{gateway.base_url}/v1/chat/completions",
        data=json.dumps({"model": "upstream/gpt-test", "messages": [{"role": "user", "content": "hi"}]}).encode(),
        headers={"content-type": "application/json", "traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    streamed = urllib.request.Request(
        f"{gateway.base_url}/v1/chat/completions",
        data=json.dumps({"model": "mock-gpt", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode(),
        headers={"content-type": "application/json", "traceparent": f"00-{STREAM_TRACE_ID}-{PARENT_SPAN}-01"},
    )
    with urllib.request.urlopen(streamed, timeout=10) as response:
        assert b"data: [DONE]" in response.read()
    assert gateway.stop() == 0  # SIGTERM flushes the queue
    return gateway


def exported_batches(collector):
    """Every ResourceSpans the collector received, in order."""
    batches = []
    for _, _, body in collector.requests:
        exported = ExportTraceServiceRequest()
        exported.ParseFromString(gzip.decompress(body))
        batches.extend(exported.resource_spans)
    return batches


def attributes(key_values):
    result = {}
    for kv in key_values:
        kind = kv.value.WhichOneof("value")
        value = getattr(kv.value, kind)
        if kind == "array_value":
            value = [v.string_value for v in value.values]
        result[kv.key] = value
    return result


def test_protobuf_export_with_gzip_span_tree_and_genai_attributes(start_gateway, collector, upstream):
    gateway = run_traffic(start_gateway, collector, upstream, "http/protobuf")
    assert collector.requests, "no export reached the collector"
    path, headers, body = collector.requests[0]
    assert path == "/v1/traces"
    assert headers["content-type"] == "application/x-protobuf"
    assert headers["content-encoding"] == "gzip"
    exported = ExportTraceServiceRequest()
    exported.ParseFromString(gzip.decompress(body))
    resource_spans = exported.resource_spans[0]
    resource = attributes(resource_spans.resource.attributes)
    assert resource["service.name"] == "llm-gateway"
    assert resource["service.version"]
    assert resource["host.name"]
    assert resource["deployment.environment"] == "test"
    spans = [span for scope in resource_spans.scope_spans for span in scope.spans]
    spans += [span for rs in exported_batches(collector)[1:] for scope in rs.scope_spans for span in scope.spans]
    assert {s.trace_id.hex() for s in spans} == {TRACE_ID, STREAM_TRACE_ID}, "only the traced requests (probes are not)"
    streamed = next(s for s in spans if s.kind == 3 and s.trace_id.hex() == STREAM_TRACE_ID)
    streamed_attributes = attributes(streamed.attributes)
    assert streamed_attributes["gen_ai.request.stream"] is True
    assert isinstance(streamed_attributes["gen_ai.response.time_to_first_chunk"], float)
    assert streamed_attributes["gen_ai.usage.output_tokens"] == 16
    assert streamed_attributes["gen_ai.response.finish_reasons"] == ["stop"]
    assert [event.name for event in streamed.events] == ["gen_ai.first_token"]
    spans = [s for s in spans if s.trace_id.hex() == TRACE_ID]
    server = next(s for s in spans if s.kind == 2)
    client = next(s for s in spans if s.kind == 3)
    assert server.trace_id.hex() == TRACE_ID and server.parent_span_id.hex() == PARENT_SPAN
    assert server.name == "POST /v1/chat/completions"
    server_attributes = attributes(server.attributes)
    assert server_attributes["http.request.method"] == "POST"
    assert server_attributes["http.response.status_code"] == 200
    assert server_attributes["gen_ai.usage.cost.amount"] == pytest.approx(10.5e-6, rel=1e-12)
    assert server_attributes["gen_ai.usage.cost.currency"] == "USD"
    assert client.trace_id.hex() == TRACE_ID and client.parent_span_id.hex() == server.span_id.hex()
    assert client.name == "chat gpt-test"
    genai = attributes(client.attributes)
    assert genai["gen_ai.operation.name"] == "chat"
    assert genai["gen_ai.provider.name"] == "openai"
    assert genai["gen_ai.request.model"] == "gpt-test"
    assert genai["gen_ai.response.model"] == "gpt-test-2024"
    assert genai["gen_ai.response.id"] == "chatcmpl-upstream-1"
    assert genai["gen_ai.usage.input_tokens"] == 7 and genai["gen_ai.usage.output_tokens"] == 3
    assert genai["gen_ai.usage.cache_read.input_tokens"] == 5 and genai["gen_ai.usage.reasoning.output_tokens"] == 2
    assert "gen_ai.usage.cache_creation.input_tokens" not in genai, "a count the provider did not report is left out"
    assert genai["gen_ai.response.finish_reasons"] == ["stop"]
    assert genai["gen_ai.request.stream"] is False
    assert genai["server.address"] == "127.0.0.1" and genai["server.port"] == upstream.server_address[1]
    assert client.start_time_unix_nano >= server.start_time_unix_nano
    assert client.end_time_unix_nano <= server.end_time_unix_nano

    # The upstream saw the client span as its parent.
    _, upstream_headers, _ = upstream.requests[0]
    assert upstream_headers["traceparent"] == f"00-{TRACE_ID}-{client.span_id.hex()}-01"
    # The access line carries the server span's ids.
    access = [json.loads(line) for line in gateway.log_path.read_text().splitlines() if '"msg":"request"' in line]
    assert access[0]["trace_id"] == TRACE_ID and access[0]["span_id"] == server.span_id.hex()


def test_json_export_uses_hex_ids_integer_enums_and_string_int64(start_gateway, collector, upstream):
    run_traffic(start_gateway, collector, upstream, "http/json")
    path, headers, body = collector.requests[0]
    assert headers["content-type"] == "application/json" and headers["content-encoding"] == "gzip"
    exported = json.loads(gzip.decompress(body))
    spans = exported["resourceSpans"][0]["scopeSpans"][0]["spans"]
    client = next(s for s in spans if s["kind"] == 3 and s["traceId"] == TRACE_ID)
    assert isinstance(client["startTimeUnixNano"], str) and int(client["startTimeUnixNano"]) > 0
    usage = next(a for a in client["attributes"] if a["key"] == "gen_ai.usage.input_tokens")
    assert usage["value"] == {"intValue": "7"}


class PartialCollector(BaseHTTPRequestHandler):
    def do_POST(self):
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
        self.rfile.read(int(self.headers["content-length"]))
        answer = ExportTraceServiceResponse()
        answer.partial_success.rejected_spans = 1
        answer.partial_success.error_message = "one span refused"
        body = answer.SerializeToString()
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_partial_success_counts_rejected_spans(start_gateway):
    collector = Recorder(PartialCollector)
    try:
        gateway = start_gateway("providers:\n  mock:\n    models: [mock-gpt]\n", env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "100",
        })
        gateway.chat()
        series = 'llm_gateway_export_dropped_items_total{exporter="otlp",signal="spans",reason="rejected"}'
        assert gateway.wait_for_metric(series, timeout=10) >= 1
    finally:
        collector.shutdown()


class FlakyUpstreamHandler(OpenAIUpstreamHandler):
    """Fails the first request with 503, then answers like the OpenAI upstream."""

    def do_POST(self):
        if not getattr(self.server, "failed_once", False):
            self.server.failed_once = True
            self.rfile.read(int(self.headers["content-length"]))
            self.server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, None))
            body = b'{"error":{"message":"busy","type":"server_error","param":null,"code":null}}'
            self.send_response(503)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_POST()


def test_retry_shows_as_a_second_attempt_span_with_a_retry_event(start_gateway, collector):
    import urllib.request
    flaky = Recorder(FlakyUpstreamHandler)
    try:
        config = f"providers:\n  upstream:\n    type: openai\n    base_url: {flaky.url}\n    max_retries: 2\n"
        gateway = start_gateway(config, env={"OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "100"})
        request = urllib.request.Request(
            f"{gateway.base_url}/v1/chat/completions",
            data=json.dumps({"model": "upstream/gpt-test", "messages": [{"role": "user", "content": "hi"}]}).encode(),
            headers={"content-type": "application/json", "traceparent": f"00-{TRACE_ID}-{PARENT_SPAN}-01"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["x-llm-gateway-attempts"] == "2"
        assert gateway.stop() == 0
        spans = [span for rs in exported_batches(collector) for scope in rs.scope_spans for span in scope.spans]
        clients = sorted((s for s in spans if s.kind == 3), key=lambda s: s.start_time_unix_nano)
        assert len(clients) == 2
        first, second = clients
        assert first.status.code == 2 and attributes(first.attributes)["error.type"] == "server_error"
        assert attributes(second.attributes)["llm_gateway.attempt"] == 2
        # The upstream closes each connection (HTTP/1.0), so each attempt waited for a new one.
        assert [event.name for event in first.events] == ["llm_gateway.connection_wait"]
        assert [event.name for event in second.events] == ["llm_gateway.retry", "llm_gateway.connection_wait"]
        # The retry event carries why the attempt was retried, at the attempt's start.
        assert attributes(second.events[0].attributes) == {"error.type": "server_error"}
        assert second.events[0].time_unix_nano == second.start_time_unix_nano
        # The wait event: why, how long (seconds), at the moment the wait began, within the attempt.
        for span, wait in ((first, first.events[0]), (second, second.events[1])):
            waited = attributes(wait.attributes)
            assert waited["llm_gateway.connection_wait.reason"] == "connected"
            assert 0 <= waited["llm_gateway.connection_wait.duration"] < 5
            assert span.start_time_unix_nano <= wait.time_unix_nano <= span.end_time_unix_nano
        assert first.parent_span_id == second.parent_span_id  # both children of the one server span
        # Each attempt sent its own span as the upstream's parent.
        assert [h["traceparent"].split("-")[2] for _, h, _ in flaky.requests] == [first.span_id.hex(), second.span_id.hex()]
    finally:
        flaky.shutdown()
