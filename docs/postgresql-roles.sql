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
-- No temporary tables for anyone but the owner: a temporary table shadows a table of the same
-- name for whoever made it (the audit functions name public.* and put pg_temp last as well).
REVOKE TEMPORARY ON DATABASE homeward FROM PUBLIC;

-- Part 2: as homeward_owner, after every `homeward db upgrade` (it is idempotent).
-- audit_event is partitioned by month: the app reaches the rows through audit_event (whose
-- privileges then apply) and needs nothing on the partitions themselves, whose own privileges
-- apply when one is named directly, so they lose what the first GRANT gave them. audit_seq
-- (every event's seq, kept unique by a SECURITY DEFINER trigger) needs no grant either, nor
-- audit_head (the newest event's seq and hash, kept by a SECURITY DEFINER trigger that also
-- refuses, for every role but the owner, an event other than seq = head + 1 with prev_hash =
-- the head's hash; read through the SECURITY DEFINER function homeward_audit_head(), which
-- homeward_audit_lock_head() calls after taking the chain's lock, as its caller): the app
-- may not write them. Both functions are PUBLIC's to execute: no grant either.
-- Partitions made later by `homeward audit partitions` are given nothing in the first place,
-- whatever the owner's default privileges (homeward_audit_partition revokes every grant).
-- One transaction: a failure half-way leaves the grants as they were.
BEGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO homeward_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO homeward_app;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM homeward_app;
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_event, audit_checkpoint FROM homeward_app;
DO $$
DECLARE
    part regclass;
BEGIN
    -- (again here, as Part 1 does: a database set up before Part 1 said so gets it on upgrade)
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    IF to_regclass('audit_seq') IS NOT NULL THEN
        EXECUTE 'REVOKE ALL ON audit_seq FROM homeward_app';
    END IF;
    IF to_regclass('audit_head') IS NOT NULL THEN
        EXECUTE 'REVOKE ALL ON audit_head FROM homeward_app';
    END IF;
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits
                WHERE inhparent = to_regclass('audit_event') LOOP
        EXECUTE format('REVOKE ALL ON %s FROM homeward_app', part);
    END LOOP;
END
$$;
COMMIT;
