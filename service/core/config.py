"""Every setting of alumni-graph, in one place, from the environment.

One :class:`Settings` object reads them all: ``ALUMNI_GRAPH_*`` for the project's own
variables, and ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``/``NEO4J_DATABASE`` to name a
Neo4j server of one's own. The README lists them in one table. The graph layer takes its
part as plain values (:meth:`Settings.local_server`, :meth:`Settings.connection`) and reads
no environment itself.

An empty variable counts as unset.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.config import (
    DEFAULT_BOLT_PORT,
    DEFAULT_HTTP_PORT,
    DEFAULT_SERVER_DIR,
    ConnectionSettings,
    LocalServerSettings,
)
from graph.tombstones import KEY_FILE

if TYPE_CHECKING:
    from graph.algorithms.report import ReportOptions


def _neo4j(name: str) -> AliasChoices:
    # the conventional Neo4j names, without the project's prefix; the field's own name
    # stays valid for constructing a Settings in code
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_", extra="ignore",
                                      env_ignore_empty=True)

    # -- Neo4j: another server -------------------------------------------------------
    #: A server of one's own (bolt://, bolt+s://, neo4j://, neo4j+s://); unset: the local one.
    neo4j_uri: str | None = Field(None, validation_alias=_neo4j("NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=_neo4j("NEO4J_USER"))
    neo4j_password: str = Field("", validation_alias=_neo4j("NEO4J_PASSWORD"))
    #: A database other than the server's default.
    neo4j_database: str | None = Field(None, validation_alias=_neo4j("NEO4J_DATABASE"))

    # -- Neo4j: the project's local server -------------------------------------------
    #: The local server's folder (configuration, data, logs, password).
    neo4j_dir: Path = DEFAULT_SERVER_DIR
    bolt_port: int = DEFAULT_BOLT_PORT
    http_port: int = DEFAULT_HTTP_PORT
    neo4j_heap: str = "512m"
    neo4j_pagecache: str = "256m"
    #: The tombstone key's file (the journal of erasures lives beside it); unset: in the
    #: local server's folder, also when NEO4J_URI names another server.
    tombstone_key: Path | None = None

    # -- the service -----------------------------------------------------------------
    #: How long a request waits for Neo4j before answering 503.
    neo4j_timeout: float = 2.0
    #: After a failed contact with Neo4j, requests answer 503 at once rather than each
    #: waiting out the timeout (which would tie up every worker under load), until the
    #: heartbeat finds it back; without a heartbeat (token cache off), after this long
    #: one request at a time tries.
    neo4j_fail_fast_seconds: float = 5.0
    #: While Neo4j is down, a token whose last lookup is at most this old is still
    #: accepted, so that answers from the projection keep flowing; 0 = 503 for all.
    auth_grace_seconds: float = 300.0
    #: Tokens are verified from memory, kept current by a token change counter that a
    #: heartbeat reads three times in this many seconds; a revocation made anywhere is
    #: honoured within it. None: 1.5 s for an app that connects by itself (``serve``), off
    #: for one handed a store (tests); 0 = off (every request asks Neo4j).
    token_cache_seconds: float | None = None
    #: How often the service checks whether another process (a load) changed the graph,
    #: and reloads the projection when it did. None: every 2 s for an app that connects
    #: by itself (``serve``), off for one handed a store (tests); 0 = off.
    change_poll_seconds: float | None = None
    #: Longest query string accepted, in bytes (414 beyond).
    max_query_bytes: int = 8192
    #: Origins allowed by CORS; empty means CORS is closed.
    cors_origins: list[str] = []
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 1_000_000
    #: Requests a token may make per minute (also its burst); 0 switches the limit off.
    rate_limit_per_minute: int = 600
    #: Failed authentications a client address may make per minute (also the burst);
    #: beyond, its requests get 429 until the bucket refills. 0 switches it off.
    auth_failures_per_minute: int = 30
    #: Write raw request paths (with member ids and query strings) to the access log
    #: instead of the routes' templates (``/members/{member_id}``).
    access_log_raw_paths: bool = False

    # OpenID Connect: with an issuer set, JWTs from the university's provider are accepted
    # besides the service's own tokens. The keys come from a JWKS file or URL, or inline.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_file: str | None = None
    oidc_jwks_url: str | None = None
    oidc_jwks: dict | None = None
    #: The claim holding the role(s); a list grants the highest role named in it.
    oidc_role_claim: str = "roles"
    #: The claim holding a member's id, for member principals.
    oidc_member_claim: str = "member_id"
    #: Signature algorithms accepted; never "none", never a symmetric one with public keys.
    oidc_algorithms: list[str] = ["RS256", "ES256"]

    # -- the network report ----------------------------------------------------------
    #: Name the top connectors and bridging members (discoverable members only); false
    #: makes the report aggregates only.
    report_name_connectors: bool = True
    #: Sources sampled for betweenness; unset: chosen by the club's size.
    report_betweenness_samples: int | None = Field(default=None, ge=2)
    #: Reports kept (one per filter combination), least recently used dropped first.
    report_cache_entries: int = Field(default=16, ge=1)

    def local_server(self, home: str | Path | None = None, bolt_port: int | None = None,
                     http_port: int | None = None) -> LocalServerSettings:
        """The local server's layout; the arguments (command-line options) win over the
        environment."""
        return LocalServerSettings(
            home=Path(home or self.neo4j_dir).resolve(),
            bolt_port=int(bolt_port or self.bolt_port),
            http_port=int(http_port or self.http_port),
            heap=self.neo4j_heap,
            pagecache=self.neo4j_pagecache,
        )

    def connection(self, local: LocalServerSettings | None = None) -> ConnectionSettings:
        """How to reach Neo4j: ``NEO4J_URI`` when set, else the local server (``local``,
        or the one these settings describe)."""
        local = local or self.local_server()
        key = (self.tombstone_key.expanduser().resolve() if self.tombstone_key
               else local.home / KEY_FILE)
        if self.neo4j_uri:
            return ConnectionSettings(uri=self.neo4j_uri, user=self.neo4j_user,
                                      password=self.neo4j_password, database=self.neo4j_database,
                                      is_local=False, tombstone_key=key)
        return replace(ConnectionSettings.for_local(local, self.neo4j_database), tombstone_key=key)

    def report_options(self) -> ReportOptions:
        """The report's options as these settings give them."""
        # imported here: the algorithms are heavy, and most commands never report
        from graph.algorithms.report import ReportOptions

        return ReportOptions(betweenness_samples=self.report_betweenness_samples,
                             name_connectors=self.report_name_connectors)
