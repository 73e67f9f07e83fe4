"""The served schema documents itself: every type, field, argument, input field and enum
value has a description, and where the contract has one it is served word for word."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    specified_scalar_types,
)

from schema.build import create_schema

CONTRACT = pathlib.Path(__file__).parents[3] / "shared" / "contract" / "schema.graphql"
LINTER = pathlib.Path(__file__).with_name("http_audit")
LINT_RULES = (
    "types-have-descriptions,fields-have-descriptions,arguments-have-descriptions,"
    "enum-values-have-descriptions,input-object-values-have-descriptions,descriptions-are-capitalized"
)
SPECIFIED_BY = {
    "DateTime": "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    "Date": "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    "Decimal": "https://www.w3.org/TR/xmlschema11-2/#decimal",
}


def _own_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    return [
        t for name, t in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in specified_scalar_types
    ]


def _items(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """Every documentable item of the schema's own types: its coordinate and description."""
    for named in _own_types(schema):
        yield named.name, named.description
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                yield f"{named.name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{named.name}.{field_name}({arg_name}:)", arg.description
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"{named.name}.{field_name}", input_field.description
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                yield f"{named.name}.{value_name}", value.description


@pytest.fixture(scope="module")
def served() -> GraphQLSchema:
    return create_schema()._schema


def test_every_type_field_argument_input_field_and_enum_value_has_a_description(
    served: GraphQLSchema,
) -> None:
    # given the served schema
    items = list(_items(served))
    # then none of its items is undocumented (blank counts as none)
    undocumented = [where for where, description in items if not (description or "").strip()]
    assert undocumented == []
    assert len(items) > 700  # the walk reached every kind of item


def test_the_contracts_descriptions_are_served_word_for_word(served: GraphQLSchema) -> None:
    # given every description the contract writes
    contract = build_schema(CONTRACT.read_text())
    promised = {where: text for where, text in _items(contract) if text}
    assert len(promised) >= 60
    # then the served schema has each of them unchanged
    answered = dict(_items(served))
    different = {where: answered.get(where) for where, text in promised.items()
                 if answered.get(where) != text}
    assert different == {}


def test_the_date_and_decimal_scalars_name_their_specification(served: GraphQLSchema) -> None:
    scalars = {t.name: t for t in _own_types(served) if isinstance(t, GraphQLScalarType)}
    assert {name: scalars[name].specified_by_url for name in SPECIFIED_BY} == SPECIFIED_BY
    # and the printed SDL carries the directive, which codegen tools read
    sdl = create_schema().as_str()
    for name in ("Date", "DateTime", "Decimal"):
        assert f"scalar {name} @specifiedBy(url: " in sdl


def _linter() -> pathlib.Path | None:
    binary = LINTER / "node_modules" / ".bin" / "graphql-schema-linter"
    return binary if shutil.which("node") and binary.exists() else None


def test_graphql_schema_linter_finds_no_missing_description(tmp_path: pathlib.Path) -> None:
    linter = _linter()
    if linter is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run graphql-schema-linter: install node and `npm ci` in {LINTER}")
        pytest.skip("node or graphql-schema-linter missing (npm ci in tests/platform/http_audit)")
    # given the served SDL in a file
    sdl = tmp_path / "schema.graphql"
    sdl.write_text(create_schema().as_str())
    # when the linter's description rules read it
    run = subprocess.run(
        [str(linter), "--format", "json", "--rules", LINT_RULES, str(sdl)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    # then they report nothing
    assert json.loads(run.stdout)["errors"] == []
    assert run.returncode == 0


def test_the_walk_names_each_kind_of_undocumented_item() -> None:
    # given a schema with one undocumented item of each kind, and one documented field
    schema = build_schema('''
        scalar Stamp
        type Query { "Documented." a(b: Int): Kind  c(d: Filter): Int }
        enum Kind { X }
        input Filter { e: Int }
    ''')
    # then the walk names every undocumented one by its coordinate
    undocumented = [where for where, text in _items(schema) if not text]
    assert undocumented == [
        "Filter", "Filter.e", "Kind", "Kind.X", "Query", "Query.a(b:)", "Query.c",
        "Query.c(d:)", "Stamp",
    ]
