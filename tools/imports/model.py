"""The common model every import source produces: tables, their columns, keys and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Column:
    name: str
    kind: str  # the normalised type: integer, numeric, text, boolean, timestamptz, enum, array, ...
    declared: str  # the type as the source wrote it: "numeric(10,2)", "character varying(40)"
    nullable: bool = True
    length: int | None = None  # varchar(n), char(n)
    precision: int | None = None  # numeric(p, s)
    scale: int | None = None
    values: list[Any] = field(default_factory=list)  # an enum's labels, or a CHECK's IN list
    element: str | None = None  # an array's element kind
    generated: str = ""  # "identity", "serial" or "computed": the database writes it
    low: float | str | None = None  # bounds from CHECKs, domains or partitions (inclusive)
    high: float | str | None = None
    min_length: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    table: str  # the referenced table
    ref_columns: tuple[str, ...]


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: tuple[str, ...] = ()
    uniques: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    # (first, second, strict): CHECK (a <= b) or (a < b) between dates, or the order names imply
    orders: list[tuple[str, str, bool]] = field(default_factory=list)
    comment: str = ""
    partitioned: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Note:
    """Something the import cannot carry as it is: where, what, and what will happen to it."""

    where: str
    what: str
    action: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}; {self.action}"


@dataclass
class Imported:
    tables: dict[str, Table]
    notes: list[Note] = field(default_factory=list)
