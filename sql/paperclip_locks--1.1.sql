-- paperclip_locks 1.1: the full install script (1.0 plus sql/paperclip_locks--1.0--1.1.sql).
-- Every object change goes here AND into paperclip_locks--1.0--1.1.sql;
-- test/upgrade_drift.sh fails when the two paths give different catalogs.
\echo Use "CREATE EXTENSION paperclip_locks" to load this file. \quit

-- The two extensions never share a database (SPEC §8): paperclip_locks_attach
-- puts these rules on an application's own tables. Same advisory lock key in
-- both scripts, so two concurrent CREATE EXTENSIONs see each other.
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('paperclip_locks extension'));
DO $refuse$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'paperclip_locks_attach') THEN
        RAISE EXCEPTION 'extension "paperclip_locks" cannot be created in a database that has extension "paperclip_locks_attach"'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'paperclip_locks_attach already puts the same rules on an application schema of this database.',
                  HINT = 'Use one of them: call paperclip.detach() and DROP EXTENSION paperclip_locks_attach first, or keep it.';
    END IF;
END
$refuse$;

-------------------------------------------------------------------------------
-- Roles. Group roles (NOLOGIN) the extension grants to; a DBA grants them to
-- login roles. Created only when missing: roles are cluster-wide and may
-- already serve another database.
--   paperclip_reader    reads every table and the issue_locks view
--   paperclip_app       the application server: sets actors, calls the
--                       functions, writes rows (triggers apply the rules)
--   paperclip_operator  database operator: statements without an actor,
--                       force-release, sweep, terminal statuses
-------------------------------------------------------------------------------
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['paperclip_reader', 'paperclip_app', 'paperclip_operator'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                -- CREATE EXTENSION in another database of the cluster
                -- created it concurrently (roles are cluster-wide).
                NULL;
            END;
        END IF;
    END LOOP;
END
$roles$;

-------------------------------------------------------------------------------
-- Vocabularies (SPEC §2), defined once in C++ and exposed to SQL.
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.is_issue_status(status text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_is_issue_status'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.is_issue_status(text) IS
    'true for backlog, todo, in_progress, in_review, blocked, done, cancelled';

CREATE FUNCTION @extschema@.normalize_agent_name_key(name text) RETURNS text
    AS 'MODULE_PATHNAME', 'paperclip_normalize_agent_name_key'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.normalize_agent_name_key(text) IS
    'lower-case, non-alphanumerics removed: CodexCoder -> codexcoder';

-- Terminal run statuses: a run in one of them holds nothing. Operators add
-- more with INSERT; every backend sees the change from its next transaction.
CREATE TABLE @extschema@.terminal_run_statuses (
    status   text PRIMARY KEY CHECK (status <> ''),
    builtin  boolean NOT NULL DEFAULT false,
    note     text,
    added_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO @extschema@.terminal_run_statuses (status, builtin, note) VALUES
    ('succeeded', true, 'shipped with 1.0'),
    ('failed', true, 'shipped with 1.0'),
    ('cancelled', true, 'shipped with 1.0'),
    ('timed_out', true, 'shipped with 1.0'),
    ('interrupted', true, 'shipped with 1.0');
COMMENT ON TABLE @extschema@.terminal_run_statuses IS
    'run statuses that release locks; any status not listed holds (unknown ones included)';

CREATE FUNCTION @extschema@.terminal_run_statuses_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_terminal_run_statuses_changed'
    LANGUAGE C;
CREATE TRIGGER terminal_run_statuses_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.terminal_run_statuses
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.terminal_run_statuses_changed();

-- NULL (no such run) counts as terminal.
CREATE FUNCTION @extschema@.run_status_is_terminal(status text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_run_status_is_terminal'
    LANGUAGE C STABLE PARALLEL RESTRICTED;

-- Whether a run holds (SPEC §2, §9): its status (NULL: no such run) and its
-- lease (NULL expires_at: none), judged at the statement's start.
CREATE FUNCTION @extschema@.run_is_live(status text, lease_expires_at timestamptz,
                                        lease_backend_pid integer, lease_backend_start timestamptz)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_run_is_live'
    LANGUAGE C STABLE PARALLEL RESTRICTED;

-------------------------------------------------------------------------------
-- Data model (SPEC §1)
-------------------------------------------------------------------------------
CREATE TABLE @extschema@.companies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    issue_prefix text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'active',
    require_board_approval_for_new_agents boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE @extschema@.company_memberships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    principal_type text NOT NULL CHECK (principal_type IN ('user', 'agent')),
    principal_id text NOT NULL,
    status text NOT NULL DEFAULT 'active',
    membership_role text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, principal_type, principal_id)
);

CREATE TABLE @extschema@.agents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    name text NOT NULL,
    role text NOT NULL DEFAULT 'general',
    status text NOT NULL DEFAULT 'idle',
    adapter_type text NOT NULL DEFAULT 'process',
    adapter_config jsonb NOT NULL DEFAULT '{}',
    runtime_config jsonb NOT NULL DEFAULT '{}',
    permissions jsonb NOT NULL DEFAULT '{}',
    reports_to uuid REFERENCES @extschema@.agents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_company_status_idx ON @extschema@.agents (company_id, status);

CREATE TABLE @extschema@.heartbeat_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    agent_id uuid NOT NULL REFERENCES @extschema@.agents (id),
    -- plain text on purpose: unknown statuses are tolerated and hold locks
    status text NOT NULL DEFAULT 'queued',
    invocation_source text NOT NULL DEFAULT 'on_demand',
    started_at timestamptz,
    finished_at timestamptz,
    error text,
    error_code text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX heartbeat_runs_company_agent_started_idx
    ON @extschema@.heartbeat_runs (company_id, agent_id, started_at);
CREATE INDEX heartbeat_runs_agent_idx ON @extschema@.heartbeat_runs (agent_id);

CREATE TABLE @extschema@.issues (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    title text NOT NULL,
    description text,
    status text NOT NULL DEFAULT 'backlog'
        CONSTRAINT issues_status_check CHECK (@extschema@.is_issue_status(status)),
    priority text NOT NULL DEFAULT 'medium',
    assignee_agent_id uuid REFERENCES @extschema@.agents (id),
    assignee_user_id text,
    checkout_run_id uuid REFERENCES @extschema@.heartbeat_runs (id) ON DELETE SET NULL,
    execution_run_id uuid REFERENCES @extschema@.heartbeat_runs (id) ON DELETE SET NULL,
    execution_agent_name_key text,
    execution_locked_at timestamptz,
    started_at timestamptz,
    completed_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT issues_one_assignee_check
        CHECK (assignee_agent_id IS NULL OR assignee_user_id IS NULL)
);
CREATE INDEX issues_company_status_idx ON @extschema@.issues (company_id, status);
CREATE INDEX issues_company_assignee_status_idx
    ON @extschema@.issues (company_id, assignee_agent_id, status);
-- Every lock lookup is an index lookup; the partial indexes hold only the
-- (few) locked issues and serve the ON DELETE SET NULL cascade, issue_locks
-- and the sweep.
CREATE INDEX issues_checkout_run_idx ON @extschema@.issues (checkout_run_id)
    WHERE checkout_run_id IS NOT NULL;
CREATE INDEX issues_execution_run_idx ON @extschema@.issues (execution_run_id)
    WHERE execution_run_id IS NOT NULL;

CREATE TABLE @extschema@.issue_relations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    issue_id uuid NOT NULL REFERENCES @extschema@.issues (id) ON DELETE CASCADE,
    related_issue_id uuid NOT NULL REFERENCES @extschema@.issues (id) ON DELETE CASCADE,
    type text NOT NULL DEFAULT 'blocks' CHECK (type IN ('blocks')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issue_id, related_issue_id, type)
);
CREATE INDEX issue_relations_related_idx ON @extschema@.issue_relations (related_issue_id, type);

CREATE TABLE @extschema@.issue_comments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    issue_id uuid NOT NULL REFERENCES @extschema@.issues (id) ON DELETE CASCADE,
    author_agent_id uuid,
    author_user_id text,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX issue_comments_issue_idx ON @extschema@.issue_comments (issue_id, created_at);

-- Append-only; deliberately no foreign key to issues, heartbeat_runs or agents:
-- an audit insert must take no row lock on them (SPEC §6, §7).
CREATE TABLE @extschema@.activity_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    company_id uuid NOT NULL REFERENCES @extschema@.companies (id),
    actor_type text NOT NULL DEFAULT 'system' CHECK (actor_type IN ('agent', 'user', 'system')),
    actor_id text NOT NULL,
    action text NOT NULL,
    entity_type text NOT NULL,
    entity_id text NOT NULL,
    agent_id uuid,
    run_id uuid,
    details jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_log_company_created_idx ON @extschema@.activity_log (company_id, created_at);
CREATE INDEX activity_log_entity_idx ON @extschema@.activity_log (entity_type, entity_id);
CREATE INDEX activity_log_run_idx ON @extschema@.activity_log (run_id);

-- Run leases (SPEC §9). No foreign key: a lease row must never lock, or wait
-- for, the run row it describes (renewal locks the run row first, then this
-- one), and the attached extension keeps the same table beside an
-- application's heartbeat_runs. A missing run counts as terminal anyway.
CREATE TABLE @extschema@.run_leases (
    run_id uuid PRIMARY KEY,
    company_id uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    renewed_at timestamptz NOT NULL,
    backend_pid integer,
    backend_start timestamptz,
    CONSTRAINT run_leases_binding_check CHECK ((backend_pid IS NULL) = (backend_start IS NULL))
);
COMMENT ON TABLE @extschema@.run_leases IS
    'a run with a lease is live only until expires_at (and while its bound backend exists); written by renew_run_lease only';

-- pg_dump keeps every row of the extension's tables; the built-in terminal
-- statuses come back with CREATE EXTENSION, so only added ones are dumped.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.companies', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.company_memberships', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.agents', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.heartbeat_runs', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.issues', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.issue_relations', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.issue_comments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.activity_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.run_leases', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.terminal_run_statuses', 'WHERE NOT builtin');

