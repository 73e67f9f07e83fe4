"""Schema-driven fuzzing: value strategies for every scalar (real ids of one practice beside
junk, valid values beside hostile ones), a fingerprint of everything that practice has in
the database, and the checks every answer must pass."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import graphql
import httpx
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from sqlalchemy import Table, func, select

from persistence import tables
from persistence.database import Database
from schema.shared.ids import from_global_id
from tests.support.graphql import GraphQLClient

# CI runs a short profile; CASELOAD_FUZZ=long runs a longer one (README, Tests).
LONG = os.environ.get("CASELOAD_FUZZ", "").strip().lower() == "long"
EXAMPLES_PER_FIELD = int(os.environ.get("CASELOAD_FUZZ_EXAMPLES") or (60 if LONG else 6))
SEED = int(os.environ.get("CASELOAD_FUZZ_SEED") or random.randrange(2**32))

HOSTILE_TEXT = [
    "", " ", "x" * 201, "x" * 321, "y" * 2001, "\u202eevil.exe", "../../etc/passwd",
    "XXX", "'; DROP TABLE clients; --", "<script>alert(1)</script>", "Robin", "GBP",
    "Europe/London", "tok_visa", "tok_chargeDeclined", "https://www.example.com",
    "someone@example.com", "+44 7911 123456", "10:00", "25:99", "\u0000", "🙂" * 50,
]
HOSTILE_DECIMALS = [
    "1e999999999", "1e309", "NaN", "-NaN", "Infinity", "-Infinity", "-0", "-0.00", "0.001",
    "1" * 60, "12.50", "0", "100", "-5", "999999999.9999", "1_000", " 1", "0x10", "",
]
HOSTILE_INSTANTS = [
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00",
    "2026-01-01T00:00:00", "soon", "", "2026-13-45T99:99:99Z", "1899-12-31T23:59:59Z",
    "2200-12-31T23:59:59-05:00",
]
HOSTILE_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "soon", "", "1900-01-01", "2200-12-31"]
HOSTILE_INTS = [0, -1, 1, 50, 60, 100, 101, 2**31 - 1, -(2**31), 10_000]


def _instants(now: datetime) -> st.SearchStrategy[str]:
    soon = st.integers(-24 * 14, 24 * 28).map(
        lambda hours: (now.replace(minute=0, second=0, microsecond=0)
                       + timedelta(hours=hours)).isoformat().replace("+00:00", "Z"))
    anywhere = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    return st.one_of(soon, soon, soon, soon, st.sampled_from(HOSTILE_INSTANTS), anywhere)


def _dates(today: date) -> st.SearchStrategy[str]:
    near = st.integers(-60, 500).map(lambda days: (today + timedelta(days=days)).isoformat())
    return st.one_of(near, near, near, near, st.sampled_from(HOSTILE_DATES),
                     st.dates().map(date.isoformat))


def id_names(schema: graphql.GraphQLSchema, root: graphql.GraphQLField) -> set[str]:
    """The names of every ID argument and input field reachable from a root field."""
    names: set[str] = set()
    seen: set[str] = set()

    def walk(name: str, type_: Any) -> None:
        named = graphql.get_named_type(type_)
        if named.name == "ID":
            names.add(name)
        elif isinstance(named, graphql.GraphQLInputObjectType) and named.name not in seen:
            seen.add(named.name)
            for field_name, input_field in named.fields.items():
                walk(field_name, input_field.type)

    for arg_name, argument in root.args.items():
        walk(arg_name, argument.type)
    return names


def id_pool(names: set[str], ids: list[str]) -> list[str]:
    """The world's ids whose type an argument's name asks for: serviceId takes services,
    forClientId clients, sessionId sessions and group sessions; `id` takes any."""
    def wanted(global_id: str) -> bool:
        decoded = from_global_id(global_id)
        kind = decoded[0].lower() if decoded else ""
        stems = {n.removesuffix("Ids").removesuffix("Id").lower() for n in names}
        return any(kind.endswith(stem) or stem.endswith(kind) for stem in stems)

    return [i for i in ids if wanted(i)] or ids


def scalar_strategies(ids: list[str], now: datetime) -> dict[str, st.SearchStrategy[Any]]:
    """Value nodes per scalar, keyed by name (hypothesis-graphql's custom_scalars); valid
    values three times as often as junk, so documents also reach the domain's rules."""
    junk_ids = st.one_of(st.text(max_size=40), st.sampled_from(["", "Tm9kZToxMjM=", "x" * 500]))
    real = st.sampled_from(ids)
    return {
        "ID": st.one_of(real, real, real, junk_ids).map(nodes.String),
        "String": st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE_TEXT)).map(nodes.String),
        "Int": st.one_of(st.sampled_from(HOSTILE_INTS), st.integers(-1000, 1000),
                         st.integers(1, 100), st.integers(1, 100)).map(nodes.Int),
        "DateTime": _instants(now).map(nodes.String),
        "Date": _dates(now.date()).map(nodes.String),
        "Decimal": st.one_of(
            st.sampled_from(HOSTILE_DECIMALS),
            *[st.decimals(min_value=-10, max_value=10_000, places=2).map(str)] * 3,
        ).map(nodes.String),
        "JSON": st.one_of(
            st.text(max_size=20).map(nodes.String),
            st.dictionaries(st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,8}\Z"),
                            st.text(max_size=20), max_size=4).map(_object),
        ),
    }


