"""The lock files: they satisfy pyproject.toml, and the environment holds exactly them.

``make lock`` writes them; ``make install`` installs requirements-test.lock with hashes.
A dependency added to pyproject.toml without renewing the lock fails here, not on
someone else's machine.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _pins(name: str) -> dict[str, Version]:
    """``package -> version`` for the pins of a lock file that apply to this Python."""
    pins: dict[str, Version] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        found = PIN.match(line)
        if found is None:
            continue
        package, pinned, marker = found.groups()
        if marker is None or Marker(marker).evaluate():
            pins[canonicalize_name(package)] = Version(pinned)
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(*extras: str) -> list[Requirement]:
    project = _project()
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(r) for r in names]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("requirements.lock", ("build",)), ("requirements-test.lock", ("test", "build"))],
)
def test_the_lock_satisfies_pyproject(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(lock)
    wrong = []
    for requirement in _requirements(*extras):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or pinned not in requirement.specifier:
            wrong.append(f"{requirement} (locked: {pinned})")
    assert not wrong, f"{lock} is out of date with pyproject.toml (run make lock): {wrong}"


def test_the_service_lock_agrees_with_the_full_one() -> None:
    full = _pins("requirements-test.lock")
    differ = {
        name: (pinned, full.get(name))
        for name, pinned in _pins("requirements.lock").items()
        if full.get(name) != pinned
    }
    assert not differ, f"requirements.lock and requirements-test.lock disagree (run make lock): {differ}"


def test_every_dependency_has_an_upper_bound() -> None:
    unbounded = [
        str(r)
        for r in _requirements("test", "build")
        if not any(s.operator in ("<", "==", "~=") for s in r.specifier)
    ]
    assert not unbounded, f"give these a bound below their next major version: {unbounded}"


def test_the_environment_holds_the_locked_versions() -> None:
    differ = {}
    for name, pinned in _pins("requirements-test.lock").items():
        try:
            installed = Version(version(name))
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            differ[name] = f"locked {pinned}, installed {installed}"
    assert not differ, f"the environment is not the lock (make install): {differ}"
