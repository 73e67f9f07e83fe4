"""Migrations: head builds exactly the tables the code declares, and a rename keeps every row."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, insert, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.migrate import upgrade
from persistence.tables import metadata
from tests.support.databases import drop_database, prepare_database

DATABASE_URL = os.environ.get("DATABASE_URL")


def run(url: str, work: Any) -> Any:
    async def go() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()
    return asyncio.run(go())


def test_head_builds_exactly_the_declared_tables(tmp_path: Path) -> None:
    # given a database migrated to head
    url = prepare_database(DATABASE_URL, tmp_path, name="head")
    try:
        # when it is compared with the tables the code declares
        differences = run(url, lambda c: compare_metadata(MigrationContext.configure(c), metadata))
        # then nothing differs
        assert differences == []
    finally:
        drop_database(url)


def _value(column: Any, parents: dict[str, Any], sqlite: bool) -> Any:
    """A value of the column's stored type, pointing at the given parent rows."""
    for fk in column.foreign_keys:
        return parents[fk.column.table.name]
    kind = type(column.type).__name__.upper()
    if kind in ("UUID", "CHAR") or column.name == "id":
        return uuid.uuid4().hex if sqlite else uuid.uuid4()
    if "BOOL" in kind:
        return False
    if "INT" in kind:
        return 1
    if kind == "TIME":
        return time(18)
    if kind == "DATE":
        return date(2027, 1, 4)
    if "TIME" in kind:
        return datetime(2027, 1, 4, tzinfo=UTC)
    if "JSON" in kind:
        return {}
    return "GBP" if column.name == "currency" else "1"


def _insert_rows_at_0008(connection: Connection) -> dict[str, Any]:
    """One row in each table the rename touches (and their parents), with known values."""
    sqlite = connection.dialect.name == "sqlite"
    tables = MetaData()
    tables.reflect(connection)
    parents: dict[str, Any] = {}
    special = {"session_price": "75.00", "total_sessions": 10, "remaining_sessions": 7,
               "status": "ACTIVE", "next_bill_month": None}
    for name in ("practices", "practitioners", "services", "group_sessions", "clients",
                 "invoices", "session_subscriptions", "packages"):
        table: Table = tables.tables[name]
        row = {c.name: special.get(c.name, _value(c, parents, sqlite))
               for c in table.columns if not c.nullable or c.name in special}
        if name == "invoices":
            row.pop("subscription_id", None)
        connection.execute(insert(table).values(row))
        parents[name] = row["id"]
    return parents


def _read_renamed(connection: Connection) -> dict[str, Any]:
    return {
        "price": connection.execute(text("SELECT appointment_price FROM practitioners")).scalar(),
        "credits": tuple(connection.execute(
            text("SELECT total_credits, remaining_credits FROM packages")).one()),
        "group_session": connection.execute(
            text("SELECT group_session_id FROM group_subscriptions")).scalar(),
        "tables": set(inspect(connection).get_table_names()),
    }


def test_the_one_word_rename_keeps_every_row(tmp_path: Path) -> None:
    # given a database at 0008 with a practitioner's price, a subscription and a package
    url = prepare_database(DATABASE_URL, tmp_path, name="at0008", revision="0008")
    try:
        parents = run(url, _insert_rows_at_0008)
        # when it is migrated to head
        upgrade(url)
        # then every value is there under its new name
        found = run(url, _read_renamed)
        assert uuid.UUID(str(found["group_session"])) == uuid.UUID(str(parents["group_sessions"]))
        assert (str(found["price"]), found["credits"]) == ("75.00", (10, 7))
        assert "session_subscriptions" not in found["tables"]
    finally:
        drop_database(url)


def _insert_accounts_at_0012(connection: Connection) -> dict[str, Any]:
    """A practice with its owner's account and a client's account, as 0012 stored them."""
    sqlite = connection.dialect.name == "sqlite"
    tables = MetaData()
    tables.reflect(connection)
    parents: dict[str, Any] = {}
    for name in ("practices", "practitioners", "clients"):
        table: Table = tables.tables[name]
        row = {c.name: _value(c, parents, sqlite) for c in table.columns if not c.nullable}
        connection.execute(insert(table).values(row))
        parents[name] = row["id"]
    accounts = tables.tables["accounts"]
    made = {}
    for role, email, extra in (
        ("OWNER", "owner@example.com", {"practitioner_id": parents["practitioners"]}),
        ("CLIENT", "client@example.com", {"client_id": parents["clients"]}),
    ):
        row = {c.name: _value(c, parents, sqlite) for c in accounts.columns if not c.nullable}
        row.update(role=role, email=email, **extra)
        connection.execute(insert(accounts).values(row))
        made[role] = row["id"]
    return {**parents, "accounts": made}


