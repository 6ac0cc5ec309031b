"""The official openai SDK against a real gateway process."""
import openai
import pytest

from conftest import CLIENT_KEY


def client(gateway, key: str = CLIENT_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key=key, max_retries=0, timeout=30)


MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]


def test_chat_completion(gateway):
    completion = client(gateway).chat.completions.create(model="mock-gpt", messages=MESSAGES)
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.role == "assistant"
    assert len(completion.choices[0].message.content.split()) == 16
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.completion_tokens == 16
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + 16


def test_streaming_with_usage(gateway):
    stream = client(gateway).chat.completions.create(
        model="mock-gpt", messages=MESSAGES, stream=True, stream_options={"include_usage": True}, max_tokens=5
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(text.split()) == 5
    finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finish == ["length"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == 5


def test_streaming_without_usage_has_no_usage_chunk(gateway):
    chunks = list(client(gateway).chat.completions.create(model="mock-gpt", messages=MESSAGES, stream=True))
    assert all(c.usage is None for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_embeddings(gateway):
    result = client(gateway).embeddings.create(model="mock-gpt", input=["alpha", "beta"], dimensions=16)
    assert [item.index for item in result.data] == [0, 1]
    assert all(len(item.embedding) == 16 for item in result.data)
    again = client(gateway).embeddings.create(model="mock-gpt", input="alpha", dimensions=16)
    assert again.data[0].embedding == result.data[0].embedding


def test_models_list(gateway):
    ids = sorted(model.id for model in client(gateway).models.list())
    assert ids == ["mock-claude", "mock-gpt", "mock-ratelimited"]


def test_wrong_key_is_authentication_error(gateway):
    with pytest.raises(openai.AuthenticationError) as raised:
        client(gateway, key="sk-wrong").chat.completions.create(model="mock-gpt", messages=MESSAGES)
    assert raised.value.code == "invalid_api_key"


def test_unknown_model_is_not_found(gateway):
    with pytest.raises(openai.NotFoundError) as raised:
        client(gateway).chat.completions.create(model="no-such-model", messages=MESSAGES)
    assert raised.value.code == "model_not_found"


def test_rate_limited_upstream_is_rate_limit_error(gateway):
    with pytest.raises(openai.RateLimitError) as raised:
        client(gateway).chat.completions.create(model="mock-ratelimited", messages=MESSAGES)
    assert raised.value.response.headers["retry-after"] == "1"
    with pytest.raises(openai.RateLimitError):
        client(gateway).chat.completions.create(model="mock-ratelimited", messages=MESSAGES, stream=True)


def test_bad_request(gateway):
    with pytest.raises(openai.BadRequestError) as raised:
        client(gateway).chat.completions.create(model="mock-gpt", messages=[{"role": "wizard", "content": "x"}])
    assert raised.value.param == "messages[0].role"
    with pytest.raises(openai.BadRequestError):
        client(gateway).chat.completions.create(model="mock-gpt", messages=[])
