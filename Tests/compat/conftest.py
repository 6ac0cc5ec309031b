"""Starts real llm-gateway processes for the compatibility tests.

The binary is the one `swift build` produced (LLM_GATEWAY_BIN overrides). Each gateway gets free
loopback ports, its own config file, and is stopped with SIGTERM at the end.
"""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("LLM_GATEWAY_BIN", ROOT / ".build" / "debug" / "llm-gateway"))
CLIENT_KEY = "sk-gw-compat-test"


_issued_ports: set[int] = set()


def free_port() -> int:
    """A loopback port free now and not handed out before in this run: the kernel may offer a port just
    released again, and a gateway given the same port twice (API and metrics) refuses to start."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _issued_ports:
            _issued_ports.add(port)
            return port


def wait_until_live(port: int, process: subprocess.Popen, describe=lambda: "", timeout: float = 20,
                    tls_context: ssl.SSLContext | None = None) -> None:
    """Polls /health/live on `port` (over TLS with `tls_context`) until it answers 200; fails if `process` exits
    or `timeout` passes."""
    deadline = time.monotonic() + timeout
    scheme = "https" if tls_context else "http"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gateway exited with {process.returncode}: {describe()}")
        try:
            with urllib.request.urlopen(f"{scheme}://127.0.0.1:{port}/health/live", timeout=1, context=tls_context) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"gateway did not become live: {describe()}")


class Gateway:
    def __init__(self, config_text: str, tmp_path: Path, env: dict | None = None, https: bool = False,
                 client_cert: tuple[str, str] | None = None, args: tuple[str, ...] = (), user: int | None = None):
        """`https`: the API listener serves TLS (`server.tls`); readiness is polled without verifying its
        certificate, presenting `client_cert` (cert, key) when mutual TLS asks for one. `args` go after
        `serve --config PATH`. `user`: run as that uid and gid, with no capabilities (needs root; the binary
        and config are copied where that user can read them)."""
        self.tls_context = None
        if https:
            self.tls_context = ssl.create_default_context()
            self.tls_context.check_hostname = False
            self.tls_context.verify_mode = ssl.CERT_NONE
            if client_cert:
                self.tls_context.load_cert_chain(*client_cert)
        self.port = free_port()
        self.metrics_port = free_port()
        binary = BINARY
        if user is not None:
            # pytest's own directories are private to root: the unprivileged process gets a readable copy.
            tmp_path = Path(tempfile.mkdtemp(prefix="llm-gateway-user-"))
            tmp_path.chmod(0o755)
            binary = tmp_path / "llm-gateway"
            shutil.copy(BINARY, binary)
            binary.chmod(0o755)
        self.config_path = tmp_path / "config.yaml"
        self.config_path.write_text(config_text)
        self.config_path.chmod(0o644)
        self.log_path = tmp_path / "gateway.log"
        environment = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        environment.update(env or {})
        environment.update(SERVER_HOST="127.0.0.1", SERVER_PORT=str(self.port), METRICS_PORT=str(self.metrics_port))
        self.log = open(self.log_path, "wb")
        drop = [] if user is None else ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--inh-caps=-all"]
        self.process = subprocess.Popen(
            [*drop, str(binary), "serve", "--config", str(self.config_path), *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=environment,
        )
        self.wait_until_live()

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls_context else 'http'}://127.0.0.1:{self.port}"

    def wait_until_live(self, timeout: float = 20) -> None:
        wait_until_live(self.port, self.process, self.log_path.read_text, timeout, self.tls_context)

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"{self.base_url}{path}", timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def chat(self, model: str = "mock-gpt", traceparent: str | None = None, stream: bool = False) -> bytes:
        """One chat completion over plain HTTP; asserts 200 and returns the body."""
        headers = {"content-type": "application/json"}
        if traceparent:
            headers["traceparent"] = traceparent
        body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
        request = urllib.request.Request(f"{self.base_url}/v1/chat/completions", data=json.dumps(body).encode(), headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            return response.read()

    def series(self, series: str) -> float | None:
        """The value of one exposed series, None when the gateway does not expose it."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith(series + " "):
                    return float(line.split()[1])
        return None

    def metric(self, series: str) -> float:
        """The value of one exposed series (name and labels exactly as exposed), 0 when absent."""
        return self.series(series) or 0.0

    def wait_for_metric(self, series: str, timeout: float = 15) -> float:
        """Polls `series` until it is above 0 or `timeout` passes; returns its last value."""
        deadline = time.monotonic() + timeout
        value = self.metric(series)
        while value == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
            value = self.metric(series)
        return value

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


@pytest.fixture
def start_gateway(tmp_path):
    started: list[Gateway] = []

    def start(config_text: str, env: dict | None = None, **options) -> Gateway:
        directory = tmp_path / f"gateway-{len(started)}"
        directory.mkdir()
        gateway = Gateway(config_text, directory, env, **options)
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.stop()


SDK_CONFIG = f"""
auth:
  api_keys:
    - name: compat
      key: {CLIENT_KEY}
providers:
  mock:
    models: [mock-gpt, mock-claude]
  limited:
    type: mock
    max_retries: 0
    models: [mock-ratelimited]
    mock:
      error_rate: 1
      error_status: 429
"""


@pytest.fixture
def gateway(start_gateway):
    return start_gateway(SDK_CONFIG)


@pytest.fixture
def stubs():
    """OpenAI, Anthropic, Gemini and Bedrock upstreams in their own wire formats, on one port (provider_stubs.py)."""
    from provider_stubs import ProviderStubs  # it imports this module: import it once this one is loaded
    running = ProviderStubs()
    yield running
    running.stop()


@pytest.fixture
def redis_url():
    """A redis-server of its own on a free loopback port, without persistence."""
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    yield f"redis://127.0.0.1:{port}/0"
    server.kill()
    server.wait()


def stub_gateway(start_gateway, stubs, provider, extra=""):
    """A gateway with one provider of type `provider` in front of its stub (plus the providers in `extra`, and
    anything after them), and an openai client for it."""
    import openai
    gateway = start_gateway(f"""
providers:
  {provider}:
    type: {provider}
    base_url: {stubs.url}
    api_key: stub-key
    region: eu-west-1
    models: [{provider}-model]
{extra.strip(chr(10))}
health_checks: {{enabled: false}}
""", env={"AWS_ACCESS_KEY_ID": "AKIDSTUB", "AWS_SECRET_ACCESS_KEY": "stub-secret"})
    return gateway, openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)
