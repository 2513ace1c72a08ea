"""Installs the service's security on an app: rate limiter, OpenID Connect, middleware, CORS."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service.api.middleware.access_log import install_access_log
from service.api.middleware.audit import AuditMiddleware
from service.api.middleware.edge import BearerRequiredMiddleware, BodyLimitMiddleware
from service.core.config import Settings
from service.core.oidc import OidcVerifier
from service.core.ratelimit import AuthFailureThrottle, limiter


def install_security(app: FastAPI, settings: Settings) -> None:
    """Wire everything :mod:`service.core.auth` relies on into ``app``.

    Middleware added last runs first: CORS (so that even an error carries its headers
    and preflights are answered), the access log's route templates, then the body limit,
    the bearer requirement and, innermost, the audit writer, which sees each response's
    final status.
    """
    shared = settings.shared_state_dir
    app.state.rate_limiter = limiter(settings.rate_limit_per_minute, shared, "requests")
    app.state.auth_failures = AuthFailureThrottle(
        settings.auth_failures_per_minute,
        buckets=limiter(settings.auth_failures_per_minute, shared, "auth-failures"),
    )
    app.state.oidc = OidcVerifier.from_settings(settings)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(BearerRequiredMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        uploads=(("/admin/sync/uploads", settings.sync_max_upload_bytes),),
    )
    # outside the body limit and the bearer check, so that their refusals are logged by template
    install_access_log(app, settings.access_log_raw_paths)
    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            allow_credentials=False,
            max_age=600,
        )
