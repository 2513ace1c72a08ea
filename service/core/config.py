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

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.config import (
    DEFAULT_BOLT_PORT,
    DEFAULT_HTTP_PORT,
    DEFAULT_SERVER_DIR,
    PROJECT_ROOT,
    ConnectionSettings,
    LocalServerSettings,
)
from graph.tombstones import KEY_FILE

if TYPE_CHECKING:
    from graph.algorithms.report import ReportOptions

#: The roles single sign-on may grant through a group (a member is matched, not granted).
STAFF_ROLES = ("career_office", "analyst", "admin")
#: The languages of the club's mails.
MAIL_LANGUAGES = ("en", "sl")


def _neo4j(name: str) -> AliasChoices:
    # the conventional Neo4j names, without the project's prefix; the field's own name
    # stays valid for constructing a Settings in code
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_", extra="ignore", env_ignore_empty=True)

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
    #: Where ``sync --save-mapping`` keeps each source's column mapping for next month.
    mappings_dir: Path = PROJECT_ROOT / "var" / "mappings"

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
    #: Keep the projection as a snapshot of flat files (docs/deployment.md): start from it
    #: when Neo4j has not changed since, write a new one after each build and batch of
    #: changes. None: on for an app that connects by itself (``serve``), off for one handed
    #: a store (tests).
    snapshots: bool | None = None
    #: Keep profiles and contact rows read from Neo4j in memory until the graph changes
    #: (a write of this process at once, another process's within ``change_poll_seconds``;
    #: docs/reliability.md). None: on for an app that connects by itself (``serve``), off
    #: for one handed a store (tests).
    member_cache: bool | None = None
    #: With the member cache on: how many members' profiles and contact rows it reads in
    #: bulk at start, in a thread beside the requests (one query per batch of 500; about
    #: 0.7 KB of memory each, profiles compressed); after each change it reads again, in
    #: bulk, those asked since and then these. 0: no bulk reads (the cache fills as
    #: requests read). None: all members for an app that connects by itself (``serve``),
    #: as far as ``member_cache_mib`` allows; 0 for one handed a store (tests).
    member_cache_preload: int | None = Field(default=None, ge=0)
    #: The most memory the member cache of one process may hold, in MiB (an estimate from
    #: the bytes kept): the bulk reads stop at 90 % of it, and beyond it everything kept is
    #: dropped. 512 MiB holds the 320,000 members of the largest club (about 210 MiB).
    member_cache_mib: int = Field(default=512, ge=1)
    #: Move the heap out of the garbage collector's reach (``gc.freeze``) once started
    #: and after each projection swap, so that collections of the oldest generation do
    #: not walk the projection's objects (pauses of a quarter second each at 40,000
    #: members; docs/deployment.md). None: on for an app that connects by itself
    #: (``serve``), off for one handed a store (tests).
    gc_freeze: bool | None = None
    #: Where the snapshots live; unset: ``snapshots/`` in the local server's folder, beside
    #: the data, also when NEO4J_URI names another server.
    snapshot_dir: Path | None = None
    #: After a batch of changes, write a new snapshot at most this often (a write reads
    #: the whole projection: seconds at 320,000 members); rebuilds always write one.
    snapshot_interval_seconds: float = Field(default=60.0, ge=0)
    #: At start, build from Neo4j in a process of its own that writes the snapshot, then
    #: map it: the build's heap goes with that process (about 1.1 GiB at 320,000 members
    #: that a worker would otherwise keep).
    snapshot_build_apart: bool = True
    #: ``serve --workers N``: a listening socket per worker (``SO_REUSEPORT``, where the
    #: system has it), so the kernel spreads connections over the workers evenly by a hash
    #: rather than to whichever worker accepts first (docs/deployment.md). Off: one
    #: socket shared by the workers.
    reuse_port: bool = True
    #: A folder the processes of one service keep their shared state in (the rate limits'
    #: buckets); ``serve --workers N`` sets it for its workers. Unset: each process alone.
    shared_state_dir: Path | None = None
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
    #: Largest workbook or CSV file the admin's sync page accepts, in bytes.
    sync_max_upload_bytes: int = 20_000_000
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

    # -- signing in as a person (docs/signin.md) -------------------------------------
    #: The service's address as people reach it (``https://alumni.example.org``). Links in
    #: e-mails are built on it; unset, only a request to 127.0.0.1/localhost may supply it
    #: (a Host header must never decide where a sign-in link points).
    public_url: str | None = None
    # Single sign-on (OpenID Connect, authorization code flow with PKCE): on when
    # ``oidc_issuer`` (shared with the bearer JWTs above) and a client id are set.
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    #: The redirect URL registered at the provider; unset,
    #: ``<public_url>/api/v1/auth/oidc/callback`` or the one derived from the request.
    oidc_redirect_url: str | None = None
    #: The name on the sign-in button ("Sign in with …"); unset, "your university account".
    oidc_provider_name: str | None = None
    oidc_scopes: str = "openid email profile"
    #: Match the person to a member by this claim holding the member's id; unset, by the
    #: e-mail address, which the provider must say is verified.
    oidc_match_claim: str | None = None
    #: Accept an e-mail address without ``email_verified: true`` (only for a provider that
    #: verifies every address it issues but does not say so).
    oidc_trust_unverified_email: bool = False
    #: The claim holding the person's groups, and which groups grant which staff role,
    #: e.g. ``{"alumni-admins": "admin", "career": "career_office"}``.
    oidc_groups_claim: str = "groups"
    oidc_role_map: dict[str, str] = {}
    #: The claim naming the one club (its id) a staff person works for: their session is
    #: scoped to that club. Without the claim, a staff session is the university's.
    oidc_club_claim: str = "club"
    #: A web session ends after this long without use, and this long after it began.
    session_idle_hours: float = Field(default=8.0, gt=0)
    session_absolute_days: float = Field(default=30.0, gt=0)
    # E-mail: SMTP when a host is set, else .eml files in a folder (the demo, development).
    smtp_host: str | None = None
    #: 587 (STARTTLS), 465 (implicit TLS) or 25.
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "alumni-graph <noreply@localhost>"
    smtp_starttls: bool = True
    smtp_timeout: float = 20.0
    #: Without an SMTP host, mails are written here (mode 600): for the demo only.
    mail_dir: Path = Path("var/mail")
    #: Print each mail written to the folder (recipient, subject, link) on the terminal.
    mail_echo: bool = True
    #: How long an e-mailed sign-in link works.
    magic_link_minutes: float = Field(default=15.0, gt=0)
    #: Links sent to one address per hour (beyond, nothing is sent and the answer stays
    #: 202), and link requests from one client address per hour (beyond, 429).
    magic_link_per_address_per_hour: int = Field(default=5, ge=0)
    magic_link_per_client_per_hour: int = Field(default=30, ge=0)
    #: An invitation's link works once, within this many days.
    invite_link_days: float = Field(default=7.0, gt=0)
    #: Nobody is invited again within this many days.
    invite_interval_days: float = Field(default=7.0, ge=0)
    #: The language of a member who has not chosen one (mails, invitations).
    default_language: str = "en"
    # -- the learned ranker ----------------------------------------------------------
    #: The learned ranker's models (``alumni-graph train``); unset: ``ranker/`` in the local
    #: server's folder, beside the data, also when NEO4J_URI names another server.
    ranker_dir: Path | None = None
    #: Retrain the learned ranker after a rebuild of the projection when the members or
    #: ties changed by more than this share since it was trained; 0 = only when asked.
    ranker_retrain_share: float = Field(default=0.1, ge=0)
    #: Compile the learned ranker's trees to machine code (lleaves) beside the model: a
    #: model trained here before it serves, one loaded at start in a thread (LightGBM
    #: scoring until then); off: LightGBM scores.
    ranker_compile: bool = True

    # -- the network report ----------------------------------------------------------
    #: Name the top connectors and bridging members (discoverable members only); false
    #: makes the report aggregates only.
    report_name_connectors: bool = True
    #: Sources sampled for betweenness; unset: chosen by the club's size.
    report_betweenness_samples: int | None = Field(default=None, ge=2)
    #: Reports kept (one per filter combination), least recently used dropped first.
    report_cache_entries: int = Field(default=16, ge=1)

    @field_validator("oidc_role_map")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        wrong = sorted({role for role in value.values() if role not in STAFF_ROLES})
        if wrong:
            raise ValueError(f"roles {wrong} are not staff roles ({', '.join(STAFF_ROLES)})")
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in MAIL_LANGUAGES:
            raise ValueError(f"must be one of {', '.join(MAIL_LANGUAGES)}")
        return value

    @property
    def sso_enabled(self) -> bool:
        """Single sign-on is on: an issuer and a client id."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def sso_label(self) -> str | None:
        """None without single sign-on; else the provider's name ("" for the default words)."""
        return (self.oidc_provider_name or "") if self.sso_enabled else None

    def local_server(
        self, home: str | Path | None = None, bolt_port: int | None = None, http_port: int | None = None
    ) -> LocalServerSettings:
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
        key = self.tombstone_key.expanduser().resolve() if self.tombstone_key else local.home / KEY_FILE
        if self.neo4j_uri:
            return ConnectionSettings(
                uri=self.neo4j_uri,
                user=self.neo4j_user,
                password=self.neo4j_password,
                database=self.neo4j_database,
                is_local=False,
                tombstone_key=key,
            )
        return replace(ConnectionSettings.for_local(local, self.neo4j_database), tombstone_key=key)

    def ranker_folder(self) -> Path:
        """Where the learned ranker's models live (see ``ranker_dir``)."""
        if self.ranker_dir:
            return self.ranker_dir.expanduser().resolve()
        return self.local_server().home / "ranker"

    def snapshot_folder(self) -> Path:
        """Where the projection's snapshots live (see ``snapshot_dir``)."""
        if self.snapshot_dir:
            return self.snapshot_dir.expanduser().resolve()
        return self.local_server().home / "snapshots"

    def report_options(self) -> ReportOptions:
        """The report's options as these settings give them."""
        # imported here: the algorithms are heavy, and most commands never report
        from graph.algorithms.report import ReportOptions

        return ReportOptions(
            betweenness_samples=self.report_betweenness_samples, name_connectors=self.report_name_connectors
        )
