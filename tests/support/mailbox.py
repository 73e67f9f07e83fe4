"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from icalendar import Calendar


@dataclass(frozen=True)
class Received:
    to: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""

    @property
    def calendars(self) -> list[tuple[str, str, Calendar]]:
        """Each text/calendar attachment: its file name, its method= parameter and the
        calendar parsed back with the icalendar library."""
        return calendar_attachments(self.message)


def calendar_attachments(message: EmailMessage) -> list[tuple[str, str, Calendar]]:
    return [(part.get_filename() or "", part.get_param("method") or "",
             Calendar.from_ical(part.get_content()))
            for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


class Mailbox:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._received: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            for rcpt in envelope.rcpt_tos:
                self._received.append(Received(rcpt.lower(), message))  # type: ignore[arg-type]
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self._received if r.to == address.lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> list[Received]:
        """Woken by each arrival, so a test waits no longer than the email takes."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while (left := deadline - time.monotonic()) > 0:
                found = [r for r in self._received if r.to == address.lower()]
                if len(found) >= count:
                    return found
                self._lock.wait(left)
        raise AssertionError(f"expected {count} email(s) to {address}, got {len(self.to(address))}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_smtp() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, mailbox
