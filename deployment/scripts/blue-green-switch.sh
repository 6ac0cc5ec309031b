#!/usr/bin/env bash
# Switches the public Service between the blue and green Deployments (deployment/k8s/blue-green): waits
# until the target color is rolled out, smoke-tests it through a port-forward, then patches the selector.
# Usage: blue-green-switch.sh blue|green [NAMESPACE]
set -euo pipefail
color="${1:?usage: $0 blue|green [NAMESPACE]}"
namespace="${2:-llm-gateway}"
case "$color" in blue|green) ;; *) echo "color must be blue or green" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"

kubectl -n "$namespace" rollout status "deployment/llm-gateway-$color" --timeout=5m
port=18080
kubectl -n "$namespace" port-forward "deployment/llm-gateway-$color" "$port:8080" >/dev/null 2>&1 &
forward=$!
trap 'kill $forward 2>/dev/null || true' EXIT
sleep 2
"$here/smoke-tests.sh" "http://127.0.0.1:$port"
kubectl -n "$namespace" patch service llm-gateway-service \
    -p "{\"spec\":{\"selector\":{\"app\":\"llm-gateway\",\"color\":\"$color\"}}}"
echo "llm-gateway-service now sends traffic to $color"
