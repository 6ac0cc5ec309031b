"""The Loki push exporter: body shape, labels, structured metadata, gzip; a failing Loki loses no request."""
import gzip
import json
import time
from http.server import BaseHTTPRequestHandler

from test_otlp_export import Recorder

TRACE_ID = "a3ce929d0e0e47364bf92f3577b34da6"


class LokiHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        status = self.server.status
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def config(url: str) -> str:
    return (
        "providers:\n  mock:\n    models: [mock-gpt]\n"
        f"logging:\n  level: info\n  loki:\n    url: {url}\n    tenant_id: team-sre\n    env: test\n"
    )


def chat(gateway):
    gateway.chat(traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01")


def test_push_body_labels_and_structured_metadata(start_gateway):
    loki = Recorder(LokiHandler)
    loki.status = 204
    try:
        gateway = start_gateway(config(loki.url))
        chat(gateway)
        assert gateway.stop() == 0  # the final flush happens on shutdown
        assert loki.requests
        headers, _ = loki.requests[0]
        assert headers["content-type"] == "application/json"
        assert headers["content-encoding"] == "gzip"
        assert headers["x-scope-orgid"] == "team-sre"
        assert all(h["content-encoding"] == "gzip" for h, _ in loki.requests)
        streams = [s for _, body in loki.requests for s in json.loads(gzip.decompress(body))["streams"]]
        for stream in streams:
            assert set(stream["stream"]) == {"service", "level", "env"}
            assert stream["stream"]["service"] == "llm-gateway" and stream["stream"]["env"] == "test"
            for value in stream["values"]:
                assert isinstance(value[0], str) and len(value[0]) == 19 and value[0].isdigit()
                assert abs(int(value[0]) / 1e9 - time.time()) < 120
                json.loads(value[1])  # the line is the gateway's JSON line
        access = [v for s in streams for v in s["values"] if json.loads(v[1])["msg"] == "request"]
        assert len(access) == 1
        assert access[0][2]["trace_id"] == TRACE_ID
        assert access[0][2]["request_id"] == json.loads(access[0][1])["request_id"]
        levels = {s["stream"]["level"] for s in streams}
        assert "info" in levels
    finally:
        loki.shutdown()


def test_failing_loki_loses_no_request_and_is_counted(start_gateway):
    loki = Recorder(LokiHandler)
    loki.status = 500
    try:
        gateway = start_gateway(config(loki.url))
        for _ in range(20):
            chat(gateway)
        failed = gateway.wait_for_metric('llm_gateway_export_dropped_items_total{exporter="loki",signal="logs",reason="export_failed"}')
        assert failed > 0
        assert len(loki.requests) >= 3  # retried before giving up
        # Nothing was lost to the gateway's own log either.
        loki.shutdown()  # now Loki is gone entirely: shutdown must still be prompt
        started = time.monotonic()
        assert gateway.stop() == 0
        assert time.monotonic() - started < 10
        lines = [json.loads(line) for line in gateway.log_path.read_text().splitlines()]
        assert len([line for line in lines if line["msg"] == "request"]) == 20
    finally:
        loki.shutdown()
