"""How long ``make run`` takes from a fresh clone until the service answers.

``python -m bench.make_run [--cold]`` clones the committed main into a temporary folder,
runs ``make run`` there on spare ports, and stops the clock when ``/health`` reports the
projection built. ``--cold`` points Maven at an empty local repository, so Neo4j is
fetched from Maven Central as on a new machine. The demo server and the service are
stopped afterwards; the clone is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import save
from graph.config import PROJECT_ROOT

BOLT, HTTP, PORT = 27787, 27574, 28100


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
            return json.loads(r.read()).get("projection") is not None
    except (OSError, ValueError):
        return False


def run_once(cold: bool, timeout: float = 1800) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="make-run-"))
    clone = work / "project"
    subprocess.run(["git", "clone", "-q", str(PROJECT_ROOT), str(clone)], check=True)
    env = dict(os.environ)
    for name in (
        "NEO4J_URI",
        "NEO4J_USER",
        "NEO4J_PASSWORD",
        "ALUMNI_GRAPH_NEO4J_DIR",
        "ALUMNI_GRAPH_BOLT_PORT",
        "ALUMNI_GRAPH_HTTP_PORT",
        "VIRTUAL_ENV",
    ):
        env.pop(name, None)
    if cold:
        env["MAVEN_OPTS"] = f"{env.get('MAVEN_OPTS', '')} -Dmaven.repo.local={work / 'm2'}".strip()
    log = (work / "make.log").open("wb")
    start = time.perf_counter()
    make = subprocess.Popen(
        ["make", "run", f"DEMO_BOLT={BOLT}", f"DEMO_HTTP={HTTP}", f"PORT={PORT}"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while not _healthy(PORT):
            if make.poll() is not None:
                raise RuntimeError(f"make run exited with {make.returncode}; see {work / 'make.log'}")
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"not serving after {timeout:.0f} s; see {work / 'make.log'}")
            time.sleep(1)
        seconds = time.perf_counter() - start
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
        subprocess.run(
            [
                str(clone / ".venv" / "bin" / "alumni-graph"),
                "neo4j",
                "stop",
                "--dir",
                str(clone / ".neo4j" / "local"),
                "--bolt-port",
                str(BOLT),
                "--http-port",
                str(HTTP),
            ],
            check=False,
            capture_output=True,
        )
        log.close()
    shutil.rmtree(work, ignore_errors=True)
    return {
        "maven_cache": "cold" if cold else "warm",
        "seconds": round(seconds, 1),
        "load_average": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.make_run", description=__doc__)
    parser.add_argument("--cold", action="store_true", help="start from an empty Maven repository")
    args = parser.parse_args(argv)
    result = run_once(args.cold)
    save(f"make_run_{result['maven_cache']}", result)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
