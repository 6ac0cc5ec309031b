"""The official openai SDK against the gateway with Anthropic, Gemini and Bedrock (stubs in their own wire formats)
behind it: whole answers, streams with usage, and the provider names in the metrics."""
import openai
import pytest

from provider_stubs import ProviderStubs


@pytest.fixture
def stubs():
    running = ProviderStubs()
    yield running
    running.stop()


@pytest.mark.parametrize("provider,genai_name", [("anthropic", "anthropic"), ("gemini", "gcp.gemini"), ("bedrock", "aws.bedrock")])
def test_openai_sdk_through_translating_providers(start_gateway, stubs, provider, genai_name):
    gateway = start_gateway(f"""
providers:
  {provider}:
    base_url: {stubs.url}
    api_key: stub-key
    region: eu-west-1
    models: [{provider}-model]
health_checks: {{enabled: false}}
""", env={"AWS_ACCESS_KEY_ID": "AKIDSTUB", "AWS_SECRET_ACCESS_KEY": "stub-secret"})
    client = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)
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
