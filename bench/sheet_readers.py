"""Spreadsheet readers compared: python-calamine against openpyxl (read-only mode).

``python -m bench.run sheet_readers [--tier faculty] [--big-mb 50]`` writes the tier's
members and positions as a workbook with Slovenian headers (sheets ``Člani`` and
``Zaposlitve``), then reads every cell of it with each reader in a fresh process and
records the wall time, the CPU time and the process's peak RSS (``VmHWM``). With
``--big-mb`` it also writes a workbook of about that size (the members repeated under new
ids) and measures the same on it.

Each reader turns every cell into Python values row by row, the way the sheet loader
does (``loaders.sheets``), so the figures compare what a load would pay for reading.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import DATA_DIR, dataset, save

MEMBER_HEADERS = [
    "Šifra",
    "Ime",
    "Priimek",
    "E-pošta",
    "Telefon",
    "Kraj",
    "Država",
    "Leto diplome",
    "Vloga",
    "Mentor",
    "Javni profil",
]
POSITION_HEADERS = ["Šifra člana", "Podjetje", "Delovno mesto", "Od", "Do"]


def _status_kib(field: str) -> int:
    text = Path("/proc/self/status").read_text(encoding="ascii")
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _member_row(row: dict[str, str], suffix: str) -> list[Any]:
    first, _, last = row["name"].partition(" ")
    year = row["graduation_year"]
    return [
        row["id"] + suffix,
        first,
        last,
        row["email"],
        # a Slovenian mobile number with its leading zeros, as text
        f"00386 41 {int(row['id'][1:]) % 1_000_000:06d}",
        row["city"],
        row["country"],
        int(year) if year else None,
        row["role"],
        "DA" if row["open_to_mentor"] == "true" else "NE",
        "da" if row["discoverable"] != "false" else "ne",
    ]


def write_workbook(bundle: Path, out: Path, *, copies: int = 1) -> dict[str, Any]:
    """The bundle's members and positions as a workbook; ``copies`` repeats them under new ids."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    members = wb.create_sheet("Člani")
    members.append(MEMBER_HEADERS)
    positions = wb.create_sheet("Zaposlitve")
    positions.append(POSITION_HEADERS)
    rows = {"members": 0, "positions": 0}
    employers: dict[str, str] = {}
    with (bundle / "employers.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            employers[row["id"]] = row["name"]
    for copy in range(copies):
        suffix = f"-{copy}" if copy else ""
        with (bundle / "members.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                members.append(_member_row(row, suffix))
                rows["members"] += 1
        with (bundle / "positions.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                employer = row["employer_name"] or employers.get(row["employer_id"], "")
                positions.append(
                    [row["member_id"] + suffix, employer, row["title"], row["start"], row["end"]]
                )
                rows["positions"] += 1
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return {"path": str(out), "bytes": out.stat().st_size, **rows}


def _read_calamine(path: Path) -> tuple[int, int]:
    from python_calamine import CalamineWorkbook

    rows = cells = 0
    with CalamineWorkbook.from_path(str(path)) as wb:
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).iter_rows():
                rows += 1
                cells += sum(1 for v in row if v != "")
    return rows, cells


def _read_openpyxl(path: Path) -> tuple[int, int]:
    from openpyxl import load_workbook

    rows = cells = 0
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                rows += 1
                cells += sum(1 for v in row if v is not None)
    finally:
        wb.close()
    return rows, cells


def read_once(reader: str, path: Path) -> dict[str, Any]:
    """Read every cell of ``path`` with ``reader`` in this process; time and peak memory."""
    baseline = _status_kib("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    rows, cells = (_read_calamine if reader == "calamine" else _read_openpyxl)(path)
    return {
        "reader": reader,
        "rows": rows,
        "cells": cells,
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "peak_rss_mib": round(_status_kib("VmHWM") / 1024, 1),
        "rss_before_mib": round(baseline / 1024, 1),
    }


def measure(reader: str, path: Path) -> dict[str, Any]:
    """``read_once`` in a fresh interpreter, so one reader's peak never counts for the other."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.sheet_readers", "--read", reader, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return json.loads(result.stdout)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.run sheet_readers")
    parser.add_argument("--tier", default="faculty")
    parser.add_argument(
        "--big-mb", type=float, default=0.0, help="also measure a workbook of about this many MB (0: skip)"
    )
    parser.add_argument("--readers", default="calamine,openpyxl")
    args, _ = parser.parse_known_args(argv)
    readers = args.readers.split(",")
    bundle = dataset(args.tier)
    results: dict[str, Any] = {"tier": args.tier, "runs": []}
    path = DATA_DIR / f"{args.tier}-sheets.xlsx"
    workbook = write_workbook(bundle, path)
    results["workbooks"] = [workbook]
    for reader in readers:
        results["runs"].append({"workbook": path.name, **measure(reader, path)})
    if args.big_mb:
        copies = max(1, round(args.big_mb * 1e6 / workbook["bytes"]))
        big = DATA_DIR / f"{args.tier}-sheets-x{copies}.xlsx"
        results["workbooks"].append(write_workbook(bundle, big, copies=copies))
        for reader in readers:
            results["runs"].append({"workbook": big.name, **measure(reader, big)})
    save("sheet_readers", results)
    return results


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--read":
        print(json.dumps(read_once(sys.argv[2], Path(sys.argv[3]))))
    else:
        print(json.dumps(main(sys.argv[1:]), indent=2, ensure_ascii=False))
