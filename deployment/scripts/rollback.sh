#!/usr/bin/env bash
# Rolls the gateway Deployment back to its previous revision (or to REVISION) and waits for it.
# Usage: rollback.sh [NAMESPACE] [DEPLOYMENT] [REVISION]
set -euo pipefail
namespace="${1:-llm-gateway}"
deployment="${2:-llm-gateway}"
revision="${3:-}"
echo "== history of deployment/$deployment in $namespace"
kubectl -n "$namespace" rollout history "deployment/$deployment"
if [ -n "$revision" ]; then
    kubectl -n "$namespace" rollout undo "deployment/$deployment" --to-revision="$revision"
else
    kubectl -n "$namespace" rollout undo "deployment/$deployment"
fi
kubectl -n "$namespace" rollout status "deployment/$deployment" --timeout=5m
echo "== rolled back; now serving:"
kubectl -n "$namespace" get "deployment/$deployment" -o jsonpath='{.spec.template.spec.containers[0].image}{"\n"}'
