"""A real Prometheus (Debian's package) scrapes the gateway and stores its exemplars."""
import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from conftest import free_port

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def prometheus(tmp_path):
    binary = shutil.which("prometheus")
    assert binary, "prometheus is not installed (scripts/test.sh installs Debian's package)"
    processes = []

    def start(metrics_port: int) -> str:
        port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: llm-gateway\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{metrics_port}']\n"
        )
        log = open(tmp_path / "prometheus.log", "wb")
        processes.append(subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--enable-feature=exemplar-storage"],
            stdout=log, stderr=subprocess.STDOUT,
        ))
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


def query(base: str, path: str, **params) -> dict:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_prometheus_stores_exemplars_with_the_request_trace_id(start_gateway, prometheus):
    gateway = start_gateway("providers:\n  mock:\n    models: [mock-gpt]\n")
    base = prometheus(gateway.metrics_port)
    gateway.chat(traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01")

    deadline = time.monotonic() + 60
    found = []
    while time.monotonic() < deadline:
        try:
            now = time.time()
            result = query(base, "/api/v1/query_exemplars", query="http_request_duration_seconds_bucket",
                           start=now - 600, end=now + 60)
            found = [e["labels"] for series in result["data"] for e in series["exemplars"]]
            if any(labels.get("trace_id") == TRACE_ID for labels in found):
                break
        except OSError:
            pass
        time.sleep(0.5)
    assert any(labels.get("trace_id") == TRACE_ID and len(labels.get("span_id", "")) == 16 for labels in found), found

    up = query(base, "/api/v1/query", query='up{job="llm-gateway"}')
    assert up["data"]["result"][0]["value"][1] == "1"
    total = query(base, "/api/v1/query", query='sum(http_requests_total{route="/v1/chat/completions",status="200"})')
    assert float(total["data"]["result"][0]["value"][1]) >= 1
