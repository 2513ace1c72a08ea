"""Shared pieces of the data-lifecycle tests: a club's monthly export, an app, tokens.

The export is a copy of ``tests/data/bundles/good`` (members ``m1``…``m5``) that a test
may edit between loads, as the club's next month's export would differ.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from graph.store import Store
from service.app import create_app
from service.core.config import Settings
from service.core.tokens import issue_token

TEST_DATA = Path(__file__).resolve().parent.parent / "data"
GOOD_BUNDLE = TEST_DATA / "bundles" / "good"
LINKEDIN_EXPORT = TEST_DATA / "linkedin" / "export"


def copy_bundle(into: Path, source: Path = GOOD_BUNDLE) -> Path:
    """A copy of ``source`` at ``into`` (a new folder), to edit freely."""
    shutil.copytree(source, into)
    return into


def edit_member_row(bundle: Path, member_id: str, **cells: str) -> None:
    """Change cells of one member's row in ``bundle``/members.csv (UTF-8 with a BOM)."""
    path = bundle / "members.csv"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    fields = list(rows[0])
    for row in rows:
        if row["id"] == member_id:
            row.update(cells)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@contextmanager
def service(store: Store) -> Iterator[TestClient]:
    """A client on a new app over ``store`` (its start-up runs, and ends with the block)."""
    app = create_app(store, Settings(rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def member_token(store: Store, member_id: str) -> tuple[str, dict[str, str]]:
    """(token id, headers) of a new member token acting for ``member_id``."""
    issued = issue_token(store, "member", member_id=member_id)
    return issued.record["id"], bearer(issued.secret)


def admin_token(store: Store) -> tuple[str, dict[str, str]]:
    issued = issue_token(store, "admin")
    return issued.record["id"], bearer(issued.secret)
