"""Print how to sign in to the demo: a sign-in link for one member, and an admin token.

``make run`` calls this before it serves. The link works once (each run prints a new one;
the sign-in page sends more, into the local mail folder). Secrets are shown once and never
stored in Neo4j, so the demo keeps its admin token in a file beside the demo server's
password (mode 600) and issues a new one only when that was revoked, expired or wiped.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta
from pathlib import Path

from graph.store import Store
from service.core.config import Settings
from service.core.sign_in_links import issue_link
from service.core.tokens import hash_token, issue_token


def _still_valid(store: Store, secret: str | None) -> bool:
    if not secret:
        return False
    token = store.token_by_hash(hash_token(secret))
    return bool(token) and not token.get("revoked_at") and not token.get("expires_at")


def _write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)

    settings = Settings()
    secrets_file = settings.local_server().home / "demo-tokens.json"
    saved: dict[str, str] = {}
    if secrets_file.exists():
        saved = json.loads(secrets_file.read_text(encoding="utf-8"))

    link = None
    with Store(settings.connection()) as store:
        store.migrate()
        if not _still_valid(store, saved.get("admin")):
            saved["admin"] = issue_token(store, "admin").secret
        members = store.well_connected_members(1)
        member = members[0] if members else None
        if member:
            link = issue_link(
                store,
                member["id"],
                purpose="demo",
                base_url=args.base_url,
                lifetime=timedelta(days=settings.invite_link_days),
            )
    saved = {"admin": saved["admin"]}  # members sign in with links now, not tokens
    _write_private(secrets_file, saved)

    url = args.base_url
    print()
    print(f"alumni-graph is starting on {url}")
    print(f"  web pages:    {url}/web/")
    if member and link:
        print(f"  sign in as {member['name']} (member {member['id']}), once, with this link:")
        print(f"      {link}")
    print(f"  sign-in links asked for on the page are mailed to {Path(settings.mail_dir).resolve()}:")
    print(f"      they are listed here as they go, and on {url}/web/outbox (for admins)")
    print(f"  admin token:  {saved['admin']}")
    print("      (on the sign-in page under 'Sign in with an access token', or for the API)")
    print(f"  API docs:     {url}/docs")
    if member:
        print(
            f"  try: curl -H 'Authorization: Bearer {saved['admin']}' "
            f"'{url}/api/v1/members/{member['id']}/suggestions?limit=5'"
        )
    print(f"  the token is kept in {secrets_file}; `alumni-graph token --help` issues more")
    print()


if __name__ == "__main__":
    main()
