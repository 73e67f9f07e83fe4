"""The email port and its adapters: a folder of .eml files, or real SMTP."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib


@dataclass(frozen=True)
class Attachment:
    """A file the email carries, e.g. an invitation.ics (text/calendar; method=REQUEST)."""

    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def calendar(cls, filename: str, content: bytes, method: str) -> Attachment:
        """An .ics mail programs offer to add (REQUEST) or remove (CANCEL)."""
        return cls(filename, content, "text", "calendar",
                   (("method", method), ("charset", "utf-8")))


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    sender: str
    message_id: str
    attachments: tuple[Attachment, ...] = ()

    def as_message(self) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        message["Subject"] = self.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = self.message_id
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        for item in self.attachments:
            message.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype,
                                   filename=item.filename, params=dict(item.params))
        return message


def message_id(outbox_id: uuid.UUID, template: str, recipient: str, sender: str) -> str:
    """The same Message-ID every time one outbox row sends one template to one recipient, so
    a repeat after a crash is the same email to every mail system (which may fold it), and
    each message of a row has an id of its own. The sender's domain names the ids we mint."""
    digest = hashlib.sha256(f"{template}\0{recipient.lower()}".encode()).hexdigest()[:16]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "caseload.local"
    return f"<{outbox_id.hex}.{digest}@{domain}>"


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...


class FolderMailer:
    """Each email becomes an .eml file a person can open in any mail program."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, email: Email) -> None:
        await asyncio.to_thread(self._write, email)

    def _write(self, email: Email) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        safe_to = re.sub(r"[^A-Za-z0-9@._-]", "_", email.to)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        digest = hashlib.sha256(email.message_id.encode()).hexdigest()[:8]
        path = self.folder / f"{stamp}-{safe_to}-{digest}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(bytes(email.as_message()))
        temporary.replace(path)  # whole files only, even if we crash mid-write


class SmtpMailer:
    """smtp://user:pass@host:port, smtps:// for TLS, ?starttls=true to upgrade."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        options = parse_qs(parts.query)
        self.hostname = parts.hostname or "localhost"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.start_tls = options.get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
        self.timeout = timeout

    async def send(self, email: Email) -> None:
        await aiosmtplib.send(
            email.as_message(),
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )
