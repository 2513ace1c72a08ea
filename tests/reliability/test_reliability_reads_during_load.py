"""Suggestions and searches answer without errors while ``alumni-graph load`` (another
process) writes, and the service's projection catches up when the load ends, through the
change counter every batch moves (service.watch)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from graph.config import ConnectionSettings
from graph.store import Store
from loaders import load_path
from service.core.tokens import issue_token
from tests.support import guards
from tests.support.reliability import club, discoverable_member, neo4j_env

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]


def test_reliability_reads_during_a_load_and_catch_up(
    session_store: Store, connection_settings: ConnectionSettings, service_factory
) -> None:
    session_store.wipe(keep_security=False)
    bundle = club(3_000)
    load_path(session_store, bundle / "members.csv")  # the people first; their ties come later
    me = discoverable_member(bundle)
    member = {"Authorization": f"Bearer {issue_token(session_store, 'member', member_id=me).secret}"}
    office = {"Authorization": f"Bearer {issue_token(session_store, 'career_office').secret}"}
    service = service_factory(neo4j_env(connection_settings), ALUMNI_GRAPH_CHANGE_POLL_SECONDS="1")
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def read() -> None:
        with httpx.Client(base_url=service.url, timeout=guards.ANSWER) as client:
            while not stop.is_set():
                statuses[client.get(f"/members/{me}/suggestions", headers=member).status_code] += 1
                statuses[client.get("/alumni", params={"q": "an"}, headers=office).status_code] += 1

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        load = subprocess.run(
            [*CLI, "load", str(bundle)],
            env=neo4j_env(connection_settings),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        ended = time.monotonic()
    finally:
        stop.set()
        for r in readers:
            r.join()
    assert load.returncode == 0, load.stderr[-2000:]
    assert statuses and set(statuses) == {200}, statuses

    knows = session_store.counts()["relationships"]["KNOWS"]
    deadline = ended + guards.CHILD  # the rebuild waits for two quiet polls, then takes its time
    while True:
        health = httpx.get(service.url + "/health", timeout=guards.ANSWER).json()
        if health["projection"]["ties"] == knows:
            break
        assert time.monotonic() < deadline, f"the projection did not catch up: {health['projection']}"
        time.sleep(0.5)
    print(
        f"reads during the load: {dict(statuses)}; projection current "
        f"{time.monotonic() - ended:.1f} s after the load ended"
    )
    with httpx.Client(base_url=service.url, timeout=guards.ANSWER) as client:
        found = client.get(f"/members/{me}/suggestions", headers=member).json()
        assert any(r["kind"] == "mutual_connections" for s in found["suggestions"] for r in s["reasons"])
