"""addPaymentMethod / removePaymentMethod: a signed-in client's card, through the gateway.

The gateway is an outside service: it is called before the unit of work opens (attach) or
after it commits (detach), never inside it, so a slow provider holds no database lock.
"""

from __future__ import annotations

from domain.accounts.payments import card_on_file, no_card_on_file
from domain.clients.clients import Client
from domain.shared.errors import DomainError, ErrorCode
from resolvers.shared.auth import Viewer
from resolvers.shared.context import RequestContext


def signed_in_client(ctx: RequestContext) -> Viewer:
    viewer = ctx.signed_in()
    if viewer.client_id is None:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "Only a signed-in client may manage their card."
        )
    return viewer


async def add_payment_method(ctx: RequestContext, token: str) -> Client:
    viewer = signed_in_client(ctx)
    card = await ctx.payments.attach_card(token)
    async with ctx.unit_of_work() as uow:
        client = await uow.clients.get(viewer.client_id)  # type: ignore[arg-type]
        assert client is not None
        replaced = await uow.payment_methods.of_client(client.id)
        if replaced is not None:
            await uow.payment_methods.remove(replaced)
            await uow.flush()  # one card per client: the old row goes before the new one
        uow.payment_methods.add(card_on_file(client.practice_id, client.id, card, ctx.now))
        await uow.commit()
    if replaced is not None:
        await ctx.payments.detach_card(replaced.gateway_reference)
    return client


async def remove_payment_method(ctx: RequestContext) -> Client:
    viewer = signed_in_client(ctx)
    async with ctx.unit_of_work() as uow:
        client = await uow.clients.get(viewer.client_id)  # type: ignore[arg-type]
        assert client is not None
        removed = await uow.payment_methods.of_client(client.id)
        if removed is None:
            raise no_card_on_file()
        await uow.payment_methods.remove(removed)
        await uow.commit()
    await ctx.payments.detach_card(removed.gateway_reference)
    return client
