"""The gateway as the Kubernetes deployment runs it: uid 1000, no capabilities (`runAsNonRoot`)."""
import os
import urllib.request

import pytest

from test_otlp_export import OpenAIUpstreamHandler, Recorder

DEPLOYMENT_UID = 1000


@pytest.mark.skipif(os.geteuid() != 0, reason="not root: every other test already runs the gateway unprivileged")
def test_upstream_and_redis_connections_work_without_privileges(start_gateway, redis_url):
    # Upstream and Redis connections once set a socket option only CAP_NET_ADMIN may set (TCP_NODELAY's number
    # at the socket level is SO_DEBUG): as root it passed, as the deployment's user every connect failed.
    upstream = Recorder(OpenAIUpstreamHandler)
    try:
        config = f"providers:\n  upstream:\n    type: openai\n    base_url: {upstream.url}\n    max_retries: 0\n"
        gateway = start_gateway(config, {"REDIS_URL": redis_url}, user=DEPLOYMENT_UID)
        with open(f"/proc/{gateway.process.pid}/status") as status:
            uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
        assert uids == [str(DEPLOYMENT_UID)] * 4
        body = gateway.chat(model="upstream/gpt-test")
        assert b"chatcmpl-upstream-1" in body
        assert len(upstream.requests) == 1
        assert gateway.wait_for_metric("llm_redis_up") == 1
        assert gateway.metric('llm_provider_errors_total{provider="upstream",error_type="connection"}') == 0
    finally:
        upstream.shutdown()
