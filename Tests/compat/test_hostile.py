"""Hostile clients and hostile upstreams against the real binary: every case gets the right OpenAI error,
the process never dies, /health/live answers throughout, and nothing secret reaches the client."""
import concurrent.futures
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import BINARY, free_port, wait_until_live
from hostile_upstream import LEAKED_KEY, HostileUpstream

CONFIG = """
server:
  max_body_bytes: 1048576
  request_head_timeout_seconds: 1
  request_body_timeout_seconds: 1
  idle_timeout_seconds: 2
providers:
  mock:
    models: [mock-gpt]
  hostile:
    type: openai
    base_url: {url}
    api_key: sk-upstream-secret-for-hostile-tests
    max_retries: 0
health_checks:
  enabled: false
"""


@pytest.fixture
def upstream():
    stub = HostileUpstream()
    yield stub
    stub.stop()


@pytest.fixture
def gateway(start_gateway, upstream):
    return start_gateway(CONFIG.format(url=upstream.url))


def post(gateway, path: str, body: bytes, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, str]:
    request = urllib.request.Request(f"{gateway.base_url}{path}", data=body,
                                     headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def chat(model: str, stream: bool = False, **extra) -> bytes:
    return json.dumps({"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}], **extra}).encode()


def assert_alive(gateway):
    assert gateway.process.poll() is None, "the gateway died"
    with urllib.request.urlopen(f"{gateway.base_url}/health/live", timeout=5) as response:
        assert response.status == 200


CLIENT_CASES = [
    ("/v1/chat/completions", chat("mock-gpt", max_tokens=9223372036854775807), 400, "max_tokens"),
    ("/v1/chat/completions", chat("mock-gpt", max_tokens=1e30), 400, "max_tokens"),
    ("/v1/chat/completions", chat("mock-gpt", temperature=9), 400, "temperature"),
    ("/v1/chat/completions", chat("mock-gpt", n=100000), 400, "n"),
    ("/v1/chat/completions", chat("mock-gpt", top_p=-1), 400, "top_p"),
    ("/v1/chat/completions", chat("mock-gpt", presence_penalty=1e9), 400, "presence_penalty"),
    ("/v1/chat/completions", chat("hostile/" + "m" * 200_000), 400, "model"),
    ("/v1/chat/completions", chat("hostile/../../admin"), 400, "model"),
    ("/v1/chat/completions", b'{"model":"mock-gpt","messages":[{"role":"user","content":"\xc3\x28\xff"}]}', 400, None),
    ("/v1/chat/completions", b'{"model":"mock-gpt","messages":[{"role":"user","content":"a\x00b"}]}', 400, None),
    ("/v1/chat/completions", b'{"model":"mock-gpt","messages":' + b"[" * 50_000 + b"]" * 50_000 + b"}", 400, None),
    ("/v1/chat/completions", b"", 400, None),
    ("/v1/chat/completions", b"\x00" * 1000, 400, None),
    ("/v1/chat/completions", b'{"model":"mock-gpt","messages":[{"role":"user","content":"x"}]}' + b" " * 2_000_000, 413, None),
    ("/v1/messages", json.dumps({"model": "mock-gpt", "max_tokens": 9223372036854775807,
                                 "messages": [{"role": "user", "content": "hi"}]}).encode(), 400, None),
    ("/v1/messages", json.dumps({"model": "mock-gpt", "max_tokens": 10, "temperature": 1.5,
                                 "messages": [{"role": "user", "content": "hi"}]}).encode(), 400, None),
    ("/v1/embeddings", json.dumps({"model": "mock-gpt", "input": "x", "dimensions": 10**12}).encode(), 400, "dimensions"),
    ("/v1/embeddings", json.dumps({"model": "mock-gpt", "input": ["x"] * 3000}).encode(), 400, "input"),
]


@pytest.mark.parametrize("path,body,status,param", CLIENT_CASES)
def test_hostile_client_input_gets_a_4xx_error(gateway, path, body, status, param):
    code, _, text = post(gateway, path, body)
    assert code == status, text[:300]
    error = json.loads(text)["error"]
    if path == "/v1/messages":
        assert error["type"] == "invalid_request_error"
    else:
        assert error["type"] == "invalid_request_error" and ("param" in error)
        if param:
            assert error["param"] == param
    assert_alive(gateway)


UPSTREAM_CASES = [
    # model, stream, expected status, expected error code (None: any), text that must not reach the client
    ("auth", False, 502, "upstream_auth_error", LEAKED_KEY),
    ("auth", True, 502, "upstream_auth_error", LEAKED_KEY),
    ("forbidden", False, 502, "upstream_auth_error", "acct_98765"),
    ("server-secret", False, 500, None, "10.0.3.7"),
    ("bad-json", False, 502, "upstream_invalid_response", None),
    ("not-json", False, 502, "upstream_invalid_response", None),
    ("garbage", True, 502, "upstream_invalid_response", None),
    ("huge-event", True, 502, "upstream_invalid_response", None),
]


@pytest.mark.parametrize("behaviour,stream,status,code,secret", UPSTREAM_CASES)
def test_hostile_upstream_gets_a_clean_5xx(gateway, behaviour, stream, status, code, secret):
    reply_status, headers, text = post(gateway, "/v1/chat/completions", chat(f"hostile/{behaviour}", stream))
    assert reply_status == status, text[:300]
    error = json.loads(text)["error"]
    if code:
        assert error["code"] == code
    if secret:
        assert secret not in text and "sk-upstream-secret" not in text
        assert headers.get("x-request-id", "?") in error["message"]
    assert_alive(gateway)


def test_retry_after_of_1e300_is_clamped_not_fatal(gateway):
    status, headers, _ = post(gateway, "/v1/chat/completions", chat("hostile/retry-huge"))
    assert status == 429 and headers["retry-after"] == "86400"
    assert_alive(gateway)


def test_usage_counts_at_int64_max_do_not_trap(gateway):
    for _ in range(3):
        status, _, text = post(gateway, "/v1/chat/completions", chat("hostile/usage-overflow"))
        assert status == 200, text
    assert_alive(gateway)
    assert gateway.metric('llm_tokens_total{provider="hostile",model="other",type="input"}') == 3 * 2**40


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """(event name, data) of every event in `text`, read as the SSE spec says (any line ending)."""
    events, name, data = [], None, []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data = None, []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "event":
                name = value
    if data:
        events.append((name, "\n".join(data)))
    return events


@pytest.mark.parametrize("framing", ["lf", "crlf", "cr", "decorated"])
def test_every_sse_framing_reaches_openai_and_anthropic_clients(gateway, framing):
    status, _, text = post(gateway, "/v1/chat/completions", chat(f"hostile/{framing}", True))
    assert status == 200, text
    chunks = [json.loads(data) for _, data in sse_events(text) if data != "[DONE]"]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == "Hello there"
    assert sse_events(text)[-1][1] == "[DONE]"
    body = json.dumps({"model": f"hostile/{framing}", "max_tokens": 20, "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    status, _, text = post(gateway, "/v1/messages", body.encode())
    assert status == 200
    events = sse_events(text)
    assert events[0][0] == "message_start" and events[-1][0] == "message_stop"
    deltas = [json.loads(data)["delta"] for name, data in events if name == "content_block_delta"]
    assert "".join(d.get("text", "") for d in deltas) == "Hello there"
    assert gateway.metric('llm_tokens_total{provider="hostile",model="other",type="output"}') == 4
    assert_alive(gateway)


def test_a_streams_error_event_is_sanitised_logged_and_counted_as_a_failure(gateway):
    status, _, text = post(gateway, "/v1/chat/completions", chat("hostile/error-event", True))
    assert status == 200 and "partial" in text
    last = json.loads(text.rstrip().splitlines()[-1][len("data: "):])
    assert last["error"]["type"] == "server_error" and "10.9.9.9" not in text
    assert_alive(gateway)
    deadline = time.monotonic() + 5
    while "10.9.9.9" not in gateway.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "upstream ended the stream with an error event" in gateway.log_path.read_text()
    assert gateway.metric('llm_provider_errors_total{provider="hostile",error_type="server_error"}') == 1


def raw_socket(gateway) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=10)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
        return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def test_header_and_body_dribblers_are_cut_off(gateway):
    dribblers = []
    for _ in range(5):
        sock = raw_socket(gateway)
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
        dribblers.append(sock)
    body_dribbler = raw_socket(gateway)
    body_dribbler.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{")
    started = time.monotonic()
    for _ in range(4):  # keep dribbling: bytes do not extend the deadline
        for sock in dribblers:
            try:
                sock.sendall(b"X")
            except OSError:
                pass
        assert_alive(gateway)
        time.sleep(0.3)
    for sock in dribblers + [body_dribbler]:
        assert closed_within(sock, 5), "a slow client kept its connection"
        sock.close()
    assert time.monotonic() - started < 10
    assert gateway.wait_for_metric('llm_slow_client_connections_closed_total{listener="api",phase="head"}') >= 5
    assert gateway.metric('llm_slow_client_connections_closed_total{listener="api",phase="body"}') >= 1
    assert_alive(gateway)


def test_an_idle_keep_alive_connection_is_closed_but_a_busy_one_is_not(gateway):
    sock = raw_socket(gateway)
    request = b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
    for _ in range(4):  # requests every 0.8 s keep it open past the idle timeout...
        sock.sendall(request)
        sock.settimeout(5)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        time.sleep(0.8)
    assert closed_within(sock, 5), "...silence closes it"
    sock.close()
    assert gateway.wait_for_metric('llm_slow_client_connections_closed_total{listener="api",phase="idle"}') >= 1


def test_a_refused_body_is_drained_before_the_connection_closes(gateway):
    """A 413 sent before a `connection: close` request's body is all in: the gateway shuts its side and reads
    the rest, so the client can finish sending and is not reset (a reset can lose the answer it was sent)."""
    sock = raw_socket(gateway)
    total = 4_000_000
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nconnection: close\r\ncontent-type: application/json\r\n"
                 + f"content-length: {total}\r\n\r\n".encode() + b" " * 65536)
    sock.settimeout(10)
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413")
    assert b"connection: close" in reply.lower()
    sent = 65536
    while sent < total:  # the rest of the body is still taken
        chunk = min(262_144, total - sent)
        sock.sendall(b" " * chunk)
        sent += chunk
    while sock.recv(65536):  # then the gateway closes: an orderly end, not a reset
        pass
    sock.close()
    assert_alive(gateway)


def test_absurd_headers_are_refused(gateway):
    sock = raw_socket(gateway)
    sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nx-big: " + b"a" * 200_000 + b"\r\n\r\n")
    sock.settimeout(10)
    reply = b""
    try:
        reply = sock.recv(100)
    except OSError:
        pass
    assert not reply.startswith(b"HTTP/1.1 200")
    sock.close()
    assert_alive(gateway)


def test_a_stalled_stdout_does_not_slow_requests(tmp_path):
    """stdout is a pipe nobody reads: log lines are dropped and counted, requests keep their pace."""
    port, metrics_port = free_port(), free_port()
    config = tmp_path / "config.yaml"
    config.write_text(f"server: {{host: 127.0.0.1, port: {port}, metrics_port: {metrics_port}}}\nlogging: {{buffer_bytes: 65536}}\n"
                      "providers: {mock: {models: [mock-gpt]}}\n")
    process = subprocess.Popen([str(BINARY), "serve", "--config", str(config)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        wait_until_live(port, process)

        def one(_):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=chat("mock-gpt"),
                                             headers={"content-type": "application/json"})
            started = time.monotonic()
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
            return time.monotonic() - started

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            durations = sorted(pool.map(one, range(1500)))
        assert durations[len(durations) * 99 // 100] < 2, "p99 of requests with a stalled stdout"
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
            scrape = response.read().decode()
        dropped = [line for line in scrape.splitlines()
                   if line.startswith('llm_gateway_export_dropped_items_total{exporter="stdout",signal="logs",reason="queue_full"}')]
        assert dropped and float(dropped[0].split()[1]) > 0
        assert process.poll() is None
    finally:
        process.kill()
        process.wait()
