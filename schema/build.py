"""The schema: every operation module merged into Query and Mutation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.accounts.operations import AccountMutations
from schema.accounts.staff_invites import StaffInviteMutations
from schema.accounts.types import Practice, Practitioner
from schema.appointments.attendance import AttendanceMutations, AttendanceQueries
from schema.appointments.booking import AppointmentMutations, AppointmentQueries
from schema.appointments.calendar_feed import CalendarFeedMutations
from schema.appointments.cancellation_policy import CancellationPolicyMutations
from schema.appointments.changes import AppointmentChangeMutations, MyAppointmentsQueries
from schema.appointments.time_off import TimeOff, TimeOffMutations
from schema.appointments.types import Appointment, Charge, ReservedSlot
from schema.appointments.waitlist import WaitlistMutations, WaitlistQueries
from schema.appointments.waitlist_types import WaitlistEntry
from schema.billing.invoice_operations import InvoiceMutations
from schema.billing.invoice_types import Invoice
from schema.billing.package_operations import PackageMutations
from schema.billing.package_types import Package
from schema.clients.intake_form_operations import IntakeFormMutations, IntakeFormQueries
from schema.clients.intake_form_types import IntakeForm
from schema.clients.link_operations import LinkMutations
from schema.clients.link_types import ClientLink
from schema.clients.operations import ClientMutations, ClientQueries
from schema.clients.relationship_operations import RelationshipMutations
from schema.clients.relationship_types import Relationship
from schema.clients.types import Client
from schema.groups.leaving import LeaveMutations, LeaveQueries
from schema.groups.operations import GroupSessionMutations, GroupSessionQueries
from schema.groups.types import GroupSession, GroupSubscription, Service
from schema.live.operations import LiveSubscriptions
from schema.shared.cost import QueryCost
from schema.shared.execution import PlainLeafExecution, lean_resolvers
from schema.shared.extensions import (
    MAX_BATCH,
    ErrorPolicy,
    ParsedOnce,
    RequireSignIn,
    TokenLimit,
    limit_rules,
    log_unexpected,
)
from schema.shared.input_text import InputTextLimits
from schema.shared.queries import CoreQueries
from schema.shared.request_errors import (
    DOCUMENTS_CACHED,
    RequestErrors,
    RequestErrorsWithoutSuggestions,
)
from schema.shared.scalars import SCALAR_MAP
from schema.widgets.operations import WidgetMutations, WidgetQueries
from schema.widgets.scope import WidgetScope

QUERIES: tuple[type, ...] = (
    CoreQueries, ClientQueries, AppointmentQueries, MyAppointmentsQueries, AttendanceQueries,
    GroupSessionQueries, LeaveQueries, IntakeFormQueries, WaitlistQueries,
    WidgetQueries,
)
MUTATIONS: tuple[type, ...] = (
    AccountMutations, StaffInviteMutations, ClientMutations, RelationshipMutations,
    AppointmentMutations, AppointmentChangeMutations, AttendanceMutations,
    CancellationPolicyMutations,
    GroupSessionMutations, LeaveMutations, InvoiceMutations, LinkMutations,
    IntakeFormMutations, PackageMutations, WidgetMutations, WaitlistMutations,
    TimeOffMutations, CalendarFeedMutations,
)
NODE_TYPES: list[Any] = [
    Practice, Practitioner, Client, Relationship, Appointment, Charge, ReservedSlot,
    Service, GroupSession, GroupSubscription, Invoice, ClientLink, IntakeForm, Package,
    WaitlistEntry,
    TimeOff,
]


QUERY = (
    "What a request may read. Staff and clients sign in with a Bearer token; a booking "
    "widget reads the public* fields with its publishable key in X-Caseload-Key."
)
MUTATION = (
    "What a request may change. Each takes one `input` and answers a payload: expected "
    "refusals come back in its userErrors, and a refused mutation changes nothing."
)


def _described(name: str, parts: tuple[type, ...], description: str) -> type:
    merged = merge_types(name, parts)
    merged.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return merged


class CaseloadSchema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The short execution paths: plain leaves in the field loop, direct resolver calls.
        kwargs.setdefault("execution_context_class", PlainLeafExecution)
        super().__init__(*args, **kwargs)
        lean_resolvers(self._schema, self.config.info_class)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context else None
        log_unexpected(errors, getattr(context, "request_id", None))


def create_schema(
    *, introspection: bool = True, observers: Sequence[Any] = ()
) -> strawberry.Schema:
    """`observers`: extensions the composition root adds (metrics, tracing)."""
    # With introspection off, validation errors suggest no names either. Variables are
    # checked before sign-in: a request that cannot run is refused as such to anyone.
    # Parsing and validating depend on the document alone (limits included: a variable page
    # size counts as the largest), so each distinct document is parsed and validated once.
    request_errors = RequestErrors if introspection else RequestErrorsWithoutSuggestions
    extensions: list[Any] = [
        *observers, TokenLimit, lambda: ParsedOnce(maxsize=DOCUMENTS_CACHED), limit_rules,
        request_errors, RequireSignIn, WidgetScope, InputTextLimits, QueryCost, ErrorPolicy,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return CaseloadSchema(
        query=_described("Query", QUERIES, QUERY),
        mutation=_described("Mutation", MUTATIONS, MUTATION),
        subscription=LiveSubscriptions,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(
            scalar_map=SCALAR_MAP, batching_config={"max_operations": MAX_BATCH}
        ),
    )
