"""What the database commands give (``lindung db info|status|upgrade --json``)."""

from __future__ import annotations

from pydantic import Field

from lindung.kit.schemas import Schema


class SchemaState(Schema):
    current: list[str]
    head: list[str]
    migrated: bool
    up_to_date: bool


class DatabaseInfo(Schema):
    database: str
    """The URL without its password."""
    engine: str
    server_version: str | None
    exists: bool
    file: str | None
    size_bytes: int | None
    schema_: SchemaState = Field(alias="schema", serialization_alias="schema")
    counts: dict[str, int]
    missing_tables: list[str]


class DatabaseStatus(Schema):
    database: str
    current: list[str]
    head: list[str]
    up_to_date: bool


class DatabaseUpgraded(Schema):
    database: str
    before: list[str]
    after: list[str]
    changed: bool
