"""The official openai SDK against the gateway with OpenAI, Anthropic, Gemini and Bedrock (stubs in their own wire
formats) behind it: whole answers, streams with usage, and the provider names in the metrics."""
import json

import openai
import pytest

from conftest import stub_gateway
from provider_stubs import usage_of

TOKEN_TYPES = ["input", "output", "cache_read", "cache_creation", "reasoning"]


@pytest.mark.parametrize("provider,genai_name", [("anthropic", "anthropic"), ("gemini", "gcp.gemini"), ("bedrock", "aws.bedrock")])
def test_openai_sdk_through_translating_providers(start_gateway, stubs, provider, genai_name):
    gateway, client = stub_gateway(start_gateway, stubs, provider)
    completion = client.chat.completions.create(model=f"{provider}-model", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == f"hello from {provider}"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.total_tokens == 16

    chunks = list(client.chat.completions.create(model=f"{provider}-model", messages=[{"role": "user", "content": "hi"}],
                                                 stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == f"hello from {provider}"
    assert chunks[-1].usage.total_tokens == 16

    assert gateway.metric(f'llm_tokens_total{{provider="{provider}",model="{provider}-model",type="output"}}') == 12
    assert gateway.metric(f'gen_ai_client_token_usage_count{{gen_ai_operation_name="chat",gen_ai_provider_name="{genai_name}",gen_ai_request_model="{provider}-model",gen_ai_token_type="output"}}') == 2


def tokens(gateway, provider) -> dict:
    """`llm_tokens_total` by type for the stub deployment; None for a series the gateway does not expose."""
    return {kind: gateway.series(f'llm_tokens_total{{provider="{provider}",model="{provider}-model",type="{kind}"}}')
            for kind in TOKEN_TYPES}


def assert_usage(usage, provider):
    """An OpenAI usage object holds the stub's counts: totals, cache reads and reasoning as OpenAI names them."""
    expected = usage_of(provider)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (10, 6, 16)
    assert usage.prompt_tokens_details.cached_tokens == expected["cache_read"]
    reasoning = usage.completion_tokens_details.reasoning_tokens if usage.completion_tokens_details else 0
    assert reasoning == expected["reasoning"]


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini", "bedrock"])
def test_tokens_are_counted_by_type_in_whole_and_streamed_answers_whether_or_not_the_client_asks_for_usage(
        start_gateway, stubs, provider):
    """Every answer's tokens reach the metrics by type (cached and reasoning tokens too), the access line and the
    answer's usage; only the client that asked for usage gets the usage chunk. The series exist at 0 from start-up."""
    gateway, client = stub_gateway(start_gateway, stubs, provider)
    assert tokens(gateway, provider) == dict.fromkeys(TOKEN_TYPES, 0), "every token type is exposed at 0 before traffic"
    request = {"model": f"{provider}-model", "messages": [{"role": "user", "content": "hi"}]}
    expected = usage_of(provider)

    completion = client.chat.completions.create(**request)
    assert_usage(completion.usage, provider)
    assert tokens(gateway, provider) == expected

    chunks = list(client.chat.completions.create(**request, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == f"hello from {provider}"
    assert all(c.choices and c.usage is None for c in chunks), "the client did not ask for the usage chunk"
    assert tokens(gateway, provider) == {kind: 2 * count for kind, count in expected.items()}

    chunks = list(client.chat.completions.create(**request, stream=True, stream_options={"include_usage": True}))
    assert chunks[-1].choices == []
    assert_usage(chunks[-1].usage, provider)
    assert tokens(gateway, provider) == {kind: 3 * count for kind, count in expected.items()}

    lines = [json.loads(line) for line in gateway.log_path.read_text().splitlines() if '"msg":"request"' in line]
    chats = [line for line in lines if line.get("route") == "/v1/chat/completions"]
    assert len(chats) == 3
    for line in chats:
        assert (line["tokens_in"], line["tokens_out"], line["tokens_cache_read"]) == ("10", "6", "4")
        assert line.get("tokens_cache_creation", "0") == str(expected["cache_creation"])
        assert line.get("tokens_reasoning", "0") == str(expected["reasoning"])
    if provider == "openai":
        # The gateway asked for usage on every stream; the client's own request is forwarded as it was.
        bodies = [body for path, body in stubs.requests if path.startswith("/v1/chat/completions") and body.get("stream")]
        assert [body["stream_options"] for body in bodies] == [{"include_usage": True}] * 2
        assert all(body["messages"] == request["messages"] for body in bodies)


def test_stream_usage_false_leaves_the_clients_request_as_it_is(start_gateway, stubs):
    """For a compatible server that refuses stream_options: no usage ask; streams are counted when the client asks."""
    gateway = start_gateway(f"""
providers:
  openai: {{type: openai, base_url: "{stubs.url}", api_key: stub-key, models: [openai-model], stream_usage: false}}
health_checks: {{enabled: false}}
""")
    client = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)
    request = {"model": "openai-model", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    output = 'llm_tokens_total{provider="openai",model="openai-model",type="output"}'
    chunks = list(client.chat.completions.create(**request))
    assert all(c.usage is None for c in chunks)
    assert "stream_options" not in stubs.requests[-1][1], "the client's request went as it was"
    assert gateway.metric(output) == 0, "no usage came back to count"
    chunks = list(client.chat.completions.create(**request, stream_options={"include_usage": True}))
    assert chunks[-1].usage.completion_tokens == 6 and gateway.metric(output) == 6
