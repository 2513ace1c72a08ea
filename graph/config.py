"""Where Neo4j is, and how the project's own local server is laid out: plain values.

Nothing here reads the environment: the service, the CLI, the benchmarks and the tests
build these from the one settings object (``service.core.config.Settings``, whose table is
in the README), so that a test server and a demo server can run side by side.
"""

from __future__ import annotations

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
    #: The tombstone key's file (graph.tombstones); None: ``home``'s ``tombstone.key``.
    tombstone_key: Path | None = None

    @classmethod
    def for_local(
        cls,
        local: LocalServerSettings,
        database: str | None = None,
    ) -> ConnectionSettings:
        """The project's own server ``local``, with the password it generated at first start."""
        password = ""
        if local.password_file.exists():
            password = local.password_file.read_text(encoding="utf-8").strip()
        return cls(
            uri=local.uri, user="neo4j", password=password, database=database, is_local=True, home=local.home
        )
