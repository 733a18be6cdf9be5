#!/bin/sh
# First start of the production database: the two roles Caseroom needs.
# caseroom_owner owns the tables and runs migrations; caseroom_app is what the web,
# worker and beat connect as: no superuser, no BYPASSRLS, owns nothing, so
# row-level security binds it (docs/architecture.md). caseroom_search logs in never: it
# owns the search functions that must use indexes row-level security forbids
# (docs/deploy.md, "Database roles").
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE caseroom_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD}';
CREATE ROLE caseroom_app LOGIN PASSWORD '${APP_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE caseroom_search NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE;
GRANT caseroom_search TO caseroom_owner;
CREATE DATABASE caseroom OWNER caseroom_owner;
SQL
