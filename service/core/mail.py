"""Sending e-mail: through SMTP when a host is configured, else into a folder of .eml files.

The folder is for the demo and development (``make run``): every message is written as
one file readable only by its owner (mode 600), and listed on the terminal with the
first link it carries, so that signing in works without any outside service.

A refusal is a :class:`MailError` that names the reason (the server's answer for a
refused recipient), so that an invitation run can report it per member.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from service.core.config import Settings

log = logging.getLogger(__name__)

_LINK = re.compile(r"https?://\S+")


class MailError(RuntimeError):
    """A message was not accepted; ``str()`` says why (safe to show to an admin)."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, mail: Mail) -> None: ...

    def batch(self) -> AbstractContextManager[Any]: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage(policy=default_policy)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    return message


class SmtpMailer:
    """SMTP with STARTTLS (or implicit TLS on port 465) and optional login."""

    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.sender = settings.smtp_from
        self.starttls = settings.smtp_starttls
        self.timeout = settings.smtp_timeout
        self._open: smtplib.SMTP | None = None
        self._broken: MailError | None = None
        self._batch = False

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.port == 465:
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    client.starttls()
            if self.user:
                client.login(self.user, self.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"the mail server {self.host}:{self.port} could not be used: {exc}") from exc
        return client

    @contextmanager
    def batch(self) -> Iterator[SmtpMailer]:
        """One connection for many messages (an invitation run), opened at the first one.

        When the server cannot be reached, every message of the batch fails at once with
        that reason instead of each waiting out its own timeout.
        """
        self._batch = True
        try:
            yield self
        finally:
            client, self._open, self._broken, self._batch = self._open, None, None, False
            if client is not None:
                with suppress(OSError, smtplib.SMTPException):
                    client.quit()

    def send(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        if not self._batch:
            client = self._connect()
            try:
                self._send(client, message)
            finally:
                with suppress(OSError, smtplib.SMTPException):
                    client.quit()
            return
        if self._broken is not None:
            raise self._broken
        for attempt in (1, 2):
            if self._open is None:
                try:
                    self._open = self._connect()
                except MailError as exc:
                    self._broken = exc
                    raise
            try:
                self._send(self._open, message)
                return
            except smtplib.SMTPServerDisconnected as exc:
                self._open = None  # the server hung up between messages: once more
                if attempt == 2:
                    raise MailError(f"the mail server closed the connection: {exc}") from exc

    @staticmethod
    def _send(client: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            raise MailError(f"refused by the mail server: {code} {_text(answer)}") from exc
        except smtplib.SMTPSenderRefused as exc:
            raise MailError(f"the sender was refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPDataError as exc:
            raise MailError(f"the message was refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPServerDisconnected:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"sending failed: {exc}") from exc
        if refused:
            code, answer = next(iter(refused.values()))
            raise MailError(f"refused by the mail server: {code} {_text(answer)}")


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


class FolderMailer:
    """Writes each message to ``<folder>/<time>-<id>.eml`` (mode 600) instead of sending it."""

    def __init__(self, folder: str | Path, sender: str, *, echo: bool = False) -> None:
        self.folder = Path(folder).resolve()
        self.sender = sender
        self.echo = echo

    @contextmanager
    def batch(self) -> Iterator[FolderMailer]:
        yield self

    def send(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self.folder / f"{stamp}-{os.urandom(4).hex()}.eml"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(message.as_bytes())
        except OSError as exc:
            raise MailError(f"the mail folder {self.folder} could not be written: {exc}") from exc
        if self.echo:
            link = _LINK.search(mail.text)
            print(
                f"mail to {mail.to}: {mail.subject!r} in {path}"
                + (f"\n  link: {link.group(0)}" if link else ""),
                file=sys.stderr,
                flush=True,
            )

    def messages(self) -> list[dict[str, str]]:
        """The folder's messages, newest first: name, to, subject, date."""
        from email import message_from_bytes

        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.eml"), reverse=True):
            parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
            out.append(
                {
                    "name": path.name,
                    "to": str(parsed["To"] or ""),
                    "subject": str(parsed["Subject"] or ""),
                    "date": str(parsed["Date"] or ""),
                }
            )
        return out

    def read(self, name: str) -> dict[str, str] | None:
        """One message by its file name (no path: anything else is None)."""
        from email import message_from_bytes

        if not re.fullmatch(r"[0-9T]+-[0-9a-f]{8}\.eml", name):
            return None
        path = self.folder / name
        if not path.is_file():
            return None
        parsed = message_from_bytes(path.read_bytes(), policy=default_policy)
        body = parsed.get_body(preferencelist=("plain",))
        return {
            "name": name,
            "to": str(parsed["To"] or ""),
            "subject": str(parsed["Subject"] or ""),
            "date": str(parsed["Date"] or ""),
            "text": body.get_content() if body else "",
        }


def mailer_from_settings(settings: Settings) -> SmtpMailer | FolderMailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FolderMailer(settings.mail_dir, settings.smtp_from, echo=settings.mail_echo)