-------------------------------------------------------------------------------
-- Actors (SPEC §3)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.set_actor_agent(agent_id uuid, run_id uuid DEFAULT NULL) RETURNS void
    AS 'MODULE_PATHNAME', 'paperclip_set_actor_agent'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION @extschema@.set_actor_board(user_id text) RETURNS void
    AS 'MODULE_PATHNAME', 'paperclip_set_actor_board'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
CREATE FUNCTION @extschema@.current_actor(
        OUT actor_type text, OUT agent_id uuid, OUT run_id uuid, OUT company_id uuid,
        OUT user_id text, OUT role_name text)
    AS 'MODULE_PATHNAME', 'paperclip_current_actor'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.current_actor() IS
    'the actor of this transaction: agent, board, operator (no actor, operator role) or none';

-------------------------------------------------------------------------------
-- Functions (SPEC §4). Not SECURITY DEFINER: each captures its caller, then
-- runs its own statements as the extension owner; search_path is pinned so
-- no caller can shadow an operator or function those statements use.
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.clear_execution_run_if_terminal(issue_id uuid) RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_clear_execution_run_if_terminal'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.clear_checkout_run_if_terminal(issue_id uuid) RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_clear_checkout_run_if_terminal'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.checkout(issue_id uuid, agent_id uuid, expected_statuses text[],
                                     run_id uuid DEFAULT NULL)
    RETURNS @extschema@.issues
    AS 'MODULE_PATHNAME', 'paperclip_checkout'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.release(issue_id uuid, agent_id uuid DEFAULT NULL, run_id uuid DEFAULT NULL)
    RETURNS @extschema@.issues
    AS 'MODULE_PATHNAME', 'paperclip_release'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.assert_checkout_owner(issue_id uuid, agent_id uuid, run_id uuid,
        OUT id uuid, OUT status text, OUT assignee_agent_id uuid, OUT checkout_run_id uuid,
        OUT execution_run_id uuid, OUT adopted_from_run_id uuid)
    AS 'MODULE_PATHNAME', 'paperclip_assert_checkout_owner'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.acquire_execution_lock(issue_id uuid, run_id uuid) RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_acquire_execution_lock'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.admin_force_release(issue_id uuid, clear_assignee boolean DEFAULT false,
        reason text DEFAULT NULL,
        OUT id uuid, OUT status text, OUT assignee_agent_id uuid, OUT checkout_run_id uuid,
        OUT execution_run_id uuid, OUT execution_locked_at timestamptz,
        OUT previous_checkout_run_id uuid, OUT previous_execution_run_id uuid)
    AS 'MODULE_PATHNAME', 'paperclip_admin_force_release'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION @extschema@.renew_run_lease(run_id uuid, ttl interval DEFAULT '2 minutes',
                                            bind_session boolean DEFAULT false)
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'paperclip_renew_run_lease'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.renew_run_lease(uuid, interval, boolean) IS
    'moves the run''s lease expiry to now + ttl (1 second to 1 day); a run whose lease expired stays dead';

