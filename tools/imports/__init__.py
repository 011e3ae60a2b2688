"""A user's own schema, imported: one common model (model.py) from each source, then generated as a
linked dataset and seeded (seed.py).

    postgres.py   a live PostgreSQL database (psycopg): tables, types, keys, CHECKs, partitions
    checks.py     CHECK expressions read with sqlglot into bounds, value lists and column orders
    entities.py   a table as an EntitySchema the engine generates (names -> sources, constraints)
    graph.py      the order tables are made in; cycles broken through a nullable foreign key
    seed.py       rows into PostgreSQL with COPY, in one transaction

Everything an import cannot carry is a Note (where, what, and what will happen to it), all listed
at once rather than stopping at the first.
"""
