"""The FastAPI application: wiring of the store, the projection and the routers."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from starlette.middleware import Middleware

from graph.store import Store, StoreUnavailable
from graph.tombstones import JournalBindingError
from service.api import API_V1
from service.api.errors import install_error_handlers
from service.api.inputs import ScreenedOpenParameters
from service.api.middleware.aliases import UnversionedAliases, first_segments
from service.api.middleware.resilience import install_resilience
from service.api.middleware.security import install_security
from service.api.route_order import busiest_first
from service.api.routes import (
    admin,
    admin_projection,
    admin_sync,
    alumni,
    auth,
    auth_admin,
    employers,
    health,
    intro_requests,
    introductions,
    lookup,
    members,
    mentoring,
    mentoring_requests,
    network,
    reports,
    suggestions,
)
from service.core.audit_writer import AuditWriter
from service.core.auth import Authenticated
from service.core.config import Settings
from service.core.mail import FolderMailer, mailer_from_settings
from service.core.oidc_login import SsoClient
from service.core.ratelimit import limiter
from service.heap import start_heap_freezer
from service.ranking import RankerService, erased_in
from service.snapshots import Snapshots
from service.usecases.member_reads import MemberReads
from service.usecases.member_warmer import start_member_warmer
from service.watch import reapply_tombstones, start_heartbeat, start_projection, start_watcher
from service.web.pages import install_web

log = logging.getLogger("alumni_graph.service")

#: The API's routers, mounted under API_V1 (their unversioned paths are aliases of it).
API_ROUTERS = (
    members.router,
    admin.router,
    suggestions.router,
    introductions.router,
    intro_requests.router,
    intro_requests.members_router,
    intro_requests.reports_router,
    admin_projection.router,
    admin_sync.router,
    alumni.router,
    employers.router,
    reports.router,
    mentoring.members_router,
    mentoring.router,
    mentoring_requests.router,
    network.members_router,
    network.reports_router,
    lookup.router,
    auth.session_router,
    auth_admin.router,
)

#: The routers of most requests (suggestions, introductions, profiles, the directory),
#: tried first (service/api/route_order.py).
BUSIEST_ROUTERS = (suggestions.router, introductions.router, members.router, alumni.router)

#: Members whose profiles ``serve`` reads in bulk at start (ALUMNI_GRAPH_MEMBER_CACHE_PRELOAD):
#: all of them, as far as the cache's bound (ALUMNI_GRAPH_MEMBER_CACHE_MIB) allows.
PRELOAD_MEMBERS = sys.maxsize

#: Starting single sign-on and following links, per client and minute: generous, since a
#: whole campus may reach the service through one address, but a bound on pending logins.
SIGN_IN_STARTS_PER_MINUTE = 120


def create_app(store: Store | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app. Tests pass their own store; ``serve`` lets it connect from the environment."""
    settings = settings or Settings()
    owns_store = store is None
    token_fresh_for = settings.token_cache_seconds
    token_fresh_for = (1.5 if owns_store else 0.0) if token_fresh_for is None else token_fresh_for

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal store
        if store is None:
            # short timeouts: a request must get its 503 quickly, not hang on a dead server.
            # The driver retries a failed transaction with ~1 s back-off until the retry
            # time is spent, so a retry time of the whole timeout would mean 2-3 s per 503.
            store = Store(
                settings.connection(),
                connect_timeout=settings.neo4j_timeout,
                max_retry_time=settings.neo4j_timeout / 4,
                fail_fast_for=settings.neo4j_fail_fast_seconds,
            )
        app.state.store = store
        # first: while it runs, a Neo4j that failed is asked again only by its probe
        heartbeat = start_heartbeat(store, app.state.token_cache, token_fresh_for / 3)
        try:
            applied = store.migrate()
            if applied:
                log.info("applied migrations %s", applied)
        except StoreUnavailable as exc:
            log.warning("Neo4j is not answering at start (%s); serving 503 until it does", exc)
        # before the first answer: a backup restored while the service was down must not
        # bring erased members back (the watcher does it again after outside changes)
        # and never for another deployment's database: a start bound to another key stops here
        try:
            reapply_tombstones(store, at_start=True)
        except JournalBindingError:
            if heartbeat is not None:
                heartbeat.stop()
            if owns_store:
                store.close()
            raise
        use_snapshots = settings.snapshots if settings.snapshots is not None else owns_store
        snapshots = (
            Snapshots(
                settings.snapshot_folder(),
                interval=settings.snapshot_interval_seconds,
                build_apart=settings.snapshot_build_apart,
            )
            if use_snapshots
            else None
        )
        app.state.snapshots = snapshots
        if snapshots is not None:
            store.subscribe(snapshots.heard)
        app.state.projection, current_at = start_projection(store, snapshots)
        ranker = RankerService(
            settings.ranker_folder(),
            retrain_share=settings.ranker_retrain_share,
            compile_trees=settings.ranker_compile,
            erased=erased_in(store),
        )
        ranker.load(app.state.projection.current)
        store.subscribe(ranker.heard)  # this process's erasures; the watcher replays the others'
        app.state.ranker = ranker
        poll = settings.change_poll_seconds
        poll = (2.0 if owns_store else 0.0) if poll is None else poll
        watcher = start_watcher(
            store,
            app.state.projection,
            poll,
            after_reload=ranker.after_reload,
            listeners=(ranker.heard,),
            snapshots=snapshots,
            seen=current_at,
        )
        if heartbeat is not None:
            heartbeat.watcher = watcher
        app.state.audit_writer = AuditWriter(store).start()
        use_member_cache = settings.member_cache if settings.member_cache is not None else owns_store
        app.state.member_reads = (
            MemberReads(
                store,
                outside=(lambda: watcher.seen) if watcher is not None else lambda: None,
                budget=settings.member_cache_mib * 1024 * 1024,
            )
            if use_member_cache
            else None
        )
        preload = settings.member_cache_preload
        preload = (PRELOAD_MEMBERS if owns_store else 0) if preload is None else preload
        warmer = app.state.member_warmer = (
            start_member_warmer(app.state.member_reads, lambda: app.state.projection.current, preload)
            if preload
            else None
        )
        # last: what start-up made is the long-lived heap the collector need not walk
        use_gc_freeze = settings.gc_freeze if settings.gc_freeze is not None else owns_store
        freezer = start_heap_freezer(lambda: app.state.projection.current, use_gc_freeze)
        yield
        if freezer is not None:
            freezer.stop()
        if warmer is not None:
            warmer.stop()
        if app.state.member_reads is not None:
            app.state.member_reads.close()
        app.state.audit_writer.stop()  # drained before the store closes
        if watcher is not None:
            watcher.stop()
        if heartbeat is not None:
            heartbeat.stop()
        app.state.projection.close()
        store.unsubscribe(ranker.heard)
        if snapshots is not None:
            store.unsubscribe(snapshots.heard)
        if owns_store:
            store.close()

    app = FastAPI(
        title="alumni-graph",
        version=version("alumni-graph"),
        description=(
            "Whom to meet, who can introduce whom, who could mentor whom: a networking graph "
            f"for alumni clubs. All endpoints but {API_V1}/health and signing in "
            f"({API_V1}/auth/…) need `Authorization: Bearer <token>` (or the web pages' "
            "session cookie).\n\n"
            f"The API lives under `{API_V1}`. For this release the unversioned paths of "
            f"earlier releases (`/health`, `/members/{{member_id}}`, …) still answer as aliases "
            f"of their `{API_V1}` twins, with the same authorisation; they are not listed here "
            "and will be removed in a later release."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_resilience(app, settings, token_fresh_for)
    install_security(app, settings)
    _install_sign_in(app, settings)
    # once, under API_V1; the unversioned aliases are rewritten to it before routing
    app.include_router(health.router, prefix=API_V1)
    # signing in is open to anyone
    app.include_router(auth.router, prefix=API_V1, dependencies=[ScreenedOpenParameters])
    # every router but health needs a token (its parameters are screened right after it)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_V1, dependencies=[Authenticated])
    segments = first_segments(
        route.path for router in (health.router, auth.router, *API_ROUTERS) for route in router.routes
    )
    # last in the list, so innermost: every other middleware sees the path as it came
    app.user_middleware.append(Middleware(UnversionedAliases, segments=segments))
    install_web(app)
    busiest_first(app, BUSIEST_ROUTERS)
    return app


def _install_sign_in(app: FastAPI, settings: Settings) -> None:
    """The mailer, single sign-on and the sign-in limits (:mod:`service.api.routes.auth`)."""
    app.state.mailer = mailer_from_settings(settings)
    app.state.sso = SsoClient(settings) if settings.sso_enabled else None
    shared = settings.shared_state_dir
    app.state.sso_limiter = limiter(SIGN_IN_STARTS_PER_MINUTE, shared, "sign-in-starts")
    app.state.link_client_limiter = limiter(
        settings.magic_link_per_client_per_hour, shared, "links-per-client", period=3600.0
    )
    app.state.link_address_limiter = limiter(
        settings.magic_link_per_address_per_hour, shared, "links-per-address", period=3600.0
    )
    if isinstance(app.state.mailer, FolderMailer):
        log.info("mail is written to %s (no ALUMNI_GRAPH_SMTP_HOST)", app.state.mailer.folder)
