"""Without node or the provider package the sign-in tests fail and say why; never skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import conftest


def test_no_node_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(pytest.fail.Exception, match="node is not installed"):
        conftest.start_provider(["http://127.0.0.1:1/api/v1/auth/oidc/callback"])


def test_no_provider_package_fails_naming_the_make_target(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(conftest, "PROVIDER_DIR", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="make oidc-provider"):
        conftest.start_provider(["http://127.0.0.1:1/api/v1/auth/oidc/callback"])