-------------------------------------------------------------------------------
-- The operator's toolkit (SPEC §4.8)
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.lock_is_sweepable(checkout_run_id uuid, checkout_run_status text,
                                              execution_run_id uuid, execution_run_status text)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_lock_is_sweepable'
    LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.lock_is_sweepable(uuid, text, uuid, text) IS
    'true when clearing terminal or missing holder runs would change these lock columns (by status alone, as in 1.0)';
-- With the holders' leases (SPEC §9): what the sweep itself asks.
CREATE FUNCTION @extschema@.lock_is_sweepable(
        checkout_run_id uuid, checkout_run_status text, checkout_lease_expires_at timestamptz,
        checkout_lease_backend_pid integer, checkout_lease_backend_start timestamptz,
        execution_run_id uuid, execution_run_status text, execution_lease_expires_at timestamptz,
        execution_lease_backend_pid integer, execution_lease_backend_start timestamptz)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_lock_is_sweepable_with_leases'
    LANGUAGE C STABLE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.lock_is_sweepable(uuid, text, timestamptz, integer, timestamptz,
                                                  uuid, text, timestamptz, integer, timestamptz) IS
    'true when clearing holder runs that are terminal, missing or whose lease ended would change these lock columns';

CREATE VIEW @extschema@.issue_locks AS
SELECT i.id AS issue_id,
       i.company_id,
       i.status,
       i.assignee_agent_id,
       i.checkout_run_id,
       cr.status AS checkout_run_status,
       i.execution_run_id,
       er.status AS execution_run_status,
       now() - coalesce(i.execution_locked_at, i.started_at, i.updated_at) AS locked_for,
       (i.checkout_run_id IS NOT NULL
            AND NOT @extschema@.run_is_live(cr.status, cl.expires_at, cl.backend_pid, cl.backend_start))
           OR (i.execution_run_id IS NOT NULL
               AND NOT @extschema@.run_is_live(er.status, el.expires_at, el.backend_pid, el.backend_start)) AS stale,
       cl.expires_at AS checkout_run_lease_expires_at,
       el.expires_at AS execution_run_lease_expires_at
