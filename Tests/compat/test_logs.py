"""The gateway's own log: JSON lines for Loki, trace ids, one access line per request, redaction."""
import json
import time

import openai

from conftest import CLIENT_KEY

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"

CONFIG = f"""
auth:
  api_keys:
    - name: team-logs
      key: {CLIENT_KEY}
connection_pool:
  connect_timeout_seconds: 1
logging:
  level: info
  include_content: true
providers:
  mock:
    models: [mock-gpt]
  upstream:
    type: openai
    base_url: http://127.0.0.1:1
    api_key: sk-proj-upstreamsecretvalue123456
    max_retries: 0
    models: [down-model]
"""


def log_lines(gateway) -> list[dict]:
    time.sleep(0.3)
    text = gateway.log_path.read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line must parse
    return parsed


def test_every_line_is_json_with_trace_ids_and_one_access_line_per_request(start_gateway):
    gateway = start_gateway(CONFIG)
    client = openai.OpenAI(
        base_url=f"{gateway.base_url}/v1", api_key=CLIENT_KEY, max_retries=0,
        default_headers={"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"},
    )
    client.chat.completions.create(
        model="mock-gpt", messages=[{"role": "user", "content": "mail me at jane.doe@example.com or +1 415-555-0132"}]
    )
    list(client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": "hi"}], stream=True,
                                        stream_options={"include_usage": True}))
    try:
        openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="sk-wrong-key-1234567890abcdef", max_retries=0) \
            .chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": "x"}])
    except openai.AuthenticationError:
        pass
    gateway.stop()

    lines = log_lines(gateway)
    assert lines, "no log lines"
    for line in lines:
        assert {"ts", "level", "msg", "service"} <= line.keys(), line
        assert line["service"] == "llm-gateway"
    access = [line for line in lines if line["msg"] == "request"]
    assert len(access) == 3
    first, streamed, refused = access
    assert first["trace_id"] == TRACE_ID and len(first["span_id"]) == 16 and first["span_id"] != "b7ad6b7169203331"
    assert first["request_id"]
    assert (first["method"], first["route"], first["status"]) == ("POST", "/v1/chat/completions", "200")
    assert (first["provider"], first["model"], first["stream"], first["client"]) == ("mock", "mock-gpt", "false", "team-logs")
    assert int(first["tokens_out"]) == 16 and int(first["tokens_in"]) > 0
    assert float(first["duration_s"]) >= 0
    assert first["prompt"] == "mail me at [REDACTED:email] or [REDACTED:phone]"
    assert len(first["completion"].split()) == 16
    assert streamed["stream"] == "true" and int(streamed["tokens_out"]) == 16
    assert refused["status"] == "401" and refused["error_type"] == "invalid_api_key" and "client" not in refused

    text = gateway.log_path.read_text()
    assert CLIENT_KEY not in text
    assert "sk-wrong-key" not in text
    assert "upstreamsecretvalue" not in text
    assert "jane.doe@example.com" not in text


def test_content_stays_out_of_logs_by_default(start_gateway):
    gateway = start_gateway("providers:\n  mock:\n    models: [mock-gpt]\n")
    openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="x", max_retries=0).chat.completions.create(
        model="mock-gpt", messages=[{"role": "user", "content": "the secret recipe"}]
    )
    gateway.stop()
    access = [line for line in log_lines(gateway) if line["msg"] == "request"]
    assert len(access) == 1 and "prompt" not in access[0] and "completion" not in access[0]
    assert "secret recipe" not in gateway.log_path.read_text()


def test_upstream_failure_is_logged_with_its_error_type(start_gateway):
    gateway = start_gateway(CONFIG)
    try:
        openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=CLIENT_KEY, max_retries=0, timeout=30) \
            .chat.completions.create(model="down-model", messages=[{"role": "user", "content": "x"}])
    except openai.APIStatusError as error:
        assert error.status_code == 502
    gateway.stop()
    access = [line for line in log_lines(gateway) if line["msg"] == "request"]
    assert access[-1]["status"] == "502" and access[-1]["error_type"] == "connection"
    assert access[-1]["provider"] == "upstream"
