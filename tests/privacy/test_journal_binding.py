"""A tombstone key and its journal belong to one database: another's journal erases nothing.

The accident this guards against: a process started against one database with another
deployment's folder (key and journal) re-applied that journal, and erased the member of
this database who had the same id as one erased over there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import typer
from lifecycle_support import admin_token, copy_bundle, service
from typer.testing import CliRunner

from graph.config import ConnectionSettings
from graph.store import Store
from graph.tombstones import JournalBindingError, TombstoneFiles, TombstoneKey
from loaders import load_path
from service.cli import app as cli
from service.cli.serve import check_journal

runner = CliRunner()


def _other_folder(tmp_path: Path, *erased: str) -> tuple[TombstoneFiles, TombstoneKey]:
    """Another deployment's key and journal, which erased ``erased`` (ids of this club too)."""
    files = TombstoneFiles(tmp_path / "other" / "tombstone.key")
    key = files.key(create=True)
    assert key is not None
    files.append([key.tombstone(member_id, None, "2026-01-02") for member_id in erased])
    return files, key


@pytest.fixture
def as_other(store: Store) -> Iterator[None]:
    """Put the store's own tombstone files back after a test that swapped them."""
    files = store.tombstone_files
    yield
    store._tombstone_files = files


def _flat(text: str) -> str:
    return "".join(text.split())  # the console wraps long lines


def _member_ids(store: Store) -> set[str]:
    return {r["id"] for r in store.read("MATCH (m:Member) RETURN m.id AS id")}


def test_another_folders_journal_is_refused_and_erases_nothing(
    store: Store, tmp_path: Path, as_other: None
) -> None:
    bundle = copy_bundle(tmp_path / "export")
    assert load_path(store, bundle).ok
    ours_files = store.tombstone_files
    ours = ours_files.key()
    assert ours is not None
    assert store.journal_binding() is not None and store.journal_binding().key_id == ours.key_id
    members = _member_ids(store)
    other, other_key = _other_folder(tmp_path, "m1")

    # a load with the other folder: refused before a row is read, naming both keys
    result = runner.invoke(
        cli, ["load", str(bundle)], env={"ALUMNI_GRAPH_TOMBSTONE_KEY": str(other.key_path)}
    )
    assert result.exit_code == 2, result.output
    said = _flat(result.output)
    for needle in (ours.key_id, other_key.key_id, str(other.journal_path), "nothingwaserased", "rebind"):
        assert needle in said, needle
    assert _member_ids(store) == members

    # the service's start with it: it stops before its first answer
    store._tombstone_files = other
    with pytest.raises(JournalBindingError, match=other_key.key_id), service(store):
        pass
    # a load, a sync's check of its rows and an erasure through this store: all refused
    with pytest.raises(JournalBindingError):
        load_path(store, bundle)
    with pytest.raises(JournalBindingError):
        store.tombstone_index()
    with pytest.raises(JournalBindingError):
        store.erase_member("m2")
    assert _member_ids(store) == members
    # a service that started with the right folder, whose folder is then another's
    store._tombstone_files = ours_files
    _, admin = admin_token(store)
    with service(store) as client:
        store._tombstone_files = other
        r = client.delete("/members/m2", headers=admin)
        assert r.status_code == 503, r.text
        assert "nothing was erased" in r.json()["error"]["message"]
    assert _member_ids(store) == members
    assert store.count_tombstones() == 0
    assert [t.key_hash for t in other.journal()] == [other_key.id_hash("m1")]  # untouched too


