"""Where Neo4j is, and how the project's own local server is laid out.

Everything comes from the environment so that a test server and a demo server can
run side by side: ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD`` name any server;
unset, the project's local server under ``ALUMNI_GRAPH_NEO4J_DIR`` is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_DIR = PROJECT_ROOT / ".neo4j" / "local"
DEFAULT_BOLT_PORT = 7687
DEFAULT_HTTP_PORT = 7474


@dataclass(frozen=True)
class LocalServerSettings:
    """Layout and sizing of the project's own Neo4j server."""

    home: Path
    bolt_port: int
    http_port: int
    heap: str
    pagecache: str

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @classmethod
    def from_env(
        cls,
        home: str | Path | None = None,
        bolt_port: int | None = None,
        http_port: int | None = None,
    ) -> LocalServerSettings:
        env = os.environ
        return cls(
            home=Path(home or env.get("ALUMNI_GRAPH_NEO4J_DIR") or DEFAULT_SERVER_DIR).resolve(),
            bolt_port=int(bolt_port or env.get("ALUMNI_GRAPH_BOLT_PORT") or DEFAULT_BOLT_PORT),
            http_port=int(http_port or env.get("ALUMNI_GRAPH_HTTP_PORT") or DEFAULT_HTTP_PORT),
            heap=env.get("ALUMNI_GRAPH_NEO4J_HEAP", "512m"),
            pagecache=env.get("ALUMNI_GRAPH_NEO4J_PAGECACHE", "256m"),
        )


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach Neo4j: an explicit URI, or the local server's."""

    uri: str
    user: str
    password: str
    database: str | None
    is_local: bool
    #: The local server's folder (its password and tombstone key live there); None for NEO4J_URI.
    home: Path | None = None

    @classmethod
    def from_env(cls, local: LocalServerSettings | None = None) -> ConnectionSettings:
        env = os.environ
        database = env.get("NEO4J_DATABASE") or None
        if env.get("NEO4J_URI"):
            return cls(
                uri=env["NEO4J_URI"],
                user=env.get("NEO4J_USER", "neo4j"),
                password=env.get("NEO4J_PASSWORD", ""),
                database=database,
                is_local=False,
            )
        local = local or LocalServerSettings.from_env()
        password = ""
        if local.password_file.exists():
            password = local.password_file.read_text(encoding="utf-8").strip()
        return cls(
            uri=local.uri,
            user="neo4j",
            password=password,
            database=database,
            is_local=True,
            home=local.home,
        )
