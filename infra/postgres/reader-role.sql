-- The role the jobs read the reference tables with (lakepipe.sources.airports.user): it may log in,
-- read the schema `reference` and nothing else; every transaction it opens is read-only.
-- Run by infra/postgres/postgres.sh start as the superuser, with psql variables `reader` (the role)
-- and `reader_password`; idempotent, and it sets the password again, so a changed one takes effect.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', :'reader')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'reader') \gexec

ALTER ROLE :"reader" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
  PASSWORD :'reader_password';
ALTER ROLE :"reader" SET default_transaction_read_only = on;

GRANT CONNECT ON DATABASE lakepipe TO :"reader";
GRANT USAGE ON SCHEMA reference TO :"reader";
GRANT SELECT ON ALL TABLES IN SCHEMA reference TO :"reader";
ALTER DEFAULT PRIVILEGES IN SCHEMA reference GRANT SELECT ON TABLES TO :"reader";
-- Nothing to create anywhere (PostgreSQL 15 and later already refuse it in public).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
