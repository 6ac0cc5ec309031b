"""Configuration hot reload through the real binary and the official openai SDK: SIGHUP, and the file watch
following a Kubernetes-style ConfigMap symlink swap, put a new model, price, key and rate limit into effect
without dropping a stream in flight; a broken file is refused and the gateway keeps serving on the old one;
reloads under load lose no request."""
import json
import os
import signal
import threading
import time
from pathlib import Path

import openai
import pytest

from conftest import CLIENT_KEY

NEW_KEY = "sk-gw-reload-new"
NEW_KEY_ENTRY = f"    - {{name: newcomer, key: {NEW_KEY}}}"


def config(models: str = "[mock-gpt]", price: float = 1, limit: int = 1000, extra_key: str = "") -> str:
    return f"""
auth:
  api_keys:
    - name: compat
      key: {CLIENT_KEY}
      rate_limit: {{requests_per_minute: {limit}}}
{extra_key}
providers:
  mock:
    models: {models}
  slow:
    type: mock
    models: [mock-slow]
    mock: {{inter_token_ms: 150, reply_tokens: 20}}
pricing:
  prices:
    mock:
      mock-gpt: {{input: {price}, output: {price}}}
health_checks: {{enabled: false}}
"""


def client(gateway, key: str = CLIENT_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=key, max_retries=0, timeout=20)


HI = [{"role": "user", "content": "hi"}]


