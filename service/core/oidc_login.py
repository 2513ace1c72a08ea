"""Single sign-on with the university's OpenID Connect provider, through Authlib.

The authorization code flow with PKCE (S256), ``state`` and ``nonce``; the provider's
endpoints and keys come from its discovery document
(``<ALUMNI_GRAPH_OIDC_ISSUER>/.well-known/openid-configuration``), whose ``issuer`` must be
the configured one. Authlib builds the authorization URL, exchanges the code (sending the
PKCE verifier and the client's secret) and validates the ID token: its signature with the
provider's keys, ``iss``, ``aud``, expiry, ``nonce`` and ``at_hash``. The claims of the
UserInfo endpoint are added when the provider has one (many put the e-mail address only
there), provided they are about the same ``sub``.

Who the person is (:func:`resolve`): a member matched by a configured claim holding the
member's id, or else by an e-mail address the provider says is verified; staff roles
come from groups (``oidc_groups_claim``) through ``oidc_role_map``. A staff person need not
be a member; anyone else must be one. A staff person whose token carries the club claim
(``oidc_club_claim``, one club's id) works for that club: the session is scoped to it, as
a club's token is. A club the service does not know, or several, signs nobody in: a
session meant for one club must never become the university's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import BaseApp, FrameworkIntegration, OAuth2Mixin, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError

from graph.store import Store
from service.core.config import Settings
from service.core.roles import Role

log = logging.getLogger(__name__)

#: When groups grant several staff roles, the most capable one wins.
_PRECEDENCE = (Role.ADMIN, Role.CAREER_OFFICE, Role.ANALYST)


class SsoError(RuntimeError):
    """Single sign-on failed; ``kind`` picks the page shown, ``str()`` goes to the log."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class _Client(OAuth2Mixin, OpenIDMixin, BaseApp):
    """Authlib's framework-neutral OAuth 2 + OpenID Connect client over ``requests``."""

    client_cls = OAuth2Session


class SsoClient:
    """The configured provider: starts a login and finishes it into verified claims."""

    def __init__(self, settings: Settings) -> None:
        issuer = getattr(settings, "oidc_issuer", None)
        if not (issuer and settings.oidc_client_id):
            raise ValueError("single sign-on needs ALUMNI_GRAPH_OIDC_ISSUER and _OIDC_CLIENT_ID")
        self.issuer: str = issuer
        self._client = _Client(
            FrameworkIntegration("alumni-graph"),
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "default_timeout": 10,
            },
        )

    def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once, then kept)."""
        try:
            metadata = self._client.load_server_metadata()
        except (requests.RequestException, ValueError) as exc:
            raise SsoError("unavailable", f"the provider's discovery document: {exc}") from exc
        if metadata.get("issuer") != self.issuer:
            self._client.server_metadata.clear()  # fetch again next time
            raise SsoError(
                "unavailable",
                f"the discovery document names issuer {metadata.get('issuer')!r}, "
                f"not the configured {self.issuer!r}",
            )
        return metadata

    def start(self, redirect_uri: str) -> dict[str, str]:
        """The authorization URL and the ``state``, ``nonce`` and PKCE ``code_verifier`` to keep."""
        self.metadata()
        try:
            started = self._client.create_authorization_url(redirect_uri=redirect_uri)
        except (requests.RequestException, AuthlibBaseError, RuntimeError) as exc:
            raise SsoError("unavailable", f"could not start: {exc}") from exc
        return {
            "url": started["url"],
            "state": started["state"],
            "nonce": started["nonce"],
            "code_verifier": started["code_verifier"],
        }

    def finish(self, *, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> dict[str, Any]:
        """Exchange the code and return the verified claims (ID token, then UserInfo)."""
        metadata = self.metadata()
        try:
            token = self._client.fetch_access_token(
                redirect_uri=redirect_uri, code=code, code_verifier=code_verifier
            )
        except (requests.RequestException, AuthlibBaseError, ValueError) as exc:
            raise SsoError("refused", f"the code was not exchanged: {exc}") from exc
        if "id_token" not in token:
            raise SsoError("rejected", "the provider sent no ID token")
        try:
            claims = dict(self._client.parse_id_token(token, nonce=nonce))
        except (JoseError, AuthlibBaseError, ValueError) as exc:
            raise SsoError("rejected", f"the ID token was refused: {type(exc).__name__}: {exc}") from exc
        if metadata.get("userinfo_endpoint"):
            try:
                info = dict(self._client.userinfo(token=token))
            except (requests.RequestException, AuthlibBaseError, ValueError) as exc:
                raise SsoError("refused", f"the UserInfo endpoint: {exc}") from exc
            if info.get("sub") != claims.get("sub"):
                raise SsoError("rejected", "UserInfo is about another subject than the ID token")
            claims = {**info, **claims}  # what the signed ID token says wins
        return claims


@dataclass(frozen=True)
class Identity:
    """Whom single sign-on has signed in: a staff role, a member, or neither (``problem``)."""

    subject: str
    email: str | None
    staff_role: Role | None
    member: dict[str, Any] | None
    problem: str | None = None
    #: The club a staff session is scoped to (the club claim); None: the university.
    club: str | None = None

    @property
    def role(self) -> Role | None:
        if self.staff_role is not None:
            return self.staff_role
        return Role.MEMBER if self.member is not None else None

    @property
    def person(self) -> str:
        return self.member["id"] if self.member else "oidc:" + self.subject


def staff_role(claims: dict[str, Any], settings: Settings) -> Role | None:
    groups = claims.get(settings.oidc_groups_claim)
    names = {groups} if isinstance(groups, str) else {str(g) for g in groups or []}
    granted = {Role(settings.oidc_role_map[g]) for g in names if g in settings.oidc_role_map}
    return next((r for r in _PRECEDENCE if r in granted), None)


def staff_club(store: Store, claims: dict[str, Any], settings: Settings) -> tuple[str | None, str | None]:
    """The club named by the club claim, as ``(club id, problem)``: ``(None, None)`` when
    the claim is absent or empty; a problem when it names no known club, or several."""
    value = claims.get(settings.oidc_club_claim)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None or value == "" or value == []:
        return None, None
    if not isinstance(value, str):
        return None, "several_clubs"
    if value not in {c["id"] for c in store.clubs()}:
        return None, "unknown_club"
    return value, None


def resolve(store: Store, settings: Settings, claims: dict[str, Any]) -> Identity:
    """Match the signed-in person to a member and to a staff role (and the staff role to
    a club, when the club claim names one)."""
    subject = str(claims["sub"])
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    role = staff_role(claims, settings)
    club: str | None = None
    if role is not None:
        club, club_problem = staff_club(store, claims, settings)
        if club_problem is not None:
            return Identity(subject=subject, email=email, staff_role=None, member=None, problem=club_problem)
    member: dict[str, Any] | None = None
    problem: str | None = None
    if settings.oidc_match_claim:
        member_id = claims.get(settings.oidc_match_claim)
        if isinstance(member_id, str) and member_id:
            member = store.member_for_sign_in(member_id)
        if member is None:
            problem = "no_member"
    elif not email:
        problem = "no_email"
    elif claims.get("email_verified") is not True and not settings.oidc_trust_unverified_email:
        problem = "unverified_email"
    else:
        found = store.members_by_email(email)
        if len(found) == 1:
            member = found[0]
        else:
            problem = "ambiguous" if found else "no_member"
    return Identity(
        subject=subject,
        email=email,
        staff_role=role,
        member=member,
        problem=None if (member or role) else problem,
        club=club,
    )
