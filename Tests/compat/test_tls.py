"""HTTPS on the gateway's own listener through the real binary: the official openai SDK with a test CA, mutual TLS,
a certificate renewed in place that SIGHUP makes the gateway serve without a restart, and expired certificates
refused wherever they turn up."""
import json
import signal
import ssl
import subprocess
import time

import openai
import pytest

from tls_pki import issue, issue_expired, make_pki


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path)


def sdk(gateway, verify, cert=None):
    """The openai SDK over HTTPS, trusting the CA file `verify`, presenting `cert` (cert, key) when given."""
    context = ssl.create_default_context(cafile=verify)
    if cert:
        context.load_cert_chain(*cert)
    http = openai.DefaultHttpxClient(verify=context, timeout=10)
    return openai.OpenAI(base_url=f"https://localhost:{gateway.port}/v1", api_key="unused", max_retries=0, http_client=http)


def served_expiry(gateway):
    return gateway.metric('llm_tls_certificate_expiry_timestamp_seconds{listener="api"}')


def test_openai_sdk_over_https_and_a_renewed_certificate_after_sighup(start_gateway, pki):
    gateway = start_gateway(f"server:\n  tls: {{cert_file: {pki / 'server.pem'}, key_file: {pki / 'server.key'}}}\n"
                            "providers:\n  mock:\n    models: [mock-gpt]\n", https=True)
    client = sdk(gateway, verify=str(pki / "ca.pem"))
    reply = client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content
    with pytest.raises(openai.APIConnectionError):
        sdk(gateway, verify=str(pki / "other-ca.pem")).models.list()
    first = served_expiry(gateway)
    assert first > time.time()

    issue(pki, "server", "/CN=localhost", "other-ca", "subjectAltName=DNS:localhost,IP:127.0.0.1", days=9)
    gateway.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while served_expiry(gateway) == first and time.monotonic() < deadline:
        time.sleep(0.1)
    assert served_expiry(gateway) > first + 6 * 86400, "the renewed certificate's expiry is exported"
    renewed = sdk(gateway, verify=str(pki / "other-ca.pem"))
    assert renewed.models.list().data, "new connections get the renewed certificate, without a restart"
    assert gateway.process.poll() is None
    assert any(json.loads(line).get("msg") == "TLS certificate reloaded" for line in gateway.log_path.read_text().splitlines()
               if line.startswith("{"))


def test_mutual_tls_requires_a_client_certificate_from_the_configured_ca(start_gateway, pki):
    gateway = start_gateway(f"server:\n  tls: {{cert_file: {pki / 'server.pem'}, key_file: {pki / 'server.key'}, "
                            f"client_ca_file: {pki / 'ca.pem'}}}\nproviders:\n  mock:\n    models: [mock-gpt]\n", https=True,
                            client_cert=(str(pki / "client.pem"), str(pki / "client.key")))
    member = sdk(gateway, verify=str(pki / "ca.pem"), cert=(str(pki / "client.pem"), str(pki / "client.key")))
    assert member.models.list().data
    with pytest.raises(openai.APIConnectionError):
        sdk(gateway, verify=str(pki / "ca.pem")).models.list()
    issue(pki, "outsider", "/CN=outsider", "other-ca", "extendedKeyUsage=clientAuth")
    with pytest.raises(openai.APIConnectionError):
        sdk(gateway, verify=str(pki / "ca.pem"), cert=(str(pki / "outsider.pem"), str(pki / "outsider.key"))).models.list()


def test_check_config_refuses_a_key_that_is_not_the_certificates(pki, tmp_path):
    from conftest import BINARY
    config = tmp_path / "tls.yaml"
    config.write_text(f"server:\n  tls: {{cert_file: {pki / 'server.pem'}, key_file: {pki / 'client.key'}}}\n")
    result = subprocess.run([str(BINARY), "check-config", str(config)], capture_output=True, text=True)
    assert result.returncode == 1 and "server.tls" in result.stdout + result.stderr


def test_expired_certificates_are_refused_by_check_config_reload_and_mutual_tls(start_gateway, pki, tmp_path):
    from conftest import BINARY
    issue_expired(pki, "expired-server", "/CN=localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    issue_expired(pki, "expired-client", "/CN=client", "ca", "extendedKeyUsage=clientAuth")
    expired_config = tmp_path / "expired.yaml"
    expired_config.write_text(f"server:\n  tls: {{cert_file: {pki / 'expired-server.pem'}, key_file: {pki / 'expired-server.key'}}}\n")
    result = subprocess.run([str(BINARY), "check-config", str(expired_config)], capture_output=True, text=True)
    assert result.returncode == 1 and "expired" in result.stdout, result.stdout

    gateway = start_gateway(f"server:\n  tls: {{cert_file: {pki / 'server.pem'}, key_file: {pki / 'server.key'}, "
                            f"client_ca_file: {pki / 'ca.pem'}}}\nproviders:\n  mock:\n    models: [mock-gpt]\n", https=True,
                            client_cert=(str(pki / "client.pem"), str(pki / "client.key")))
    with pytest.raises(openai.APIConnectionError):
        sdk(gateway, verify=str(pki / "ca.pem"), cert=(str(pki / "expired-client.pem"), str(pki / "expired-client.key"))).models.list()
    served = served_expiry(gateway)
    # An expired certificate copied over the served one: the reload keeps serving the valid one.
    (pki / "server.pem").write_bytes((pki / "expired-server.pem").read_bytes())
    (pki / "server.key").write_bytes((pki / "expired-server.key").read_bytes())
    gateway.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 10
    while "TLS certificate reload failed" not in gateway.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    failed = [json.loads(line) for line in gateway.log_path.read_text().splitlines()
              if line.startswith("{") and json.loads(line).get("msg", "").startswith("TLS certificate reload failed")]
    assert failed and "expired" in failed[0]["error"]
    assert served_expiry(gateway) == served
    member = sdk(gateway, verify=str(pki / "ca.pem"), cert=(str(pki / "client.pem"), str(pki / "client.key")))
    assert member.models.list().data, "still served with the valid certificate"
