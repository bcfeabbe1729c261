-- paperclip.attach() / detach() on upstream Paperclip's real schema, made by
-- its own migrations (SPEC §8). The database starts with upstream's tables in
-- schema public and a few rows, one of them a zombie lock.
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
INSERT INTO companies (id, name, issue_prefix) VALUES ('00000000-0000-4000-8000-0000000000c1', 'Acme', 'ACM');
INSERT INTO company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES ('00000000-0000-4000-8000-0000000000c1', 'user', 'board-user', 'admin');
INSERT INTO agents (id, company_id, name) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'CodexCoder');
INSERT INTO heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'failed');
INSERT INTO issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
                    execution_agent_name_key, execution_locked_at)
    VALUES ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000c1', 'Zombie', 'in_progress',
            '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001',
            '00000000-0000-4000-8000-000000000001', 'codexcoder', '2026-11-30 10:00+00');
INSERT INTO issues (id, company_id, title) VALUES ('00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000c1', 'Next');
INSERT INTO issue_relations (company_id, issue_id, related_issue_id, type)
    VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2', 'blocks');
INSERT INTO issue_comments (company_id, issue_id, body) VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000e1', 'hello');
INSERT INTO activity_log (company_id, actor_id, action, entity_type, entity_id)
    VALUES ('00000000-0000-4000-8000-0000000000c1', 'board-user', 'issue.created', 'issue', '00000000-0000-4000-8000-0000000000e1');

-- A checksum of every row of the eight tables: attach then detach must leave
-- it unchanged.
CREATE FUNCTION pg_temp.app_rows() RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(t || ':' || h, ' ' ORDER BY t) FROM (
        SELECT 'companies' t, md5(string_agg(x::text, ',' ORDER BY x::text)) h FROM companies x UNION ALL
        SELECT 'company_memberships', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM company_memberships x UNION ALL
        SELECT 'agents', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM agents x UNION ALL
        SELECT 'heartbeat_runs', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM heartbeat_runs x UNION ALL
        SELECT 'issues', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM issues x UNION ALL
        SELECT 'issue_relations', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM issue_relations x UNION ALL
        SELECT 'issue_comments', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM issue_comments x UNION ALL
        SELECT 'activity_log', md5(string_agg(x::text, ',' ORDER BY x::text)) FROM activity_log x) s
$$;
-- Everything attach may create on the application's tables: triggers whose
-- name starts with paperclip_locks_, and indexes.
CREATE FUNCTION pg_temp.app_objects() RETURNS TABLE (kind text, tbl text, name text, oid oid) LANGUAGE sql AS $$
    SELECT 'trigger', tgrelid::regclass::text, tgname::text, t.oid FROM pg_trigger t
    WHERE tgrelid IN ('companies'::regclass, 'company_memberships'::regclass, 'agents'::regclass,
                      'heartbeat_runs'::regclass, 'issues'::regclass, 'issue_relations'::regclass,
                      'issue_comments'::regclass, 'activity_log'::regclass) AND NOT tgisinternal
    UNION ALL
    SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text, indexrelid FROM pg_index
    WHERE indrelid = 'issues'::regclass
    ORDER BY 1, 2, 3
$$;
CREATE TEMP TABLE before_attach AS SELECT pg_temp.app_rows() AS rows;
CREATE TEMP TABLE objects_before AS SELECT * FROM pg_temp.app_objects();

CREATE EXTENSION paperclip_locks_attach;
-- The extension created none of the tables of SPEC §1; its own tables are the
-- terminal statuses and the attachment record.
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'paperclip' AND c.relkind IN ('r', 'v', 'c', 'p') ORDER BY 1;
SELECT cfg::regclass::text AS config_table, cond
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
WHERE e.extname = 'paperclip_locks_attach' ORDER BY 1;
SELECT rolname FROM pg_roles WHERE rolname = 'paperclip_trusted_app';

