"""Bearer JWTs from a university's OpenID Connect provider, checked with PyJWT.

Issuer, audience and the provider's keys (a JWKS) come from the settings. The key set
can be a file or an inline dict (tests, air-gapped installs) or a URL, fetched and cached
by PyJWT's client. Roles come from a claim; a member principal needs a member id claim.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from jwt import PyJWK, PyJWKClient, PyJWKSet

from service.core.auth import forbidden, unauthorized
from service.core.config import Settings
from service.core.roles import Principal, Role

log = logging.getLogger(__name__)

#: When a claim names several roles, the most capable one wins.
_PRECEDENCE = (Role.ADMIN, Role.CAREER_OFFICE, Role.ANALYST, Role.MEMBER)


#: The curve each ECDSA algorithm is defined on (RFC 7518, 3.4; RFC 8812).
_CURVES = {"ES256": "secp256r1", "ES256K": "secp256k1", "ES384": "secp384r1", "ES512": "secp521r1"}


def fits(alg: str, key: PyJWK) -> bool:
    """Whether a token signed with ``alg`` may be checked with ``key``.

    The key must be of the type the algorithm is defined for (RSA for RS*/PS*, EC on the
    algorithm's curve for ES*, Ed25519/Ed448 for EdDSA, a secret for HS*), and of the
    ``alg`` the JWKS gives it, if any (RFC 7517, 4.4). So an RSA public key is never taken
    as an HMAC secret, nor an EC key for RSA.
    """
    # PyJWK keeps the JWK's own fields only privately; its algorithm_name is a guess from
    # the key type when the JWK names none, so it cannot tell "RS256 only" from "any RSA"
    declared = (getattr(key, "_jwk_data", None) or {}).get("alg")
    if declared is not None and declared != alg:
        return False
    raw = key.key
    if alg.startswith(("RS", "PS")):
        return isinstance(raw, rsa.RSAPublicKey | rsa.RSAPrivateKey)
    if alg in _CURVES:
        return isinstance(raw, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) and (
            raw.curve.name == _CURVES[alg]
        )
    if alg in ("EdDSA", "Ed25519", "Ed448"):
        return isinstance(raw, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey)
    if alg.startswith("HS"):
        return isinstance(raw, bytes)
    return False


class OidcVerifier:
    """Verifies a provider's JWTs and maps their claims to a :class:`Principal`."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: dict[str, Any] | None = None,
        jwks_url: str | None = None,
        role_claim: str = "roles",
        member_claim: str = "member_id",
        algorithms: list[str] | None = None,
        club_claim: str = "club",
    ) -> None:
        if jwks is None and jwks_url is None:
            raise ValueError("OpenID Connect needs a JWKS (file, inline or URL)")
        self.issuer = issuer
        self.audience = audience
        self.role_claim = role_claim
        self.member_claim = member_claim
        self.club_claim = club_claim
        self.algorithms = [a for a in (algorithms or ["RS256"]) if a.lower() != "none"]
        self._keys = PyJWKSet.from_dict(jwks) if jwks is not None else None
        self._client = PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcVerifier | None:
        """The configured verifier, or None when OpenID Connect is not configured."""
        if not settings.oidc_issuer:
            return None
        configured_keys = settings.oidc_jwks or settings.oidc_jwks_file or settings.oidc_jwks_url
        if settings.oidc_client_id and not (settings.oidc_audience or configured_keys):
            return None  # single sign-on only: no bearer JWTs from the provider
        if not settings.oidc_audience:
            raise ValueError("ALUMNI_GRAPH_OIDC_AUDIENCE is required with an OIDC issuer")
        jwks = settings.oidc_jwks
        if jwks is None and settings.oidc_jwks_file:
            jwks = json.loads(Path(settings.oidc_jwks_file).read_text(encoding="utf-8"))
        return cls(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            jwks=jwks,
            jwks_url=settings.oidc_jwks_url,
            role_claim=settings.oidc_role_claim,
            member_claim=settings.oidc_member_claim,
            algorithms=settings.oidc_algorithms,
            club_claim=settings.oidc_club_claim,
        )

    def _key(self, token: str, alg: str) -> PyJWK:
        if self._client is not None:
            key = self._client.get_signing_key_from_jwt(token)
        else:
            assert self._keys is not None
            kid = jwt.get_unverified_header(token).get("kid")
            candidates = [k for k in self._keys.keys if kid is None or k.key_id == kid]
            # without a kid, the first key of the type the algorithm needs
            key = next((k for k in candidates if fits(alg, k)), None) or (
                candidates[0] if candidates else None
            )
            if key is None:
                raise jwt.InvalidTokenError("no key in the JWKS matches the token's kid")
        if not fits(alg, key):
            raise jwt.InvalidAlgorithmError(f"the token's alg does not fit a {key.key_type} key")
        return key

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims (signature, issuer, audience, expiry), or raise 401."""
        try:
            alg = jwt.get_unverified_header(token).get("alg")
            # checked here, before any key is used: PyJWT hands a key of the wrong type
            # to the algorithm, which fails with a TypeError rather than refusing
            if not isinstance(alg, str) or alg not in self.algorithms:
                raise jwt.InvalidAlgorithmError("the token's alg is not an accepted one")
            key = self._key(token, alg)
            return jwt.decode(
                token,
                key=key.key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("the token has expired") from exc
        except (jwt.PyJWTError, ValueError, TypeError, AttributeError) as exc:
            # the reason goes to the log, the token never does; TypeError and
            # AttributeError are what a key the algorithm cannot use raises in PyJWT
            log.info("rejected an OpenID Connect token: %s", type(exc).__name__)
            raise unauthorized("invalid token") from exc

    def principal(self, token: str) -> Principal:
        claims = self.claims(token)
        named = claims.get(self.role_claim)
        names = {named} if isinstance(named, str) else set(named or [])
        role = next((r for r in _PRECEDENCE if r.value in names), None)
        if role is None:
            raise forbidden(f"the token's {self.role_claim!r} claim names no role of this service")
        member_id = claims.get(self.member_claim)
        if role is Role.MEMBER and not isinstance(member_id, str):
            raise unauthorized(f"a member token needs the {self.member_claim!r} claim")
        # a staff token naming a club is that club's, as the service's own club tokens; a
        # club the service does not know scopes it to no club's members (it sees only those
        # open to the whole university), never to the university
        club = claims.get(self.club_claim) if role is not Role.MEMBER else None
        if isinstance(club, list) and len(club) == 1:
            club = club[0]
        if club is not None and club != [] and not (isinstance(club, str) and club):
            raise forbidden(f"the token's {self.club_claim!r} claim must name one club")
        return Principal(
            token_id="oidc:" + str(claims["sub"]),
            role=role,
            member_id=member_id if role is Role.MEMBER else None,
            subject=str(claims["sub"]),
            club=club or None,
        )
