-- A SQLite schema: rowid keys, untyped affinity, CHECKs, a self-reference and a composite key.
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    first_name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL CHECK (country IN ('US', 'GB', 'DE', 'FR')),
    age INTEGER CHECK (age >= 18 AND age <= 99),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    referred_by INTEGER REFERENCES customers (id)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'shipped')),
    total REAL NOT NULL CHECK (total > 0),
    placed_at TEXT NOT NULL
);
CREATE TABLE order_lines (
    order_id INTEGER NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL CHECK (line_no BETWEEN 1 AND 20),
    quantity INTEGER NOT NULL CHECK (quantity > 0 AND quantity <= 9),
    PRIMARY KEY (order_id, line_no)
);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
