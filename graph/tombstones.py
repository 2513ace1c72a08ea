"""Tombstones of erased members: proof that a person asked to be erased, naming no one.

``DELETE /members/{id}`` (GDPR Art. 17) leaves ``(:Tombstone {key_hash, email_hash,
erased_at, key_id})``: HMAC-SHA256 of the member's id and of its normalised e-mail under a
secret key, and the date. Without the key a hash cannot be tested against a guess (the
club's member list is small enough to try every id and e-mail of it), and the key is not
in the database, so a copy of the database names no one. With the key, every later load
can tell that a row is about someone erased and skip it (``loaders.pipeline``).

The key is a file beside the local server's password (``<server folder>/tombstone.key``,
mode 600, made when a database is first bound to it), or wherever ``ALUMNI_GRAPH_TOMBSTONE_KEY`` says (for a
server named by ``NEO4J_URI``; every process that loads or erases must use the same
file). Beside it, ``tombstones.journal`` keeps every tombstone (hashes and dates only,
one JSON object a line, mode 600) outside the database, so that restoring an older
backup cannot bring an erased member back: ``Store.reapply_tombstones`` puts the
journal's tombstones back and erases the members they match.

A key and its journal belong to one database: the database records the key's
:attr:`TombstoneKey.key_id` it was bound to (``Store.check_journal``), and a process whose
key is another one stops (:class:`JournalBindingError`) before it applies its journal,
instead of erasing another club's members who happen to have the same ids. The key's id
names the pair: the journal's hashes mean something only under its key, and every host
of a deployment holds the same key file already.

E-mail addresses are compared after :func:`normalise_email`: Unicode NFC, surrounding
white space trimmed, case folded. Nothing else (dots and ``+tags`` mean different
mailboxes at some providers); ids are compared exactly, as loaded.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from graph.config import ConnectionSettings
from graph.files import file_lock

KEY_FILE = "tombstone.key"
JOURNAL_FILE = "tombstones.journal"

#: What a load says of a row about an erased member (``file:line: `` goes before it).
ERASED_MESSAGE = "erased on {date} (GDPR Art. 17), skipped"


class TombstoneKeyError(RuntimeError):
    """The key is missing or is not the one the tombstones were made with."""


class JournalBindingError(TombstoneKeyError):
    """The database is bound to another key and journal than this process's: applying
    this journal would erase another deployment's members. Nothing was erased."""


def normalise_email(email: str) -> str:
    """The form an e-mail address is hashed in: NFC, trimmed, case folded.

    >>> normalise_email("  Ana.Novak@Example.SI ")
    'ana.novak@example.si'
    """
    return unicodedata.normalize("NFC", email.strip().casefold())


@dataclass(frozen=True)
class Tombstone:
    """One erased member: keyed hashes of its id and e-mail (None: it had none), and the day."""

    key_hash: str
    email_hash: str | None
    erased_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


