#!/usr/bin/env bash
# Smoke tests against a running gateway: liveness, readiness, /health, the model list, one chat completion
# and one streamed completion. Exits non-zero on the first failure.
# Usage: smoke-tests.sh BASE_URL [MODEL]      (API key, if auth is on: LLM_GATEWAY_API_KEY)
set -euo pipefail
base="${1:?usage: $0 BASE_URL [MODEL]}"
base="${base%/}"
model="${2:-}"
auth=()
if [ -n "${LLM_GATEWAY_API_KEY:-}" ]; then auth=(-H "authorization: Bearer ${LLM_GATEWAY_API_KEY}"); fi

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok   $*"; }

curl -fsS --max-time 5 "$base/health/live" | grep -q '"alive"' || fail "/health/live"
pass "/health/live"
curl -fsS --max-time 5 "$base/health/ready" | grep -q '"ready"' || fail "/health/ready"
pass "/health/ready"
health=$(curl -sS --max-time 10 "$base/health") || fail "/health"
echo "$health" | grep -q '"status"' || fail "/health has no status: $health"
pass "/health ($(echo "$health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'))"
models=$(curl -fsS --max-time 10 "${auth[@]}" "$base/v1/models") || fail "/v1/models"
echo "$models" | grep -q '"object":"list"' || fail "/v1/models is not a list: $models"
if [ -z "$model" ]; then
    model=$(echo "$models" | sed -n 's/[^[]*\[{[^}]*"id":"\([^"]*\)".*/\1/p')
fi
[ -n "$model" ] || fail "no model to test with"
pass "/v1/models (testing with $model)"
body="{\"model\":\"$model\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"smoke test\"}]}"
reply=$(curl -fsS --max-time 60 "${auth[@]}" -H 'content-type: application/json' -d "$body" "$base/v1/chat/completions") \
    || fail "chat completion"
echo "$reply" | grep -q '"chat.completion"' || fail "chat completion: $reply"
pass "chat completion"
stream=$(curl -fsS -N --max-time 60 "${auth[@]}" -H 'content-type: application/json' \
    -d "${body%\}},\"stream\":true}" "$base/v1/chat/completions") || fail "streamed completion"
echo "$stream" | grep -q '^data: {' || fail "stream has no chunks: $stream"
echo "$stream" | grep -q '^data: \[DONE\]' || fail "stream did not end with [DONE]"
pass "streamed completion"
echo "smoke tests passed against $base"