-- Upstream's schema has every column of SPEC §1 with its type and both lock
-- foreign keys ON DELETE SET NULL: no mismatch, also with upstream's own lease
-- column named.
SELECT * FROM paperclip.attach_mismatches();
SELECT * FROM paperclip.attach_mismatches('public', 'controller_lease_expires_at');
SELECT * FROM paperclip.issue_locks;  -- not attached yet: no rows

-- Attach, compat by default: the triggers (names starting paperclip_locks_),
-- no run-end release (compat leaves it to the server), the two partial
-- indexes upstream lacks, and the record.
SELECT paperclip.attach();
SELECT kind, tbl, name FROM pg_temp.app_objects()
EXCEPT SELECT kind, tbl, name FROM objects_before ORDER BY 1, 2, 3;
SELECT pg_get_indexdef(indexrelid) FROM pg_index
WHERE indexrelid::regclass::text LIKE 'paperclip_locks_%' ORDER BY 1;
SELECT target_schema, mode, release_on_run_end, run_lease_column, created_indexes, attached_by
FROM paperclip.attachment;
-- The extension's own statements run as paperclip_owner (SPEC §10): attach
-- granted it what they need on the application's tables, and recorded it.
SELECT granted_privileges FROM paperclip.attachment;
SELECT count(*) AS owner_privileges FROM information_schema.role_table_grants
WHERE grantee = 'paperclip_owner' AND table_schema = 'public';
-- Every trigger runs a function of the extension.
SELECT tgname, tgfoid::regprocedure FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%'
GROUP BY 1, 2 ORDER BY 1;
-- The operator's view sees the zombie lock (a failed run still named).
SELECT issue_id, status, checkout_run_status, execution_run_status, stale FROM paperclip.issue_locks;

-- The same arguments again change nothing: same objects (same oids), same
-- record (same attached_at).
CREATE TEMP TABLE objects_attached AS SELECT * FROM pg_temp.app_objects();
CREATE TEMP TABLE record_attached AS SELECT * FROM paperclip.attachment;
SELECT paperclip.attach('public', 'compat');
SELECT paperclip.attach(mode => 'compat', release_on_run_end => false);
SELECT (SELECT count(*) FROM (SELECT * FROM pg_temp.app_objects() EXCEPT SELECT * FROM objects_attached) d) AS new_objects,
       (SELECT count(*) FROM (SELECT * FROM objects_attached EXCEPT SELECT * FROM pg_temp.app_objects()) d) AS gone_objects,
       (SELECT a = r FROM paperclip.attachment a, record_attached r) AS record_unchanged;

-- Another mode switches: strict releases on run end by default (the run-end
-- trigger appears), and records the lease column; back to compat removes it.
SELECT paperclip.attach(mode => 'strict', run_lease_column => 'controller_lease_expires_at');
SELECT mode, release_on_run_end, run_lease_column FROM paperclip.attachment;
SELECT kind, tbl, name FROM pg_temp.app_objects()
EXCEPT SELECT kind, tbl, name FROM objects_attached ORDER BY 1, 2, 3;
SELECT paperclip.attach(mode => 'strict', release_on_run_end => false);
SELECT mode, release_on_run_end, run_lease_column FROM paperclip.attachment;
SELECT count(*) AS run_end_triggers FROM pg_trigger WHERE tgname = 'paperclip_locks_heartbeat_runs_released';
SELECT paperclip.attach(mode => 'compat', release_on_run_end => true);
SELECT mode, release_on_run_end FROM paperclip.attachment;
SELECT count(*) AS run_end_triggers FROM pg_trigger WHERE tgname = 'paperclip_locks_heartbeat_runs_released';
SELECT paperclip.attach();
SELECT mode, release_on_run_end, run_lease_column FROM paperclip.attachment;
SELECT (SELECT count(*) FROM (SELECT kind, tbl, name FROM pg_temp.app_objects()
                              EXCEPT SELECT kind, tbl, name FROM objects_attached) d) AS new_objects,
       (SELECT count(*) FROM (SELECT kind, tbl, name FROM objects_attached
                              EXCEPT SELECT kind, tbl, name FROM pg_temp.app_objects()) d) AS gone_objects;

