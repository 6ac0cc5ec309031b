"""The official anthropic SDK against POST /v1/messages, served by an OpenAI-shaped provider behind the gateway
(the built-in mock): whole messages, streams, and errors in Anthropic's format."""
import anthropic
import pytest

from conftest import CLIENT_KEY
from upstream_stub import UpstreamStub


@pytest.fixture
def client(gateway):
    return anthropic.Anthropic(base_url=gateway.base_url, api_key=CLIENT_KEY, max_retries=0)


def test_messages_create(client, gateway):
    message = client.messages.create(
        model="mock-gpt", max_tokens=64, system="Be brief.",
        messages=[{"role": "user", "content": "Say hello"}],
    )
    assert message.type == "message" and message.role == "assistant"
    assert message.content[0].type == "text" and message.content[0].text
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert gateway.metric('http_requests_total{method="POST",route="/v1/messages",status="200"}') == 1


def test_messages_stream(client):
    with client.messages.stream(model="mock-gpt", max_tokens=64, messages=[{"role": "user", "content": "Say hello"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


def test_max_tokens_cut_is_reported(client):
    message = client.messages.create(model="mock-gpt", max_tokens=2, messages=[{"role": "user", "content": "Say hello"}])
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 2


def test_errors_come_back_in_anthropics_format(client, gateway):
    with pytest.raises(anthropic.NotFoundError) as missing:
        client.messages.create(model="no-such-model", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert missing.value.body["type"] == "error" and missing.value.body["error"]["type"] == "not_found_error"
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(base_url=gateway.base_url, api_key="wrong", max_retries=0).messages.create(
            model="mock-gpt", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(model="mock-ratelimited", max_tokens=16, messages=[{"role": "user", "content": "hi"}])


def test_messages_served_by_an_openai_type_provider(start_gateway):
    stub = UpstreamStub()
    try:
        gateway = start_gateway(f"""
providers:
  upstream:
    type: openai
    base_url: {stub.url}
    api_key: sk-stub
    models: [ok]
health_checks: {{enabled: false}}
""")
        client = anthropic.Anthropic(base_url=gateway.base_url, api_key="unused", max_retries=0)
        message = client.messages.create(model="ok", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
        assert message.content[0].text == "stub" and message.stop_reason == "end_turn"
        assert message.usage.input_tokens == 3 and message.usage.output_tokens == 1
    finally:
        stub.stop()
