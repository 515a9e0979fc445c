"""The deployment files agree with the app and validate offline (docs/deploy.md)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

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