FROM @extschema@.issues AS i
LEFT JOIN @extschema@.heartbeat_runs AS cr ON cr.id = i.checkout_run_id
LEFT JOIN @extschema@.run_leases AS cl ON cl.run_id = i.checkout_run_id
LEFT JOIN @extschema@.heartbeat_runs AS er ON er.id = i.execution_run_id
LEFT JOIN @extschema@.run_leases AS el ON el.run_id = i.execution_run_id
WHERE i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL;
COMMENT ON VIEW @extschema@.issue_locks IS
    'one row per issue holding a lock; stale: a holder run is terminal, missing, or its lease ended (SPEC §9)';

CREATE FUNCTION @extschema@.sweep_stale_locks(batch_size integer DEFAULT 1000) RETURNS bigint
    AS 'MODULE_PATHNAME', 'paperclip_sweep_stale_locks'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;

-- Drains every stale lock, committing after each batch so no transaction is
-- long. CALL it outside a transaction block. (No SET clause: a procedure with
-- one cannot commit; every name below is schema-qualified instead.)
CREATE PROCEDURE @extschema@.sweep_all_stale_locks(batch_size integer DEFAULT 1000,
                                                   INOUT cleared bigint DEFAULT 0)
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    cleared := 0;
    LOOP
        n := @extschema@.sweep_stale_locks(batch_size);
        EXIT WHEN n OPERATOR(pg_catalog.=) 0;
        cleared := cleared OPERATOR(pg_catalog.+) n;
        COMMIT;
    END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- Triggers (SPEC §6): the same rules for every client. Each guard lets the
