"""What a request read goes as its answer is sent, without waiting for the garbage collector:
graphql-core's execution context is a reference cycle that keeps the request's context."""

from __future__ import annotations

import asyncio
import gc
import weakref

from sqlalchemy import select

from domain.clients.clients import Client
from persistence.database import Database
from persistence.tables import practices
from resolvers.shared.loaders import Loaders
from tests.platform.test_unit_of_work import NOW, add_flush_drop_commit, db_url
from tests.support.clients import create_client
from tests.support.graphql import GraphQLClient, Staff

__all__ = ["db_url"]

NODES = """
query Three($a: ID!, $b: ID!, $c: ID!) {
  a: node(id: $a) { ... on Client { lastName } }
  b: node(id: $b) { ... on Client { lastName } }
  c: node(id: $c) { ... on Client { lastName } }
}
"""


def _clients_alive() -> int:
    return sum(1 for item in gc.get_objects() if type(item) is Client)


def test_the_clients_a_request_read_are_gone_once_it_is_answered(
    client: GraphQLClient, owner: Staff
) -> None:
    # given three clients, and the collector off (the test server runs in this process)
    ids = [create_client(client, owner, "Pat", last)["id"] for last in ("Able", "Baker", "Cole")]
    gc.collect()
    gc.disable()
    try:
        before = _clients_alive()
        # when they are asked for by id (one batch of the request's loaders) and answered
        response = client.execute(NODES, dict(zip("abc", ids, strict=True)), token=owner.token)
        after = _clients_alive()
    finally:
        gc.enable()
    # then the three were read, and none of their rows outlives the answer
    assert response.errors == []
    assert [found["lastName"] for found in response.body["data"].values()] == [
        "Able", "Baker", "Cole"]
    assert after == before


def test_a_released_request_lets_its_rows_go_with_collection_off(db_url: str) -> None:
    async def scenario() -> tuple[bool, bool, str]:
        db = Database(db_url)
        try:
            await add_flush_drop_commit(db)
            async with db.reading() as tx:
                practice_id = (await tx.execute(select(practices.c.id))).scalar_one()
            gc.disable()
            try:
                # given a request whose loaders read a practice
                loaders = Loaders(db, NOW)
                found = await loaders.practice_by_id.load(practice_id)
                assert found is not None
                row = weakref.ref(found)
                del found
                # (a reference cycle keeps the loaders, as graphql-core's context does)
                cycle: list[object] = [loaders]
                cycle.append(cycle)
                await asyncio.sleep(0)  # the batch's own callbacks run, as in any request
                alive_before = row() is not None
                # when the request is released
                loaders.release()
                alive_after = row() is not None
                # then the row is gone, and the loaders still answer if asked again
                again = await loaders.practice_by_id.load(practice_id)
                assert again is not None
                return alive_before, alive_after, again.name
            finally:
                gc.enable()
        finally:
            await db.dispose()

    assert asyncio.run(scenario()) == (True, False, "Calm Rooms")
