"""The supervisor of ``alumni-graph serve --workers N``: uvicorn and nothing of the service.

``serve`` replaces itself (``exec``) by ``python -m service.supervisor``, so that the
process that only starts, watches and restarts the workers does not hold the CLI, the
service and their libraries (some 150 MiB, which no worker shares); the workers import
the app themselves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: How long a worker may not answer before uvicorn takes it for hung and replaces it.
WORKER_HEALTHCHECK_SECONDS = 60


def command(host: str, port: int, log_level: str, workers: int) -> list[str]:
    """The command line that runs this module with these options."""
    return [
        sys.executable,
        "-m",
        "service.supervisor",
        f"--host={host}",
        f"--port={port}",
        f"--log-level={log_level}",
        f"--workers={workers}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service.supervisor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    import uvicorn

    # the workers' rate limits live here together; a fresh folder per run, so none is inherited
    shared = Path(tempfile.mkdtemp(prefix="alumni-graph-serve-"))
    os.environ["ALUMNI_GRAPH_SHARED_STATE_DIR"] = str(shared)
    try:
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            workers=args.workers,
            # a worker answers the supervisor's pings only once its interpreter is up: on
            # a busy machine that takes longer than uvicorn's 5 s, and a worker taken for
            # hung would be killed and started again, for ever
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    finally:
        shutil.rmtree(shared, ignore_errors=True)


if __name__ == "__main__":
    main()
