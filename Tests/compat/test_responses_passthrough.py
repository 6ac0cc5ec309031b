"""/v1/responses passed through to OpenAI and Azure OpenAI deployments with the official openai SDK: the request
as it was sent (fields the gateway does not model, built-in tools), the provider's own response and ids, its
stored responses fetched and deleted through the gateway, a continued conversation sent to the deployment that
holds it, and no cache for what the gateway cannot key."""
import openai
import pytest

AZURE_PATH = "/openai/v1/responses"


def gateway_for(start_gateway, stubs, extra=""):
    gateway = start_gateway(f"""
providers:
  openai: {{type: openai, base_url: "{stubs.url}", api_key: stub-key, models: [openai-model]}}
  azure: {{type: azure_openai, base_url: "{stubs.url}", api_key: stub-key}}
models:
  smart:
    - {{provider: openai, model: openai-model}}
    - {{provider: azure, model: gpt-4o-deployment}}
{extra}
health_checks: {{enabled: false}}
""")
    return gateway, openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)


def test_the_request_goes_as_sent_and_the_providers_response_comes_back(start_gateway, stubs):
    gateway, client = gateway_for(start_gateway, stubs)
    raw = client.responses.with_raw_response.create(
        model="smart", input="hi", reasoning={"effort": "low"}, truncation="auto", include=["reasoning.encrypted_content"],
        tools=[{"type": "web_search"}], extra_body={"vendor_field": {"kept": True}})
    path, sent = stubs.requests[-1]
    assert path == "/v1/responses"
    assert sent["reasoning"] == {"effort": "low"} and sent["truncation"] == "auto" and sent["vendor_field"] == {"kept": True}
    assert sent["tools"] == [{"type": "web_search"}], "a built-in tool the provider has reaches it"
    assert sent["model"] == "openai-model", "only the model is the deployment's"
    response = raw.parse()
    assert response.id.startswith("resp_stub"), "the provider's own response, not one the gateway made"
    assert raw.headers["x-llm-gateway-provider"] == "openai"
    assert gateway.metric('llm_tokens_total{provider="openai",model="openai-model",type="cache_read"}') == 4

    direct = client.responses.create(model="azure/gpt-4o-deployment", input="hi", store=False)
    path, sent = stubs.requests[-1]
    assert path == AZURE_PATH and sent["model"] == "gpt-4o-deployment" and sent["store"] is False
    assert direct.output_text == "hello from openai"


def test_stored_responses_are_the_deployments_and_a_continuation_goes_back_to_it(start_gateway, stubs):
    _, client = gateway_for(start_gateway, stubs)
    with client.responses.stream(model="azure/gpt-4o-deployment", input="What is the weather in Paris?",
                                 tools=[{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]) as stream:
        first = stream.get_final_response()
    assert stubs.requests[-1][0] == AZURE_PATH
    # "smart" prefers the OpenAI deployment; the conversation is Azure's, so the next turn goes there.
    answer = client.responses.create(model="smart", previous_response_id=first.id, input=[
        {"type": "function_call_output", "call_id": first.output[0].call_id, "output": "sunny"}])
    path, sent = stubs.requests[-1]
    assert path == AZURE_PATH and sent["previous_response_id"] == first.id
    assert answer.output_text == "the weather is sunny", "the provider continued its own conversation"

    fetched = client.responses.retrieve(answer.id)
    assert fetched.id == answer.id and stubs.requests[-1][0] == f"GET {AZURE_PATH}/{answer.id}"
    client.responses.delete(answer.id)
    assert stubs.requests[-1][0] == f"DELETE {AZURE_PATH}/{answer.id}"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(answer.id)
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="smart", previous_response_id="resp_unknown", input="x")
    assert refused.value.body["param"] == "previous_response_id"


def test_passed_through_requests_bypass_the_cache(start_gateway, stubs):
    gateway, client = gateway_for(start_gateway, stubs, extra="cache: {enabled: true}")
    calls = len(stubs.requests)
    for _ in range(2):
        raw = client.responses.with_raw_response.create(model="openai-model", input="same question")
        assert raw.headers["x-llm-gateway-cache"] == "bypass"
    assert len(stubs.requests) - calls == 2, "a provider-side response is the provider's each time"
    assert gateway.metric('llm_cache_requests_total{result="bypass"}') == 2


def test_a_continuation_is_checked_against_the_model_asked_for_not_its_deployment(start_gateway, stubs):
    """With a data-residency allow-list naming public models only, a conversation pinned to the deployment that
    holds it (`provider/model`, which the list does not name) still continues; a model the list refuses does not."""
    gateway = start_gateway(f"""
data_residency: {{enabled: true, allowed_models: [smart]}}
providers:
  openai: {{type: openai, base_url: "{stubs.url}", api_key: stub-key, region: eu-west-1}}
models:
  smart: [{{provider: openai, model: openai-model}}]
health_checks: {{enabled: false}}
""")
    client = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)
    first = client.responses.create(model="smart", input="hi")
    follow_up = client.responses.create(model="smart", previous_response_id=first.id, input="more")
    assert stubs.requests[-1][1]["previous_response_id"] == first.id and follow_up.output_text
    assert client.responses.retrieve(first.id).id == first.id
    with pytest.raises(openai.PermissionDeniedError):
        client.responses.create(model="openai/openai-model", previous_response_id=first.id, input="x")
