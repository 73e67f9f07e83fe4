"""Which committed events are live updates for dashboards, and what each is about."""

from __future__ import annotations

from typing import Any

from domain.shared.live import LiveEvent

# event kind -> (dashboard kind, the subject's Node type, the payload field with its id)
LIVE_KINDS: dict[str, tuple[str, str, str]] = {
    "AppointmentBooked": ("SESSION_BOOKED", "Session", "appointment_id"),
    "AppointmentRescheduled": ("SESSION_MOVED", "Session", "appointment_id"),
    "AppointmentCancelled": ("SESSION_CANCELLED", "Session", "appointment_id"),
    "AppointmentAutoCancelled": ("SESSION_AUTO_CANCELLED", "Session", "appointment_id"),
    "AppointmentCharged": ("SESSION_CHARGED", "Session", "appointment_id"),
    "PaymentFailed": ("SESSION_PAYMENT_FAILED", "Session", "appointment_id"),
    "IntakeFormCompleted": ("FORM_COMPLETED", "IntakeForm", "form_id"),
    "InvoicePaid": ("INVOICE_PAID", "Invoice", "invoice_id"),
}


def live_event(row: Any) -> LiveEvent | None:
    """The live update an outbox row stands for, if it is one."""
    known = LIVE_KINDS.get(row.kind)
    if known is None:
        return None
    kind, subject_type, id_field = known
    payload = row.payload or {}
    return LiveEvent(
        id=str(row.id), kind=kind, practice_id=str(payload.get("practice_id")),
        subject_type=subject_type, subject_id=str(payload.get(id_field)),
        occurred_at=row.created_at.isoformat(),
    )