class TombstoneKey:
    """The secret that turns ids and e-mail addresses into tombstone hashes."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        #: Names the key (not the person): tombstones made with another key are refused.
        self.key_id = self._mac(b"key-id", b"")[:16]

    def _mac(self, kind: bytes, value: bytes) -> str:
        # the kind keeps an id that happens to look like an e-mail from matching one
        return hmac.digest(self._secret, kind + b"\x00" + value, "sha256").hex()

    def id_hash(self, member_id: str) -> str:
        return self._mac(b"member-id", member_id.encode("utf-8"))

    def email_hash(self, email: str | None) -> str | None:
        if not email or not email.strip():
            return None
        return self._mac(b"email", normalise_email(email).encode("utf-8"))

    def matching(self, member_ids: Iterable[str], hashes: set[str]) -> list[str]:
        """The ids among ``member_ids`` whose :meth:`id_hash` is in ``hashes`` (one HMAC an
        id: some 0.5 s for 320,000)."""
        return [m for m in member_ids if self.id_hash(m) in hashes]

    def tombstone(self, member_id: str, email: str | None, erased_at: str) -> Tombstone:
        return Tombstone(self.id_hash(member_id), self.email_hash(email), erased_at)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a new file renamed over it), mode 600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class TombstoneFiles:
    """Where the key and the journal are."""

    key_path: Path

    @property
    def journal_path(self) -> Path:
        return self.key_path.with_name(JOURNAL_FILE)

    @property
    def _lock_path(self) -> Path:
        return self.key_path.with_name(JOURNAL_FILE + ".lock")

    @classmethod
    def for_connection(cls, settings: ConnectionSettings) -> TombstoneFiles:
        """The connection's ``tombstone_key`` (``ALUMNI_GRAPH_TOMBSTONE_KEY``, or for
        ``NEO4J_URI`` the folder ``ALUMNI_GRAPH_NEO4J_DIR`` names, as
        ``service.core.config.Settings.connection`` fills it); else beside the local
        server's password."""
        if settings.tombstone_key is not None:
            return cls(settings.tombstone_key)
        if settings.home is None:
            raise TombstoneKeyError("no place for the tombstone key: set ALUMNI_GRAPH_TOMBSTONE_KEY")
        return cls(settings.home / KEY_FILE)

    # -- the key --------------------------------------------------------------------
    def key(self, *, create: bool = False) -> TombstoneKey | None:
        """The key; None when there is none yet and ``create`` is false."""
        try:
            text = self.key_path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            if not create:
                return None
            return self._create_key()
        try:
            return TombstoneKey(bytes.fromhex(text))
        except ValueError as exc:
            raise TombstoneKeyError(f"{self.key_path} is not a tombstone key") from exc

    def _create_key(self) -> TombstoneKey:
        self.key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret = secrets.token_bytes(32)
        try:
            fd = os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use that one
            key = self.key()
            assert key is not None
            return key
        with os.fdopen(fd, "w", encoding="ascii") as stream:
            stream.write(secret.hex() + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        return TombstoneKey(secret)

    # -- the journal ----------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer of the journal at a time, across processes."""
        with file_lock(self._lock_path):
            yield

    def journal(self) -> list[Tombstone]:
        """The journal's tombstones, one per id hash (the last line of each wins)."""
        try:
            text = self.journal_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        found: dict[str, Tombstone] = {}
        for line in text.splitlines():
            try:
                data = json.loads(line)
                tombstone = Tombstone(str(data["key_hash"]), data.get("email_hash"), str(data["erased_at"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: the others still count
            found[tombstone.key_hash] = tombstone
        return list(found.values())

    def append(self, tombstones: Iterable[Tombstone]) -> None:
        """Add tombstones at the end of the journal, on disk before this returns."""
        lines = "".join(t.to_json() + "\n" for t in tombstones)
        if not lines:
            return
        with self._locked():
            fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as stream:
                stream.write(lines)
                stream.flush()
                os.fsync(stream.fileno())

    def remove(self, key_hash: str) -> bool:
        """Drop the tombstone of ``key_hash`` from the journal (rewritten atomically)."""
        with self._locked():
            entries = self.journal()
            kept = [t for t in entries if t.key_hash != key_hash]
            if len(kept) == len(entries):
                return False
            _write_private(self.journal_path, "".join(t.to_json() + "\n" for t in kept))
        return True

    def clear(self) -> None:
        """Empty the journal (only with every tombstone of the database, see ``Store.wipe``)."""
        with self._locked():
            if self.journal_path.exists():
                _write_private(self.journal_path, "")


@dataclass
class TombstoneIndex:
    """The tombstones a load checks rows against: hash → the day the member was erased.

    Built once per load (``Store.tombstone_index``); each check is one HMAC and a dict
    lookup. Empty (false) when nobody was erased, and then the loads skip the checks.
    """

    key: TombstoneKey | None = None
    by_id: dict[str, str] = field(default_factory=dict)
    by_email: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_id)

    def add(self, tombstone: Tombstone) -> None:
        day = tombstone.erased_at[:10]
        self.by_id[tombstone.key_hash] = day
        if tombstone.email_hash:
            self.by_email[tombstone.email_hash] = day

    def erased_id(self, member_id: str) -> str | None:
        """The day the member with this id was erased, or None."""
        if not self.by_id or self.key is None:
            return None
        return self.by_id.get(self.key.id_hash(member_id))

    def erased_email(self, email: str | None) -> str | None:
        """The day the member with this e-mail address was erased, or None."""
        if not email or not self.by_email or self.key is None:
            return None
        digest = self.key.email_hash(email)
        return self.by_email.get(digest) if digest else None
