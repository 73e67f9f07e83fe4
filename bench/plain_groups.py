"""Plain Starlette twins of the group-session benchmarks: transferSession from the practice's
side (PAY_LATER: one unit of work, as the resolver does when no money moves) and a client's
invoices page. Each does the same work as the GraphQL resolver (the same checks, locks and
rows; the rules through the same pure domain functions) with SQLAlchemy Core, and answers the
same JSON (see bench/plain.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from bench.plain import answer, runtime_of, signed_in, unauthenticated
from bench.plain import variables_of as read_variables
from domain.billing.billing import Checkout, InvoiceLine, invoice_totals, parse_discount
from domain.billing.invoices import Invoice
from domain.groups.group_sessions import (
    GroupSession,
    GroupSubscription,
    YearMonth,
    check_room,
    check_transfer,
    first_month_lines,
    transfer,
)
from domain.shared.errors import DomainError, ErrorCode, Problems, not_found
from persistence import tables
from resolvers.shared.auth import Viewer
from schema.shared.ids import decode_id, to_global_id

S, G, INV, C = (tables.group_subscriptions, tables.group_sessions, tables.invoices,
              tables.clients)
NO_SUCH_ID = uuid.UUID(int=0)


def instant(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": str(amount), "currency": currency}


def _line(line: InvoiceLine) -> dict[str, Any]:
    return {"description": line.description, "quantity": line.quantity,
            "unitPrice": _money(line.unit_price.amount, line.unit_price.currency),
            "amount": _money(line.amount.amount, line.amount.currency)}


def _user_errors(error: DomainError) -> list[dict[str, Any]]:
    return [{"field": ["input", *p.field] if p.field is not None else None,
             "code": p.code.name, "message": p.message} for p in error.problems]


# ---------------------------------------------------------------- transferSession


def _subscription(row: Any) -> GroupSubscription:
    return GroupSubscription(row.id, row.practice_id, row.group_session_id, row.client_id,
                               row.payer_id, row.status, row.start_date, row.end_date,
                               row.created_at, row.transferred_from_id, row.transferred_to_id)


def _group_session(row: Any) -> GroupSession:
    return GroupSession(row.id, row.practice_id, row.service_id, row.practitioner_id, row.name,
                        row.weekday, row.start_time, row.duration_minutes, row.capacity,
                        row.monthly_price, row.currency, row.starts_on, row.ends_on,
                        row.created_at)


class _Request:
    def __init__(self, values: dict[str, Any]) -> None:
        self.subscription_id = decode_id(str(values["subscriptionId"]),
                                         "SessionSubscription") or NO_SUCH_ID
        self.to_group_session_id = decode_id(str(values["toSessionId"]),
                "GroupSession") or NO_SUCH_ID
        self.transfer_date = date.fromisoformat(values["transferDate"])
        self.first_date = date.fromisoformat(values["firstDate"])
        discount = values.get("discount")
        self.discount = None if discount is None else (
            None if discount.get("percent") is None else Decimal(discount["percent"]),
            None if discount.get("amount") is None else Decimal(discount["amount"]),
            discount.get("reason"))
        self.checkout = Checkout[values["checkout"]]


async def _check(tx: AsyncSession, who: Viewer, req: _Request, *, lock: bool) -> Any:
    """The resolver's checks; answers the current subscription, both sessions, the target's
    enrolled spans, the lines and the discount."""
    query = select(S).where(S.c.id == req.subscription_id)
    row = (await tx.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None or row.practice_id != who.practice_id:
        raise not_found("Subscription", ["subscriptionId"])
    current = _subscription(row)
    here = _group_session((await tx.execute(
        select(G).where(G.c.id == current.group_session_id))).one())
    query = select(G).where(G.c.id == req.to_group_session_id)
    target_row = (await tx.execute(query.with_for_update() if lock else query)
                  ).one_or_none()
    if target_row is None or target_row.practice_id != who.practice_id:
        raise not_found("Session", ["toSessionId"])
    target = _group_session(target_row)
    problems = Problems()
    discount = problems.check(parse_discount, *req.discount, target.currency) if (
        req.discount) else None
    problems.check(check_transfer, current, here, target, req.transfer_date, req.first_date)
    problems.raise_if_any()
    spans = [_subscription(r) for r in await tx.execute(
        select(S).where(S.c.group_session_id == target.id,
                        or_(S.c.end_date.is_(None), S.c.end_date > req.first_date)))]
    check_room(target.capacity, spans, req.first_date, ("toSessionId",))
    lines = first_month_lines(target, req.first_date)
    invoice_totals(lines, discount, target.currency)
    return current, here, target, spans, lines, discount


async def _next_sequence(tx: AsyncSession, practice_id: uuid.UUID) -> int:
    t = tables.invoice_counters
    bump = (update(t).where(t.c.practice_id == practice_id)
            .values(last_number=t.c.last_number + 1).returning(t.c.last_number))
    taken = (await tx.execute(bump)).scalar_one_or_none()
    if taken is None:
        dialect = tx.get_bind().dialect.name
        insert_into = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await tx.execute(insert_into(t).values(practice_id=practice_id, last_number=0)
                              .on_conflict_do_nothing(index_elements=[t.c.practice_id]))
        taken = (await tx.execute(bump)).scalar_one()
    return int(taken)


def _row(table: Any, entity: object) -> dict[str, Any]:
    return {c.name: getattr(entity, c.name) for c in table.columns if hasattr(entity, c.name)}


async def transfer_group_session(request: Request) -> Response:
    """group_operations.TRANSFER_DOCUMENT: move a subscription, PAY_LATER with a discount."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    values = (await read_variables(request))["input"]
    runtime = runtime_of(request)
    now = runtime.services.clock()
    try:
        if not who.is_staff:
            raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only the practice's staff may do this.")
        req = _Request(values)
        if req.checkout is Checkout.PAY_NOW:
            raise NotImplementedError("the benchmark transfers with PAY_LATER")
        async with runtime.db.new_write_tx() as tx, tx.begin():
            current, here, target, spans, lines, discount = await _check(
                tx, who, req, lock=True)
            new = transfer(current, here, target, transfer_date=req.transfer_date,
                           first_date=req.first_date, target_enrolled=spans, now=now)
            month = YearMonth.of(req.first_date)
            invoice = Invoice.issue(
                practice_id=new.practice_id, payer_id=new.payer_id,
                sequence=await _next_sequence(tx, new.practice_id), lines=lines,
                discount=discount, currency=target.currency, now=now,
                subscription_id=new.id, period=month.first_day)
            invoice.checkout(req.checkout, now)
            await tx.execute(insert(S).values(
                **_row(S, new), next_bill_month=month.next().first_day))
            await tx.execute(update(S).where(S.c.id == current.id).values(
                status=current.status, end_date=current.end_date,
                transferred_to_id=current.transferred_to_id))
            await tx.execute(insert(INV).values(**_row(INV, invoice)))
    except DomainError as error:
        return answer({"data": {"transferSession": {
            "endedSubscription": None, "subscription": None, "invoice": None,
            "userErrors": _user_errors(error)}}})
    return answer({"data": {"transferSession": {
        "endedSubscription": {
            "id": to_global_id("SessionSubscription", current.id),
            "status": current.status.value, "startDate": current.start_date.isoformat(),
            "endDate": current.end_date.isoformat() if current.end_date else None,
            "transferredTo": {"id": to_global_id("SessionSubscription", new.id)}},
        "subscription": {
            "id": to_global_id("SessionSubscription", new.id), "status": new.status.value,
            "startDate": new.start_date.isoformat(), "endDate": None,
            "session": {"id": to_global_id("GroupSession", target.id), "name": target.name},
            "transferredFrom": {"id": to_global_id("SessionSubscription", current.id)}},
        "invoice": {
            "id": to_global_id("Invoice", invoice.id), "number": invoice.number,
            "status": invoice.status.value, "lines": [_line(line) for line in invoice.lines],
            "subtotal": _money(invoice.subtotal, invoice.currency),
            "discount": _money(invoice.discount, invoice.currency),
            "total": _money(invoice.total, invoice.currency)},
        "userErrors": []}}})