-- extension's own writes through (its functions applied the rules already)
-- and database operators; everyone else needs an actor. The trigger
-- functions carry no SET clause (a function-level SET on every row write cost
-- ~12% of a checkout-update-release cycle); their statements run inside the
-- owner switch, which pins search_path in a GUC nest level of its own (1.1,
-- SPEC §10), and name each table, function, operator and type with its
-- schema (src/pg/spi.hpp); sql/hardening.sql and sql/security_owner.sql try.
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.issues_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_issues_guard'
    LANGUAGE C;
CREATE TRIGGER issues_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.issues
    FOR EACH ROW EXECUTE FUNCTION @extschema@.issues_guard();

CREATE FUNCTION @extschema@.issue_comments_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_issue_comments_guard'
    LANGUAGE C;
CREATE TRIGGER issue_comments_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.issue_comments
    FOR EACH ROW EXECUTE FUNCTION @extschema@.issue_comments_guard();

CREATE FUNCTION @extschema@.heartbeat_runs_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_heartbeat_runs_guard'
    LANGUAGE C;
CREATE TRIGGER heartbeat_runs_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.heartbeat_runs
    FOR EACH ROW EXECUTE FUNCTION @extschema@.heartbeat_runs_guard();

-- A run that turns terminal releases its locks in the same transaction.
CREATE FUNCTION @extschema@.heartbeat_runs_released() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_heartbeat_runs_released'
    LANGUAGE C;
CREATE TRIGGER heartbeat_runs_released AFTER UPDATE OF status ON @extschema@.heartbeat_runs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION @extschema@.heartbeat_runs_released();

CREATE FUNCTION @extschema@.activity_log_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_activity_log_guard'
    LANGUAGE C;
CREATE TRIGGER activity_log_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.activity_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.activity_log_guard();
CREATE TRIGGER activity_log_no_truncate BEFORE TRUNCATE ON @extschema@.activity_log
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.activity_log_guard();

CREATE FUNCTION @extschema@.company_scope_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_company_scope_guard'
    LANGUAGE C;
CREATE TRIGGER company_scope_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.companies
    FOR EACH ROW EXECUTE FUNCTION @extschema@.company_scope_guard('id', 'agents_may_not_write');
CREATE TRIGGER company_scope_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.company_memberships
    FOR EACH ROW EXECUTE FUNCTION @extschema@.company_scope_guard('company_id', 'agents_may_not_write');
CREATE TRIGGER company_scope_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.agents
    FOR EACH ROW EXECUTE FUNCTION @extschema@.company_scope_guard('company_id', 'agents_may_not_write');
CREATE TRIGGER company_scope_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.issue_relations
    FOR EACH ROW EXECUTE FUNCTION @extschema@.company_scope_guard('company_id', 'agents_may_write');

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; each group role gets what its job needs.
-------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA @extschema@ FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@ TO paperclip_reader, paperclip_app, paperclip_operator;
GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@ TO paperclip_reader, paperclip_app, paperclip_operator;

