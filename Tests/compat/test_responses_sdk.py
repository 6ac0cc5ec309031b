"""The official openai SDK's Responses API (`client.responses.create` / `.stream`) against POST /v1/responses, with
OpenAI, Anthropic, Gemini and Bedrock stubs behind the gateway (each in its own wire format): text, instructions,
usage, a function-calling round trip, streamed text and function-call arguments, JSON-schema output, failover.
OpenAI-type deployments (and Azure's) get the request as it was sent and keep the conversation themselves; the
others get it translated and the gateway keeps the conversation."""
import json

import openai
import pytest

from conftest import stub_gateway

PROVIDERS = ["openai", "anthropic", "gemini", "bedrock"]
WEATHER = {"type": "function", "name": "get_weather", "description": "The weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def gateway_with(start_gateway, stubs, provider):
    """The stub gateway, plus a public model whose first two deployments fail (429, then 500)."""
    return stub_gateway(start_gateway, stubs, provider, extra=f"""
  broken:
    type: mock
    max_retries: 0
    mock: {{error_rate: 1, error_status: 500}}
  busy:
    type: mock
    max_retries: 0
    mock: {{error_rate: 1, error_status: 429}}
models:
  resilient:
    - {{provider: busy, model: x}}
    - {{provider: broken, model: x}}
    - {{provider: {provider}, model: {provider}-model}}
""")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_text_instructions_usage_and_failover(start_gateway, stubs, provider):
    gateway, client = gateway_with(start_gateway, stubs, provider)
    response = client.responses.create(model=f"{provider}-model", input="hi", instructions="Answer briefly.",
                                       metadata={"team": "a"}, max_output_tokens=50)
    assert response.output_text == f"hello from {provider}"
    assert response.status == "completed" and response.object == "response" and response.id.startswith("resp_")
    assert response.instructions == "Answer briefly." and response.metadata == {"team": "a"}
    assert (response.usage.input_tokens, response.usage.output_tokens, response.usage.total_tokens) == (10, 6, 16)
    assert response.usage.input_tokens_details.cached_tokens == 4
    assert "Answer briefly." in json.dumps(stubs.requests[-1][1]), "the instructions reached the provider"

    failed_over = client.responses.with_raw_response.create(model="resilient", input="hi")
    assert failed_over.parse().output_text == f"hello from {provider}"
    assert failed_over.headers["x-llm-gateway-provider"] == provider and failed_over.headers["x-llm-gateway-attempts"] == "3"
    assert gateway.metric('http_requests_total{method="POST",route="/v1/responses",status="200"}') == 2
    assert gateway.metric(f'llm_tokens_total{{provider="{provider}",model="{provider}-model",type="output"}}') == 12


@pytest.mark.parametrize("provider", PROVIDERS)
def test_function_calling_round_trip_whole_and_streamed(start_gateway, stubs, provider):
    _, client = gateway_with(start_gateway, stubs, provider)
    question = {"role": "user", "content": "What is the weather in Paris?"}
    response = client.responses.create(model=f"{provider}-model", input=[question], tools=[WEATHER])
    call = response.output[0]
    assert call.type == "function_call" and call.name == "get_weather" and json.loads(call.arguments) == {"city": "Paris"}
    answer = client.responses.create(model=f"{provider}-model", tools=[WEATHER], input=[
        question, call.model_dump(exclude_none=True),
        {"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 21 C"}])
    assert answer.output_text == "the weather is sunny"

    with client.responses.stream(model=f"{provider}-model", input=[question], tools=[WEATHER]) as stream:
        events = list(stream)
        final = stream.get_final_response()
    deltas = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    assert json.loads(deltas) == {"city": "Paris"}
    assert [e.type for e in events][:2] == ["response.created", "response.in_progress"]
    assert events[-1].type == "response.completed"
    assert final.output[0].type == "function_call" and json.loads(final.output[0].arguments) == {"city": "Paris"}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_streamed_text_and_json_schema_output(start_gateway, stubs, provider):
    _, client = gateway_with(start_gateway, stubs, provider)
    with client.responses.stream(model=f"{provider}-model", input="hi") as stream:
        text = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == final.output_text == f"hello from {provider}"
    assert final.usage.output_tokens == 6 and final.status == "completed"

    schema = {"type": "object", "properties": {"greeting": {"type": "string"}}, "required": ["greeting"],
              "additionalProperties": False}
    response = client.responses.create(model=f"{provider}-model", input="hi",
                                       text={"format": {"type": "json_schema", "name": "greeting", "schema": schema, "strict": True}})
    assert response.text.format.type == "json_schema" and response.text.format.name == "greeting"
    path, sent = stubs.requests[-1]
    if provider == "openai":
        assert path == "/v1/responses" and sent["text"]["format"]["schema"] == schema, "passed through as sent"
    if provider == "gemini":
        assert sent["generationConfig"]["responseMimeType"] == "application/json"


def test_unsupported_features_are_400s_naming_them(start_gateway, stubs):
    _, client = gateway_with(start_gateway, stubs, "anthropic")
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="anthropic-model", input="hi", tools=[{"type": "web_search"}])
    assert refused.value.body["param"] == "tools[0].type" and "web_search" in refused.value.body["message"]
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="resilient", input="hi", tools=[{"type": "web_search"}])
    assert refused.value.body["param"] == "tools[0].type", "a plan with one translated deployment cannot take it"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_multi_turn_with_previous_response_id(start_gateway, stubs, provider):
    """A function-calling round trip as OpenAI recommends it: the call's output refers to the response that made the
    call; the gateway sends the provider the stored conversation (the instructions do not carry over)."""
    _, client = gateway_with(start_gateway, stubs, provider)
    first = client.responses.create(model=f"{provider}-model", input="What is the weather in Paris?", tools=[WEATHER],
                                    instructions="Be brief.")
    call = first.output[0]
    assert call.type == "function_call"
    answer = client.responses.create(model=f"{provider}-model", previous_response_id=first.id, tools=[WEATHER],
                                     input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 21 C"}])
    assert answer.output_text == "the weather is sunny" and answer.previous_response_id == first.id
    # OpenAI keeps the conversation itself: it gets the id; every other provider gets the stored conversation.
    passed = provider == "openai"
    def continued(previous_id, *texts):
        sent = stubs.requests[-1][1]
        if passed:
            return sent["previous_response_id"] == previous_id and "input" in sent
        return all(text in json.dumps(sent) for text in texts)
    assert continued(first.id, "What is the weather in Paris?") and "Be brief." not in json.dumps(stubs.requests[-1][1])
    with client.responses.stream(model=f"{provider}-model", previous_response_id=answer.id, input="Thanks!") as stream:
        final = stream.get_final_response()
    assert final.output_text == f"hello from {provider}"
    assert continued(answer.id, "What is the weather in Paris?", "the weather is sunny", "Thanks!")
    # A streamed response is stored too: the next turn continues it.
    follow_up = client.responses.create(model=f"{provider}-model", previous_response_id=final.id, input="Bye.")
    assert follow_up.previous_response_id == final.id and continued(final.id, "Thanks!")


def test_stored_responses_belong_to_their_key_and_survive_a_restart_with_redis(start_gateway, stubs, redis_url):
    config = f"""
auth:
  api_keys:
    - {{name: team-a, key: sk-gw-a}}
    - {{name: team-b, key: sk-gw-b}}
providers:
  openai: {{type: openai, base_url: "{stubs.url}", api_key: stub-key, models: [openai-model]}}
health_checks: {{enabled: false}}
"""
    gateway = start_gateway(config, env={"REDIS_URL": redis_url})
    def clients(running):
        return [openai.OpenAI(base_url=f"{running.base_url}/v1", api_key=key, max_retries=0) for key in ("sk-gw-a", "sk-gw-b")]
    team_a, team_b = clients(gateway)
    created = team_a.responses.create(model="openai-model", input="hi")
    assert team_a.responses.retrieve(created.id).output_text == "hello from openai"
    with pytest.raises(openai.NotFoundError):
        team_b.responses.retrieve(created.id)
    with pytest.raises(openai.BadRequestError) as refused:
        team_b.responses.create(model="openai-model", input="x", previous_response_id=created.id)
    assert refused.value.body["param"] == "previous_response_id"
    with pytest.raises(openai.NotFoundError):
        team_b.responses.delete(created.id)
    unstored = team_a.responses.create(model="openai-model", input="hi", store=False)
    assert unstored.store is False
    with pytest.raises(openai.NotFoundError):
        team_a.responses.retrieve(unstored.id)

    assert gateway.stop() == 0
    restarted = start_gateway(config, env={"REDIS_URL": redis_url})
    team_a, _ = clients(restarted)
    assert team_a.responses.retrieve(created.id).id == created.id, "Redis kept it across the restart"
    continued = team_a.responses.create(model="openai-model", previous_response_id=created.id, input="more")
    assert stubs.requests[-1][1]["previous_response_id"] == created.id and continued.output_text, "continued where OpenAI keeps it"
    team_a.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        team_a.responses.retrieve(created.id)
    assert restarted.metric('llm_stored_responses_total{result="stored"}') == 1
    assert restarted.metric('http_requests_total{method="DELETE",route="/v1/responses/{id}",status="200"}') == 1


def test_the_response_cache_serves_responses_and_messages_clients(start_gateway, stubs):
    """The cache holds the provider's answer once; Responses and Anthropic clients get hits rendered in their API.
    (Responses requests an OpenAI deployment takes as they are bypass it: see test_passthrough_*.)"""
    import anthropic
    gateway = start_gateway(f"""
cache: {{enabled: true}}
providers:
  gemini: {{type: gemini, base_url: "{stubs.url}", api_key: stub-key, models: [openai-model]}}
health_checks: {{enabled: false}}
""")
    client = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="unused", max_retries=0)
    calls = len(stubs.requests)
    first = client.responses.with_raw_response.create(model="openai-model", input="cache me")
    second = client.responses.with_raw_response.create(model="openai-model", input="cache me")
    assert (first.headers["x-llm-gateway-cache"], second.headers["x-llm-gateway-cache"]) == ("miss", "hit")
    assert second.parse().output_text == first.parse().output_text == "hello from gemini"
    assert second.parse().id != first.parse().id, "a hit is a response of its own"
    assert client.responses.retrieve(second.parse().id).output_text == "hello from gemini", "and is stored"
    for _ in range(2):
        with client.responses.stream(model="openai-model", input="cache my stream") as stream:
            final = stream.get_final_response()
        assert final.output_text == "hello from gemini" and final.usage.output_tokens == 6
    claude = anthropic.Anthropic(base_url=gateway.base_url, api_key="unused", max_retries=0)
    for _ in range(2):
        message = claude.messages.create(model="openai-model", max_tokens=50, messages=[{"role": "user", "content": "cache me too"}])
        assert message.content[0].text == "hello from gemini"
    assert len(stubs.requests) - calls == 3, "one upstream call per distinct request"
    assert gateway.metric('llm_cache_requests_total{result="hit"}') == 3
