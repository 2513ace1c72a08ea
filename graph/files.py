"""Files and folders only their owner can read: for everything that holds members' data.

Backups, reports, exports, error lists and the local Neo4j's folder hold names, e-mail
addresses and ties. They are created with mode 0600 (files) and 0700 (folders) from the
start, not narrowed afterwards, so there is no moment at which another user of the machine
could open them. A file that already exists is narrowed before it is truncated and written.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700
#: The umask for processes that write members' data (the CLI, the Neo4j server).
PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """``path`` as a folder with mode 0700 (created with its missing parents, which get
    0700 too; an existing folder is narrowed)."""
    path = Path(path)
    missing = []
    walk = path
    while not walk.exists():
        missing.append(walk)
        walk = walk.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by another process
            folder.mkdir(mode=DIR_MODE)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


@contextmanager
def open_private(path: Path, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode, **kwargs)`` for writing, the file created (or narrowed) to 0600
    before anything is written to it."""
    if not any(m in mode for m in "wax"):
        raise ValueError("open_private is for writing; open(path) reads")
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    if "w" in mode:
        flags |= os.O_TRUNC
    elif "a" in mode:
        flags |= os.O_APPEND
    else:
        flags |= os.O_EXCL
    fd = os.open(path, flags & ~os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an existing file keeps its mode through open()
        if flags & os.O_TRUNC:
            os.ftruncate(fd, 0)
        handle = os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def write_private_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """``path.write_text(text)``, the file readable by its owner only."""
    with open_private(path, "w", encoding=encoding) as fh:
        fh.write(text)


@contextmanager
def file_lock(path: Path, *, blocking: bool = True) -> Iterator[int | None]:
    """``flock`` on ``path`` (created 0600, its folder 0700 when missing), one holder at a
    time across processes: yields the descriptor holding it, or None when not
    ``blocking`` and another process holds it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
        yield fd
    finally:
        os.close(fd)  # closing lets go of the lock
