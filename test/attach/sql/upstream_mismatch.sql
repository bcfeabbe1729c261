-- attach() on upstream's real schema with mismatches planted (SPEC §8): one
-- error, SQLSTATE 55000, whose DETAIL lists every mismatch; nothing changed.
SET client_min_messages = warning;
-- Errors are shown as SQLSTATE, message, detail and hint (a PL/pgSQL
-- error's LOCATION varies between minor releases).
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
    state text; msg text; detail text; hint text;
BEGIN
    EXECUTE statement;
    RETURN NEXT 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                            hint = PG_EXCEPTION_HINT;
    RETURN NEXT 'ERROR ' || state || ': ' || msg;
    IF detail <> '' THEN RETURN QUERY SELECT 'DETAIL: ' || l FROM regexp_split_to_table(detail, E'\n') AS l; END IF;
    IF hint <> '' THEN RETURN NEXT 'HINT: ' || hint; END IF;
END
$f$;
CREATE EXTENSION paperclip_locks_attach;
CREATE FUNCTION pg_temp.attach_leftovers() RETURNS TABLE (triggers bigint, indexes bigint, records bigint)
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%'),
           (SELECT count(*) FROM pg_class WHERE relname LIKE 'paperclip_locks_%'),
           (SELECT count(*) FROM paperclip.attachment)
$$;

-- Each mismatch alone, then all at once; each block is rolled back.
-- A missing column:
BEGIN;
ALTER TABLE issues DROP COLUMN execution_agent_name_key;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
ROLLBACK;
-- A wrong type:
BEGIN;
ALTER TABLE heartbeat_runs ALTER COLUMN status TYPE varchar(32);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
ROLLBACK;
-- A lock foreign key without ON DELETE SET NULL:
BEGIN;
ALTER TABLE issues DROP CONSTRAINT issues_checkout_run_id_heartbeat_runs_id_fk,
    ADD CONSTRAINT issues_checkout_run_id_fk FOREIGN KEY (checkout_run_id) REFERENCES heartbeat_runs (id);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
ROLLBACK;
-- A missing table:
BEGIN;
ALTER TABLE issue_relations RENAME TO issue_links;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
ROLLBACK;

-- Everything at once, plus a lock foreign key gone, a lease column that is
-- not a timestamptz and a table replaced by a view: one error lists them all.
BEGIN;
ALTER TABLE issues DROP COLUMN execution_agent_name_key;
ALTER TABLE issues ALTER COLUMN started_at TYPE timestamp;
ALTER TABLE heartbeat_runs ALTER COLUMN status TYPE varchar(32);
ALTER TABLE activity_log ALTER COLUMN details TYPE json;
ALTER TABLE issues DROP CONSTRAINT issues_checkout_run_id_heartbeat_runs_id_fk,
    ADD CONSTRAINT issues_checkout_run_id_fk FOREIGN KEY (checkout_run_id) REFERENCES heartbeat_runs (id) ON DELETE CASCADE;
ALTER TABLE issues DROP CONSTRAINT issues_execution_run_id_heartbeat_runs_id_fk;
ALTER TABLE issue_relations RENAME TO issue_links;
ALTER TABLE issue_comments RENAME TO issue_comments_table;
CREATE VIEW issue_comments AS SELECT * FROM issue_comments_table;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('public', 'strict', run_lease_column => 'finished_at_text')$$);
ALTER TABLE heartbeat_runs ADD COLUMN lease_text text;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('public', 'strict', run_lease_column => 'lease_text')$$);
-- the same list, read-only, for a DBA checking before attaching
SELECT * FROM paperclip.attach_mismatches('public', 'lease_text');
-- nothing was created, nothing recorded
SELECT * FROM pg_temp.attach_leftovers();
ROLLBACK;

-- A schema that does not exist, and one without the tables:
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('no_such_schema')$$);
CREATE SCHEMA empty_schema;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('empty_schema', 'strict')$$);
DROP SCHEMA empty_schema;
SELECT * FROM pg_temp.attach_leftovers();

-- An impostor: a trigger named like one of ours that runs something else
-- would hide a missing rule.
CREATE FUNCTION public.not_a_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER paperclip_locks_issues_guard BEFORE UPDATE ON issues FOR EACH ROW EXECUTE FUNCTION public.not_a_guard();
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
SELECT * FROM pg_temp.attach_leftovers();
DROP TRIGGER paperclip_locks_issues_guard ON issues;
DROP FUNCTION public.not_a_guard();

-- With the schema whole again, attach succeeds.
SELECT paperclip.attach();
SELECT * FROM pg_temp.attach_leftovers();
SELECT paperclip.detach();
SELECT * FROM pg_temp.attach_leftovers();
DROP EXTENSION paperclip_locks_attach;