-- Bad arguments: a clear error each, nothing changed.
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach(mode => 'lenient')$$);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach(mode => NULL)$$);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach(target_schema => NULL)$$);
-- Attached already: another schema needs a detach first.
CREATE SCHEMA other;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('other')$$);
-- Superuser or the extension's owner only (a role without EXECUTE does not
-- even get to the check; one given EXECUTE gets the check's answer).
CREATE ROLE attach_test_nobody;
GRANT USAGE ON SCHEMA paperclip TO attach_test_nobody;
SET ROLE attach_test_nobody;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.detach()$$);
RESET ROLE;
GRANT EXECUTE ON FUNCTION paperclip.attach(name, text, boolean, name), paperclip.detach() TO attach_test_nobody;
SET ROLE attach_test_nobody;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach()$$);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.detach()$$);
RESET ROLE;
SELECT target_schema, mode, release_on_run_end FROM paperclip.attachment;
SELECT (SELECT count(*) FROM (SELECT * FROM pg_temp.app_objects() EXCEPT SELECT * FROM objects_attached) d) AS new_objects;

-- detach() takes off exactly what attach() created: the triggers, the two
-- indexes, the record. Upstream's own triggers and indexes stay, and every
-- application row is byte-identical.
SELECT paperclip.detach();
SELECT * FROM paperclip.attachment;
SELECT (SELECT count(*) FROM (SELECT * FROM pg_temp.app_objects() EXCEPT SELECT * FROM objects_before) d) AS left_behind,
       (SELECT count(*) FROM (SELECT * FROM objects_before EXCEPT SELECT * FROM pg_temp.app_objects()) d) AS removed_too_much;
SELECT pg_temp.app_rows() = rows AS rows_identical FROM before_attach;
SELECT count(*) AS owner_privileges FROM information_schema.role_table_grants
WHERE grantee = 'paperclip_owner' AND table_schema = 'public';
-- Detached: a second detach is a notice, not an error.
SET client_min_messages = notice;
SELECT paperclip.detach();
SET client_min_messages = warning;

-- An index the application built itself (e.g. CONCURRENTLY, before
-- attaching) is used, not duplicated, and detach leaves it.
CREATE INDEX app_checkout_idx ON issues (checkout_run_id);
SELECT paperclip.attach();
SELECT created_indexes FROM paperclip.attachment;
SELECT paperclip.detach();
SELECT count(*) AS app_index_kept FROM pg_class WHERE relname = 'app_checkout_idx';
DROP INDEX app_checkout_idx;

-- Upstream's future migrations: a DDL command that leaves an attached table
-- short of what attach() needs gets a WARNING listing it (the migration goes
-- on); a harmless change (a column of its own), or any change while
-- detached, says nothing.
SELECT paperclip.attach();
ALTER TABLE issues ALTER COLUMN execution_agent_name_key TYPE varchar(64);
ALTER TABLE issues ALTER COLUMN execution_agent_name_key TYPE text;
ALTER TABLE issues ADD COLUMN app_note text;
ALTER TABLE issues DROP COLUMN app_note;
SELECT paperclip.detach();
ALTER TABLE issues ALTER COLUMN execution_agent_name_key TYPE varchar(64);
ALTER TABLE issues ALTER COLUMN execution_agent_name_key TYPE text;

DROP SCHEMA other;
REVOKE ALL ON SCHEMA paperclip FROM attach_test_nobody;
DROP EXTENSION paperclip_locks_attach;
DROP ROLE attach_test_nobody;
SELECT pg_temp.app_rows() = rows AS rows_identical FROM before_attach;
