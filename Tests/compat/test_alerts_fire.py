"""The shipped alert rules fire for real: a real Prometheus (1 s scrape and evaluation) scrapes the gateway
with alerts/gateway-alerts.yml (this copy only shortens `for:`), sends to a real Alertmanager whose webhook
receiver is this test. 20 % injected 500s fire HighErrorRate and ProviderUnhealthy (and page); they resolve
when the fault stops; rate-limit pressure fires RateLimitExceeded."""
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT, free_port
from upstream_stub import UpstreamStub

CONFIG = """
providers:
  upstream:
    type: openai
    base_url: UPSTREAM
    api_key: sk-stub
    max_retries: 0
    models: [flaky]
    circuit_breaker: {failure_threshold: 1000, error_rate_threshold: 1}
  limited:
    type: mock
    models: [limited-model]
    max_retries: 0
    rate_limit: {requests_per_minute: 1}
health_checks: {interval_seconds: 1, error_rate_window_seconds: 5, minimum_requests: 10}
"""


class Webhook:
    """Alertmanager's webhook receiver: keeps every notification."""

    def __init__(self):
        self.port = free_port()
        self.notifications: list[dict] = []
        received = self.notifications

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def alerts(self, status: str) -> set[str]:
        return {a["labels"]["alertname"] for n in self.notifications for a in n["alerts"] if a["status"] == status}


def start(command: list[str], log_path) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)


def firing(prometheus: str) -> set[str]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": 'ALERTS{alertstate="firing"}'})
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return {r["metric"]["alertname"] for r in json.loads(response.read())["data"]["result"]}
    except OSError:
        return set()


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Load:
    """Keeps sending chat requests for `model` from a few threads until stopped."""

    def __init__(self, gateway, model: str, threads: int = 4):
        self.running = True
        body = json.dumps({"model": model, "messages": [{"role": "user", "content": "hi"}]}).encode()

        def loop():
            while self.running:
                request = urllib.request.Request(f"{gateway.base_url}/v1/chat/completions", data=body,
                                                 headers={"content-type": "application/json"})
                try:
                    urllib.request.urlopen(request, timeout=5).read()
                except urllib.error.HTTPError as error:
                    error.read()
                except OSError:
                    pass
                time.sleep(0.01)

        self.threads = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.running = False
        for thread in self.threads:
            thread.join()


def test_alerts_fire_page_and_resolve(start_gateway, tmp_path):
    prometheus_bin, alertmanager_bin = shutil.which("prometheus"), shutil.which("prometheus-alertmanager")
    assert prometheus_bin and alertmanager_bin, "scripts/test.sh installs Debian's prometheus and prometheus-alertmanager"
    stub = UpstreamStub()
    stub.server.fault_rate = 0.2
    gateway = start_gateway(CONFIG.replace("UPSTREAM", stub.url))
    webhook = Webhook()

    rules = tmp_path / "rules.yml"
    rules.write_text(re.sub(r"(?m)^(\s+)for: \S+$", r"\1for: 2s", (ROOT / "alerts" / "gateway-alerts.yml").read_text()))
    am_port = free_port()
    (tmp_path / "alertmanager.yml").write_text(
        "route:\n  receiver: webhook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n"
        f"receivers:\n  - name: webhook\n    webhook_configs:\n      - url: http://127.0.0.1:{webhook.port}/\n        send_resolved: true\n"
    )
    alertmanager = start([alertmanager_bin, f"--config.file={tmp_path / 'alertmanager.yml'}",
                          f"--storage.path={tmp_path / 'am-data'}", f"--web.listen-address=127.0.0.1:{am_port}",
                          "--cluster.listen-address="], tmp_path / "alertmanager.log")
    prom_port = free_port()
    (tmp_path / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        f"rule_files: ['{rules}']\n"
        f"alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\n"
        f"scrape_configs:\n  - job_name: llm-gateway\n    static_configs:\n      - targets: ['127.0.0.1:{gateway.metrics_port}']\n"
    )
    prometheus = start([prometheus_bin, f"--config.file={tmp_path / 'prometheus.yml'}",
                        f"--storage.tsdb.path={tmp_path / 'prom-data'}", f"--web.listen-address=127.0.0.1:{prom_port}"],
                       tmp_path / "prometheus.log")
    base = f"http://127.0.0.1:{prom_port}"
    try:
        faulty = Load(gateway, "flaky", threads=6)
        wait_until(lambda: {"HighErrorRate", "ProviderUnhealthy"} <= firing(base), 90, "HighErrorRate and ProviderUnhealthy to fire")
        wait_until(lambda: "HighErrorRate" in webhook.alerts("firing"), 30, "Alertmanager to page HighErrorRate")
        page = next(a for n in webhook.notifications for a in n["alerts"] if a["labels"]["alertname"] == "HighErrorRate")
        assert page["labels"]["severity"] == "critical"
        assert page["annotations"]["runbook_url"].endswith("#higherrorrate")

        stub.server.fault_rate = 0.0
        pressure = Load(gateway, "limited-model", threads=6)
        wait_until(lambda: "RateLimitExceeded" in firing(base), 90, "RateLimitExceeded to fire")
        wait_until(lambda: not ({"HighErrorRate", "ProviderUnhealthy"} & firing(base)), 120, "the alerts to resolve")
        wait_until(lambda: "HighErrorRate" in webhook.alerts("resolved"), 30, "Alertmanager to send the resolution")
        faulty.stop()
        pressure.stop()
    finally:
        prometheus.terminate()
        alertmanager.terminate()
        prometheus.wait(timeout=20)
        alertmanager.wait(timeout=20)
        stub.stop()
