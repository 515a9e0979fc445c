"""The deployment files agree with the app and validate offline (docs/deploy.md)."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
VALIDATE = str(Path(sys.executable).with_name("kubernetes-validate"))


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    command = [VALIDATE, "--strict", "--quiet", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_kubernetes_manifests_validate_strictly() -> None:
    result = validate(ROOT / "deploy" / "kubernetes.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_a_broken_manifest(tmp_path: Path) -> None:
    text = (ROOT / "deploy" / "kubernetes.yaml").read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("containerPort: 8000", "containerPort: eight-thousand"))
    assert validate(broken).returncode != 0


@pytest.mark.parametrize("needle", ["containerPort: 8000", "path: /healthz", "runAsUser: 10001"])
def test_manifest_matches_the_image(needle: str) -> None:
    assert needle in (ROOT / "deploy" / "kubernetes.yaml").read_text()


def test_dockerfile_exposes_the_port_and_checks_health_without_curl() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^EXPOSE 8000$", dockerfile, re.M)
    assert re.search(r"^USER \d+$", dockerfile, re.M)
    healthcheck = dockerfile[dockerfile.index("HEALTHCHECK") :]
    assert "/healthz" in healthcheck and "curl" not in healthcheck


def manifest_image() -> str:
    match = re.search(r"^\s+image: (\S+)$", (ROOT / "deploy" / "kubernetes.yaml").read_text(), re.M)
    assert match, "the manifest names no image"
    return match.group(1)


@pytest.mark.parametrize("doc", ["README.md", "docs/deploy.md"])
def test_docs_build_and_run_the_image_the_manifest_deploys(doc: str) -> None:
    """A newcomer who follows the docs gets the image Kubernetes (and .ci/image-check) runs."""
    text = (ROOT / doc).read_text()
    built = re.findall(r"docker build -t (\S+) \.", text)
    run = re.findall(r"docker run [^`]*?(\S+)\n```", text)
    assert built and run, f"{doc} shows no docker build and run"
    assert set(built) == set(run) == {manifest_image()}


def test_the_image_tag_is_the_project_version() -> None:
    """The tag names what is inside: bumping the version must move the manifest too."""
    version = re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert version
    assert manifest_image() == f"nn-playground:{version.group(1)}"


def manifest(name: str = "nn-playground") -> dict[str, dict[str, Any]]:
    """The manifest's objects by kind: the playground's, or (name "nn-playground-redis") those
    of the class store beside it."""
    text = (ROOT / "deploy" / "kubernetes.yaml").read_text()
    docs = [doc for doc in yaml.safe_load_all(text) if doc]
    return {doc["kind"]: doc for doc in docs if doc["metadata"]["name"] == name}


def container() -> dict[str, Any]:
    pod = manifest()["Deployment"]["spec"]["template"]["spec"]
    [only] = pod["containers"]
    return dict(only)


def env() -> dict[str, str]:
    return {item["name"]: item["value"] for item in container()["env"]}


def test_a_stopping_pod_has_time_to_leave_the_service_and_drain() -> None:
    """preStop, then SIGTERM's drain (app/web/drain.py) then uvicorn's close, each bounded:
    Kubernetes must not SIGKILL the pod before the students have their final checkpoints."""
    pod = manifest()["Deployment"]["spec"]["template"]["spec"]
    pre_stop = container()["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    grace = float(env()["NN_PLAYGROUND_SHUTDOWN_GRACE_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] >= float(pre_stop[1]) + 2 * grace
    rolling = manifest()["Deployment"]["spec"]["strategy"]["rollingUpdate"]
    assert rolling == {"maxSurge": 1, "maxUnavailable": 0}


def test_probes_have_timeouts_and_a_slow_start_is_not_killed() -> None:
    probes = {
        kind: container()[kind] for kind in ("startupProbe", "readinessProbe", "livenessProbe")
    }
    for probe in probes.values():
        assert probe["httpGet"]["path"] == "/healthz" and probe["timeoutSeconds"] <= 5
    startup = probes["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60  # 28 s seen when busy


def test_replicas_spread_over_nodes_and_leave_one_at_a_time() -> None:
    pod = manifest()["Deployment"]["spec"]["template"]["spec"]
    spread = {c["topologyKey"]: c for c in pod["topologySpreadConstraints"]}
    assert spread["kubernetes.io/hostname"]["whenUnsatisfiable"] == "DoNotSchedule"
    assert manifest()["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1


def test_the_ingress_keeps_websockets_open_and_is_the_only_trusted_proxy() -> None:
    ingress = manifest()["Ingress"]
    notes = ingress["metadata"]["annotations"]
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(notes[f"nginx.ingress.kubernetes.io/{key}"]) > 45  # above the 20 s pings
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "nn-playground", "port": {"name": "http"}}
    assert env()["NN_PLAYGROUND_TRUST_FORWARDED_FOR"] == "true"
    policy = manifest()["NetworkPolicy"]["spec"]
    assert policy["podSelector"] == manifest()["Deployment"]["spec"]["selector"]
    [rule] = policy["ingress"]
    assert [p["port"] for p in rule["ports"]] == [8000]


def test_the_pods_share_one_redis_for_classes_and_only_they_reach_it() -> None:
    env = {e["name"]: e["value"] for e in container()["env"]}
    redis = manifest("nn-playground-redis")
    service = redis["Service"]["spec"]
    url = env["NN_PLAYGROUND_REDIS_URL"]
    assert url == f"redis://{redis['Service']['metadata']['name']}:{service['ports'][0]['port']}/0"
    store = redis["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]
    assert "--appendonly" in store["args"] and store["securityContext"]["readOnlyRootFilesystem"]
    # Its append-only file is on a claimed volume, so classes outlive Redis's pod too.
    (data,) = [m for m in store["volumeMounts"] if m["mountPath"] == "/data"]
    claims = [c["metadata"]["name"] for c in redis["StatefulSet"]["spec"]["volumeClaimTemplates"]]
    assert data["name"] in claims
    allowed = redis["NetworkPolicy"]["spec"]["ingress"][0]["from"][0]["podSelector"]
    assert allowed["matchLabels"] == {"app.kubernetes.io/name": "nn-playground"}