def _object(values: dict[str, str]) -> graphql.ObjectValueNode:
    return nodes.Object([
        graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=nodes.String(v))
        for k, v in values.items()])


class Fingerprints:
    """A digest of every row that belongs to one practice (and of the outbox's size), read
    through an engine of the test's own on a loop of its own. Email deliveries are left out:
    the worker records them after the answer, for changes that did commit."""

    def __init__(self, database_url: str, practice_id: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.db = Database(database_url, pool_size=2)
        self.practice_id = practice_id

    def take(self) -> str:
        return self.loop.run_until_complete(self._take())

    async def _take(self) -> str:
        digest = hashlib.sha256()
        async with self.db.reading() as tx:
            for statement in self._statements():
                rows = sorted(repr(tuple(row)) for row in await tx.execute(statement))
                digest.update("\n".join(rows).encode("utf-8", "backslashreplace"))
        return digest.hexdigest()

    def _statements(self) -> list[Any]:
        practice = _uuid(self.practice_id)
        owned = [t for t in tables.metadata.sorted_tables
                 if "practice_id" in t.c and t.name != "email_deliveries"]
        statements: list[Any] = [select(t).where(t.c.practice_id == practice) for t in owned]
        statements.append(select(tables.practices).where(tables.practices.c.id == practice))
        statements += [
            _children(tables.relationship_clients, "relationship_id", tables.relationships,
                      practice),
            _children(tables.appointment_attendees, "appointment_id", tables.appointments,
                      practice),
            _children(tables.publishable_key_origins, "key_id", tables.publishable_keys,
                      practice),
            select(func.count()).select_from(tables.outbox),
        ]
        return statements

    def close(self) -> None:
        self.loop.run_until_complete(self.db.dispose())
        self.loop.close()


def _children(child: Table, column: str, parent: Table, practice: Any) -> Any:
    parents = select(parent.c.id).where(parent.c.practice_id == practice)
    return select(child).where(child.c[column].in_(parents))


def _uuid(global_id: str) -> uuid.UUID:
    decoded = from_global_id(global_id)
    assert decoded is not None, global_id
    return decoded[1]


@dataclass
class Caller:
    name: str
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    fields: tuple[str, ...] = ()


@dataclass
class Finding:
    field: str
    problem: str
    document: str
    answer: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}\n{self.document}\n-> {self.answer[:600]}"


