"""Cost through the real binary: prices from config.yaml applied to the usage the providers report (cached and
reasoning tokens included), in `llm_cost_usd_total{provider,model,client}`, the answer header, the access line;
unpriced models counted and warned about once; every configured series at 0 from start-up."""
import json

import openai
import pytest

# The stubs' usage (provider_stubs.USAGE) priced by hand, USD per million tokens:
# OpenAI: 10 input of which 4 cache reads, 6 output → 6 × 2.50 + 4 × 1.25 + 6 × 10 = 80 → $0.00008.
# Anthropic: 4 plain input, 4 cache reads, 2 cache writes, 6 output → 4 × 3 + 4 × 0.30 + 2 × 3.75 + 6 × 15 = 110.7.
OPENAI_COST = "0.00008"
ANTHROPIC_COST = "0.0001107"


@pytest.fixture
def gateway(start_gateway, stubs):
    return start_gateway(f"""
auth:
  api_keys:
    - {{name: team-a, key: sk-gw-team-a}}
    - {{name: team-b, key: sk-gw-team-b}}
providers:
  openai:
    type: openai
    base_url: {stubs.url}
    api_key: stub-key
    models: [openai-model, openai-unpriced]
  anthropic:
    type: anthropic
    base_url: {stubs.url}
    api_key: stub-key
    models: [anthropic-model]
pricing:
  prices:
    openai:
      openai-model: {{input: 2.50, output: 10, cached_input: 1.25}}
    anthropic:
      anthropic-model: {{input: 3, output: 15, cached_input: 0.30, cache_write: 3.75}}
health_checks: {{enabled: false}}
""")


def client(gateway, key):
    return openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=key, max_retries=0)


def cost(provider, model, client_name):
    return f'llm_cost_usd_total{{provider="{provider}",model="{model}",client="{client_name}"}}'


def test_cost_per_request_and_per_client_matches_the_price_table(gateway):
    deployments = [("openai", "openai-model"), ("openai", "openai-unpriced"), ("anthropic", "anthropic-model")]
    for provider, model in deployments:
        for name in ("team-a", "team-b"):
            assert gateway.series(cost(provider, model, name)) == 0, "every client's cost series exists from start-up"
    assert gateway.series('llm_unpriced_requests_total{provider="openai",model="openai-unpriced"}') == 0
    assert gateway.series('llm_unpriced_requests_total{provider="openai",model="openai-model"}') is None

    team_a, team_b = client(gateway, "sk-gw-team-a"), client(gateway, "sk-gw-team-b")
    messages = [{"role": "user", "content": "hi"}]
    raw = team_a.chat.completions.with_raw_response.create(model="openai-model", messages=messages)
    assert raw.headers["x-llm-gateway-cost-usd"] == OPENAI_COST
    assert raw.parse().usage.prompt_tokens_details.cached_tokens == 4
    with team_a.chat.completions.with_streaming_response.create(model="openai-model", messages=messages, stream=True) as streamed:
        assert "x-llm-gateway-cost-usd" not in streamed.headers, "a stream's headers leave before its usage is known"
        assert any(line.startswith("data: [DONE]") for line in streamed.iter_lines())
    raw = team_a.chat.completions.with_raw_response.create(model="anthropic-model", messages=messages)
    assert raw.headers["x-llm-gateway-cost-usd"] == ANTHROPIC_COST
    for _ in range(2):
        raw = team_b.chat.completions.with_raw_response.create(model="openai-unpriced", messages=messages)
        assert "x-llm-gateway-cost-usd" not in raw.headers

    assert gateway.series(cost("openai", "openai-model", "team-a")) == 2 * float(OPENAI_COST)
    assert gateway.series(cost("anthropic", "anthropic-model", "team-a")) == float(ANTHROPIC_COST)
    assert gateway.series(cost("openai", "openai-model", "team-b")) == 0
    assert gateway.series(cost("openai", "openai-unpriced", "team-b")) == 0
    assert gateway.series('llm_unpriced_requests_total{provider="openai",model="openai-unpriced"}') == 2

    lines = [json.loads(line) for line in gateway.log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["msg"] == "request" and line.get("route") == "/v1/chat/completions"]
    assert [line.get("cost_usd") for line in access] == [OPENAI_COST, OPENAI_COST, ANTHROPIC_COST, None, None]
    warnings = [line for line in lines if "has no price" in line["msg"]]
    assert len(warnings) == 1 and warnings[0]["model"] == "openai-unpriced", "one warning per unpriced model"
