"""The shipped alert rules and dashboards, checked against what the gateway really emits:
promtool check/test rules, a dashboard lint, and every PromQL selector against a live scrape
taken after a traffic mix that exercises every code path with a metric."""
import copy
import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import promql_parser as promql
import pytest

from conftest import ROOT
from promql_check import (alert_expressions, check, dashboard_expressions, dashboard_panels, external_metrics,
                          grafana_to_promql, parse_scrape)
from tls_pki import make_pki
from upstream_stub import UpstreamStub

ALERTS = ROOT / "alerts" / "gateway-alerts.yml"
DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))


def test_promtool_checks_and_unit_tests_the_rules():
    promtool = shutil.which("promtool")
    assert promtool, "promtool is not installed (scripts/test.sh installs Debian's prometheus package)"
    checked = subprocess.run([promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for tests in sorted((ROOT / "alerts" / "tests").glob("*.yml")):
        result = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_unit_test_and_a_runbook_section():
    alerts, _ = alert_expressions(ALERTS)
    names = [where.split(":")[1] for where, _ in alerts]
    tests_text = "".join(path.read_text() for path in (ROOT / "alerts" / "tests").glob("*.yml"))
    runbooks = (ROOT / "docs" / "runbooks.md").read_text().lower()
    import yaml
    for group in yaml.safe_load(ALERTS.read_text())["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            assert f"alertname: {name}" in tests_text, f"{name} has no promtool test"
            annotations = rule["annotations"]
            assert annotations.get("summary") and annotations.get("description"), name
            anchor = annotations["runbook_url"].split("#")[1]
            assert f"## {anchor}" in runbooks, f"docs/runbooks.md has no section for {name}"
            assert rule["labels"]["severity"] in ("critical", "warning")
    assert len(names) >= 17


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboard_lint(path: Path):
    document = json.loads(path.read_text())
    assert document.get("title") and document.get("description") and document.get("uid")
    variables = {v["name"]: v for v in document["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    assert {"job", "instance"} <= set(variables)
    panels = dashboard_panels(document)
    assert panels
    for panel in panels:
        title = panel.get("title")
        assert title, f"a panel without a title in {path.name}"
        if panel.get("type") == "row":
            continue  # a row only groups the panels below it
        assert panel.get("description"), f"{title}: no description"
        assert panel.get("fieldConfig", {}).get("defaults", {}).get("unit"), f"{title}: no unit"
        assert panel["datasource"]["uid"] == "${datasource}", f"{title}: datasource not templated"
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", f"{title}: target datasource not templated"
            expr = target["expr"]
            if "rate(" in expr or "increase(" in expr:
                assert "$__rate_interval" in expr or "[30d]" in expr, f"{title}: use $__rate_interval"
            promql.parse(grafana_to_promql(expr))


def post(gateway, path: str, body: dict, key: str = "sk-mix", headers: dict | None = None) -> int:
    request = urllib.request.Request(f"{gateway.base_url}{path}", data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json", "authorization": f"Bearer {key}", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=15, context=gateway.tls_context) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def drive_traffic_mix(gateway) -> None:
    """Success, stream, 4xx, upstream 429/500/timeout, failover, cache hit and miss, rate-limit rejection."""
    def chat(model: str, **extra) -> int:
        return post(gateway, "/v1/chat/completions", {"model": model, "messages": [{"role": "user", "content": "hi"}], **extra})

    assert chat("mock-gpt") == 200  # cache miss
    assert chat("mock-gpt") == 200  # cache hit
    assert chat("mock-gpt", stream=True) == 200
    assert post(gateway, "/v1/chat/completions", {"model": "mock-gpt", "messages": [{"role": "user", "content": "x"}]},
                headers={"cache-control": "no-cache"}) == 200
    assert post(gateway, "/v1/embeddings", {"model": "mock-gpt", "input": "hi"}) == 200
    assert post(gateway, "/v1/chat/completions", {"model": "mock-gpt"}) == 400
    assert chat("nope") == 404
    assert chat("upstream/ok") == 200
    assert chat("upstream/rate-limited") == 429
    assert chat("upstream/broken") == 500
    assert chat("upstream/slow") == 504
    assert chat("failover") == 200
    assert chat("limited/x", temperature=0.1) == 200
    assert chat("limited/x", temperature=0.2) == 429  # the provider's own limit
    assert post(gateway, "/v1/chat/completions", {"model": "mock-gpt", "messages": [{"role": "user", "content": "t"}]}, key="sk-tight") == 200
    assert post(gateway, "/v1/chat/completions", {"model": "mock-gpt", "messages": [{"role": "user", "content": "t"}]}, key="sk-tight") == 429


MIX_CONFIG = """
auth:
  api_keys:
    - {name: mix, key: sk-mix, budget: {usd_per_day: 1000, tokens_per_day: 100000000}}
    - {name: tight, key: sk-tight, rate_limit: {requests_per_minute: 1}}
cache: {enabled: true}
providers:
  mock:
    models: [mock-gpt]
  upstream:
    type: openai
    base_url: UPSTREAM
    api_key: sk-stub
    max_retries: 1
    timeout_seconds: 0.5
    circuit_breaker: {failure_threshold: 5, cooldown_seconds: 60}
  limited:
    type: mock
    rate_limit: {requests_per_minute: 1}
pricing:
  prices:
    mock: {mock-gpt: {input: 1, output: 4}}
models:
  failover:
    - {provider: upstream, model: broken}
    - {provider: mock, model: mock-gpt}
"""


@pytest.fixture
def scrape(start_gateway, redis_url, tmp_path):
    stub = UpstreamStub()
    env = {"REDIS_URL": redis_url, "OTEL_EXPORTER_OTLP_ENDPOINT": stub.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    pki = make_pki(tmp_path)  # the API over HTTPS, so the TLS series are in the scrape too
    tls = f"server:\n  tls: {{cert_file: {pki / 'server.pem'}, key_file: {pki / 'server.key'}}}\n"
    gateway = start_gateway(tls + MIX_CONFIG.replace("UPSTREAM", stub.url), env, https=True)
    drive_traffic_mix(gateway)
    assert gateway.wait_for_metric('llm_gateway_exported_items_total{exporter="otlp",signal="spans"}') > 0
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    stub.stop()
    return parse_scrape(text)


def all_expressions() -> tuple[list[tuple[str, str]], set[str]]:
    expressions, recorded = alert_expressions(ALERTS)
    for path in DASHBOARDS:
        expressions += dashboard_expressions(json.loads(path.read_text()), path.name)
    return expressions, recorded


def test_every_selector_in_alerts_and_dashboards_matches_the_live_scrape(scrape):
    expressions, recorded = all_expressions()
    assert len(expressions) > 50
    problems = check(expressions, scrape, external_metrics() | recorded)
    assert problems == [], "\n".join(problems)

    # The check is real: a dashboard with one broken name or label fails it.
    document = json.loads(DASHBOARDS[0].read_text())
    broken = copy.deepcopy(document)
    target = broken["panels"][0]["targets"][0]
    target["expr"] = target["expr"].replace("http_requests_total", "http_request_total")
    found = check(dashboard_expressions(broken, "broken.json"), scrape, external_metrics() | recorded)
    assert any("http_request_total is not in the scrape" in problem for problem in found)
    mislabelled = copy.deepcopy(document)
    mislabelled["panels"][0]["targets"][0]["expr"] = 'sum by (statuscode) (rate(http_requests_total{job="$job"}[$__rate_interval]))'
    found = check(dashboard_expressions(mislabelled, "mislabelled.json"), scrape, external_metrics() | recorded)
    assert any("statuscode" in problem for problem in found)


def test_monitoring_configs_are_valid():
    import yaml
    monitoring = ROOT / "deployment" / "monitoring"
    checked = subprocess.run([shutil.which("promtool"), "check", "config", str(monitoring / "prometheus.yml")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    amtool = shutil.which("amtool")
    assert amtool, "amtool comes with Debian's prometheus-alertmanager (scripts/test.sh installs it)"
    checked = subprocess.run([amtool, "check-config", str(monitoring / "alertmanager.yml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for path in [monitoring / "loki.yml", *sorted((monitoring / "grafana").rglob("*.yml"))]:
        assert yaml.safe_load(path.read_text()), path
    datasources = yaml.safe_load((monitoring / "grafana/provisioning/datasources/datasources.yml").read_text())["datasources"]
    by_type = {d["type"]: d for d in datasources}
    assert by_type["prometheus"]["jsonData"]["exemplarTraceIdDestinations"][0]["datasourceUid"] == by_type["jaeger"]["uid"]
    assert by_type["loki"]["jsonData"]["derivedFields"][0]["datasourceUid"] == by_type["jaeger"]["uid"]
    # The scrape job is the one the rules and dashboards select on.
    prometheus = yaml.safe_load((monitoring / "prometheus.yml").read_text())
    assert "llm-gateway" in [job["job_name"] for job in prometheus["scrape_configs"]]
