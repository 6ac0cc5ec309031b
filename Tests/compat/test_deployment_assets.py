"""The deployment artefacts: every YAML parses, every Kubernetes manifest validates against the Kubernetes
schemas (kubernetes-validate, offline, strict), the shipped configs pass `llm-gateway check-config`, the
PrometheusRule equals alerts/, the sizing script reproduces the guide's worked example, and the smoke tests
pass against a running gateway (and fail against a dead one)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from conftest import BINARY, ROOT, free_port, wait_until_live

DEPLOYMENT = ROOT / "deployment"
MANIFESTS = sorted((DEPLOYMENT / "k8s").rglob("*.yaml"))
CUSTOM_KINDS = {"ExternalSecret", "PrometheusRule"}


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d is not None]


def test_every_yaml_file_parses():
    files = [p for p in ROOT.rglob("*.y*ml") if ".build" not in p.parts and ".venv" not in p.parts]
    assert len(files) > 20
    for path in files:
        documents(path)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: str(p.relative_to(DEPLOYMENT / "k8s")))
def test_kubernetes_manifest_validates(path: Path):
    for document in documents(path):
        assert document.get("apiVersion") and document.get("kind") and document["metadata"].get("name"), path
        if document["kind"] in CUSTOM_KINDS:
            assert document["spec"], f"{path}: {document['kind']} without spec"
            continue
        kubernetes_validate.validate(document, "1.37.0", strict=True)


def test_deployment_keeps_the_guides_probes_and_security():
    deployment = documents(DEPLOYMENT / "k8s" / "deployment.yaml")[0]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["startupProbe"]["failureThreshold"] == 30
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["runAsUser"] == 1000
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"] == "9090"
    assert pod["topologySpreadConstraints"] and pod["affinity"]["podAntiAffinity"]
    config = yaml.safe_load(documents(DEPLOYMENT / "k8s" / "configmap.yaml")[0]["data"]["config.yaml"])["server"]
    # Drain (readiness 503, then in-flight streams) fits in the grace period.
    assert config["drain_delay_seconds"] + config["shutdown_timeout_seconds"] < pod["terminationGracePeriodSeconds"]
    ingress = documents(DEPLOYMENT / "k8s" / "ingress.yaml")[0]["metadata"]["annotations"]
    assert ingress["nginx.ingress.kubernetes.io/proxy-buffering"] == "off", "SSE needs unbuffered proxying"


def check_config(path: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    environment.update(env or {})
    return subprocess.run([str(BINARY), "check-config", str(path)], capture_output=True, text=True, env=environment)


def test_shipped_configs_pass_check_config(tmp_path):
    configmap = documents(DEPLOYMENT / "k8s" / "configmap.yaml")[0]
    config = tmp_path / "config.yaml"
    config.write_text(configmap["data"]["config.yaml"])
    result = check_config(config)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check_config(DEPLOYMENT / "configs" / "eu-config.yaml", {"AZURE_OPENAI_API_KEY": "test-key"})
    assert result.returncode == 0, result.stdout + result.stderr
    # Residency is enforced at start-up: a US provider breaks the EU config.
    broken = tmp_path / "eu-broken.yaml"
    broken.write_text((DEPLOYMENT / "configs" / "eu-config.yaml").read_text().replace("region: westeurope", "region: us-east-1"))
    result = check_config(broken, {"AZURE_OPENAI_API_KEY": "test-key"})
    assert result.returncode == 1 and "deny_regions" in result.stdout + result.stderr


def test_prometheus_rule_equals_the_alert_rules():
    rule = documents(DEPLOYMENT / "k8s" / "prometheus-rule.yaml")[0]
    assert rule["kind"] == "PrometheusRule"
    assert rule["spec"] == yaml.safe_load((ROOT / "alerts" / "gateway-alerts.yml").read_text())


def test_size_calculator_reproduces_the_guides_example():
    output = subprocess.run([str(DEPLOYMENT / "scripts" / "size-calculator.sh"), "5000", "200", "10"],
                            capture_output=True, text=True, check=True).stdout
    assert "Concurrent Requests: 1000" in output
    assert "Total CPU Cores: 10" in output
    assert "Number of Pods: 5" in output
    assert "CPU per Pod: 2.0 cores" in output
    small = subprocess.run([str(DEPLOYMENT / "scripts" / "size-calculator.sh"), "100", "200", "10"],
                           capture_output=True, text=True, check=True).stdout
    assert "Number of Pods: 3" in small, "never fewer than 3 pods"


def test_smoke_tests_pass_against_a_running_gateway(start_gateway):
    gateway = start_gateway("providers:\n  mock:\n    models: [mock-gpt]\n")
    result = subprocess.run([str(DEPLOYMENT / "scripts" / "smoke-tests.sh"), gateway.base_url, "mock-gpt"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "streamed completion" in result.stdout
    dead = subprocess.run([str(DEPLOYMENT / "scripts" / "smoke-tests.sh"), f"http://127.0.0.1:{free_port()}"],
                          capture_output=True, text=True, timeout=60)
    assert dead.returncode != 0


def test_images_follow_the_guide():
    dockerfile = (DEPLOYMENT / "docker" / "Dockerfile").read_text()
    assert "--static-swift-stdlib" in dockerfile and "USER 1000" in dockerfile
    assert "EXPOSE 8080 9090" in dockerfile and "/health/live" in dockerfile
    hardened = (DEPLOYMENT / "docker" / "Dockerfile.hardened").read_text()
    assert "distroless" in hardened and "--static-swift-stdlib" in hardened
    compose = yaml.safe_load((DEPLOYMENT / "docker-compose.dev.yml").read_text())["services"]
    assert {"gateway", "redis", "prometheus", "grafana", "loki", "alloy", "jaeger", "alertmanager"} <= set(compose)
    # Every file the compose stack mounts exists.
    for service in compose.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOYMENT / source).resolve().exists(), source


# The shared libraries the runtime image provides: glibc (base image), and what the Dockerfile installs.
RUNTIME_LIBRARIES = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
                     "ld-linux-x86-64.so.2", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1", "libdeflate.so.0", "libhiredis.so.0.14"}


def test_static_release_binary_needs_only_the_runtime_images_libraries(tmp_path):
    binary = os.environ.get("LLM_GATEWAY_STATIC_BIN")
    assert binary, "scripts/test.sh builds it with scripts/build-static.sh release and sets LLM_GATEWAY_STATIC_BIN"
    libraries = set()
    for line in subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        name = line.strip().split(" ")[0]
        libraries.add(name.rsplit("/", 1)[-1])
    assert libraries <= RUNTIME_LIBRARIES, f"needs more than the runtime image has: {sorted(libraries - RUNTIME_LIBRARIES)}"
    assert not any("swift" in name.lower() or "foundation" in name.lower() for name in libraries)
    dockerfile = (DEPLOYMENT / "docker" / "Dockerfile").read_text()
    for package in ("libhiredis0.14", "zlib1g", "libdeflate0", "libstdc++6"):
        assert package in dockerfile, package
    port, metrics = free_port(), free_port()
    env = {"PATH": "/usr/bin:/bin", "SERVER_HOST": "127.0.0.1", "SERVER_PORT": str(port), "METRICS_PORT": str(metrics)}
    process = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_live(port, process, lambda: "the static binary did not serve /health/live")
    finally:
        process.terminate()
        process.wait(timeout=20)


def shellcheck_path() -> str:
    path = shutil.which("shellcheck")
    assert path, "scripts/test.sh installs shellcheck"
    return path


def test_the_ci_cd_workflows_pass_actionlint_and_shellcheck():
    """The seed's pipeline (.github/workflows): actionlint checks every workflow, and runs shellcheck on each shell step."""
    actionlint = Path(sys.executable).parent / "actionlint"
    shellcheck = shellcheck_path()
    assert actionlint.exists(), "actionlint comes with Tests/compat/requirements.txt"
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yaml"))
    assert [w.name for w in workflows] == ["ci-cd.yaml", "security-scan.yaml"]
    result = subprocess.run([str(actionlint), f"-shellcheck={shellcheck}", *map(str, workflows)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # The pipeline runs what local CI runs, so the two cannot drift.
    pipeline = yaml.safe_load((ROOT / ".github" / "workflows" / "ci-cd.yaml").read_text())
    steps = [step.get("run", "") for job in pipeline["jobs"].values() for step in job["steps"]]
    assert any("bash .ci/run" in step for step in steps)
    assert any("deployment/scripts/smoke-tests.sh" in step for step in steps)
    assert any("deployment/scripts/rollback.sh" in step for step in steps)
    # A broken workflow is caught: the check is real.
    broken = ROOT / ".github" / "workflows" / "ci-cd.yaml"
    bad = Path(os.environ.get("TMPDIR", "/tmp")) / "llm-gateway-broken-workflow.yaml"
    bad.write_text(broken.read_text().replace("needs: [lint, test, integration, security]", "needs: [lint, tests]")
                   .replace('run: deployment/scripts/rollback.sh llm-gateway llm-gateway', 'run: echo $UNQUOTED'))
    found = subprocess.run([str(actionlint), f"-shellcheck={shellcheck}", str(bad)], capture_output=True, text=True)
    assert found.returncode != 0 and "tests" in found.stdout and "SC2086" in found.stdout


def test_every_shell_script_passes_shellcheck():
    """Deployment, build, CI and bench scripts: shellcheck finds nothing (and does find a planted unquoted use)."""
    shellcheck = shellcheck_path()
    scripts = sorted(p for p in ROOT.rglob("*.sh") if ".build" not in p.parts and ".venv" not in p.parts) + [ROOT / ".ci" / "run"]
    assert {p.relative_to(ROOT).as_posix() for p in scripts} >= {"bench/run.sh", "bench/tools/per-request.sh", "scripts/test.sh", ".ci/run"}
    result = subprocess.run([shellcheck, *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = Path(os.environ.get("TMPDIR", "/tmp")) / "llm-gateway-bad-script.sh"
    bad.write_text("#!/usr/bin/env bash\nfile=$1\nrm $file\n")
    found = subprocess.run([shellcheck, str(bad)], capture_output=True, text=True)
    assert found.returncode != 0 and "SC2086" in found.stdout
