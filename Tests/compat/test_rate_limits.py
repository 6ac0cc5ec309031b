"""Two gateway processes sharing one real Redis enforce one limit: hammered concurrently, the
accepted requests (and tokens) in a window equal the limit within 1 %."""
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import free_port

KEY = "sk-shared-limit"
WINDOW = 4


@pytest.fixture
def redis_url():
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (scripts/test.sh installs it)")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--requirepass", "compat-pw"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["redis-cli", "-p", str(port), "-a", "compat-pw", "--no-auth-warning", "ping"],
                               capture_output=True, text=True)
        if probe.stdout.strip() == "PONG":
            break
        time.sleep(0.05)
    yield f"redis://:compat-pw@127.0.0.1:{port}/2"
    server.kill()
    server.wait()


def config(limit: str) -> str:
    return f"""
auth:
  api_keys:
    - name: shared
      key: {KEY}
      rate_limit: {{{limit}, window_seconds: {WINDOW}}}
providers:
  mock:
    models: [mock-gpt]
    mock: {{reply_tokens: 16}}
"""


def hammer(gateways, seconds: float, workers: int = 24) -> list[tuple[int, int, int]]:
    """Posts chats round-robin to `gateways` from `workers` threads for `seconds`;
    returns (gateway index, status, total tokens) per request."""
    body = json.dumps({"model": "mock-gpt", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}).encode()
    deadline = time.monotonic() + seconds

    def worker(index: int):
        results = []
        turn = index
        while time.monotonic() < deadline:
            gateway_index = turn % len(gateways)
            turn += 1
            request = urllib.request.Request(
                f"{gateways[gateway_index].base_url}/v1/chat/completions", data=body,
                headers={"content-type": "application/json", "authorization": f"Bearer {KEY}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    usage = json.loads(response.read())["usage"]
                    results.append((gateway_index, response.status, usage["total_tokens"]))
            except urllib.error.HTTPError as error:
                error.read()
                results.append((gateway_index, error.code, 0))
        return results

    with ThreadPoolExecutor(workers) as pool:
        return [result for batch in pool.map(worker, range(workers)) for result in batch]


def two_replicas(start_gateway, redis_url, limit: str):
    env = {"REDIS_URL": redis_url}
    return [start_gateway(config(limit), env), start_gateway(config(limit), env)]


def test_requests_per_window_are_exact_across_two_replicas(start_gateway, redis_url):
    gateways = two_replicas(start_gateway, redis_url, "requests_per_minute: 300")
    results = hammer(gateways, WINDOW * 0.8)
    accepted = [r for r in results if r[1] == 200]
    refused = [r for r in results if r[1] == 429]
    assert len(refused) > len(accepted), "the load must exceed the limit for the test to mean anything"
    assert 297 <= len(accepted) <= 300, f"{len(accepted)} accepted"
    assert {r[0] for r in accepted} == {0, 1}, "both replicas admitted requests"
    assert len(accepted) + len(refused) == len(results), "every request got an answer: 200 or 429"
    total = sum(g.metric('llm_rate_limit_decisions_total{scope="key",result="allowed"}') for g in gateways)
    assert total == len(accepted)


def test_tokens_per_window_are_exact_across_two_replicas(start_gateway, redis_url):
    gateways = two_replicas(start_gateway, redis_url, "tokens_per_minute: 4000")
    results = hammer(gateways, WINDOW * 0.8)
    tokens = sum(r[2] for r in results if r[1] == 200)
    assert any(r[1] == 429 for r in results)
    assert 3960 <= tokens <= 4000, f"{tokens} tokens accepted"
