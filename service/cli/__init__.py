"""``alumni-graph``: the command line.

Each group of verbs lives in its own module and registers itself on :data:`app`.
"""

from __future__ import annotations

import service.cli.backup  # noqa: F401  (registers backup and restore)
from service.cli import data, evaluate, generate, load, match, neo4j, report, serve, token  # noqa: F401  (registers the commands)
from service.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
