-- Homeward on PostgreSQL: least privilege for the application.
--
-- Two roles. homeward_owner owns the schema and runs `homeward db upgrade`. homeward_app is
-- what the web processes connect as: it reads and writes ordinary rows, may only INSERT and
-- SELECT on the audit tables, and owns nothing, so it can neither drop nor disable the
-- append-only triggers on audit_event and audit_checkpoint.

-- Part 1: once, as a superuser, for the database "homeward".
CREATE ROLE homeward_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE homeward_app LOGIN PASSWORD 'change-me-app';
ALTER DATABASE homeward OWNER TO homeward_owner;
\connect homeward
ALTER SCHEMA public OWNER TO homeward_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO homeward_app;

-- Part 2: as homeward_owner, after every `homeward db upgrade` (it is idempotent).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO homeward_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO homeward_app;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM homeward_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event, audit_checkpoint FROM homeward_app;
