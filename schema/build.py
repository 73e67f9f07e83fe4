"""The schema: every operation module merged into Query and Mutation."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.extensions import (
    MAX_BATCH,
    ErrorPolicy,
    RequireSignIn,
    TokenLimit,
    limit_rules,
    log_unexpected,
)
from schema.operations.accounts import AccountMutations
from schema.operations.appointments import AppointmentMutations, AppointmentQueries
from schema.operations.attendance import AttendanceMutations, AttendanceQueries
from schema.operations.clients import ClientMutations, ClientQueries
from schema.operations.group_sessions import GroupSessionMutations, GroupSessionQueries
from schema.operations.intake_forms import IntakeFormMutations, IntakeFormQueries
from schema.operations.invoices import InvoiceMutations
from schema.operations.links import LinkMutations
from schema.operations.packages import PackageMutations
from schema.operations.queries import CoreQueries
from schema.operations.relationships import RelationshipMutations
from schema.operations.session_changes import MyAppointmentsQueries, SessionChangeMutations
from schema.operations.widgets import WidgetMutations, WidgetQueries
from schema.scalars import SCALAR_MAP
from schema.types.appointments import Charge, ReservedSlot, Session
from schema.types.clients import Client
from schema.types.group_sessions import GroupSession, Service, SessionSubscription
from schema.types.intake_forms import IntakeForm
from schema.types.invoices import Invoice
from schema.types.links import ClientLink
from schema.types.packages import Package
from schema.types.practice import Practice, Practitioner
from schema.types.relationships import Relationship
from schema.widget_scope import WidgetScope

QUERIES: tuple[type, ...] = (
    CoreQueries, ClientQueries, AppointmentQueries, MyAppointmentsQueries, AttendanceQueries,
    GroupSessionQueries, IntakeFormQueries,
    WidgetQueries,
)
MUTATIONS: tuple[type, ...] = (
    AccountMutations, ClientMutations, RelationshipMutations, AppointmentMutations,
    SessionChangeMutations, AttendanceMutations,
    GroupSessionMutations, InvoiceMutations, LinkMutations, IntakeFormMutations,
    PackageMutations, WidgetMutations,
)
NODE_TYPES: list[Any] = [
    Practice, Practitioner, Client, Relationship, Session, Charge, ReservedSlot,
    Service, GroupSession, SessionSubscription, Invoice, ClientLink, IntakeForm, Package,
]


class CaseloadSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context else None
        log_unexpected(errors, getattr(context, "request_id", None))


def create_schema(*, introspection: bool = True) -> strawberry.Schema:
    extensions: list[Any] = [TokenLimit, limit_rules, RequireSignIn, WidgetScope, ErrorPolicy]
    if not introspection:
        extensions.append(DisableIntrospection)
    return CaseloadSchema(
        query=merge_types("Query", QUERIES),
        mutation=merge_types("Mutation", MUTATIONS),
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP, batching_config={"max_operations": MAX_BATCH}
        ),
    )
