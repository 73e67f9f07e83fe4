"""createPackage, and which package may pay for a session.

The practice's staff sell a package to one of the practice's clients, its owner, who pays
its invoice: PAY_NOW charges the owner's card or refuses the whole operation, PAY_LATER
leaves the invoice OPEN, CLOSE_NOW closes it unpaid (resolvers/billing/checkout.py). Credits can be
used straight away in every case: the invoice is the practice's to chase.

Who sees a package: the practice's staff, its owner, and the clients its owner lets use
package sessions. Anyone else reads it as not found.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.billing.billing import Checkout
from domain.billing.invoices import Invoice, PaymentStatus
from domain.billing.packages import Package, create_package, may_pay_for, not_for_this_appointment
from domain.clients.links import Permission
from domain.shared.errors import not_found
from domain.shared.money import Money
from persistence.uow import UnitOfWork
from resolvers.billing.checkout import run_checked_out
from resolvers.billing.invoice_money import Taken
from resolvers.clients.links import granted_to
from resolvers.shared.access import visible_client
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext
from resolvers.shared.idempotency import Idempotency


@dataclass(frozen=True)
class PackageRequest:
    client_id: uuid.UUID | None
    name: str
    credits: int
    price: Decimal
    checkout: Checkout
    idempotency_key: str | None


@dataclass(frozen=True)
class PackageSale:
    package: Package
    invoice: Invoice


@dataclass(frozen=True)
class _Draft:
    package: Package

    @property
    def payer_id(self) -> uuid.UUID:
        return self.package.owner_id

    @property
    def total(self) -> Money:
        return Money(self.package.price, self.package.currency)


@dataclass(frozen=True)
class _Selling:
    viewer: Viewer
    request: PackageRequest

    async def check(self, uow: UnitOfWork, *, lock: bool) -> tuple[_Draft, None]:
        owner = await visible_client(uow, self.viewer, self.request.client_id, ["clientId"])
        practice = await uow.practices.get(owner.practice_id)
        assert practice is not None
        package = create_package(
            practice_id=owner.practice_id, owner_id=owner.id, name=self.request.name,
            credits=self.request.credits, price=self.request.price,
            currency=practice.currency, now=uow.now,
        )
        return _Draft(package), None

    async def write(self, uow: UnitOfWork, draft: _Draft, _subject: None,
                    taken: Taken | None) -> PackageSale:
        package = draft.package
        invoice = Invoice.issue(
            practice_id=package.practice_id, payer_id=package.owner_id,
            sequence=await uow.invoices.next_sequence(package.practice_id),
            lines=package.invoice_lines(), discount=None, currency=package.currency,
            now=uow.now,
        )
        invoice.checkout(self.request.checkout, uow.now)
        uow.invoices.add(invoice)
        await uow.flush()  # the invoice row first: the package refers to it
        package.invoice_id = invoice.id
        uow.packages.add(package)
        if taken is not None:
            uow.invoice_payments.add(taken.payment(invoice.id, PaymentStatus.SUCCEEDED, uow.now))
        return PackageSale(package, invoice)

    async def answer(self, uow: UnitOfWork, result_id: uuid.UUID) -> PackageSale:
        package = await uow.packages.get(result_id)
        assert package is not None and package.invoice_id is not None
        invoice = await uow.invoices.get(package.invoice_id)
        assert invoice is not None
        return PackageSale(package, invoice)

    def result_id(self, result: PackageSale) -> uuid.UUID:
        return result.package.id


async def sell_package(ctx: RequestContext, request: PackageRequest) -> PackageSale:
    viewer = ctx.staff()
    values = {k: v for k, v in vars(request).items() if k != "idempotency_key"}
    idempotency = Idempotency.of(viewer.account_id, "createPackage", request.idempotency_key,
                                 values)
    return await run_checked_out(ctx, viewer.practice_id, idempotency, request.checkout,
                                 _Selling(viewer, request))


async def package_paying_for(
    uow: UnitOfWork, viewer: Viewer, package_id: uuid.UUID, attendee_ids: Sequence[uuid.UUID],
) -> Package:
    """Inside the booking's unit of work: the package, locked, when it may pay for a session
    these clients attend. A client who may not see it reads it as not found; a package they
    (or the practice) may see whose owner shares it with none of the attendees is
    NOT_PERMITTED."""
    package = await uow.packages.get(package_id, for_update=True)
    if package is None or package.practice_id != viewer.practice_id:
        raise not_found("Package", ["packageId"])
    sharing_with = await granted_to(uow, package.owner_id, Permission.USE_PACKAGE_CREDITS)
    if not may_pay_for(package.owner_id, attendee_ids, sharing_with):
        if not viewer.is_staff and viewer.client_id != package.owner_id and (
                viewer.client_id not in sharing_with):
            raise not_found("Package", ["packageId"])
        raise not_for_this_appointment()
    return package


def may_see_package(viewer: Viewer | None, package: Package,
                    sharing_with_viewer: set[uuid.UUID]) -> bool:
    """Staff of the practice, the owner, and a client the owner shares package sessions with
    (`sharing_with_viewer`: the owners who let the viewer use their package sessions)."""
    if viewer is None or package.practice_id != viewer.practice_id:
        return False
    return viewer.is_staff or viewer.client_id == package.owner_id or (
        package.owner_id in sharing_with_viewer)


async def draw_for_follow_up(uow: UnitOfWork, paid_by: uuid.UUID | None,
                             attendee_ids: Sequence[uuid.UUID]) -> uuid.UUID | None:
    """Inside an attendance update's unit of work: a follow-up of a session a package paid
    for takes that package's next credit while it has one and may still pay for these
    attendees; answers the package's id, or None when the payer's card is to pay."""
    package = await uow.packages.get(paid_by, for_update=True) if paid_by else None
    if package is None or package.remaining_credits < 1:
        return None
    sharing_with = await granted_to(uow, package.owner_id, Permission.USE_PACKAGE_CREDITS)
    if not may_pay_for(package.owner_id, attendee_ids, sharing_with):
        return None
    package.draw()
    return package.id
