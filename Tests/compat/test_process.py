"""The gateway as a process: SIGTERM drain, the CLI's check-config, the embedded default."""
import signal
import subprocess
import time
import urllib.request

import openai
import yaml

from conftest import BINARY, ROOT, free_port, wait_until_live

SLOW_CONFIG = """
server:
  drain_delay_seconds: 1
  shutdown_timeout_seconds: 20
providers:
  mock:
    models: [mock-slow]
    mock:
      ttft_ms: 100
      inter_token_ms: 100
      reply_tokens: 20
"""


def test_sigterm_drains_an_open_stream_and_exits_zero(start_gateway):
    gateway = start_gateway(SLOW_CONFIG)
    sdk = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)
    stream = sdk.chat.completions.create(model="mock-slow", messages=[{"role": "user", "content": "hi"}], stream=True)
    iterator = iter(stream)
    first = next(iterator)
    assert first.choices[0].delta.content

    gateway.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    status, body = gateway.get("/health/ready")
    assert (status, body["status"]) == (503, "draining")

    rest = list(iterator)
    assert len(rest) == 20  # 19 more words and the finish chunk
    assert rest[-1].choices[0].finish_reason == "stop"
    assert gateway.process.wait(timeout=20) == 0
    assert b"draining" in gateway.log_path.read_bytes()


def run_cli(*args, env=None):
    return subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=60, env=env)


def test_check_config_accepts_the_seed_config():
    result = run_cli("check-config", str(ROOT / "Tests" / "GatewayTests" / "Fixtures" / "seed-config.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_check_config_reports_every_problem_with_its_key_path(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "server:\n  port: -1\nproviders:\n  openai:\n    timeout_seconds: 0\n    max_retries: lots\n"
        "  azure:\n    type: azure_openai\nlogging:\n  level: loud\n"
    )
    result = run_cli("check-config", str(broken))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "providers.openai.max_retries: expected an integer, got \"lots\"" in lines
    assert "providers.openai.timeout_seconds: must be > 0" in lines
    assert "server.port: must be between 0 and 65535" in lines
    assert any(line.startswith("providers.azure.base_url: required") for line in lines)
    assert any(line.startswith("logging.level: must be one of") for line in lines)
    missing = tmp_path / "missing.yaml"
    result = run_cli("check-config", str(missing))
    assert result.returncode == 1


def test_check_config_semantic_problems(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("server:\n  port: -1\nproviders:\n  openai:\n    timeout_seconds: 0\nlogging:\n  level: loud\n")
    result = run_cli("check-config", str(broken))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "providers.openai.timeout_seconds: must be > 0" in lines
    assert "server.port: must be between 0 and 65535" in lines
    assert any(line.startswith("logging.level: must be one of") for line in lines)


def test_embedded_default_serves_mock_models_and_warns_about_auth(tmp_path):
    port, metrics_port = free_port(), free_port()
    env = {"SERVER_HOST": "127.0.0.1", "SERVER_PORT": str(port), "METRICS_PORT": str(metrics_port), "PATH": "/usr/bin:/bin"}
    log = tmp_path / "log"
    with open(log, "wb") as output:
        process = subprocess.Popen([str(BINARY)], stdout=output, stderr=subprocess.STDOUT, env=env)
        try:
            wait_until_live(port, process, log.read_text)
            sdk = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="anything", max_retries=0)
            assert sorted(m.id for m in sdk.models.list()) == ["mock-claude", "mock-gpt"]
            with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
                assert b"llm_gateway_build_info" in response.read()
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
    assert b"auth is off" in log.read_bytes()


def test_docs_metrics_md_is_the_catalog():
    result = run_cli("metrics")
    assert result.returncode == 0
    assert "| `http_requests_total` | counter |" in result.stdout
    documented = (ROOT / "docs" / "metrics.md").read_text()
    assert documented == result.stdout, "docs/metrics.md is stale: run `llm-gateway metrics > docs/metrics.md`"


def test_docs_prices_yaml_is_the_shipped_table():
    result = run_cli("prices")
    assert result.returncode == 0
    documented = (ROOT / "docs" / "prices.yaml").read_text()
    assert documented == result.stdout, "docs/prices.yaml is stale: run `llm-gateway prices > docs/prices.yaml`"
    table = yaml.safe_load(documented)
    assert table["openai"]["gpt-4o"] == {"input": 2.50, "output": 10.00, "cached_input": 1.25}
