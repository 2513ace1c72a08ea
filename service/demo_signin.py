"""Print how to sign in to the demo: an admin token and one member's token.

``make run`` calls this before it serves. Secrets are shown once and never stored in
Neo4j, so the demo keeps its two tokens in a file beside the demo server's password
(mode 600) and issues new ones only when those were revoked, expired or wiped.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from graph.store import Store
from service.core.config import Settings
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

    with Store(settings.connection()) as store:
        store.migrate()
        if not _still_valid(store, saved.get("admin")):
            saved["admin"] = issue_token(store, "admin").secret
        members = store.well_connected_members(1)
        member = members[0] if members else None
        stale = member and (
            saved.get("member_id") != member["id"] or not _still_valid(store, saved.get("member"))
        )
        if member and stale:
            saved["member"] = issue_token(store, "member", member_id=member["id"]).secret
            saved["member_id"] = member["id"]
    _write_private(secrets_file, saved)

    url = args.base_url
    print()
    print(f"alumni-graph is starting on {url}")
    print(f"  web pages:    {url}/web/  (paste a token below to sign in)")
    print(f"  API docs:     {url}/docs")
    print(f"  admin token:  {saved['admin']}")
    if member:
        print(f"  member token: {saved['member']}  (signs in as {member['name']}, id {member['id']})")
        print(f"  try: curl -H 'Authorization: Bearer {saved['member']}' "
              f"'{url}/api/v1/members/{member['id']}/suggestions?limit=5'")
    print(f"  tokens are kept in {secrets_file}; `alumni-graph token --help` issues more")
    print()


if __name__ == "__main__":
    main()
