"""requirements.lock matches pyproject.toml, and it is what this environment runs (issue 23).

The lock (made by scripts/lock) is what the image installs with --require-hashes and what
scripts/test installs before the dev tools, so CI runs the image's versions. Offline, these
tests check that it still describes pyproject.toml: every dependency and the build backend
pinned within its range, every pin hashed, nothing missing from the closure (each pinned
package's own requirements, read from the metadata of the installed package, are pinned too)
and nothing left over. A failure says: run scripts/lock (or scripts/test to install it).
"""

import importlib.metadata as metadata
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
REDO = "run scripts/lock, then scripts/test (it installs the lock)"


@dataclass
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: list[str] = field(default_factory=list)

    def applies(self) -> bool:
        """Whether this pin is for the interpreter running the tests (3.11 on Linux)."""
        return self.marker is None or self.marker.evaluate()


def read_lock() -> list[Pin]:
    pins: list[Pin] = []
    for line in LOCK.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash="):
            pins[-1].hashes.append(stripped.removeprefix("--hash=").rstrip(" \\"))
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+?)(?:\s*;\s*(.+?))?\s*\\?", stripped)
        assert match, f"not a pin: {line!r}"
        marker = Marker(match[3]) if match[3] else None
        pins.append(Pin(canonicalize_name(match[1]), match[2], marker))
    return pins


def applicable() -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    for pin in read_lock():
        if pin.applies():
            assert pin.name not in pins, f"two pins of {pin.name} apply to one interpreter"
            pins[pin.name] = pin
    return pins


def roots() -> list[Requirement]:
    """pyproject.toml's runtime dependencies and its build backend: what the image installs."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = project["project"]["dependencies"] + project["build-system"]["requires"]
    return [Requirement(text) for text in names]


def test_every_pin_is_exact_and_hashed() -> None:
    pins = read_lock()
    assert len(pins) > 10
    for pin in pins:
        assert pin.hashes and all(h.startswith("sha256:") and len(h) == 71 for h in pin.hashes)


def test_every_dependency_and_the_build_backend_is_pinned_within_its_range() -> None:
    pins = applicable()
    for requirement in roots():
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement} is not in requirements.lock: {REDO}"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"requirements.lock pins {pin.name}=={pin.version}, outside {requirement}: {REDO}"
        )


def test_the_lock_is_the_closure_of_pyproject_and_nothing_more() -> None:
    """Walk the requirements from the roots through each pinned package's metadata."""
    pins = applicable()
    reached: set[str] = set()
    walked: set[tuple[str, tuple[str, ...]]] = set()
    todo = [(requirement, "") for requirement in roots()]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        pin = pins.get(name)
        assert pin is not None, f"{name} (needed: {requirement}) is not locked: {REDO}"
        assert requirement.specifier.contains(pin.version, prereleases=True), (requirement, pin)
        extras = tuple(sorted(requirement.extras))
        reached.add(name)
        if (name, extras) in walked:
            continue
        walked.add((name, extras))
        installed = metadata.version(name)
        assert installed == pin.version, (
            f"{name} {installed} installed, {pin.version} locked: {REDO}"
        )
        for text in metadata.requires(name) or []:
            for wanted in ["", *extras]:
                todo.append((Requirement(text), wanted))
    leftovers = {name for name in pins if name not in reached}
    assert not leftovers, f"locked but needed by nothing: {sorted(leftovers)}: {REDO}"


@pytest.mark.parametrize("name", sorted(applicable()))
def test_this_environment_runs_the_locked_version(name: str) -> None:
    """The same pins in CI as in the image: scripts/test installs the lock first."""
    assert metadata.version(name) == applicable()[name].version, REDO