-- Pure functions anyone with schema access may use (views and CHECKs call them).
GRANT EXECUTE ON FUNCTION
    @extschema@.is_issue_status(text),
    @extschema@.normalize_agent_name_key(text),
    @extschema@.run_status_is_terminal(text),
    @extschema@.run_is_live(text, timestamptz, integer, timestamptz),
    @extschema@.lock_is_sweepable(uuid, text, uuid, text),
    @extschema@.lock_is_sweepable(uuid, text, timestamptz, integer, timestamptz,
                                  uuid, text, timestamptz, integer, timestamptz),
    @extschema@.current_actor()
    TO paperclip_reader, paperclip_app, paperclip_operator;

-- The application server.
GRANT EXECUTE ON FUNCTION
    @extschema@.set_actor_agent(uuid, uuid),
    @extschema@.set_actor_board(text),
    @extschema@.clear_execution_run_if_terminal(uuid),
    @extschema@.clear_checkout_run_if_terminal(uuid),
    @extschema@.checkout(uuid, uuid, text[], uuid),
    @extschema@.release(uuid, uuid, uuid),
    @extschema@.assert_checkout_owner(uuid, uuid, uuid),
    @extschema@.acquire_execution_lock(uuid, uuid),
    @extschema@.admin_force_release(uuid, boolean, text),
    @extschema@.renew_run_lease(uuid, interval, boolean)
    TO paperclip_app;
GRANT INSERT, UPDATE, DELETE ON
    @extschema@.companies, @extschema@.company_memberships, @extschema@.agents,
    @extschema@.heartbeat_runs, @extschema@.issues, @extschema@.issue_relations,
    @extschema@.issue_comments
    TO paperclip_app;
GRANT INSERT ON @extschema@.activity_log TO paperclip_app;

-- The database operator.
GRANT EXECUTE ON FUNCTION
    @extschema@.clear_execution_run_if_terminal(uuid),
    @extschema@.clear_checkout_run_if_terminal(uuid),
    @extschema@.checkout(uuid, uuid, text[], uuid),
    @extschema@.release(uuid, uuid, uuid),
    @extschema@.acquire_execution_lock(uuid, uuid),
    @extschema@.admin_force_release(uuid, boolean, text),
    @extschema@.sweep_stale_locks(integer),
    @extschema@.renew_run_lease(uuid, interval, boolean)
    TO paperclip_operator;
GRANT EXECUTE ON PROCEDURE @extschema@.sweep_all_stale_locks(integer, bigint) TO paperclip_operator;
GRANT INSERT, UPDATE, DELETE ON
    @extschema@.companies, @extschema@.company_memberships, @extschema@.agents,
    @extschema@.heartbeat_runs, @extschema@.issues, @extschema@.issue_relations,
    @extschema@.issue_comments
    TO paperclip_operator;
GRANT INSERT ON @extschema@.activity_log TO paperclip_operator;
GRANT INSERT, DELETE ON @extschema@.terminal_run_statuses TO paperclip_operator;

-------------------------------------------------------------------------------
-- 1.1 (security, SPEC §6 and §10). The same text ends paperclip_locks--1.1.sql
-- and paperclip_locks--1.0--1.1.sql.
-------------------------------------------------------------------------------

-- The built-in terminal statuses cannot be removed, by anyone: operators add
-- statuses and remove only the ones they added (SPEC §6).
CREATE FUNCTION @extschema@.terminal_run_statuses_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_terminal_run_statuses_guard'
    LANGUAGE C;
REVOKE ALL ON FUNCTION @extschema@.terminal_run_statuses_guard() FROM PUBLIC;
CREATE TRIGGER terminal_run_statuses_guard
    BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.terminal_run_statuses
    FOR EACH ROW EXECUTE FUNCTION @extschema@.terminal_run_statuses_guard();
CREATE TRIGGER terminal_run_statuses_no_truncate BEFORE TRUNCATE ON @extschema@.terminal_run_statuses
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.terminal_run_statuses_guard();

