-- paperclip_locks_attach on hand-made schemas (SPEC §8), and the two
-- extensions refusing to share a database. Starts from an empty database.
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

-- The two extensions refuse each other, whichever comes second, and the
-- refused one leaves nothing behind.
CREATE EXTENSION paperclip_locks;
SELECT * FROM pg_temp.error_of($$CREATE EXTENSION paperclip_locks_attach$$);
SELECT extname FROM pg_extension WHERE extname LIKE 'paperclip%' ORDER BY 1;
DROP EXTENSION paperclip_locks;
CREATE EXTENSION paperclip_locks_attach;
SELECT * FROM pg_temp.error_of($$CREATE EXTENSION paperclip_locks$$);
SELECT extname FROM pg_extension WHERE extname LIKE 'paperclip%' ORDER BY 1;

-- A hand-made application schema with the columns of SPEC §1 (and one of its
-- own), but several mistakes: a varchar status, an integer company_id, a
-- missing column, a json permissions, a lock foreign key that restricts
-- deletes and one that is missing, and no activity_log at all.
CREATE SCHEMA app;
CREATE TABLE app.companies (id uuid PRIMARY KEY, name text, issue_prefix text, status text,
    require_board_approval_for_new_agents boolean, created_at timestamptz, updated_at timestamptz);
CREATE TABLE app.company_memberships (id uuid PRIMARY KEY, company_id uuid, principal_type text,
    principal_id text, status varchar, membership_role text);
CREATE TABLE app.agents (id uuid PRIMARY KEY, company_id uuid, name text, role text, status text,
    adapter_type text, adapter_config jsonb, runtime_config jsonb, permissions json, reports_to uuid,
    created_at timestamptz, updated_at timestamptz);
CREATE TABLE app.heartbeat_runs (id uuid PRIMARY KEY, company_id integer, agent_id uuid, status text,
    invocation_source text, started_at timestamptz, finished_at timestamptz, error text, error_code text,
    created_at timestamptz, updated_at timestamptz, lease_until timestamptz);
CREATE TABLE app.issues (id uuid PRIMARY KEY, company_id uuid, title text, description text, status text,
    priority text, assignee_agent_id uuid, assignee_user_id text,
    checkout_run_id uuid REFERENCES app.heartbeat_runs (id) ON DELETE RESTRICT,
    execution_run_id uuid, execution_agent_name_key text, execution_locked_at timestamptz,
    started_at timestamptz, completed_at timestamptz, created_at timestamptz, updated_at timestamptz,
    app_column integer);
CREATE TABLE app.issue_relations (id uuid PRIMARY KEY, company_id uuid, issue_id uuid, related_issue_id uuid, type text);
CREATE TABLE app.issue_comments (id uuid PRIMARY KEY, company_id uuid, issue_id uuid, author_agent_id uuid,
    author_user_id text, body text, created_at timestamptz, updated_at timestamptz);
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('app', 'strict', run_lease_column => 'lease_until')$$);
SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%') AS triggers,
       (SELECT count(*) FROM pg_class WHERE relname LIKE 'paperclip_locks_%') AS indexes,
       (SELECT count(*) FROM paperclip.attachment) AS records;

-- Fixed, it attaches: the partial indexes are created (the schema had none),
-- the lease column is recorded.
ALTER TABLE app.company_memberships ALTER COLUMN status TYPE text;
ALTER TABLE app.agents ALTER COLUMN permissions TYPE jsonb;
ALTER TABLE app.heartbeat_runs ALTER COLUMN company_id TYPE uuid USING NULL;
ALTER TABLE app.issues ADD COLUMN cancelled_at timestamptz,
    DROP CONSTRAINT issues_checkout_run_id_fkey,
    ADD FOREIGN KEY (checkout_run_id) REFERENCES app.heartbeat_runs (id) ON DELETE SET NULL,
    ADD FOREIGN KEY (execution_run_id) REFERENCES app.heartbeat_runs (id) ON DELETE SET NULL;
CREATE TABLE app.activity_log (id uuid PRIMARY KEY, company_id uuid, actor_type text, actor_id text,
    action text, entity_type text, entity_id text, agent_id uuid, run_id uuid, details jsonb,
    created_at timestamptz);
SELECT * FROM paperclip.attach_mismatches('app', 'lease_until');
SELECT paperclip.attach('app', 'strict', run_lease_column => 'lease_until');
SELECT target_schema, mode, release_on_run_end, run_lease_column, created_indexes FROM paperclip.attachment;
SELECT tgrelid::regclass AS tbl, tgname FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%' ORDER BY 1, 2;
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'app.issues'::regclass ORDER BY 1;

-- Attached to app, another schema is refused (whatever its shape).
CREATE SCHEMA app2;
SELECT * FROM pg_temp.error_of($$SELECT paperclip.attach('app2', 'strict')$$);
DROP SCHEMA app2;

-- DROP EXTENSION while attached: the triggers depend on its functions, so
-- PostgreSQL refuses without CASCADE.
-- (The first line only: the order of the DETAIL lines is PostgreSQL's.)
SELECT e FROM pg_temp.error_of($$DROP EXTENSION paperclip_locks_attach$$) AS e LIMIT 1;

-- detach() leaves the application's tables as they were.
SELECT paperclip.detach();
SELECT count(*) AS triggers FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%';
SELECT indexrelid::regclass AS index FROM pg_index WHERE indrelid = 'app.issues'::regclass ORDER BY 1;
DROP SCHEMA app CASCADE;
DROP EXTENSION paperclip_locks_attach;
