"""DataLoaders for linked clients, intake forms and packages (seed 003)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import or_

from domain.billing.packages import Package
from domain.clients.intake_forms import IntakeForm
from domain.clients.links import ClientLink
from persistence import tables
from persistence.database import Reads
from persistence.read_rows import entities_of, rows_of
from resolvers.shared.loader_base import BatchLoader, ByIdLoader


class ClientLinkByIdLoader(ByIdLoader[ClientLink]):
    model = ClientLink


class LinksByClientIdLoader(BatchLoader[uuid.UUID, list[ClientLink]]):
    """Every link a client is part of, on either side, oldest first."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, client_ids: Sequence[uuid.UUID]) -> list[list[ClientLink]]:
        links = tables.client_links.c
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, ClientLink, entities_of(ClientLink)
                .where(or_(links.client_id.in_(client_ids),
                           links.linked_client_id.in_(client_ids)))
                .order_by(links.created_at, links.id)
            )
        grouped: dict[uuid.UUID, list[ClientLink]] = {cid: [] for cid in client_ids}
        for item in found:
            for client_id in {item.client_id, item.linked_client_id}:
                if client_id in grouped:
                    grouped[client_id].append(item)
        return [grouped[cid] for cid in client_ids]


class IntakeFormByIdLoader(ByIdLoader[IntakeForm]):
    model = IntakeForm


class IntakeFormsByClientIdLoader(BatchLoader[uuid.UUID, list[IntakeForm]]):
    """A client's intake forms, oldest request first."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, client_ids: Sequence[uuid.UUID]) -> list[list[IntakeForm]]:
        forms = tables.intake_forms.c
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, IntakeForm, entities_of(IntakeForm).where(forms.client_id.in_(client_ids))
                .order_by(forms.requested_at, forms.id)
            )
            grouped: dict[uuid.UUID, list[IntakeForm]] = {cid: [] for cid in client_ids}
            for item in found:
                grouped[item.client_id].append(item)
        return [grouped[cid] for cid in client_ids]


class PackageByIdLoader(ByIdLoader[Package]):
    model = Package


class PackagesByOwnerIdLoader(BatchLoader[uuid.UUID, list[Package]]):
    """The packages a client owns, oldest first."""

    def __init__(self, db: Reads) -> None:
        super().__init__()
        self.db = db

    async def _load(self, owner_ids: Sequence[uuid.UUID]) -> list[list[Package]]:
        packages = tables.packages.c
        async with self.db.reading() as tx:
            found = await rows_of(
                tx, Package, entities_of(Package).where(packages.owner_id.in_(owner_ids))
                .order_by(packages.created_at, packages.id)
            )
            grouped: dict[uuid.UUID, list[Package]] = {oid: [] for oid in owner_ids}
            for item in found:
                grouped[item.owner_id].append(item)
        return [grouped[oid] for oid in owner_ids]


class LinkLoaders:
    def __init__(self, db: Reads) -> None:
        self.link_by_id = ClientLinkByIdLoader(db)
        self.links_by_client_id = LinksByClientIdLoader(db)
        self.intake_form_by_id = IntakeFormByIdLoader(db)
        self.intake_forms_by_client_id = IntakeFormsByClientIdLoader(db)
        self.package_by_id = PackageByIdLoader(db)
        self.packages_by_owner_id = PackagesByOwnerIdLoader(db)
