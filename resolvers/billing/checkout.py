"""Running an operation that issues an invoice and checks it out (enrolment, transfer,
package purchase): PAY_NOW charges before anything is written; see
resolvers/billing/invoice_money.py for why, and for what happens to a charge whose operation
is then refused."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError

from domain.billing.billing import Checkout, needs_charge
from domain.shared.errors import DomainError, ErrorCode
from domain.shared.money import Money
from persistence.uow import UnitOfWork
from resolvers.billing.invoice_money import InvoiceMoney, Taken, upfront_charge
from resolvers.shared.context import RequestContext
from resolvers.shared.idempotency import Idempotency


class Draft(Protocol):
    """A checked request: who pays its invoice, and how much."""

    @property
    def payer_id(self) -> uuid.UUID: ...

    @property
    def total(self) -> Money: ...


D = TypeVar("D", bound=Draft)
R = TypeVar("R")


class Operation(Protocol[D, R]):
    """The operation's own steps. `check` loads and checks everything (under its row locks
    when `lock`) and answers the draft and the object it acts on; `write` records the result
    inside the same unit of work; `answer` rebuilds an earlier call's result from its id."""

    async def check(self, uow: UnitOfWork, *, lock: bool) -> tuple[D, Any]: ...

    async def write(self, uow: UnitOfWork, draft: D, subject: Any,
                    taken: Taken | None) -> R: ...

    async def answer(self, uow: UnitOfWork, result_id: uuid.UUID) -> R: ...

    def result_id(self, result: R) -> uuid.UUID: ...


async def run_checked_out(
    ctx: RequestContext, practice_id: uuid.UUID, idempotency: Idempotency, checkout: Checkout,
    operation: Operation[D, R],
) -> R:
    """PAY_NOW: check (read-only), charge what is owed, then check again and write. The
    other checkouts move no money: they check and write in one unit of work."""
    charge = None
    if checkout is Checkout.PAY_NOW:
        async with ctx.reading() as uow:
            earlier = await idempotency.earlier_result(uow)
            if earlier is not None:
                return await operation.answer(uow, earlier)
            draft, _ = await operation.check(uow, lock=False)
            if needs_charge(checkout, draft.total):
                charge = await upfront_charge(uow, draft.payer_id, draft.total,
                                              charge_key(idempotency))
    money = InvoiceMoney(ctx.db, ctx.now, ctx.payments, ctx.services.after_commit,
                          ctx.read_scope, ctx.loaders.prime_committed)
    taken = None
    if charge is not None:
        taken = await money.take(charge, practice_id, charge.method.client_id)
    give_back: Callable[[], Awaitable[None]] = (
        (lambda: money.give_back(taken)) if taken is not None else _nothing)
    try:
        async with ctx.unit_of_work() as uow:
            earlier = await idempotency.earlier_result(uow)
            if earlier is None:
                again, subject = await operation.check(uow, lock=True)
                _same_charge(checkout, again, taken)
                result = await operation.write(uow, again, subject, taken)
                await idempotency.remember(uow, operation.result_id(result))
                await uow.commit()
                return result
            answer = await operation.answer(uow, earlier)
        # A twin with the same idempotencyKey committed between the two passes. It charged
        # under the same key, so this is its charge (give_back sees that and keeps it).
        await give_back()
        return answer
    except DomainError:
        await give_back()
        raise
    except IntegrityError:
        # A concurrent twin with the same idempotencyKey committed first: answer its result.
        async with ctx.reading() as uow:
            earlier = await idempotency.earlier_result(uow)
            if earlier is not None:
                return await operation.answer(uow, earlier)
        await give_back()
        raise


async def _nothing() -> None:
    return None


def _same_charge(checkout: Checkout, draft: Draft, taken: Taken | None) -> None:
    """What was charged before the write must still be exactly what the invoice asks."""
    charged = taken.amount if taken else Money.zero(draft.total.currency)
    if needs_charge(checkout, draft.total) and (
            draft.total != charged or taken is None or draft.payer_id != taken.payer_id):
        raise DomainError.one(ErrorCode.INVALID_STATE,
                              "The invoice changed while it was being paid; "
                              "nothing was kept. Try again.")


def charge_key(idempotency: Idempotency) -> str:
    if idempotency.key is None:
        return f"{idempotency.operation}:{uuid.uuid4()}"
    return (f"{idempotency.operation}:{idempotency.account_id}:{idempotency.key}:"
            f"{idempotency.fingerprint[:16]}")
