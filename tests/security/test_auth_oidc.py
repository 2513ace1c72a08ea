"""JWTs from a university's OpenID Connect provider: a local RSA key, a JWKS dict, no network."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://login.uni-lj.si/realms/alumni"
AUDIENCE = "alumni-graph"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY, OTHER_KEY = _key(), _key()


def _jwks(key: rsa.RSAPrivateKey, kid: str = "k1") -> dict[str, Any]:
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**public, "kid": kid, "use": "sig", "alg": "RS256"}]}


def _token(key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-123", "iat": now, "exp": now + 300, **claims}
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def oidc_client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks=_jwks(KEY))


def _get(client: TestClient, path: str, token: str):
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_roles_come_from_the_claim(oidc_client: TestClient) -> None:
    assert _get(oidc_client, "/admin/tokens", _token(roles=["admin"])).status_code == 200
    assert _get(oidc_client, "/members/m2", _token(roles="career_office")).status_code == 200
    # several roles: the most capable wins
    assert _get(oidc_client, "/admin/audit", _token(roles=["member", "admin"])).status_code == 200
    assert _get(oidc_client, "/admin/audit", _token(roles=["analyst"])).status_code == 403


def test_member_claim_scopes_a_member(oidc_client: TestClient) -> None:
    token = _token(roles=["member"], member_id="m1")
    assert _get(oidc_client, "/members/m1", token).status_code == 200
    assert _get(oidc_client, "/members/m2", token).status_code == 403
    assert _get(oidc_client, "/members/m1", _token(roles=["member"])).status_code == 401


@pytest.mark.parametrize(
    "token",
    [
        _token(roles=["admin"], aud="someone-else"),
        _token(roles=["admin"], iss="https://evil.example"),
        _token(roles=["admin"], exp=int(time.time()) - 60),
        _token(OTHER_KEY, roles=["admin"]),
        _token(roles=["admin"], kid="unknown"),
        _token(roles=["admin"], sub=None),
        jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60,
                    "roles": ["admin"]}, None, algorithm="none"),
    ],
    ids=["audience", "issuer", "expired", "wrong-key", "unknown-kid", "no-sub", "alg-none"],
)
def test_bad_jwts_are_401(oidc_client: TestClient, token: str) -> None:
    r = _get(oidc_client, "/admin/tokens", token)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_hs256_signed_with_the_public_key_is_refused(oidc_client: TestClient) -> None:
    # the classic key-confusion attack: the public JWK's modulus as an HMAC secret
    # (PyJWT will not even sign such a token, so it is put together by hand)
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]}
    signing_input = header + b"." + b64(json.dumps(claims).encode())
    secret = json.dumps(_jwks(KEY)["keys"][0]).encode()
    token = (signing_input + b"." + b64(hmac.new(secret, signing_input, hashlib.sha256).digest())).decode()
    assert _get(oidc_client, "/admin/tokens", token).status_code == 401


def test_no_known_role_is_403(oidc_client: TestClient) -> None:
    assert _get(oidc_client, "/members/m1", _token(roles=["student"])).status_code == 403


def test_jwks_from_a_file(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(_jwks(KEY)), encoding="utf-8")
    client = make_client(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_file=str(path))
    assert _get(client, "/admin/tokens", _token(roles=["admin"])).status_code == 200


def test_without_oidc_configured_jwts_are_401(client: TestClient) -> None:
    assert _get(client, "/admin/tokens", _token(roles=["admin"])).status_code == 401
