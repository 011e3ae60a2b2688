-- tests/imports/schema.sql as MySQL (MariaDB) writes it: the constructs MySQL has.
CREATE TABLE customers (
    id INT NOT NULL AUTO_INCREMENT,
    first_name VARCHAR(40) NOT NULL,
    last_name VARCHAR(40) NOT NULL,
    email VARCHAR(120) NOT NULL COMMENT 'Where receipts go',
    country CHAR(2) NOT NULL,
    age SMALLINT NULL,
    is_vip TINYINT(1) NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    referred_by INT NULL,
    preferences JSON NULL,
    PRIMARY KEY (id),
    UNIQUE KEY customers_email (email),
    KEY customers_country (country),
    CONSTRAINT customers_referred FOREIGN KEY (referred_by) REFERENCES customers (id),
    CONSTRAINT customers_country_ck CHECK (country IN ('US', 'GB', 'DE', 'FR')),
    CONSTRAINT customers_age_ck CHECK (age BETWEEN 18 AND 99),
    CONSTRAINT customers_order_ck CHECK (created_at <= updated_at)
) ENGINE=InnoDB COMMENT='People who buy';

CREATE TABLE products (
    sku VARCHAR(12) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    price DECIMAL(8, 2) NOT NULL CHECK (price >= 0.5 AND price <= 5000),
    stock INT NOT NULL DEFAULT 0 CHECK (stock >= 0)
) ENGINE=InnoDB;

CREATE TABLE orders (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    customer_id INT NOT NULL,
    status ENUM('pending', 'paid', 'shipped', 'cancelled') NOT NULL,
    total DECIMAL(10, 2) NOT NULL CHECK (total > 0),
    placed_at DATETIME NOT NULL,
    shipped_at DATETIME NULL,
    FOREIGN KEY (customer_id) REFERENCES customers (id),
    CHECK (placed_at <= shipped_at)
) ENGINE=InnoDB;

CREATE TABLE order_lines (
    order_id BIGINT NOT NULL,
    line_no SMALLINT NOT NULL CHECK (line_no > 0 AND line_no <= 40),
    sku VARCHAR(12) NOT NULL,
    quantity INT NOT NULL CHECK (quantity BETWEEN 1 AND 10),
    PRIMARY KEY (order_id, line_no),
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (sku) REFERENCES products (sku)
) ENGINE=InnoDB;

CREATE TABLE departments (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(80) NOT NULL UNIQUE,
    head_id BIGINT NULL
) ENGINE=InnoDB;

CREATE TABLE employees (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    department_id INT NOT NULL,
    full_name VARCHAR(120) NOT NULL,
    hired_on DATE NOT NULL,
    left_on DATE NULL,
    FOREIGN KEY (department_id) REFERENCES departments (id),
    CHECK (hired_on < left_on)
) ENGINE=InnoDB;

ALTER TABLE departments ADD CONSTRAINT departments_head FOREIGN KEY (head_id) REFERENCES employees (id);
