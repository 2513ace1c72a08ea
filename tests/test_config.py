"""The one settings object: every variable under its documented name, with its default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.config import DEFAULT_SERVER_DIR
from service.core.config import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith(("ALUMNI_GRAPH_", "NEO4J_")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_defaults(clean_env: pytest.MonkeyPatch) -> None:
    s = Settings()
    local = s.local_server()
    assert (local.home, local.bolt_port, local.http_port) == (DEFAULT_SERVER_DIR.resolve(), 7687, 7474)
    assert (local.heap, local.pagecache) == ("512m", "256m")
    assert s.neo4j_uri is None and s.connection().is_local
    assert s.connection().uri == "bolt://127.0.0.1:7687"
    assert (s.neo4j_timeout, s.rate_limit_per_minute, s.max_body_bytes) == (2.0, 600, 1_000_000)
    assert s.report_options().name_connectors is True and s.report_cache_entries == 16


def test_names_from_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ALUMNI_GRAPH_NEO4J_DIR", str(tmp_path))
    clean_env.setenv("ALUMNI_GRAPH_BOLT_PORT", "17001")
    clean_env.setenv("ALUMNI_GRAPH_HTTP_PORT", "")  # empty counts as unset
    clean_env.setenv("ALUMNI_GRAPH_NEO4J_HEAP", "1g")
    clean_env.setenv("ALUMNI_GRAPH_REPORT_NAME_CONNECTORS", "false")
    clean_env.setenv("ALUMNI_GRAPH_RATE_LIMIT_PER_MINUTE", "0")
    clean_env.setenv("NEO4J_DATABASE", "club")
    (tmp_path / "password").write_text("s3cret\n", encoding="utf-8")
    s = Settings()
    local = s.local_server()
    assert (local.home, local.bolt_port, local.http_port, local.heap) == (tmp_path, 17001, 7474, "1g")
    connection = s.connection()
    assert (connection.uri, connection.password, connection.database) == (
        "bolt://127.0.0.1:17001",
        "s3cret",
        "club",
    )
    assert s.report_options().name_connectors is False and s.rate_limit_per_minute == 0
    # command-line options win over the environment
    assert s.local_server(bolt_port=17002).bolt_port == 17002


def test_neo4j_uri_names_another_server(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("NEO4J_URI", "neo4j+s://graph.example.org")
    clean_env.setenv("NEO4J_USER", "club")
    clean_env.setenv("NEO4J_PASSWORD", "pw")
    clean_env.setenv("ALUMNI_GRAPH_NEO4J_URI", "bolt://ignored")  # not one of the names
    c = Settings().connection()
    assert (c.uri, c.user, c.password, c.is_local) == ("neo4j+s://graph.example.org", "club", "pw", False)


def test_every_setting_is_in_the_readme_table() -> None:
    table = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, re.MULTILINE))
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias.choices[0] if alias is not None else "ALUMNI_GRAPH_" + name.upper())
    assert names == documented


def test_the_tombstone_key_file(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ALUMNI_GRAPH_NEO4J_DIR", str(tmp_path / "server"))
    assert Settings().connection().tombstone_key == tmp_path / "server" / "tombstone.key"
    # a server named by NEO4J_URI keeps its key in the local server's folder unless told
    clean_env.setenv("NEO4J_URI", "bolt://graph.example.org")
    assert Settings().connection().tombstone_key == tmp_path / "server" / "tombstone.key"
    clean_env.setenv("ALUMNI_GRAPH_TOMBSTONE_KEY", str(tmp_path / "keys" / "club.key"))
    assert Settings().connection().tombstone_key == tmp_path / "keys" / "club.key"
