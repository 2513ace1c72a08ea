"""What an erasure test looks for in the learned ranker's stored models."""

from __future__ import annotations

from pathlib import Path


def pickled(member_id: str) -> bytes:
    """How a pickle (protocol 4 and up) writes a short string: the needle for an id."""
    raw = member_id.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def holds(path: Path, member_id: str) -> bool:
    """Whether the file at ``path`` holds ``member_id`` as a pickled string."""
    return pickled(member_id) in path.read_bytes()
