"""Files at rest: whatever holds members' data is created readable by its owner only.

Files 0600, folders 0700, from the moment they exist: the CLI runs with the umask 077 and
writes its exports through ``graph.files``, and the local Neo4j's folder and the Java
processes that write into it do the same. The CLI is run as a child process with the
usual umask 022, as a user's shell would.
"""

from __future__ import annotations

import csv
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graph.files import open_private, private_dir, write_private_text
from graph.store import Store
from loaders import load_path
from service.core.config import Settings
from service.neo4j_server import LocalNeo4j

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        umask=0o022,
        env=dict(os.environ),
    )


def _tree_modes(root: Path) -> dict[str, int]:
    found = {".": mode(root)}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = mode(path)
    return found


def _assert_private(root: Path) -> None:
    modes = _tree_modes(root)
    loose = {p: oct(m) for p, m in modes.items() if m & 0o077 or (Path(root, p).is_dir() and m != 0o700)}
    assert not loose, loose


def test_private_files_and_folders_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        folder = private_dir(tmp_path / "a" / "b")
        write_private_text(folder / "x.txt", "Žagar")
        with open_private(folder / "y.csv", "w", encoding="utf-8", newline="") as fh:
            fh.write("id\n")
    finally:
        os.umask(old)
    assert (mode(tmp_path / "a"), mode(folder)) == (0o700, 0o700)
    assert mode(folder / "x.txt") == 0o600 and mode(folder / "y.csv") == 0o600
    assert (folder / "x.txt").read_text(encoding="utf-8") == "Žagar"


def test_an_existing_file_is_narrowed_before_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("old and longer than the new text", encoding="utf-8")
    path.chmod(0o644)
    with open_private(path, "w", encoding="utf-8") as fh:
        # by the time anything can be written, nobody else can read the file
        assert stat.S_IMODE(os.fstat(fh.fileno()).st_mode) == 0o600
        assert os.fstat(fh.fileno()).st_size == 0
        fh.write("new")
    assert mode(path) == 0o600 and path.read_text(encoding="utf-8") == "new"
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert mode(private_dir(folder)) == 0o700


def test_every_file_the_cli_writes_is_private(store: Store, test_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = out / "report.html"
    stale.write_text("an older report", encoding="utf-8")
    stale.chmod(0o644)

    errors = _cli("load", str(test_data / "bundles" / "bad"), "--errors-out", str(out / "errors.txt"))
    assert errors.returncode == 1, errors.stdout + errors.stderr
    load_path(store, test_data / "bundles" / "good")
    report = _cli("report", "--out", str(stale), "--json", str(out / "report.json"))
    assert report.returncode == 0, report.stdout + report.stderr
    generated = _cli("generate", "-n", "60", "--seed", "3", "-q", str(out / "club"))
    assert generated.returncode == 0, generated.stdout + generated.stderr
    for target in ("match.csv", "match.json"):
        matched = _cli(
            "match",
            "--bundle",
            str(out / "club"),
            "--mentees",
            _first_student(out / "club"),
            "--out",
            str(out / target),
        )
        assert matched.returncode == 0, matched.stdout + matched.stderr

    written = {p.name: mode(p) for p in out.iterdir() if p.is_file()}
    assert written == {
        name: 0o600 for name in ("errors.txt", "report.html", "report.json", "match.csv", "match.json")
    }
    assert stale.read_text(encoding="utf-8").startswith("<!")
    _assert_private(out / "club")
    assert len(list((out / "club").iterdir())) >= 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _first_student(bundle: Path) -> str:
    with (bundle / "members.csv").open(encoding="utf-8") as fh:
        return next(r["id"] for r in csv.DictReader(fh) if r["role"] == "student")


@pytest.fixture
def fresh_server(tmp_path: Path) -> LocalNeo4j:
    home = tmp_path / "neo4j-home" / "fresh"
    return LocalNeo4j(Settings().local_server(home=home, bolt_port=free_port(), http_port=free_port()))


def test_a_new_neo4j_folder_is_private(fresh_server: LocalNeo4j) -> None:
    old = os.umask(0o022)
    try:
        fresh_server.start()
    finally:
        os.umask(old)
    try:
        home = fresh_server.settings.home
        assert mode(home.parent) == 0o700  # the folder the server's folder was made in, too
        modes = _tree_modes(home)
        # the store files, the transaction logs, the logs and the password that Neo4j and
        # the CLI wrote are all the owner's alone
        assert any(p.startswith("data/databases/neo4j/") for p in modes), sorted(modes)[:20]
        assert "password" in modes and "logs/console.log" in modes and "conf/neo4j.conf" in modes
        _assert_private(home)
    finally:
        fresh_server.stop()
