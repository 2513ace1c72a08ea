"""``alumni-graph``: the command line.

Each group of verbs lives in its own module and registers itself on :data:`app`.
"""

from __future__ import annotations

import os

import service.cli.backup  # noqa: F401  (registers backup and restore)
import service.cli.invite  # noqa: F401  (registers invite)
import service.cli.tombstones  # noqa: F401  (registers tombstones count and forget)
from graph.files import PRIVATE_UMASK
from service.cli import (  # noqa: F401  (registers the commands)
    data,
    digest,
    evaluate,
    generate,
    load,
    match,
    neo4j,
    report,
    serve,
    sync,
    token,
    train,
)
from service.cli.app import app


def main() -> None:
    # whatever a verb writes (backups, reports, exports, bundles, the Neo4j folder) holds
    # members' data: readable by the owner only, from the moment it exists
    os.umask(PRIVATE_UMASK)
    app()


__all__ = ["app", "main"]
