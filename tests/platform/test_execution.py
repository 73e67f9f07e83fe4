"""The short execution path answers exactly what graphql-core's own path answers: the same
data, the same errors at the same paths, and every field still seen by a resolve hook."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import SchemaExtension

from schema.build import create_schema
from schema.shared.execution import PlainLeafExecution, lean_resolvers, plain_leaf

DOCUMENT = """
{
  items {
    name count price status
    label
    greeting
    later
    __typename
  }
}
"""


@strawberry.enum
class Status(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@strawberry.type
class Item:
    name: str
    count: int | None
    price: float
    status: Status

    @strawberry.field
    def label(self) -> str:
        return f"{self.name} ({self.status.value})"

    @strawberry.field
    def greeting(self, info: strawberry.Info) -> str:
        return f"{info.context['greeting']}, {self.name}"

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return 7


ITEMS: list[Any] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS


class SeesEveryField(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        SeesEveryField.seen.append(f"{info.parent_type.name}.{info.field_name}")
        return _next(root, info, *args, **kwargs)


def build(short: bool, extensions: tuple[type[SchemaExtension], ...] = ()) -> strawberry.Schema:
    schema = strawberry.Schema(
        query=Query, extensions=list(extensions),
        execution_context_class=PlainLeafExecution if short else None,
    )
    if short:
        lean_resolvers(schema._schema, schema.config.info_class)
    return schema


def run(schema: strawberry.Schema) -> tuple[Any, list[tuple[str, list[Any]]]]:
    result = asyncio.run(schema.execute(DOCUMENT, context_value={"greeting": "Hello"}))
    errors = sorted((error.message, list(error.path or [])) for error in result.errors or [])
    return result.data, errors


def item(**fields: Any) -> Item:
    return Item(**{"name": "Yoga", "count": 3, "price": 9.5, "status": Status.OPEN, **fields})


def test_plain_leaves_and_direct_resolvers_answer_what_graphql_core_answers() -> None:
    # given well-formed items, a null in a nullable field, and values that do not coerce
    ITEMS[:] = [
        item(),
        item(name="Pilates", count=None, status=Status.CLOSED),
        item(count="many"),  # not an Int: an error at this path, the item's data is kept
        item(name=None),  # a null in a non-null field: the item becomes null
    ]
    # when the same document runs on graphql-core's path and on the short one
    expected = run(build(short=False))
    answered = run(build(short=True))
    # then both answer the same data and the same errors at the same paths
    assert answered == expected
    data, errors = answered
    assert data["items"][0] == {
        "name": "Yoga", "count": 3, "price": 9.5, "status": "OPEN", "label": "Yoga (open)",
        "greeting": "Hello, Yoga", "later": 7, "__typename": "Item",
    }
    assert data["items"][1]["count"] is None
    assert data["items"][2]["count"] is None and data["items"][3] is None
    assert [path for _, path in errors] == [["items", 3, "name"], ["items", 2, "count"]]


def test_a_resolve_hook_still_sees_every_field() -> None:
    # given a schema with an extension that hooks every field's resolution
    ITEMS[:] = [item()]
    SeesEveryField.seen = []
    # when the document runs with the short path in place
    data, errors = run(build(short=True, extensions=(SeesEveryField,)))
    # then the hook saw each field, leaves included, and the answer is whole
    assert errors == []
    assert data["items"][0]["name"] == "Yoga"
    assert sorted(SeesEveryField.seen) == sorted([
        "Query.items", "Item.name", "Item.count", "Item.price", "Item.status", "Item.label",
        "Item.greeting", "Item.later", "Item.__typename",
    ])


def test_the_served_schema_takes_the_short_path() -> None:
    # given the schema the app serves
    served = create_schema()
    # then its resolvers without arguments call straight through, and leaves have plans
    client = served._schema.type_map["Client"]
    assert isinstance(client, GraphQLObjectType)
    assert client.fields["isActive"].resolve.__module__ == "schema.shared.execution"
    assert plain_leaf(client.fields["firstName"]) is not None
    assert plain_leaf(client.fields["relationships"]) is None
    assert served.execution_context_class is PlainLeafExecution
