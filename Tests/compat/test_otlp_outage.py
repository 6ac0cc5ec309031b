"""With the OTLP endpoint failing, requests are unaffected, drops are counted, spans arrive once it is back."""
import gzip
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from test_otlp_export import Recorder


class FlakyCollector(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        if self.server.failing.is_set():
            self.server.refused += 1
            self.send_response(503)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        self.server.requests.append(body)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def chat(gateway, trace_id: str) -> float:
    """One traced request; returns its latency in seconds."""
    started = time.perf_counter()
    gateway.chat(traceparent=f"00-{trace_id}-00f067aa0ba902b7-01")
    return time.perf_counter() - started


def exported_trace_ids(collector) -> set[str]:
    ids = set()
    for body in collector.requests:
        exported = ExportTraceServiceRequest()
        exported.ParseFromString(gzip.decompress(body))
        for resource in exported.resource_spans:
            for scope in resource.scope_spans:
                ids.update(span.trace_id.hex() for span in scope.spans)
    return ids


def test_collector_outage_changes_nothing_for_requests(start_gateway):
    collector = Recorder(FlakyCollector)
    collector.failing = threading.Event()
    collector.refused = 0
    gateway = start_gateway("providers:\n  mock:\n    models: [mock-gpt]\n", env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_BSP_MAX_QUEUE_SIZE": "40",
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "10",
    })
    try:
        baseline = [chat(gateway, f"{1:016x}{i:016x}") for i in range(150)]

        collector.failing.set()
        during = [chat(gateway, f"{2:016x}{i:016x}") for i in range(150)]
        # Every request succeeded; latency did not follow the exporter's trouble.
        assert statistics.median(during) < statistics.median(baseline) * 3 + 0.002
        assert sorted(during)[int(len(during) * 0.95)] < sorted(baseline)[int(len(baseline) * 0.95)] * 3 + 0.005
        assert collector.refused > 0
        dropped = gateway.metric('llm_gateway_export_dropped_items_total{exporter="otlp",signal="spans",reason="queue_full"}')
        assert dropped > 0, "a queue of 40 cannot hold 150 requests' spans"

        before_recovery = exported_trace_ids(collector)
        collector.failing.clear()
        deadline = time.monotonic() + 15
        recovered = set()
        while time.monotonic() < deadline:
            recovered = {t for t in exported_trace_ids(collector) - before_recovery if t.startswith(f"{2:016x}")}
            if recovered:
                break
            time.sleep(0.2)
        assert recovered, "spans queued during the outage arrive once the collector is back"
        assert len(recovered) <= 40
        assert gateway.metric('llm_gateway_exported_items_total{exporter="otlp",signal="spans"}') > 0
    finally:
        gateway.stop()
        collector.shutdown()
