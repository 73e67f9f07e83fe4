"""Money that follows a change to a session: the refund a cancellation owes, and the fee a late
cancellation keeps.

The payment gateway is an outside service that commits on its own, so it is never called
inside a unit of work. Each flow has three steps:

1. the change's own unit of work records what is owed, in the same transaction as the change
   (`charge.refund_requested_at`; or a LATE_CANCELLED session that still needs payment);
2. after that commit, the gateway is called with an idempotency key derived from what is owed;
3. a second unit of work records the gateway's answer (REFUNDED; or a Charge row).

A crash between 1 and 3 leaves the record of what is owed, and the sweep finishes the job with
the same key (refunds: jobs/sweep/refunds.py; late fees: jobs/sweep/charges.py, which charges
LATE_CANCELLED sessions still unpaid), so money moves at most once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from domain.appointments.appointments import Charge, ChargeStatus, appointment_charge_key
from resolvers.shared.payments import PaymentContext

logger = logging.getLogger("caseload.payments")


def refund_key(charge_id: uuid.UUID) -> str:
    return f"refund:{charge_id}"


def request_refund(charge: Charge | None, now: datetime, amount: Decimal | None = None) -> bool:
    """Step 1, inside the cancellation's unit of work: a successful charge, not refunded or
    requested yet, is owed back, all of it or `amount` of it. True when this call asked."""
    if charge is None or charge.status is not ChargeStatus.SUCCEEDED:
        return False
    if charge.refund_requested_at is not None:
        return False
    charge.refund_requested_at = now
    charge.refund_amount = amount
    return True


@dataclass(frozen=True)
class AppointmentMoney(PaymentContext):
    """Steps 2 and 3 of a session's refund or late fee, after the change has committed."""

    async def refund(self, charge_id: uuid.UUID) -> bool:
        """Steps 2 and 3 of a refund already requested. True when this call finished it."""
        async with self.reading() as uow:
            charge = await uow.charges.get(charge_id)
        if charge is None or charge.refund_requested_at is None or charge.refunded_at:
            return False
        await self.gateway.refund(charge.gateway_reference, refund_key(charge.id),
                                  charge.refund_amount)
        async with self.writing() as uow:
            charge = await uow.charges.get(charge_id, for_update=True)
            if charge is None or charge.refunded_at is not None:
                return False  # a concurrent sweep recorded it first
            if charge.refund_amount is None:  # a part given back leaves the charge SUCCEEDED
                charge.status = ChargeStatus.REFUNDED
            charge.refunded_at = uow.now
            await uow.commit()
        return True

    async def refund_quietly(self, charge_ids: list[uuid.UUID]) -> None:
        """After a mutation has committed: a gateway failure must not undo or hide the change,
        so it is logged and left to the sweep."""
        for charge_id in charge_ids:
            try:
                await self.refund(charge_id)
            except Exception:
                logger.exception("refund of charge %s failed; the sweep will retry", charge_id)

    async def take_fee(self, appointment_id: uuid.UUID) -> Charge | None:
        """Charge the payer's card for a session that still needs payment, and record the
        answer: a SUCCEEDED charge pays the session; a FAILED one is recorded once, with
        payment_failed_at and a PaymentFailed event (the payer is emailed). Answers the
        charge recorded, or None when nothing was due or there is no card to charge."""
        async with self.reading() as uow:
            appointment = await uow.appointments.get(appointment_id)
            if appointment is None or not appointment.needs_payment:
                return None
            method = await uow.payment_methods.of_client(appointment.payer_id)
        if method is None:
            return None
        key = appointment_charge_key(appointment.id, method.id)
        result = await self.gateway.charge(
            method.gateway_reference, appointment.amount_due, appointment.currency, key
        )
        try:
            return await self._record_fee(appointment_id, key, result.succeeded,
                                          result.reference)
        except IntegrityError:  # a concurrent recorder (the sweep) stored this key first
            async with self.reading() as uow:
                return await uow.charges.by_key(key)

    async def _record_fee(
        self, appointment_id: uuid.UUID, key: str, succeeded: bool, reference: str
    ) -> Charge | None:
        async with self.writing() as uow:
            appointment = await uow.appointments.get(appointment_id, for_update=True)
            if appointment is None:
                return None
            charge = await uow.charges.by_key(key)
            if charge is None:
                charge = Charge(
                    id=uuid.uuid4(), practice_id=appointment.practice_id,
                    appointment_id=appointment.id, payer_id=appointment.payer_id,
                    amount=appointment.amount_due, currency=appointment.currency,
                    status=ChargeStatus.SUCCEEDED if succeeded else ChargeStatus.FAILED,
                    idempotency_key=key, gateway_reference=reference, created_at=uow.now,
                )
                uow.charges.add(charge)
                await uow.flush()
            appointment.settle_late_fee(charge, uow.now)
            await uow.commit()
        return charge