@dataclass
class Checker:
    """Sends each document and records what it must never see: a 5xx, an internal error,
    an answer slower than the budget, or a change by a request that answered with errors."""

    http: GraphQLClient
    fingerprints: Fingerprints
    budget_seconds: float
    findings: list[Finding] = field(default_factory=list)
    requests: int = 0
    slowest: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)
    succeeded: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.state = self.fingerprints.take()

    def summary(self) -> str:
        never = sorted(f for f, n in self.succeeded.items() if n == 0)
        answers = dict(sorted(self.outcomes.items(), key=lambda kv: -kv[1]))
        return (f"{self.requests} requests, slowest {self.slowest:.3f} s; answers {answers}; "
                f"never answered with data: {', '.join(never) or 'none'}")

    def send(self, caller: Caller, root_field: str, document: str,
             variables: dict[str, Any] | None = None, raw: bytes | None = None) -> Any:
        document = with_user_errors(document)
        headers = dict(caller.headers)
        if caller.token:
            headers["Authorization"] = f"Bearer {caller.token}"
        body = raw or json.dumps({"query": document, "variables": variables or {}}).encode()
        started = time.monotonic()
        try:
            response = self.http.http.post(
                "/graphql", content=body, timeout=self.budget_seconds + 5,
                headers={**headers, "Content-Type": "application/json"})
        except httpx.TimeoutException:
            self.findings.append(Finding(root_field, "no answer at all (a stall)", document, ""))
            return None
        elapsed = time.monotonic() - started
        self.requests += 1
        self.slowest = max(self.slowest, elapsed)
        text = response.text
        answer = _json(text)
        problems = _problems(response.status_code, answer, elapsed, self.budget_seconds)
        outcome = _outcome(answer, root_field)
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        self.succeeded[root_field] = self.succeeded.get(root_field, 0) + (outcome == "data")
        if _is_mutation(document):
            after = self.fingerprints.take()
            if after != self.state and _refused(answer, root_field):
                problems.append("changed the database but answered with errors")
            self.state = after
        for problem in problems:
            self.findings.append(Finding(root_field, problem, document, text))
        return answer


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _problems(status: int, answer: Any, elapsed: float, budget: float) -> list[str]:
    problems = []
    if status >= 500:
        problems.append(f"answered HTTP {status}")
    if elapsed > budget:
        problems.append(f"took {elapsed:.2f} s, over the {budget} s budget")
    if not isinstance(answer, dict):
        problems.append("answered something that is not a JSON object")
        return problems
    codes = [(e.get("extensions") or {}).get("code") for e in answer.get("errors") or []]
    if "INTERNAL_SERVER_ERROR" in codes:
        problems.append("answered INTERNAL_SERVER_ERROR")
    return problems


def _outcome(answer: Any, root_field: str) -> str:
    """What kind of answer it was, for the summary: the error code, userErrors, or data."""
    if not isinstance(answer, dict):
        return "not JSON"
    errors = answer.get("errors") or []
    if errors:
        return str((errors[0].get("extensions") or {}).get("code"))
    payload = (answer.get("data") or {}).get(root_field)
    if isinstance(payload, dict) and payload.get("userErrors"):
        return "userErrors " + str(payload["userErrors"][0].get("code"))
    return "data"


def _refused(answer: Any, root_field: str) -> bool:
    if not isinstance(answer, dict):
        return True
    payload = (answer.get("data") or {}).get(root_field)
    if payload is None:
        return bool(answer.get("errors"))
    return bool(isinstance(payload, dict) and payload.get("userErrors"))


_USER_ERRORS = graphql.parse("{ userErrors { field code message } }").definitions[0]


def with_user_errors(document: str) -> str:
    """The document, its mutation's payload also asking for userErrors: a refusal must be
    seen to be checked. A document that asks already is sent as written."""
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return document
    if not _is_mutation(document) or "userErrors" in document:
        return document
    definitions = [
        replace(d, selection_set=_asking_for_errors(d.selection_set))
        if getattr(d, "operation", None) == graphql.OperationType.MUTATION else d
        for d in parsed.definitions
    ]
    return graphql.print_ast(replace(parsed, definitions=tuple(definitions)))


def _asking_for_errors(root: graphql.SelectionSetNode) -> graphql.SelectionSetNode:
    extra = _USER_ERRORS.selection_set.selections  # type: ignore[attr-defined]
    return replace(root, selections=tuple(
        replace(f, selection_set=replace(
            f.selection_set, selections=(*f.selection_set.selections, *extra)))
        if isinstance(f, graphql.FieldNode) and f.selection_set else f
        for f in root.selections
    ))


def _is_mutation(document: str) -> bool:
    try:
        parsed = graphql.parse(document)
    except graphql.GraphQLError:
        return False
    return any(getattr(d, "operation", None) == graphql.OperationType.MUTATION
               for d in parsed.definitions)