def _read_memberships(connection: Connection) -> Any:
    accounts = connection.execute(text(
        "SELECT id, email, token_version FROM accounts ORDER BY email")).all()
    memberships = connection.execute(text(
        "SELECT m.id, m.account_id, m.practice_id, m.role, m.practitioner_id, m.client_id "
        "FROM memberships m JOIN accounts a ON a.id = m.account_id ORDER BY a.email")).all()
    columns = {c["name"] for c in inspect(connection).get_columns("accounts")}
    resets = connection.execute(text("SELECT count(*) FROM password_resets")).scalar()
    return accounts, memberships, columns, resets


def _ids(row: Any) -> tuple[Any, ...]:
    return tuple(uuid.UUID(str(v)) if v is not None and len(str(v)) >= 32 else v for v in row)


def test_accounts_become_one_per_person_with_their_practice_as_a_membership(
    tmp_path: Path,
) -> None:
    # given a database at 0012 with an owner's and a client's account
    url = prepare_database(DATABASE_URL, tmp_path, name="at0012", revision="0012")
    try:
        made = run(url, _insert_accounts_at_0012)
        # when it is migrated to head
        upgrade(url)
        # then each account keeps its id and email, at token version 0 (that of tokens
        # from before versions), and its practice, role, practitioner and client are now
        # its membership, under the account's id (that of tokens from before memberships)
        accounts, memberships, columns, resets = run(url, _read_memberships)
        client, owner = made["accounts"]["CLIENT"], made["accounts"]["OWNER"]
        assert [_ids(a) for a in accounts] == [
            _ids((client, "client@example.com", 0)), _ids((owner, "owner@example.com", 0))]
        practice = made["practices"]
        assert [_ids(m) for m in memberships] == [
            _ids((client, client, practice, "CLIENT", None, made["clients"])),
            _ids((owner, owner, practice, "OWNER", made["practitioners"], None))]
        assert columns == {"id", "email", "password_hash", "created_at", "token_version"}
        assert resets == 0
    finally:
        drop_database(url)


def _insert_linked_session_at_0012(connection: Connection) -> dict[str, Any]:
    """A child's session and a link from the child to a parent, as 0012 stored them."""
    sqlite = connection.dialect.name == "sqlite"
    tables = MetaData()
    tables.reflect(connection)

    def add(name: str, parents: dict[str, Any], **values: Any) -> Any:
        table: Table = tables.tables[name]
        row = {c.name: _value(c, parents, sqlite) for c in table.columns if not c.nullable}
        row.update(values)
        connection.execute(insert(table).values(row))
        return row.get("id")

    parents: dict[str, Any] = {}
    parents["practices"] = add("practices", parents)
    parents["practitioners"] = add("practitioners", parents)
    child = add("clients", parents)
    parent = add("clients", parents)
    parents["clients"] = child
    parents["relationships"] = add("relationships", parents)
    parents["appointments"] = add("appointments", parents, ends_at=datetime(2027, 1, 4, 1,
                                                                          tzinfo=UTC))
    add("appointment_attendees", parents, client_id=child, position=0)
    low, high = sorted((child, parent), key=str)
    add("client_links", parents, client_id=child, linked_client_id=parent,
        low_client_id=low, high_client_id=high)
    return {"appointment": parents["appointments"], "child": child, "parent": parent}


def test_existing_links_are_assigned_to_the_sessions_booked_before(tmp_path: Path) -> None:
    # given a database at 0012 with a child's session and the child linked to a parent
    url = prepare_database(DATABASE_URL, tmp_path, name="links0012", revision="0012")
    try:
        made = run(url, _insert_linked_session_at_0012)
        # when it is migrated to head
        upgrade(url)
        # then the parent is assigned to the child's session (the child, who attends it,
        # is not), so the link keeps applying to it as before
        found = run(url, lambda c: c.execute(text(
            "SELECT appointment_id, client_id FROM appointment_linked_clients")).all())
        assert [_ids(row) for row in found] == [_ids((made["appointment"], made["parent"]))]
    finally:
        drop_database(url)
