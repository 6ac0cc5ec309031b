"""The official openai SDK against the gateway with OpenAI, Anthropic, Gemini and Bedrock (stubs in their own wire
formats) behind it: whole answers, streams with usage, and the provider names in the metrics."""
import openai
import pytest

from provider_stubs import ProviderStubs


@pytest.fixture
def stubs():
    running = ProviderStubs()
    yield running
    running.stop()


def gateway_before(start_gateway, stubs, provider):
    """A gateway with one provider of type `provider` in front of its stub, and an openai client for it."""
    gateway = start_gateway(f"""
providers:
  {provider}:
    type: {provider}
    base_url: {stubs.url}
    api_key: stub-key
    region: eu-west-1
    models: [{provider}-model]
health_checks: {{enabled: false}}
""", env={"AWS_ACCESS_KEY_ID": "AKIDSTUB", "AWS_SECRET_ACCESS_KEY": "stub-secret"})
    return gateway, openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)


@pytest.mark.parametrize("provider,genai_name", [("anthropic", "anthropic"), ("gemini", "gcp.gemini"), ("bedrock", "aws.bedrock")])
def test_openai_sdk_through_translating_providers(start_gateway, stubs, provider, genai_name):
    gateway, client = gateway_before(start_gateway, stubs, provider)
    completion = client.chat.completions.create(model=f"{provider}-model", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == f"hello from {provider}"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.total_tokens == 7

    chunks = list(client.chat.completions.create(model=f"{provider}-model", messages=[{"role": "user", "content": "hi"}],
                                                 stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == f"hello from {provider}"
    assert chunks[-1].usage.total_tokens == 7

    assert gateway.metric(f'llm_tokens_total{{provider="{provider}",model="{provider}-model",type="output"}}') == 6
    assert gateway.metric(f'gen_ai_client_token_usage_count{{gen_ai_operation_name="chat",gen_ai_provider_name="{genai_name}",gen_ai_request_model="{provider}-model",gen_ai_token_type="output"}}') == 2


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini", "bedrock"])
def test_streamed_tokens_are_counted_whether_or_not_the_client_asks_for_usage(start_gateway, stubs, provider):
    """Every stream's tokens reach the metrics; only the client that asked for usage gets the usage chunk."""
    gateway, client = gateway_before(start_gateway, stubs, provider)
    request = {"model": f"{provider}-model", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    output = f'llm_tokens_total{{provider="{provider}",model="{provider}-model",type="output"}}'
    input_ = f'llm_tokens_total{{provider="{provider}",model="{provider}-model",type="input"}}'

    chunks = list(client.chat.completions.create(**request))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == f"hello from {provider}"
    assert all(c.choices and c.usage is None for c in chunks), "the client did not ask for the usage chunk"
    assert gateway.metric(output) == 3
    assert gateway.metric(input_) == 4

    chunks = list(client.chat.completions.create(**request, stream_options={"include_usage": True}))
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == 7
    assert gateway.metric(output) == 6
    assert gateway.metric(input_) == 8
    if provider == "openai":
        # The gateway asked for usage both times; the client's own request is forwarded as it was.
        bodies = [body for path, body in stubs.requests if path.startswith("/v1/chat/completions")]
        assert [body["stream_options"] for body in bodies] == [{"include_usage": True}] * 2
        assert all(body["messages"] == request["messages"] for body in bodies)