def wait_for(predicate, timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def reloads(gateway, result: str) -> float:
    return gateway.metric(f'llm_config_reloads_total{{result="{result}"}}')


def cost(gateway, key: str = CLIENT_KEY) -> float:
    raw = client(gateway, key).chat.completions.with_raw_response.create(model="mock-gpt", messages=HI)
    return float(raw.headers["x-llm-gateway-cost-usd"])


class StreamInFlight(threading.Thread):
    """A slow mock stream (20 chunks, 150 ms apart) read to its end by the SDK."""

    def __init__(self, gateway):
        super().__init__(daemon=True)
        self.gateway = gateway
        self.first_chunk = threading.Event()
        self.content = ""
        self.finish_reason = None
        self.error = None
        self.ended_at = None

    def run(self):
        try:
            for chunk in client(self.gateway).chat.completions.create(model="mock-slow", messages=HI, stream=True):
                self.first_chunk.set()
                for choice in chunk.choices:
                    self.content += choice.delta.content or ""
                    self.finish_reason = choice.finish_reason or self.finish_reason
        except Exception as error:  # noqa: BLE001 — reported by the test
            self.error = error
        self.ended_at = time.monotonic()


def test_sighup_applies_a_new_model_price_key_and_limit_while_a_stream_finishes(start_gateway):
    gateway = start_gateway(config())
    stream = StreamInFlight(gateway)
    stream.start()
    assert stream.first_chunk.wait(10)
    with pytest.raises(openai.AuthenticationError):
        client(gateway, NEW_KEY).models.list()
    with pytest.raises(openai.NotFoundError):
        client(gateway).chat.completions.create(model="mock-new", messages=HI)
    price_before = cost(gateway)

    gateway.config_path.write_text(config(models="[mock-gpt, mock-new]", price=2, limit=1, extra_key=NEW_KEY_ENTRY))
    gateway.process.send_signal(signal.SIGHUP)
    wait_for(lambda: reloads(gateway, "success") == 1, what="the reload")
    reloaded_at = time.monotonic()

    newcomer = client(gateway, NEW_KEY)
    assert newcomer.chat.completions.create(model="mock-new", messages=HI).choices[0].message.content, "new key, new model"
    assert cost(gateway, NEW_KEY) == pytest.approx(2 * price_before), "the new price"
    with pytest.raises(openai.RateLimitError):
        client(gateway).chat.completions.create(model="mock-gpt", messages=HI)  # the lowered limit, counted from before

    stream.join(20)
    assert stream.error is None and stream.finish_reason == "stop"
    assert len(stream.content.split()) == 20, "the stream in flight lost nothing"
    assert stream.ended_at > reloaded_at, "the stream was still running when the reload took effect"
    assert gateway.metric("llm_config_last_reload_successful") == 1
    hash_series = [line for line in metrics_text(gateway).splitlines() if line.startswith("llm_config_info{")]
    assert len(hash_series) == 1, hash_series
    reloaded = [json.loads(line) for line in gateway.log_path.read_text().splitlines()
                if line.startswith("{") and '"configuration reloaded"' in line]
    assert reloaded and reloaded[0]["trigger"] == "signal" and "mock-new" in reloaded[0]["models"]


def metrics_text(gateway) -> str:
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{gateway.metrics_port}/metrics", timeout=5) as response:
        return response.read().decode()


def test_a_broken_file_is_refused_with_its_key_path_and_the_old_config_keeps_serving(start_gateway):
    gateway = start_gateway(config())
    gateway.config_path.write_text(config().replace("models: [mock-gpt]", "models: 3"))
    gateway.process.send_signal(signal.SIGHUP)
    wait_for(lambda: reloads(gateway, "failure") == 1, what="the refusal")
    assert gateway.metric("llm_config_last_reload_successful") == 0
    assert reloads(gateway, "success") == 0
    assert client(gateway).chat.completions.create(model="mock-gpt", messages=HI).choices[0].message.content
    problems = [json.loads(line) for line in gateway.log_path.read_text().splitlines()
                if line.startswith("{") and '"configuration problem"' in line]
    assert any(problem["key"] == "providers.mock.models" for problem in problems), problems
    assert gateway.process.poll() is None

    gateway.config_path.write_text(config(models="[mock-gpt, mock-fixed]"))
    gateway.process.send_signal(signal.SIGHUP)
    wait_for(lambda: reloads(gateway, "success") == 1, what="the fixed file")
    assert gateway.metric("llm_config_last_reload_successful") == 1
    assert client(gateway).chat.completions.create(model="mock-fixed", messages=HI).choices[0].message.content


def swap_configmap(directory: Path, version: int, text: str) -> None:
    """What the kubelet does to a mounted ConfigMap: a new timestamped directory, then `..data` swapped to it
    by renaming a symlink over it; `config.yaml` is a symlink through `..data`."""
    target = directory / f"..v{version}"
    target.mkdir()
    (target / "config.yaml").write_text(text)
    staged = directory / "..data_tmp"
    staged.symlink_to(target.name)
    os.replace(staged, directory / "..data")


def test_the_file_watch_follows_configmap_swaps_under_load_without_losing_a_request(start_gateway):
    gateway = start_gateway(config(), args=("--watch-config-seconds", "0.2"))
    directory = gateway.config_path.parent
    swap_configmap(directory, 0, config())
    link = directory / "config.yaml.link"
    link.symlink_to("..data/config.yaml")
    os.replace(link, gateway.config_path)

    statuses: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def load(stream: bool):
        sdk = client(gateway)
        while not stop.is_set():
            try:
                if stream:
                    chunks = list(sdk.chat.completions.create(model="mock-gpt", messages=HI, stream=True))
                    assert chunks[-1].choices[0].finish_reason == "stop"
                else:
                    assert sdk.chat.completions.create(model="mock-gpt", messages=HI).choices[0].message.content
                statuses.append(200)
            except Exception as error:  # noqa: BLE001 — every failure is reported
                failures.append(repr(error))

    workers = [threading.Thread(target=load, args=(index % 2 == 1,), daemon=True) for index in range(6)]
    for worker in workers:
        worker.start()
    swaps, expected = 8, 0
    for version in range(1, swaps + 1):
        models = "[mock-gpt, mock-extra]" if version % 2 else "[mock-gpt]"
        swap_configmap(directory, version, config(models=models, price=version))
        expected += 1
        wait_for(lambda: reloads(gateway, "success") >= expected, what=f"swap {version}")
        if version == swaps // 2:
            gateway.process.send_signal(signal.SIGHUP)  # the same file again: a reload that changes nothing
            expected += 1
            wait_for(lambda: reloads(gateway, "success") >= expected, what="the signal")
    stop.set()
    for worker in workers:
        worker.join(20)

    assert not failures, failures[:5]
    assert len(statuses) > 50
    assert reloads(gateway, "failure") == 0
    assert reloads(gateway, "success") == swaps + 1
    watched = [json.loads(line)["trigger"] for line in gateway.log_path.read_text().splitlines()
               if line.startswith("{") and '"configuration reloaded"' in line]
    assert watched.count("file") == swaps and watched.count("signal") == 1
    assert gateway.stop() == 0
