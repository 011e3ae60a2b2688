"""The order tables are made in: parents before children. A foreign key that closes a cycle (or
points at its own table) is deferred: its columns stay NULL at insert and are set by UPDATE once
both sides exist, which needs the key to be nullable; a cycle with no nullable key is refused with
the cycle named."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.imports.model import ForeignKey, Imported, Note


@dataclass
class Order:
    tables: list[str]  # insertion order
    deferred: dict[str, list[ForeignKey]] = field(default_factory=dict)  # table -> keys set by UPDATE
    refused: dict[str, str] = field(default_factory=dict)  # table -> why it cannot be seeded


def nullable(imported: Imported, table: str, fk: ForeignKey) -> bool:
    t = imported.tables[table]
    return all(t.column(c).nullable for c in fk.columns)


def insertion_order(imported: Imported, notes: list[Note]) -> Order:
    out = Order([])
    parents: dict[str, list[ForeignKey]] = {}
    for name, t in imported.tables.items():
        parents[name] = []
        for fk in t.foreign_keys:
            if fk.table == name:  # a self-reference: set after the table's rows exist
                _defer(imported, out, name, fk, notes, f"{name} references itself through {fk.name}")
            else:
                parents[name].append(fk)
    left = dict(parents)
    while left:
        ready = sorted(n for n, fks in left.items() if all(fk.table not in left for fk in fks))
        if ready:
            out.tables += ready
            for n in ready:
                del left[n]
            continue
        cycle = _cycle(left)
        breakable = [
            (n, fk) for n in cycle for fk in left[n] if fk.table in cycle and nullable(imported, n, fk)
        ]
        if not breakable:
            why = (
                f"the cycle {' -> '.join([*cycle, cycle[0]])} has no nullable foreign key to set after insert"
            )
            for n in cycle:
                out.refused[n] = why
                del left[n]
            notes.append(Note(", ".join(cycle), why, "refused: make one key nullable or DEFERRABLE"))
            continue
        n, fk = breakable[0]
        left[n] = [k for k in left[n] if k is not fk]
        _defer(imported, out, n, fk, notes, f"{n} -> {fk.table} closes a cycle")
    for n in list(out.tables):  # a child of a refused table cannot be made either
        missing = [fk.table for fk in parents[n] if fk.table in out.refused and not nullable(imported, n, fk)]
        if missing or n in out.refused:
            out.refused.setdefault(n, f"its parent {missing[0] if missing else n} is refused")
            out.tables.remove(n)
    return out


def _defer(imported: Imported, out: Order, name: str, fk: ForeignKey, notes: list[Note], why: str) -> None:
    if not nullable(imported, name, fk):
        out.refused[name] = f"{why}, and {', '.join(fk.columns)} is NOT NULL"
        notes.append(Note(name, out.refused[name], "refused: make the key nullable or DEFERRABLE"))
        return
    if not imported.tables[name].primary_key:
        out.refused[name] = f"{why}, and the table has no primary key to update its rows by"
        notes.append(Note(name, out.refused[name], "refused: give the table a primary key"))
        return
    out.deferred.setdefault(name, []).append(fk)


def _cycle(left: dict[str, list[ForeignKey]]) -> list[str]:
    """One cycle among the tables left (every one of them has a parent still left)."""
    start = min(left)
    seen: list[str] = []
    node = start
    while node not in seen:
        seen.append(node)
        node = min(fk.table for fk in left[node] if fk.table in left)
    return seen[seen.index(node) :]
