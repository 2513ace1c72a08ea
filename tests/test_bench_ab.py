"""The process-by-process comparison of two revisions (bench/ab.py): what it compares and
the files it runs the revision from."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.ab import absolute, checkout_at, compare, p50s


def test_compare_takes_the_median_run_of_each_side_and_only_calls_both_timed() -> None:
    runs = {
        "current": [
            {"learned": 2.0, "blend": 1.0},
            {"learned": 9.0, "blend": 1.1},
            {"learned": 2.2, "blend": 1.2},
        ],
        "revision": [
            {"learned": 2.5, "blend": 1.0, "old": 3.0},
            {"learned": 2.4, "blend": 1.0},
            {"learned": 2.6, "blend": 1.0},
        ],
    }
    out = compare(runs)
    assert set(out) == {"learned", "blend"}  # "old": timed by one side only
    # the median resists the one slow run (9.0) a mean would follow
    assert out["learned"] == {"current_p50_ms": 2.2, "revision_p50_ms": 2.5, "ratio": 0.88}
    assert out["blend"]["ratio"] == 1.1


def test_p50s_reads_the_cpu_median_of_each_timed_call() -> None:
    result = {
        "latency": {
            "sample": 300,
            "learned": {"p50_ms": 3.0, "cpu": {"p50_ms": 2.9}},
            "load_average_after": [1, 2, 3],
        }
    }
    assert p50s(result) == {"learned": 2.9}
    assert p50s({}) == {}


def test_paths_given_to_both_sides_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "snap").mkdir()
    monkeypatch.chdir(tmp_path)
    got = absolute(["--snapshot", "snap", "--tier", "hbs", "--models", "absent", "--compiled"])
    assert got == ["--snapshot", str(tmp_path / "snap"), "--tier", "hbs", "--models", "absent", "--compiled"]


def test_checkout_at_writes_the_revisions_tracked_files(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    first = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.split()
    shallow = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    if not first or shallow != "false":
        pytest.skip("needs the whole history of a git checkout")
    committed = subprocess.run(["git", "show", "HEAD:pyproject.toml"], cwd=root, capture_output=True).stdout
    head = checkout_at("HEAD", tmp_path / "head")
    assert (head / "pyproject.toml").read_bytes() == committed
    # its C extensions built where its modules import them from
    for source in head.rglob("*.pyx"):
        assert list(source.parent.glob(f"{source.stem}.*.so")), source
    # the revision's tree, not the working tree: the first commit had no benchmarks
    first_tree = checkout_at(first[-1], tmp_path / "first")
    assert not (first_tree / "bench" / "ab.py").exists()
    with pytest.raises(subprocess.CalledProcessError):
        checkout_at("no-such-revision", tmp_path / "none")
