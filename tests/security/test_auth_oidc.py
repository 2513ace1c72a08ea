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
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

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


def test_a_club_claim_scopes_a_staff_token_to_that_club(oidc_client: TestClient) -> None:
    me = _get(oidc_client, "/auth/session", _token(roles=["analyst"], club="default")).json()
    assert (me["role"], me["club"]) == ("analyst", "default")
    assert (
        _get(oidc_client, "/auth/session", _token(roles=["analyst"], club=["default"])).json()["club"]
        == "default"
    )
    # a club's admin is not the university's
    r = _get(oidc_client, "/admin/audit", _token(roles=["admin"], club="default"))
    assert r.status_code == 403 and "club 'default'" in r.json()["error"]["message"]
    assert _get(oidc_client, "/admin/audit", _token(roles=["admin"])).status_code == 200
    # several clubs, or no text: refused; a member's club claim means nothing
    assert _get(oidc_client, "/auth/session", _token(roles=["admin"], club=["a", "b"])).status_code == 403
    member = _get(oidc_client, "/auth/session", _token(roles=["member"], member_id="m1", club="x")).json()
    assert member["club"] is None
    # a club the service does not know: no member of the seeded club is found
    assert _get(oidc_client, "/members/m2", _token(roles=["career_office"], club="nope")).status_code == 404
    assert _get(oidc_client, "/members/m2", _token(roles=["career_office"])).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        _token(roles=["admin"], aud="someone-else"),
        _token(roles=["admin"], iss="https://evil.example"),
        _token(roles=["admin"], exp=int(time.time()) - 60),
        _token(OTHER_KEY, roles=["admin"]),
        _token(roles=["admin"], kid="unknown"),
        _token(roles=["admin"], sub=None),
        jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]},
            None,
            algorithm="none",
        ),
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


# -- an alg that does not fit the key: 401, never a 500 --------------------------------------

EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_384 = ec.generate_private_key(ec.SECP384R1())


def _ec_jwks(key: ec.EllipticCurvePrivateKey, kid: str = "k1", alg: str | None = None) -> dict[str, Any]:
    public = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**public, "kid": kid, "use": "sig", **({"alg": alg} if alg else {})}]}


def _forged(alg: object, signature: bytes = b"\x00" * 64, **header: Any) -> str:
    """A token with any header at all, signed with ``signature`` (PyJWT refuses to make most)."""

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]}
    head = b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "k1", **header}).encode())
    return (head + b"." + b64(json.dumps(claims).encode()) + b"." + b64(signature)).decode()


def _hmac_token(secret: bytes, alg: str = "HS256") -> str:
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]}
    signing_input = (
        b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "k1"}).encode())
        + b"."
        + b64(json.dumps(claims).encode())
    )
    return (signing_input + b"." + b64(hmac.new(secret, signing_input, digest).digest())).decode()


_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
#: Every algorithm PyJWT knows, so that the verifier is tried with each against each key type.
ALL_ALGS = [
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES256K",
    "ES384",
    "ES512",
    "EdDSA",
    "HS256",
    "HS384",
    "HS512",
]
#: Tokens made when the test runs (not at import: a long run would see them expire, and
#: a 401 for expiry would hide whether the alg was refused).
MISFITS: dict[str, Callable[[], str]] = {
    "es256-signed-with-the-ec-key": lambda: jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]},
        EC_KEY,
        algorithm="ES256",
        headers={"kid": "k1"},
    ),
    "es256-forged": lambda: _forged("ES256"),
    "es512-forged": lambda: _forged("ES512", b"\x00" * 132),
    "eddsa-forged": lambda: _forged("EdDSA"),
    "ps256-forged": lambda: _forged("PS256", b"\x00" * 256),
    "hs256-public-pem-as-secret": lambda: _hmac_token(_PEM),
    "hs512-public-jwk-as-secret": lambda: _hmac_token(json.dumps(_jwks(KEY)["keys"][0]).encode(), "HS512"),
    "none": lambda: _forged("none", b""),
    "None": lambda: _forged("None", b""),
    "alg-number": lambda: _forged(256),
    "alg-list": lambda: _forged(["RS256"]),
    "alg-null": lambda: _forged(None),
    "alg-unknown": lambda: _forged("XS999"),
    "kid-number": lambda: _forged("RS256", b"\x00" * 256, kid=1),
    "kid-object": lambda: _forged("RS256", b"\x00" * 256, kid={"a": 1}),
    "jku": lambda: _forged("RS256", b"\x00" * 256, jku="https://evil.example/jwks"),
    "header-not-an-object": lambda: base64.urlsafe_b64encode(b"[1,2]").rstrip(b"=").decode() + ".e30.AA",
    "not-base64": lambda: "%%%.%%%.%%%",
}


@pytest.mark.parametrize("name", sorted(MISFITS))
@pytest.mark.parametrize("jwks", ["rsa", "rsa-with-alg", "ec", "ec-with-alg", "ec-384"])
def test_an_alg_that_does_not_fit_the_key_is_401(
    make_client: Callable[..., TestClient], name: str, jwks: str
) -> None:
    keys = {
        "rsa": {"keys": [{k: v for k, v in _jwks(KEY)["keys"][0].items() if k != "alg"}]},
        "rsa-with-alg": _jwks(KEY),
        "ec": _ec_jwks(EC_KEY),
        "ec-with-alg": _ec_jwks(EC_KEY, alg="ES256"),
        "ec-384": _ec_jwks(EC_384),
    }[jwks]
    client = make_client(
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        oidc_jwks=keys,
        oidc_algorithms=ALL_ALGS,
        auth_failures_per_minute=0,
    )
    # the one pair that fits: a real ES256 token and its own P-256 key
    expected = 200 if name == "es256-signed-with-the-ec-key" and jwks in ("ec", "ec-with-alg") else 401
    r = _get(client, "/admin/tokens", MISFITS[name]())
    assert r.status_code == expected, r.text
    if expected == 401:
        assert r.headers["WWW-Authenticate"] == "Bearer"


def test_a_jwks_alg_binds_its_key(make_client: Callable[..., TestClient]) -> None:
    # the JWKS says RS256 for the key: a PS256 token signed with the same key is refused
    client = make_client(
        oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks=_jwks(KEY), oidc_algorithms=["RS256", "PS256"]
    )
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]}
    ps256 = jwt.encode(claims, KEY, algorithm="PS256", headers={"kid": "k1"})
    assert _get(client, "/admin/tokens", ps256).status_code == 401
    assert _get(client, "/admin/tokens", _token(roles=["admin"])).status_code == 200


def test_an_ec_key_without_a_kid_is_found_by_its_type(make_client: Callable[..., TestClient]) -> None:
    keys = {"keys": [_jwks(KEY)["keys"][0] | {"kid": "r"}, _ec_jwks(EC_KEY, kid="e")["keys"][0]]}
    client = make_client(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks=keys)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]}
    assert _get(client, "/admin/tokens", jwt.encode(claims, EC_KEY, algorithm="ES256")).status_code == 200
    assert _get(client, "/admin/tokens", jwt.encode(claims, KEY, algorithm="RS256")).status_code == 200
