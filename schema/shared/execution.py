"""Execution with short paths: fields that only read an attribute, and resolvers with
nothing to convert.

Most fields of a page are scalars read straight off a built type (`name`, `startsAt`,
`status`). graphql-core builds a resolve info, looks for awaitables and completes each
of them as it would a resolver's answer: about a third of a deep page's CPU. A field with
no resolver, no field extension and a scalar or enum type is answered here by reading the
attribute and coercing it. One whose type is an object type, or a list of non-null ones
(`edges`, `node`, `price`), and whose value is exactly that type's class, has its
sub-selection executed here too, without a resolve info or the completion chain per object.
Anything else (a null, a value that does not coerce or is of another class, @stream or
@defer, middleware from a resolve hook) takes graphql-core's own path, which raises the same
errors as ever. `tests/platform/test_execution.py` runs documents both ways and compares the
answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

# (attribute reader, attribute name, coercion) for a plain leaf field; None otherwise.
Plain = tuple[Callable[[Any, str], Any], str, Callable[[Any], Any]]
PlainLeaf = Plain | None

P = TypeVar("P")
_PLANS = "_caseload_plain_leaves"
_OBJECT_PLANS = "_caseload_plain_objects"


@dataclass(frozen=True, slots=True)
class PlainObject:
    """A field that reads an attribute holding an object (or a list of them) to execute the
    sub-selection on: `origin` is the one class taken without graphql-core's type check."""

    read: Callable[[Any, str], Any]
    name: str
    return_type: GraphQLOutputType
    object_type: GraphQLObjectType
    origin: type
    many: bool


def _reader(field_def: GraphQLField) -> tuple[Callable[[Any, str], Any], str] | None:
    """The attribute read of a field with no resolver and no field extension."""
    definition = field_def.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.default_resolver is None:
        return None
    return definition.default_resolver, definition.python_name


def plain_leaf(field_def: GraphQLField) -> PlainLeaf:
    """How to answer `field_def` without graphql-core's per-field work, if it can be."""
    leaf = get_nullable_type(field_def.type)
    reader = _reader(field_def)
    if reader is None or not is_leaf_type(leaf):
        return None
    return reader[0], reader[1], leaf.coerce_output_value


def plain_object(field_def: GraphQLField) -> PlainObject | None:
    """How to execute `field_def`'s sub-selection without graphql-core's completion chain."""
    reader = _reader(field_def)
    target: Any = get_nullable_type(field_def.type)
    many = isinstance(target, GraphQLList)
    if many:
        item = target.of_type
        if not isinstance(item, GraphQLNonNull):
            return None  # a null item is nulled on its own: graphql-core's path does that
        target = item.of_type
    if reader is None or not isinstance(target, GraphQLObjectType):
        return None
    definition = target.extensions.get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type):
        return None
    return PlainObject(reader[0], reader[1], field_def.type, target, origin, many)


def _plans(parent_type: GraphQLObjectType, kept_as: str,
           plan: Callable[[GraphQLField], P]) -> dict[str, P]:
    """`plan` of each of the type's fields, worked out once and kept on the type."""
    plans: dict[str, P] | None = parent_type.__dict__.get(kept_as)
    if plans is None:
        plans = {name: plan(field) for name, field in parent_type.fields.items()}
        setattr(parent_type, kept_as, plans)
    return plans


def _answer(plan: Plain, source: Any) -> Any:
    """The plain leaf's coerced value, or Undefined where graphql-core must answer."""
    read, name, coerce = plan
    value = read(source, name)
    if value is None:
        return Undefined
    try:
        coerced = coerce(value)
    except Exception:  # graphql-core's path raises it again, as the field's error
        return Undefined
    return Undefined if coerced is None else coerced


class PlainLeafExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # A resolve hook (tracing) must see every field, so it turns the short path off.
        self.short_path = manager is None or not manager.middlewares

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_fields, with plain leaves answered in the loop."""
        if not self.short_path:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context)
        plans = _plans(parent_type, _PLANS, plain_leaf)
        objects = _plans(parent_type, _OBJECT_PLANS, plain_object)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                field_name = field_details_list[0].node.name.value
                plan = plans.get(field_name)
                if plan is not None:
                    result = _answer(plan, source_value)
                    if result is not Undefined:
                        results[response_name] = result
                        continue
                field_path = Path(path, response_name, parent_type.name)
                held = objects.get(field_name)
                result = Undefined if held is None else self._execute_object(
                    held, source_value, field_details_list, field_path)
                if result is Undefined:
                    result = self.execute_field(
                        parent_type, source_value, field_details_list, field_path,
                        position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gathered(results, awaitable_fields)

    def _execute_object(self, plan: PlainObject, source: Any,
                        field_details_list: FieldDetailsList, path: Path) -> Any:
        """The object field's answer, or Undefined where graphql-core must answer."""
        value = plan.read(source, plan.name)
        if value is None or field_details_list[0].node.directives:
            return Undefined
        origin = plan.origin
        if plan.many:
            if type(value) is not list or any(type(item) is not origin for item in value):
                return Undefined
        elif type(value) is not origin:
            return Undefined
        grouped, deferred, _ = self.collect_subfields(plan.object_type, field_details_list)
        if deferred:
            return Undefined
        answers: list[Any] = []
        try:
            if not plan.many:
                answer = self.execute_fields(plan.object_type, value, path, grouped, None)
                if self.is_awaitable(answer):
                    return self._object_later(answer, plan, field_details_list, path)
                return answer
            for index, item in enumerate(value):
                answers.append(self.execute_fields(
                    plan.object_type, item, Path(path, index, None), grouped, None))
        except Exception as error:
            pending = [answer for answer in answers if self.is_awaitable(answer)]
            if pending:
                self.settle_in_background(pending)
            return self.handle_field_error(error, plan.return_type, field_details_list, path)
        if any(self.is_awaitable(answer) for answer in answers):
            return self._objects_later(answers, plan, field_details_list, path)
        return answers

    async def _object_later(self, pending: Any, plan: PlainObject,
                            field_details_list: FieldDetailsList, path: Path) -> Any:
        try:
            return await pending
        except Exception as error:
            return self.handle_field_error(error, plan.return_type, field_details_list, path)

    async def _objects_later(self, answers: list[Any], plan: PlainObject,
                             field_details_list: FieldDetailsList, path: Path) -> Any:
        waiting = [index for index, answer in enumerate(answers) if self.is_awaitable(answer)]
        try:
            done = await gather_with_cancel(*(answers[index] for index in waiting))
        except Exception as error:
            return self.handle_field_error(error, plan.return_type, field_details_list, path)
        for index, answer in zip(waiting, done, strict=True):
            answers[index] = answer
        return answers

    @staticmethod
    async def _gathered(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
        if len(awaitable_fields) == 1:
            name = awaitable_fields[0]
            results[name] = await results[name]
        else:
            answers = await gather_with_cancel(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, answers, strict=True))
        return results


def lean_resolvers(schema: GraphQLSchema, info_class: type[Info]) -> int:
    """Give every resolver field without arguments or field extensions a direct call.

    Strawberry's general resolver converts arguments, chains field extensions and wraps the
    call in three closures per field; with no arguments and no extensions there is nothing
    to convert or chain, so the resolver is called with the source (and its Info, if it
    asks). Returns how many fields now call their resolver directly.
    """
    leaned = 0
    subscription = schema.subscription_type
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named is subscription:
            continue
        for field_def in named.fields.values():
            resolve = _direct_call(field_def, info_class)
            if resolve is not None:
                field_def.resolve = resolve
                leaned += 1
    return leaned


def _direct_call(field_def: GraphQLField, info_class: type[Info]) -> Any:
    definition = field_def.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        return None
    resolver = definition.base_resolver
    if resolver is None or definition.extensions or definition.arguments:
        return None
    func = resolver.wrapped_func
    if not callable(func) or resolver.self_parameter is None:
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    info_parameter = resolver.info_parameter
    if info_parameter is None:

        def resolve_from_source(source: Any, _info: GraphQLResolveInfo) -> Any:
            return func(source)

        return resolve_from_source
    info_name = info_parameter.name

    def resolve_with_info(source: Any, info: GraphQLResolveInfo) -> Any:
        return func(source, **{info_name: info_class(_raw_info=info, _field=definition)})

    return resolve_with_info
