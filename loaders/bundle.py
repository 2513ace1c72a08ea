"""The bundle format: a folder of ``members.csv``, ``positions.jsonl``, … (see DESIGN.md).

Finds the files, detects each one's encoding, checks its header, and turns it into a
:class:`~loaders.sources.Source`. Rows are read later, lazily, by the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from loaders.encoding import UTF8, Detected, EncodingRefused, detect
from loaders.records import SPECS, Spec
from loaders.report import LoadError
from loaders.rows import CsvTable, Item, read_jsonl
from loaders.sources import Discovered, Source

SUFFIXES = (".csv", ".jsonl")


def _csv_items(path: Path, encoding: str) -> Iterator[Item]:
    with path.open(encoding=encoding, newline="") as stream:
        yield from CsvTable(stream, path.name, lower_header=True)


def _jsonl_items(path: Path, encoding: str) -> Iterator[Item]:
    with path.open(encoding=encoding, newline="") as stream:
        yield from read_jsonl(stream, path.name)


def check_header(path: Path, encoding: str, spec: Spec, found: Discovered) -> bool:
    """Whether a CSV file's header has the columns its kind needs; reports what is off."""
    with path.open(encoding=encoding, newline="") as stream:
        header = CsvTable(stream, path.name, lower_header=True).header
    name = path.name
    if not header:
        found.warnings.append(LoadError(name, None, "empty file, nothing to load"))
        return False
    ok = True
    duplicates = sorted({c for c in header if header.count(c) > 1 and c})
    if duplicates:
        found.errors.append(LoadError(name, 1, f"column '{duplicates[0]}' appears twice"))
        ok = False
    for column in spec.required:
        if column not in header:
            found.errors.append(LoadError(name, 1, f"missing required column '{column}'"))
            ok = False
    for group in spec.any_of:
        if not any(c in header for c in group):
            found.errors.append(
                LoadError(name, 1, "missing required column " + " or ".join(f"'{c}'" for c in group))
            )
            ok = False
    known = set(spec.columns)
    for column in header:
        if column not in known:
            found.warnings.append(LoadError(name, 1, f"unknown column '{column}' is ignored"))
    return ok


def file_source(path: Path, found: Discovered) -> None:
    """Add the source of one bundle file to ``found`` (or the reason it cannot be read)."""
    kind = path.stem.lower()
    spec = SPECS[kind]
    try:
        detected: Detected = detect(path)
    except EncodingRefused as exc:
        found.errors.append(LoadError(path.name, None, str(exc)))
        return
    except OSError as exc:
        found.errors.append(LoadError(path.name, None, f"cannot read: {exc.strerror}"))
        return
    if detected.encoding != UTF8:
        found.encodings[path.name] = detected.label
    if path.suffix.lower() == ".csv":
        if not check_header(path, detected.encoding, spec, found):
            return
        found.sources.append(
            Source(
                kind,
                path.name,
                path.name,
                lambda: _csv_items(path, detected.encoding),
                max(detected.lines - 1, 0),
            )
        )
    else:
        found.sources.append(
            Source(
                kind,
                path.name,
                path.name,
                lambda: _jsonl_items(path, detected.encoding),
                detected.lines,
            )
        )


def is_bundle_file(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and path.stem.lower() in SPECS


def discover_bundle(folder: Path) -> Discovered:
    """The sources of a bundle folder; files it does not know are a warning, not an error."""
    found = Discovered()
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # editor and OS droppings (.DS_Store, ~lock files) are not data
        if path.is_file() and is_bundle_file(path):
            file_source(path, found)
        else:
            found.warnings.append(LoadError(path.name, None, "unknown file in the bundle, ignored"))
    return found
