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