def test_serve_refuses_before_it_starts(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``serve`` checks before it starts uvicorn (whose workers would each stop, and be
    started again): it exits with the refusal."""
    load_path(store, copy_bundle(tmp_path / "export"))
    other, other_key = _other_folder(tmp_path, "m1")
    monkeypatch.setenv("ALUMNI_GRAPH_TOMBSTONE_KEY", str(other.key_path))
    with pytest.raises(typer.Exit) as refused:
        check_journal()
    assert refused.value.exit_code == 2
    assert store.get_member("m1") is not None
    monkeypatch.delenv("ALUMNI_GRAPH_TOMBSTONE_KEY")
    check_journal()  # this database's own key: on it goes


def test_same_folder_reerases_after_a_reload(store: Store, tmp_path: Path) -> None:
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    assert store.erase_member("m1") is not None
    # a restore of a backup older than the erasure, then a reload of the club's files
    store.write("MATCH (t:Tombstone) DELETE t")
    store.wipe()
    result = runner.invoke(cli, ["load", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "re-applied 1 tombstone(s)" in result.output
    assert store.get_member("m1") is None and store.get_member("m2") is not None
    assert store.count_tombstones() == 1


def test_an_upgraded_database_is_bound_and_its_journal_applied(store: Store, tmp_path: Path) -> None:
    """Data, a journal, but no binding (made before bindings existed): bound, as before."""
    bundle = copy_bundle(tmp_path / "export")
    load_path(store, bundle)
    assert store.erase_member("m1") is not None
    # as a database of before bindings, restored from a backup older than the erasure
    store.write("MATCH (b:TombstoneBinding) DELETE b")
    store.write("MATCH (t:Tombstone) DELETE t")
    store.upsert_members([{"id": "m1", "props": {"name": "Ana Novak", "email": "ana@example.si"}}])
    assert store.journal_binding() is None and store.get_member("m1") is not None
    with service(store) as client:
        assert client.get("/health").status_code == 200
        assert store.get_member("m1") is None
    key = store.tombstone_files.key()
    assert key is not None and store.journal_binding().key_id == key.key_id


def test_an_empty_database_is_bound_to_the_folder_it_is_loaded_with(
    store: Store, tmp_path: Path, as_other: None
) -> None:
    assert store.journal_binding() is None  # the fixture's wipe took it with the tombstones
    other, other_key = _other_folder(tmp_path)
    store._tombstone_files = other
    load_path(store, copy_bundle(tmp_path / "export"))
    bound = store.journal_binding()
    assert bound is not None and bound.key_id == other_key.key_id
    assert bound.key_file == str(other.key_path)
    # the next process with the test folder's key is refused
    result = runner.invoke(cli, ["load", str(copy_bundle(tmp_path / "again"))])
    assert result.exit_code == 2 and other_key.key_id in _flat(result.output)
    # a wipe that keeps the tombstones keeps the binding; one that forgets them, not
    store.wipe()
    assert store.journal_binding() == bound
    store.wipe(keep_tombstones=False)
    assert store.journal_binding() is None


def test_tombstones_made_with_another_key_keep_an_unbound_database_from_binding(
    store: Store, tmp_path: Path, as_other: None
) -> None:
    load_path(store, copy_bundle(tmp_path / "export"))
    assert store.erase_member("m1") is not None  # with the test folder's key
    store.write("MATCH (b:TombstoneBinding) DELETE b")
    other, other_key = _other_folder(tmp_path, "m2")
    store._tombstone_files = other
    with pytest.raises(JournalBindingError, match="tombstones of this database were made"):
        store.reapply_tombstones()
    assert store.get_member("m2") is not None and store.journal_binding() is None


def test_rebind_shows_whom_it_would_erase_then_binds(store: Store, tmp_path: Path) -> None:
    load_path(store, copy_bundle(tmp_path / "export"))
    ours = store.journal_binding()
    assert ours is not None
    other, other_key = _other_folder(tmp_path, "m1", "m9")
    env = {"ALUMNI_GRAPH_TOMBSTONE_KEY": str(other.key_path)}

    shown = runner.invoke(cli, ["tombstones", "rebind"], env=env)
    assert shown.exit_code == 2, shown.output
    said = _flat(shown.output)
    assert "2erasure(s);1member(s)ofthisdatabasematchthem" in said
    assert ours.key_id in said and other_key.key_id in said and "--yes" in said
    assert store.get_member("m1") is not None and store.journal_binding() == ours

    done = runner.invoke(cli, ["tombstones", "rebind", "--yes"], env=env)
    assert done.exit_code == 0, done.output
    assert "erased 1 member(s)" in done.output
    assert store.get_member("m1") is None and store.get_member("m2") is not None
    bound = store.journal_binding()
    assert bound is not None and bound.key_id == other_key.key_id
    entries = [e for e in store.list_audit(limit=100) if e["action"] == "tombstone_rebind"]
    assert [e["subject_ref"] for e in entries] == [f"tombstone-key:{other_key.key_id}"]
    # now the test folder's key is the other one
    refused = runner.invoke(cli, ["tombstones", "rebind"])
    assert refused.exit_code == 2 and other_key.key_id in _flat(refused.output)
    again = runner.invoke(cli, ["tombstones", "rebind"], env=env)
    assert again.exit_code == 0 and "already bound" in again.output


def test_two_processes_binding_at_once_agree_on_one_key(
    store: Store, connection_settings: ConnectionSettings, tmp_path: Path
) -> None:
    """An unbound database met by two keys at once: one binds it, the other is refused."""
    stores = [Store(connection_settings) for _ in range(2)]
    for n, other in enumerate(stores):
        other._tombstone_files = TombstoneFiles(tmp_path / f"folder{n}" / "tombstone.key")
    start = threading.Barrier(2)

    def bind(other: Store) -> str:
        start.wait()
        try:
            return other.check_journal().key_id
        except JournalBindingError:
            return "refused"

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(bind, stores))
    finally:
        for other in stores:
            other.close()
    assert results.count("refused") == 1
    bound = store.read("MATCH (b:TombstoneBinding) RETURN b.key_id AS key_id")
    assert [b["key_id"] for b in bound] == [r for r in results if r != "refused"]
