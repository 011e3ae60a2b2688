"""A user's own schema, imported: one common model (model.py) from each source, then generated as a
linked dataset and seeded (seed.py).

    postgres.py    a live PostgreSQL database (psycopg): tables, types, keys, CHECKs, partitions
    ddl.py         DDL text (PostgreSQL, MySQL, SQLite) through sqlglot; MySQL and SQLite databases
                   are read as their own DDL (SHOW CREATE TABLE, sqlite_master)
    checks.py      CHECK expressions read with sqlglot into bounds, value lists and column orders
    partitions.py  partition bounds as bounds of the partition key
    entities.py    a table as an EntitySchema the engine generates (names -> sources, constraints)
    graph.py       the order tables are made in; cycles broken through a nullable foreign key
    seed.py        the rows: engine values, parents' keys, the database's own numbering
    targets.py     where they go: PostgreSQL (COPY), MySQL and SQLite (INSERTs), or a script of it

Everything an import cannot carry is a Note (where, what, and what will happen to it), all listed
at once rather than stopping at the first.
"""
