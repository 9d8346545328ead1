#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: the services connect as this least-privilege role,
# which owns the pipeline database (to apply migrations) and nothing else; it is not a superuser.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v role_password="$PIPELINE_DB_PASSWORD" <<'SQL'
CREATE ROLE pipeline LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'role_password';
CREATE DATABASE pipeline OWNER pipeline;
REVOKE ALL ON DATABASE pipeline FROM PUBLIC;
SQL
