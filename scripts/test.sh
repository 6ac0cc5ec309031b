#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs what the tests need (python3-venv, shellcheck; Debian's
# redis-server, prometheus and prometheus-alertmanager, which the tests start themselves on 127.0.0.1 and
# stop; promtool and amtool come with them), lints, builds, runs the Swift test targets and the Python
# compatibility suite against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
command -v promtool >/dev/null && command -v prometheus >/dev/null || need_apt+=(prometheus)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v prometheus-alertmanager >/dev/null && command -v amtool >/dev/null || need_apt+=(prometheus-alertmanager)
if ((${#need_apt[@]})); then
    echo "== apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

./scripts/build-deps.sh

echo "== python venv (.venv) for the compatibility tests"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r Tests/compat/requirements.txt

echo "== swift format lint --strict"
swift format lint --strict -r Sources Tests Package.swift

echo "== swift build --build-tests"
swift build --build-tests

echo "== swift test"
swift test --skip-build --parallel

echo "== release build with --static-swift-stdlib (its runtime libraries are checked by a compat test)"
LLM_GATEWAY_STATIC_BIN="$(./scripts/build-static.sh release | tail -1)"
export LLM_GATEWAY_STATIC_BIN

echo "== pytest Tests/compat (openai SDK, CLI, SIGTERM drain against .build/debug/llm-gateway)"
.venv/bin/python -m pytest -q -p no:cacheprovider Tests/compat
