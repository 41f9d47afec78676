-- The template's two service databases; the application user comes from MYSQL_USER/MYSQL_PASSWORD.
CREATE DATABASE IF NOT EXISTS orders CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE DATABASE IF NOT EXISTS billing CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
GRANT ALL PRIVILEGES ON orders.* TO 'messaging'@'%';
GRANT ALL PRIVILEGES ON billing.* TO 'messaging'@'%';
