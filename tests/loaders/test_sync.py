"""A sync of a club's workbook against the real Neo4j: the dry run, applying exactly it,
the member's own choices and tombstones, and members missing from the export."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sheet_files import write_xlsx
from typer.testing import CliRunner

from graph import consent
from graph.projection.build import build_from_store
from graph.store import Store
from loaders.sheets import discover_sheets
from loaders.sync import apply_sync, plan_sync
from loaders.sync_diff import FieldChange
from service.api import API_V1
from service.app import create_app
from service.cli import app
from service.core.config import Settings
from service.core.tokens import issue_token

runner = CliRunner()

HEADER = ["Šifra", "Ime", "Priimek", "E-pošta", "Kraj", "Podjetje", "Leto diplome", "Javni profil"]
ANA = ["000123", "Ana", "Novak", "ana@example.si", "Ljubljana", "NLB d.d.", 2015, "DA"]
ZAN = ["000124", "Žan", "Šuštar", "zan@example.si", "Koper", "Petrol", 2018, "da"]
EVA = ["000125", "Eva", "Kralj", "eva@example.si", "Celje", "Krka", 2010, "da"]
IDA = ["000128", "Ida", "Zupan", "ida@example.si", "Bled", "", 2001, "da"]


def _book(path: Path, *rows: list[Any]) -> Path:
    return write_xlsx(path, {"Člani": [HEADER, *rows]})


def _sync(store: Store, path: Path, **options: Any):
    found = discover_sheets(path).found
    plan = plan_sync(store, path, found, **options)
    return plan, found


def _members(store: Store) -> dict[str, dict[str, Any]]:
    return store.members_for_sync()


def test_the_dry_run_is_exactly_what_the_apply_does(store: Store, tmp_path: Path) -> None:
    first = _book(tmp_path / "Člani 2026-10.xlsx", ANA, ZAN, EVA, IDA)
    plan, found = _sync(store, first)
    assert plan.counts["new"] == 4 and not plan.diff.skipped
    apply_sync(store, first, found, plan)

    # Žan hides himself; Ida asks to be erased
    store.update_member("000124", {"discoverable": False}, by={"by": "member"})
    assert store.erase_member("000128") is not None

    november = _book(
        tmp_path / "Člani 2026-11.xlsx",
        ["000123", "Ana", "Novak", "ana@example.si", "Maribor", "NLB d.d.", 2015, "DA"],  # moved
        ZAN,  # says da
        ["000126", "Urša", "Bizjak", "ursa@example.si", "Kranj", "", 2020, "ne"],  # new
        ["000127", "Tim", "Kos", "tim@example.si", "Ptuj", "", 2019, "da"],  # twice,
        ["000127", "Tim", "Kos", "tim.kos@example.si", "Ptuj", "", 2019, "da"],  # differently
        ["000129", "Bor", "Hren", "bor@example.si", "Izola", "", "lani", "da"],  # bad year
        IDA,  # erased
    )
    before = _members(store)
    plan, found = _sync(store, november)
    assert _members(store) == before  # the dry run wrote nothing

    diff = plan.diff
    assert [(c.member_id, c.changes) for c in diff.changed] == [
        ("000123", [FieldChange("city", "Ljubljana", "Maribor")])
    ]
    assert [c.member_id for c in diff.new] == ["000126"]
    zan = next(c for c in diff.unchanged if c.member_id == "000124")
    assert zan.kept == [FieldChange("discoverable", False, True)]  # his choice, not a change
    assert diff.missing == ["000125"]
    assert [str(e) for e in plan.erased] == [
        f"{november.name}[Člani]:8: erased on {e.reason.split()[2]} (GDPR Art. 17), skipped"
        for e in plan.erased
    ]
    assert len(plan.erased) == 1 and plan.erased[0].line == 8
    assert sorted(e.line for e in plan.conflicting) == [5, 6]
    assert [e.line for e in plan.bad] == [7] and "graduation_year" in plan.bad[0].reason

    result = apply_sync(store, november, found, plan)
    after = _members(store)
    written = {i for i in after if after[i] != before.get(i)}
    assert written == {c.member_id for c in (*diff.new, *diff.changed)}
    for change in (*diff.new, *diff.changed):
        for f in change.changes:
            assert after[change.member_id][f.field] == f.new, (change.member_id, f)
    assert result.report.total.created >= 1
    assert after["000124"]["discoverable"] is False  # the opt-out survived "da"
    assert "000125" in after  # missing: kept
    assert "000128" not in after and "000127" not in after  # erased; conflicting: none written
    assert "000129" not in after

    # the same file again: nothing to do, and nothing done
    again, found = _sync(store, november)
    assert (again.counts["new"], again.counts["changed"]) == (0, 0)
    assert again.counts["unchanged"] == len(diff.unchanged) + len(diff.new) + len(diff.changed)
    second = apply_sync(store, november, found, again)
    assert (second.report.total.created, second.report.total.updated) == (0, 0)
    assert _members(store) == after


def test_missing_members_are_deactivated_hidden_and_come_back(store: Store, tmp_path: Path) -> None:
    first = _book(tmp_path / "clani-1.xlsx", ANA, ZAN, EVA)
    plan, found = _sync(store, first)
    apply_sync(store, first, found, plan)
    admin = issue_token(store, "admin").secret
    office = issue_token(store, "career_office").secret
    ana = issue_token(store, "member", member_id="000123").secret

    without_eva = _book(tmp_path / "clani-2.xlsx", ANA, ZAN)
    plan, found = _sync(store, without_eva)
    assert plan.diff.missing == ["000125"] and plan.deactivate == []  # reported, not marked
    plan, found = _sync(store, without_eva, deactivate_missing=True)
    assert plan.deactivate == ["000125"]
    result = apply_sync(store, without_eva, found, plan)
    assert result.deactivated == ["000125"]
    eva = store.get_member("000125")
    assert eva is not None and eva["active"] is False  # kept in the graph, marked

    with TestClient(create_app(store, Settings(rate_limit_per_minute=0))) as client:
        p = build_from_store(store)
        assert not consent.discoverable_at(p, p.member("000125"))

        def get(path: str, secret: str) -> Any:
            return client.get(API_V1 + path, headers={"Authorization": f"Bearer {secret}"})

        # hidden is the same as missing, to all but admins
        hidden, nobody = get("/members/000125", office), get("/members/000999", office)
        assert hidden.status_code == nobody.status_code == 404
        assert hidden.json()["error"]["message"].replace("000125", "X") == nobody.json()["error"][
            "message"
        ].replace("000999", "X")
        assert get("/members/000125", admin).status_code == 200
        listed = get("/alumni?q=Kralj", office).json()
        assert "000125" not in str(listed)
        suggested = get("/members/000123/suggestions?limit=50", ana).json()
        assert "000125" not in str(suggested)

        # back in next month's export: active again, the member's own flag counts again
        back = _book(tmp_path / "clani-3.xlsx", ANA, ZAN, EVA)
        plan, found = _sync(store, back, deactivate_missing=True)
        assert plan.reactivate == ["000125"] and plan.deactivate == []
        assert apply_sync(store, back, found, plan).reactivated == ["000125"]
        assert "active" not in (store.get_member("000125") or {})
        assert get("/members/000125", office).status_code == 200
        p = build_from_store(store)
        assert consent.discoverable_at(p, p.member("000125"))


def test_sync_cli_dry_run_then_apply(store: Store, tmp_path: Path) -> None:
    first = _book(tmp_path / "Člani 2026-10.xlsx", ANA, ZAN)
    result = runner.invoke(app, ["sync", str(first), "--diff-out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert store.get_member("000123") is not None

    november = _book(
        tmp_path / "Člani 2026-11.xlsx",
        ["000123", "Ana", "Novak", "ana@example.si", "Maribor", "NLB d.d.", 2015, "DA"],
        EVA,
    )
    before = _members(store)
    result = runner.invoke(app, ["sync", str(november), "--dry-run", "--diff-out", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "new members (1)" in out and "000125" in out
    assert "city: 'Ljubljana' -> 'Maribor'" in out
    assert "missing from this source" in out and "000124" in out
    assert "dry run: nothing was written" in out
    assert _members(store) == before
    with (tmp_path / "d" / "clani-diff.csv").open(encoding="utf-8") as f:
        rows = {(r["status"], r["member_id"], r["field"]) for r in csv.DictReader(f)}
    assert {("changed", "000123", "city"), ("new", "000125", "name"), ("missing", "000124", "")} <= rows
    assert "Maribor" in (tmp_path / "d" / "clani-diff.html").read_text(encoding="utf-8")

    result = runner.invoke(
        app, ["sync", str(november), "--deactivate-missing", "--diff-out", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    assert "1 member(s) marked inactive" in result.output
    assert (store.get_member("000123") or {})["city"] == "Maribor"
    assert (store.get_member("000124") or {})["active"] is False
