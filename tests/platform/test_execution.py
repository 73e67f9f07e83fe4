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
from schema.shared.execution import PlainLeafExecution, lean_resolvers, plain_leaf, plain_object

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
OBJECTS_DOCUMENT = """
{
  items {
    name
    tag { label weight shout }
    tags { label weight shout }
    maybeTags { label }
  }
}
"""


@strawberry.enum
class Status(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@strawberry.type
class Tag:
    label: str
    weight: int | None

    @strawberry.field
    async def shout(self) -> str:
        await asyncio.sleep(0)
        return self.label.upper()


class LooksLikeATag:
    """Not a Tag, but with its fields: graphql-core's path takes it (Tag has no type check)."""

    def __init__(self, label: str, weight: int | None) -> None:
        self.label = label
        self.weight = weight

    async def shout(self) -> str:
        return self.label.upper()


@strawberry.type
class Item:
    name: str
    count: int | None
    price: float
    status: Status
    tag: Tag | None = None
    tags: list[Tag] = strawberry.field(default_factory=list)
    maybe_tags: list[Tag | None] = strawberry.field(default_factory=list)

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


def run(
    schema: strawberry.Schema, document: str = DOCUMENT
) -> tuple[Any, list[tuple[str, list[Any]]]]:
    result = asyncio.run(schema.execute(document, context_value={"greeting": "Hello"}))
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


def test_objects_and_lists_of_objects_answer_what_graphql_core_answers() -> None:
    # given objects and lists of them: well formed, with a null, an uncoercible value, a
    # null in a non-null field (at the object and inside a list), and a look-alike class
    ITEMS[:] = [
        item(tag=Tag(label="calm", weight=1),
             tags=[Tag(label="a", weight=2), Tag(label="b", weight=None)],
             maybe_tags=[Tag(label="c", weight=3), None]),
        item(tag=None, tags=[]),
        item(tag=Tag(label=None, weight=1)),  # type: ignore[arg-type]
        item(tags=[Tag(label="d", weight="heavy")]),  # type: ignore[arg-type]
        item(tags=[Tag(label="e", weight=4), Tag(label=None, weight=5)]),  # type: ignore[arg-type]
        item(tag=LooksLikeATag("f", 6), tags=[LooksLikeATag("g", 7)]),  # type: ignore[arg-type]
    ]
    # when the same document runs on graphql-core's path and on the short one
    expected = run(build(short=False), OBJECTS_DOCUMENT)
    answered = run(build(short=True), OBJECTS_DOCUMENT)
    # then both answer the same data and the same errors at the same paths
    assert answered == expected
    data, errors = answered
    first, empty, untagged, unweighed, nulled, alike = data["items"]
    assert first["name"] == "Yoga"
    assert first["tag"] == {"label": "calm", "weight": 1, "shout": "CALM"}
    assert first["tags"] == [{"label": "a", "weight": 2, "shout": "A"},
                             {"label": "b", "weight": None, "shout": "B"}]
    assert first["maybeTags"] == [{"label": "c"}, None]
    assert (empty["tag"], empty["tags"]) == (None, [])
    assert untagged["tag"] is None
    assert unweighed["tags"] == [{"label": "d", "weight": None, "shout": "D"}]
    assert nulled is None
    assert alike["tag"] == {"label": "f", "weight": 6, "shout": "F"}
    assert sorted(path for _, path in errors) == sorted([
        ["items", 2, "tag", "label"], ["items", 3, "tags", 0, "weight"],
        ["items", 4, "tags", 1, "label"],
    ])


def test_object_fields_have_plans_unless_their_items_may_be_null() -> None:
    # given the short path's schema
    item_type = build(short=True)._schema.type_map["Item"]
    assert isinstance(item_type, GraphQLObjectType)
    # then an object and a list of non-null objects are executed in the loop
    tag, tags = plain_object(item_type.fields["tag"]), plain_object(item_type.fields["tags"])
    assert tag is not None and not tag.many and tag.origin is Tag
    assert tags is not None and tags.many
    # and a list whose items may be null, or a resolver's answer, is left to graphql-core
    assert plain_object(item_type.fields["maybeTags"]) is None
    assert plain_object(item_type.fields["label"]) is None


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
    edges = served._schema.type_map["SessionConnection"]
    assert isinstance(edges, GraphQLObjectType)
    assert plain_object(edges.fields["edges"]) is not None
    assert served.execution_context_class is PlainLeafExecution
