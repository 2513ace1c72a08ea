"""The service's settings, from the environment (``ALUMNI_GRAPH_*``)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_", extra="ignore")

    #: How long a request waits for Neo4j before answering 503.
    neo4j_timeout: float = 2.0
    #: After a failed contact with Neo4j, requests answer 503 at once rather than each
    #: waiting out the timeout (which would tie up every worker under load), until the
    #: heartbeat finds it back; after this long without that, one request at a time tries.
    neo4j_fail_fast_seconds: float = 5.0
    #: While Neo4j is down, a token whose last lookup is at most this old is still
    #: accepted, so that answers from the projection keep flowing; 0 = 503 for all.
    auth_grace_seconds: float = 300.0
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
