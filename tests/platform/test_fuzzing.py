"""No request the schema allows can crash, stall or half-change anything: documents generated
from the served schema for every root field, sent as an owner, a signed-in client and a
publishable key, and hand-written hostile values beside them. Each answer must be no 5xx,
no INTERNAL_SERVER_ERROR, within the time budget, and a request answered with errors must
leave the practice's rows exactly as they were.

The seed is printed (and named in any failure); CASELOAD_FUZZ_SEED=<seed> replays a run,
CASELOAD_FUZZ=long runs many more examples (README, Tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis_graphql import from_schema

from caseload.settings import Settings
from schema.build import create_schema
from schema.widgets.fields import WIDGET_ROOT_FIELDS
from tests.support.appointments import booked, next_monday
from tests.support.clients import create_relationship
from tests.support.clock import TestClock
from tests.support.fuzzing import (
    EXAMPLES_PER_FIELD,
    SEED,
    Caller,
    Checker,
    Fingerprints,
    scalar_strategies,
)
from tests.support.graphql import GraphQLClient, Staff, add_practitioner
from tests.support.group_sessions import enrolled, payer, studio
from tests.support.mailbox import Mailbox
from tests.support.packages import sold
from tests.support.server import RunningServer, start_server
from tests.support.widgets import ORIGIN, create_key

SCHEMA = create_schema()
QUERY_FIELDS = tuple(sorted(SCHEMA._schema.query_type.fields))  # type: ignore[union-attr]
MUTATION_FIELDS = tuple(sorted(SCHEMA._schema.mutation_type.fields))  # type: ignore[union-attr]
ROOT_FIELDS = QUERY_FIELDS + MUTATION_FIELDS


@dataclass
class World:
    owner: Staff
    callers: dict[str, Caller]
    ids: list[str]
    checker: Checker
    fuzz_server: RunningServer


@pytest.fixture(scope="module")
def world(
    server: RunningServer, test_env: dict[str, str], mailbox_server: tuple[str, Mailbox]
) -> Iterator[World]:
    """One practice with something of each kind, and a server of its own (same database)
    whose budgets let a fuzzer through."""
    main = GraphQLClient(server.base_url)
    place = studio(main, sessionPrice="80.00")
    owner = place.owner
    practitioner = add_practitioner(main, owner)
    maya = payer(main, owner, mailbox_server[1])
    relationship = create_relationship(main, owner, [maya.client_id])["id"]
    appointment = booked(main, owner.token, relationshipId=relationship,
                         startsAt=next_monday(server.clock()).replace(hour=10))["id"]
    subscription = enrolled(main, owner, clientId=maya.client_id, sessionId=place.tuesday,
                            firstDate="2027-06-01")["subscription"]["id"]
    package = sold(main, owner, maya.client_id)["id"]
    key = create_key(main, owner)
    ids = [owner.practice_id, owner.practitioner_id, practitioner.practitioner_id,
           maya.client_id, relationship, appointment, subscription, package, key.id,
           place.yoga_service, place.pilates_service, place.tuesday, place.thursday]
    env = {**test_env, "RATE_LIMIT_SIGNED_IN": "1000000/60",
           "RATE_LIMIT_PUBLISHABLE_KEY": "1000000/60",
           "REDIS_NAMESPACE": test_env["REDIS_NAMESPACE"] + "-fuzz"}
    fuzz_server = start_server(Settings.from_env(env), TestClock(), jobs=False)
    fingerprints = Fingerprints(test_env["DATABASE_URL"], owner.practice_id)
    checker = Checker(GraphQLClient(fuzz_server.base_url), fingerprints,
                      fuzz_server.runtime.settings.request_timeout_seconds)
    callers = {
        "owner": Caller("owner", owner.token, fields=ROOT_FIELDS),
        "client": Caller("client", maya.token, fields=ROOT_FIELDS),
        "publishable key": Caller("publishable key", headers={
            "X-Caseload-Key": key.text, "Origin": ORIGIN},
            fields=tuple(sorted(WIDGET_ROOT_FIELDS))),
    }
    print(f"\nfuzz seed {SEED}: replay with CASELOAD_FUZZ_SEED={SEED}")
    yield World(owner, callers, ids, checker, fuzz_server)
    print(f"\nfuzz seed {SEED}: {checker.requests} requests, slowest {checker.slowest:.3f} s, "
          f"answers {dict(sorted(checker.outcomes.items(), key=lambda kv: -kv[1]))}")
    fingerprints.close()
    fuzz_server.stop()
    main.http.close()


def _fuzz_field(world: World, caller: Caller, root_field: str) -> None:
    strategy = from_schema(
        SCHEMA._schema, fields=[root_field],
        custom_scalars=scalar_strategies(world.ids, world.fuzz_server.clock()),
    )

    @seed(SEED)
    @settings(max_examples=EXAMPLES_PER_FIELD, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(document=strategy)
    def run(document: str) -> None:
        world.checker.send(caller, root_field, document)

    run()


@pytest.mark.parametrize("caller_name", ["publishable key", "client", "owner"])
def test_generated_documents_never_crash_stall_or_half_change(
    world: World, caller_name: str
) -> None:
    # given a caller and every root field it may reach
    caller = world.callers[caller_name]
    before = len(world.checker.findings)
    # when documents generated from the served schema are sent for each of them
    for root_field in caller.fields:
        _fuzz_field(world, caller, root_field)
    # then none crashed, stalled, or changed anything while answering with errors
    findings = world.checker.findings[before:]
    assert not findings, (
        f"seed {SEED} (CASELOAD_FUZZ_SEED={SEED} replays it): {len(findings)} findings\n\n"
        + "\n\n".join(str(f) for f in findings[:8])
    )