-- The group roles are cluster-wide (README, "Roles on a shared cluster"): a
-- login role granted paperclip_app for this database holds it in every
-- database of the cluster that has the extension. For a DBA: every role that
-- holds a paperclip group role (directly or through other roles), and every
-- database it may connect to. Rows with is_this_database false are the reach
-- a multi-tenant cluster must close (REVOKE CONNECT ... FROM PUBLIC, and
-- GRANT CONNECT per tenant).
CREATE VIEW @extschema@.group_role_reach AS
WITH RECURSIVE holders(group_role, member) AS (
    SELECT g.oid, m.member
    FROM pg_catalog.pg_roles AS g
    JOIN pg_catalog.pg_auth_members AS m ON m.roleid OPERATOR(pg_catalog.=) g.oid
    WHERE g.rolname OPERATOR(pg_catalog.=) ANY (ARRAY['paperclip_reader', 'paperclip_app', 'paperclip_operator']::pg_catalog.name[])
    UNION
    SELECT h.group_role, m.member
    FROM holders AS h
    JOIN pg_catalog.pg_auth_members AS m ON m.roleid OPERATOR(pg_catalog.=) h.member
)
SELECT g.rolname AS group_role,
       r.rolname AS member_role,
       r.rolcanlogin AS can_login,
       d.datname AS database_name,
       d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database() AS is_this_database
FROM holders AS h
JOIN pg_catalog.pg_roles AS g ON g.oid OPERATOR(pg_catalog.=) h.group_role
JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) h.member
JOIN pg_catalog.pg_database AS d
    ON d.datallowconn AND pg_catalog.has_database_privilege(r.oid, d.oid, 'CONNECT');
COMMENT ON VIEW @extschema@.group_role_reach IS
    'roles holding a paperclip group role, and each database they may connect to (group roles are cluster-wide)';
REVOKE ALL ON @extschema@.group_role_reach FROM PUBLIC;
GRANT SELECT ON @extschema@.group_role_reach TO paperclip_operator;

-- The extension's own statements (inside its functions and triggers) run as
-- the owner of its objects (SPEC §10). That owner is paperclip_owner: NOLOGIN,
-- no superuser, no member. An application's trigger, default or index
-- expression on these tables that runs inside such a statement runs with
-- this role's rights (and search_path pinned to pg_catalog, pg_temp), never
-- a superuser's. Cluster-wide like the group roles; created when missing.
DO $owner_role$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) 'paperclip_owner') THEN
        BEGIN
            CREATE ROLE paperclip_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT
                NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created concurrently by CREATE EXTENSION in another database
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles
               WHERE rolname OPERATOR(pg_catalog.=) 'paperclip_owner'
                 AND (rolsuper OR rolcanlogin OR rolbypassrls OR rolcreaterole OR rolreplication)) THEN
        RAISE EXCEPTION 'role paperclip_owner must be NOLOGIN, NOSUPERUSER, NOCREATEROLE, NOREPLICATION and NOBYPASSRLS'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The extension''s internal statements run as this role.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members AS m JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) m.roleid
               WHERE r.rolname OPERATOR(pg_catalog.=) 'paperclip_owner') THEN
        RAISE EXCEPTION 'role paperclip_owner must have no members'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'A member could act as the owner of every paperclip table; REVOKE paperclip_owner FROM it.';
    END IF;
END
$owner_role$;
ALTER SCHEMA @extschema@ OWNER TO paperclip_owner;
DO $owner$
DECLARE
    stmt text;
BEGIN
    FOR stmt IN
        SELECT pg_catalog.format('ALTER %s %s OWNER TO paperclip_owner',
                                 CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, c.oid::pg_catalog.regclass)
        FROM pg_catalog.pg_class AS c
        WHERE c.relnamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
          AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'v']::"char"[])
        UNION ALL
        SELECT pg_catalog.format('ALTER ROUTINE %s OWNER TO paperclip_owner', p.oid::pg_catalog.regprocedure)
        FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::pg_catalog.regnamespace
    LOOP
        EXECUTE stmt;
    END LOOP;
END
$owner$;
