"""The email port's adapters: a folder a person can open, and real SMTP."""

from __future__ import annotations

import asyncio
import email
import email.policy
import uuid
from pathlib import Path

from jobs.email.adapters import Attachment, Email, FolderMailer, SmtpMailer, message_id
from jobs.email.templates import render
from tests.support.mailbox import Mailbox, calendar_attachments

WELCOME = {"name": "Ada", "email": "ada@example.com", "practice_name": "Calm & Co",
           "timezone": "Europe/London", "app_url": "http://127.0.0.1:8000"}


SENDER = "Caseload <no-reply@caseload.local>"


def welcome_email(to: str) -> Email:
    rendered = render("welcome", WELCOME)
    return Email(to=to, subject=rendered.subject, text=rendered.text, html=rendered.html,
                 sender=SENDER, message_id=message_id(uuid.uuid4(), "welcome", to, SENDER))


def test_a_message_id_is_the_same_for_one_row_template_and_recipient_and_only_for_them() -> None:
    # given one outbox row, and another
    row, other = uuid.uuid4(), uuid.uuid4()

    # when ids are derived again and again, and for a different template, recipient or row
    first = message_id(row, "session_booked", "ada@example.com", "Clinic <hi@clinic.example>")
    again = message_id(row, "session_booked", "ADA@example.com", "Clinic <hi@clinic.example>")
    others = {message_id(row, "reminder", "ada@example.com", SENDER),
              message_id(row, "session_booked", "bo@example.com", SENDER),
              message_id(other, "session_booked", "ada@example.com", SENDER)}

    # then a repeat is the same id, in the sender's domain, and no other message shares it
    assert first == again
    assert first.startswith(f"<{row.hex}.") and first.endswith("@clinic.example>")
    assert len(others) == 3
    assert message_id(row, "session_booked", "ada@example.com", SENDER) not in others


def test_templates_render_a_text_and_an_escaped_html_part() -> None:
    rendered = render("welcome", WELCOME)
    assert rendered.subject == "Welcome to Caseload, Ada"
    assert "Calm & Co is set up" in rendered.text
    assert "<strong>Calm &amp; Co</strong>" in rendered.html


def test_the_folder_adapter_writes_an_eml_file_a_mail_program_opens(tmp_path: Path) -> None:
    asyncio.run(FolderMailer(tmp_path / "mail").send(welcome_email("ada@example.com")))

    [written] = list((tmp_path / "mail").glob("*.eml"))
    assert "ada@example.com" in written.name
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Welcome to Caseload, Ada"
    assert message["To"] == "ada@example.com"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    assert not list((tmp_path / "mail").glob("*.tmp"))  # only whole files


def test_the_smtp_adapter_delivers_to_a_real_server(
    mailbox_server: tuple[str, Mailbox]
) -> None:
    url, mailbox = mailbox_server
    asyncio.run(SmtpMailer(url).send(welcome_email("smtp-adapter@example.com")))
    [received] = mailbox.wait_for("smtp-adapter@example.com")
    assert received.subject == "Welcome to Caseload, Ada"
    assert "Calm & Co is set up" in received.text


def test_smtp_urls_carry_credentials_tls_and_starttls() -> None:
    plain = SmtpMailer("smtp://mail.example.com")
    assert (plain.hostname, plain.port, plain.use_tls, plain.start_tls) == (
        "mail.example.com", 25, False, False)
    secure = SmtpMailer("smtps://user%40x:p%40ss@mail.example.com")
    assert (secure.port, secure.use_tls, secure.username, secure.password) == (
        465, True, "user@x", "p@ss")
    upgraded = SmtpMailer("smtp://mail.example.com:587?starttls=true")
    assert (upgraded.port, upgraded.start_tls) == (587, True)


INVITE = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\n"
          b"BEGIN:VEVENT\r\nUID:session-1@caseload\r\nSEQUENCE:3\r\n"
          b"DTSTAMP:20270104T090000Z\r\nDTSTART:20270104T100000Z\r\n"
          b"DTEND:20270104T105000Z\r\nSUMMARY:Session with Ada\r\nEND:VEVENT\r\n"
          b"END:VCALENDAR\r\n")


def with_invitation(to: str) -> Email:
    plain = welcome_email(to)
    return Email(to=plain.to, subject=plain.subject, text=plain.text, html=plain.html,
                 sender=plain.sender, message_id=plain.message_id,
                 attachments=(Attachment.calendar("invitation.ics", INVITE, "REQUEST"),))


def test_the_folder_adapter_keeps_an_ics_attachment_beside_the_text_and_html(
    tmp_path: Path
) -> None:
    asyncio.run(FolderMailer(tmp_path / "mail").send(with_invitation("ada@example.com")))
    [written] = list((tmp_path / "mail").glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    [(name, method, calendar)] = calendar_attachments(message)
    assert (name, method) == ("invitation.ics", "REQUEST")
    [event] = calendar.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("session-1@caseload", 3)


def test_the_smtp_adapter_delivers_the_ics_attachment(
    mailbox_server: tuple[str, Mailbox]
) -> None:
    url, mailbox = mailbox_server
    asyncio.run(SmtpMailer(url).send(with_invitation("smtp-ics@example.com")))
    [received] = mailbox.wait_for("smtp-ics@example.com")
    assert "Calm & Co is set up" in received.text
    [(name, method, calendar)] = received.calendars
    assert (name, method) == ("invitation.ics", "REQUEST")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Session with Ada"]