# ---------------------------------------------------------------- a client's invoices


async def client_invoices(request: Request) -> Response:
    """group_operations.INVOICES_DOCUMENT: the invoices a client pays, newest first."""
    who = signed_in(request)
    if who is None:
        return unauthenticated()
    client_id = decode_id(str((await read_variables(request))["id"]), "Client")
    async with runtime_of(request).db.reading() as tx:
        client = (await tx.execute(
            select(C.c.id, C.c.practice_id, C.c.first_name, C.c.last_name, C.c.email)
            .where(C.c.id == client_id))).one_or_none() if client_id else None
        visible = client is not None and client.practice_id == who.practice_id and (
            who.is_staff or who.client_id == client.id)
        rows = [] if not visible else list(await tx.execute(
            select(INV.c.id, INV.c.number, INV.c.status, INV.c.issued_at, INV.c.paid_at,
                   INV.c.subtotal, INV.c.discount, INV.c.total, INV.c.currency, INV.c.lines)
            .where(INV.c.payer_id == client_id)
            .order_by(INV.c.issued_at.desc(), INV.c.sequence.desc())))
    if not visible:
        return answer({"data": {"node": None}})
    assert client is not None
    recipients = [client.email] if client.email else []
    return answer({"data": {"node": {
        "id": to_global_id("Client", client.id), "firstName": client.first_name,
        "lastName": client.last_name,
        "invoices": [{
            "id": to_global_id("Invoice", row.id), "number": row.number,
            "status": row.status.value, "issuedAt": instant(row.issued_at),
            "paidAt": instant(row.paid_at),
            "subtotal": _money(row.subtotal, row.currency),
            "discount": _money(row.discount, row.currency),
            "total": _money(row.total, row.currency),
            "lines": [_line(line) for line in row.lines],
            "suggestedRecipients": recipients,
        } for row in rows],
    }}})
