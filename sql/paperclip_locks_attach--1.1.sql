-- paperclip_locks_attach 1.1: the rules of paperclip_locks on an existing
-- Paperclip database (SPEC §8). Same module as paperclip_locks; creates none
-- of the application's tables. paperclip.attach() validates them and puts the
-- triggers on them; paperclip.detach() takes everything off again.
\echo Use "CREATE EXTENSION paperclip_locks_attach" to load this file. \quit

-- The two extensions never share a database: both would own schema paperclip
-- and guard a set of application tables with the same triggers. The
-- advisory lock (same key in both scripts) makes two concurrent CREATE
-- EXTENSIONs see each other.
SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('paperclip_locks extension'));
DO $refuse$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'paperclip_locks') THEN
        RAISE EXCEPTION 'extension "paperclip_locks_attach" cannot be created in a database that has extension "paperclip_locks"'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'paperclip_locks owns its own tables in schema paperclip; paperclip_locks_attach puts the same rules on an existing application schema.',
                  HINT = 'Use one of them: DROP EXTENSION paperclip_locks first, or keep it and skip paperclip_locks_attach.';
    END IF;
END
$refuse$;

-------------------------------------------------------------------------------
-- Roles. Group roles (NOLOGIN), created only when missing: roles are
-- cluster-wide and may already serve another database.
--   paperclip_reader       reads the extension's tables and issue_locks
--   paperclip_app          an application that sets actors and calls the
--                          functions
--   paperclip_operator     database operator: statements without an actor,
--                          force-release, sweep, terminal statuses
--   paperclip_trusted_app  the unchanged Paperclip server in compat mode: its
--                          statements without an actor pass the actor gates
--                          (SPEC §8)
-------------------------------------------------------------------------------
DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['paperclip_reader', 'paperclip_app', 'paperclip_operator',
                             'paperclip_trusted_app'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            BEGIN
                EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                -- created concurrently from another database of the cluster
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

-- Run leases (SPEC §9), extension-owned as in paperclip_locks: no column is
-- added to the application's tables. No foreign key: a lease row must never
-- lock, or wait for, the run row it describes.
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
SELECT pg_catalog.pg_extension_config_dump('@extschema@.run_leases', '');

-------------------------------------------------------------------------------
-- checkout() and release() return the issue's ownership columns (SPEC §8):
-- the application's issues table is not the extension's, so the row type is.
-------------------------------------------------------------------------------
CREATE TYPE @extschema@.issues AS (
    id uuid,
    company_id uuid,
    status text,
    assignee_agent_id uuid,
    assignee_user_id text,
    checkout_run_id uuid,
    execution_run_id uuid,
    execution_agent_name_key text,
    execution_locked_at timestamptz,
    started_at timestamptz,
    updated_at timestamptz
);

-------------------------------------------------------------------------------
-- The attachment (SPEC §8): at most one row, the application schema the rules
-- are on. pg_dump keeps it; the triggers and indexes attach() created are
-- ordinary objects of the application's tables, so pg_dump keeps them too.
-------------------------------------------------------------------------------
CREATE TABLE @extschema@.attachment (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    target_schema name NOT NULL,
    mode text NOT NULL CHECK (mode IN ('strict', 'compat')),
    release_on_run_end boolean NOT NULL,
    run_lease_column name,
    -- indexes attach() created (detach drops exactly these)
    created_indexes name[] NOT NULL DEFAULT '{}',
    -- privileges attach() granted paperclip_owner, e.g. 'UPDATE ON issues'
    -- (detach revokes exactly these)
    granted_privileges text[] NOT NULL DEFAULT '{}',
    attached_at timestamptz NOT NULL DEFAULT now(),
    attached_by name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE @extschema@.attachment IS
    'the application schema paperclip.attach() put the rules on (empty when detached)';
-- Every backend caches the attachment; a change invalidates every copy.
CREATE FUNCTION @extschema@.attachment_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_attachment_changed'
    LANGUAGE C;
CREATE TRIGGER attachment_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON @extschema@.attachment
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.attachment_changed();
SELECT pg_catalog.pg_extension_config_dump('@extschema@.attachment', '');
-- Only the terminal statuses an operator added; the built-in ones come back
-- with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.terminal_run_statuses', 'WHERE NOT builtin');

-- What attach() needs of the application's schema: every column SPEC §1
-- relies on, with its type.
CREATE FUNCTION @extschema@.attach_required_columns(
        OUT table_name name, OUT column_name name, OUT column_type regtype)
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t::name, c::name, ty::regtype FROM (VALUES
        ('companies', 'id', 'uuid'), ('companies', 'name', 'text'),
        ('companies', 'issue_prefix', 'text'), ('companies', 'status', 'text'),
        ('companies', 'require_board_approval_for_new_agents', 'boolean'),
        ('companies', 'created_at', 'timestamptz'), ('companies', 'updated_at', 'timestamptz'),
        ('company_memberships', 'id', 'uuid'), ('company_memberships', 'company_id', 'uuid'),
        ('company_memberships', 'principal_type', 'text'), ('company_memberships', 'principal_id', 'text'),
        ('company_memberships', 'status', 'text'), ('company_memberships', 'membership_role', 'text'),
        ('agents', 'id', 'uuid'), ('agents', 'company_id', 'uuid'), ('agents', 'name', 'text'),
        ('agents', 'role', 'text'), ('agents', 'status', 'text'), ('agents', 'adapter_type', 'text'),
        ('agents', 'adapter_config', 'jsonb'), ('agents', 'runtime_config', 'jsonb'),
        ('agents', 'permissions', 'jsonb'), ('agents', 'reports_to', 'uuid'),
        ('agents', 'created_at', 'timestamptz'), ('agents', 'updated_at', 'timestamptz'),
        ('heartbeat_runs', 'id', 'uuid'), ('heartbeat_runs', 'company_id', 'uuid'),
        ('heartbeat_runs', 'agent_id', 'uuid'), ('heartbeat_runs', 'status', 'text'),
        ('heartbeat_runs', 'invocation_source', 'text'), ('heartbeat_runs', 'started_at', 'timestamptz'),
        ('heartbeat_runs', 'finished_at', 'timestamptz'), ('heartbeat_runs', 'error', 'text'),
        ('heartbeat_runs', 'error_code', 'text'), ('heartbeat_runs', 'created_at', 'timestamptz'),
        ('heartbeat_runs', 'updated_at', 'timestamptz'),
        ('issues', 'id', 'uuid'), ('issues', 'company_id', 'uuid'), ('issues', 'title', 'text'),
        ('issues', 'description', 'text'), ('issues', 'status', 'text'), ('issues', 'priority', 'text'),
        ('issues', 'assignee_agent_id', 'uuid'), ('issues', 'assignee_user_id', 'text'),
        ('issues', 'checkout_run_id', 'uuid'), ('issues', 'execution_run_id', 'uuid'),
        ('issues', 'execution_agent_name_key', 'text'), ('issues', 'execution_locked_at', 'timestamptz'),
        ('issues', 'started_at', 'timestamptz'), ('issues', 'completed_at', 'timestamptz'),
        ('issues', 'cancelled_at', 'timestamptz'), ('issues', 'created_at', 'timestamptz'),
        ('issues', 'updated_at', 'timestamptz'),
        ('issue_relations', 'id', 'uuid'), ('issue_relations', 'company_id', 'uuid'),
        ('issue_relations', 'issue_id', 'uuid'), ('issue_relations', 'related_issue_id', 'uuid'),
        ('issue_relations', 'type', 'text'),
        ('issue_comments', 'id', 'uuid'), ('issue_comments', 'company_id', 'uuid'),
        ('issue_comments', 'issue_id', 'uuid'), ('issue_comments', 'author_agent_id', 'uuid'),
        ('issue_comments', 'author_user_id', 'text'), ('issue_comments', 'body', 'text'),
        ('issue_comments', 'created_at', 'timestamptz'), ('issue_comments', 'updated_at', 'timestamptz'),
        ('activity_log', 'id', 'uuid'), ('activity_log', 'company_id', 'uuid'),
        ('activity_log', 'actor_type', 'text'), ('activity_log', 'actor_id', 'text'),
        ('activity_log', 'action', 'text'), ('activity_log', 'entity_type', 'text'),
        ('activity_log', 'entity_id', 'text'), ('activity_log', 'agent_id', 'uuid'),
        ('activity_log', 'run_id', 'uuid'), ('activity_log', 'details', 'jsonb'),
        ('activity_log', 'created_at', 'timestamptz')
    ) AS v(t, c, ty)
$$;

-- The triggers attach() creates (SPEC §6 on the application's tables); every
-- name starts with paperclip_locks_. release_on_run_end decides the one
-- marked run_end.
CREATE FUNCTION @extschema@.attach_triggers(
        OUT table_name name, OUT trigger_name name, OUT definition text, OUT run_end boolean)
    RETURNS SETOF record
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t::name, n::name, d, r FROM (VALUES
        ('issues', 'paperclip_locks_issues_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.issues_guard()', false),
        ('issue_comments', 'paperclip_locks_issue_comments_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.issue_comments_guard()', false),
        ('heartbeat_runs', 'paperclip_locks_heartbeat_runs_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.heartbeat_runs_guard()', false),
        ('heartbeat_runs', 'paperclip_locks_heartbeat_runs_released',
         'AFTER UPDATE OF status ON %s FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) '
         'EXECUTE FUNCTION @extschema@.heartbeat_runs_released()', true),
        ('activity_log', 'paperclip_locks_activity_log_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION @extschema@.activity_log_guard()', false),
        ('activity_log', 'paperclip_locks_activity_log_no_truncate',
         'BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.activity_log_guard()', false),
        ('companies', 'paperclip_locks_company_scope_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
         'EXECUTE FUNCTION @extschema@.company_scope_guard(''id'', ''agents_may_not_write'')', false),
        ('company_memberships', 'paperclip_locks_company_scope_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
         'EXECUTE FUNCTION @extschema@.company_scope_guard(''company_id'', ''agents_may_not_write'')', false),
        ('agents', 'paperclip_locks_company_scope_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
         'EXECUTE FUNCTION @extschema@.company_scope_guard(''company_id'', ''agents_may_not_write'')', false),
        ('issue_relations', 'paperclip_locks_company_scope_guard',
         'BEFORE INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW '
         'EXECUTE FUNCTION @extschema@.company_scope_guard(''company_id'', ''agents_may_write'')', false)
    ) AS v(t, n, d, r)
$$;

-- Every way target_schema falls short of SPEC §1, one sentence each (no rows:
-- attach() can proceed). Read-only; a DBA runs it before attaching, and again
-- after the application's own migrations.
CREATE FUNCTION @extschema@.attach_mismatches(target_schema name DEFAULT 'public',
                                              run_lease_column name DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ns oid;
    rel record;
    col record;
    fk record;
    found_fk boolean;
    runs oid;
    issues oid;
    lock_col name;
BEGIN
    SELECT n.oid INTO ns FROM pg_catalog.pg_namespace AS n WHERE n.nspname OPERATOR(pg_catalog.=) target_schema;
    IF ns IS NULL THEN
        RETURN NEXT pg_catalog.format('Schema %I does not exist.', target_schema);
        RETURN;
    END IF;
    -- the tables
    FOR rel IN
        SELECT t.table_name, c.oid, c.relkind
        FROM (SELECT DISTINCT r.table_name FROM @extschema@.attach_required_columns() AS r) AS t
        LEFT JOIN pg_catalog.pg_class AS c
               ON c.relname OPERATOR(pg_catalog.=) t.table_name AND c.relnamespace OPERATOR(pg_catalog.=) ns
        ORDER BY t.table_name
    LOOP
        IF rel.oid IS NULL THEN
            RETURN NEXT pg_catalog.format('Table %I.%I is missing.', target_schema, rel.table_name);
        ELSIF rel.relkind NOT IN ('r', 'p') THEN
            RETURN NEXT pg_catalog.format('%I.%I is not a table (relkind %s).', target_schema, rel.table_name, rel.relkind);
        ELSE
            -- its columns
            FOR col IN
                SELECT r.column_name, r.column_type, a.atttypid::pg_catalog.regtype AS actual
                FROM @extschema@.attach_required_columns() AS r
                LEFT JOIN pg_catalog.pg_attribute AS a
                       ON a.attrelid OPERATOR(pg_catalog.=) rel.oid AND a.attname OPERATOR(pg_catalog.=) r.column_name
                      AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
                WHERE r.table_name OPERATOR(pg_catalog.=) rel.table_name
                ORDER BY r.column_name
            LOOP
                IF col.actual IS NULL THEN
                    RETURN NEXT pg_catalog.format('Column %I.%I.%I is missing.',
                                                  target_schema, rel.table_name, col.column_name);
                ELSIF col.actual OPERATOR(pg_catalog.<>) col.column_type THEN
                    RETURN NEXT pg_catalog.format('Column %I.%I.%I has type %s, expected %s.',
                                                  target_schema, rel.table_name, col.column_name,
                                                  col.actual, col.column_type);
                END IF;
            END LOOP;
        END IF;
    END LOOP;

    -- both lock columns reference heartbeat_runs(id) ON DELETE SET NULL
    SELECT c.oid INTO runs FROM pg_catalog.pg_class AS c
    WHERE c.relname OPERATOR(pg_catalog.=) 'heartbeat_runs' AND c.relnamespace OPERATOR(pg_catalog.=) ns
      AND c.relkind IN ('r', 'p');
    SELECT c.oid INTO issues FROM pg_catalog.pg_class AS c
    WHERE c.relname OPERATOR(pg_catalog.=) 'issues' AND c.relnamespace OPERATOR(pg_catalog.=) ns
      AND c.relkind IN ('r', 'p');
    IF runs IS NOT NULL AND issues IS NOT NULL THEN
        FOREACH lock_col IN ARRAY ARRAY['checkout_run_id', 'execution_run_id']::name[] LOOP
            CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute AS a
                                      WHERE a.attrelid OPERATOR(pg_catalog.=) issues
                                        AND a.attname OPERATOR(pg_catalog.=) lock_col AND NOT a.attisdropped);
            found_fk := false;
            FOR fk IN
                SELECT con.conname, con.confdeltype
                FROM pg_catalog.pg_constraint AS con
                JOIN pg_catalog.pg_attribute AS a
                  ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid AND a.attnum OPERATOR(pg_catalog.=) con.conkey[1]
                JOIN pg_catalog.pg_attribute AS ra
                  ON ra.attrelid OPERATOR(pg_catalog.=) con.confrelid AND ra.attnum OPERATOR(pg_catalog.=) con.confkey[1]
                WHERE con.conrelid OPERATOR(pg_catalog.=) issues AND con.contype OPERATOR(pg_catalog.=) 'f'
                  AND con.confrelid OPERATOR(pg_catalog.=) runs
                  AND pg_catalog.array_length(con.conkey, 1) OPERATOR(pg_catalog.=) 1
                  AND a.attname OPERATOR(pg_catalog.=) lock_col AND ra.attname OPERATOR(pg_catalog.=) 'id'
                ORDER BY con.conname
            LOOP
                found_fk := true;
                IF fk.confdeltype OPERATOR(pg_catalog.<>) 'n' THEN
                    RETURN NEXT pg_catalog.format(
                        'Foreign key %I on %I.issues.%I is ON DELETE %s, expected ON DELETE SET NULL.',
                        fk.conname, target_schema, lock_col,
                        CASE fk.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT'
                                            WHEN 'c' THEN 'CASCADE' WHEN 'd' THEN 'SET DEFAULT'
                                            ELSE fk.confdeltype::text END);
                END IF;
            END LOOP;
            IF NOT found_fk THEN
                RETURN NEXT pg_catalog.format(
                    'Column %I.issues.%I has no foreign key to %I.heartbeat_runs(id) ON DELETE SET NULL.',
                    target_schema, lock_col, target_schema);
            END IF;
        END LOOP;
    END IF;

    -- the application's own run lease (SPEC §9)
    IF run_lease_column IS NOT NULL AND runs IS NOT NULL THEN
        SELECT a.atttypid::pg_catalog.regtype AS actual INTO col
        FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid OPERATOR(pg_catalog.=) runs AND a.attname OPERATOR(pg_catalog.=) run_lease_column
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RETURN NEXT pg_catalog.format('Run lease column %I.heartbeat_runs.%I is missing.',
                                          target_schema, run_lease_column);
        ELSIF col.actual OPERATOR(pg_catalog.<>) 'timestamptz'::pg_catalog.regtype THEN
            RETURN NEXT pg_catalog.format('Run lease column %I.heartbeat_runs.%I has type %s, expected timestamp with time zone.',
                                          target_schema, run_lease_column, col.actual);
        END IF;
    END IF;

    -- a trigger of ours by name that is not ours would hide a missing rule
    FOR rel IN
        SELECT t.table_name, t.trigger_name, p.proname, pn.nspname
        FROM @extschema@.attach_triggers() AS t
        JOIN pg_catalog.pg_class AS c
          ON c.relname OPERATOR(pg_catalog.=) t.table_name AND c.relnamespace OPERATOR(pg_catalog.=) ns
        JOIN pg_catalog.pg_trigger AS tg
          ON tg.tgrelid OPERATOR(pg_catalog.=) c.oid AND tg.tgname OPERATOR(pg_catalog.=) t.trigger_name
        JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
        JOIN pg_catalog.pg_namespace AS pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
        WHERE pn.nspname OPERATOR(pg_catalog.<>) '@extschema@'
        ORDER BY 1, 2
    LOOP
        RETURN NEXT pg_catalog.format('Trigger %I on %I.%I runs %I.%I(), not a function of paperclip_locks_attach.',
                                      rel.trigger_name, target_schema, rel.table_name, rel.nspname, rel.proname);
    END LOOP;
    RETURN;
END
$$;
COMMENT ON FUNCTION @extschema@.attach_mismatches(name, name) IS
    'every way a schema falls short of what paperclip.attach() needs; no rows: it can attach';

-- Superuser or the extension's owner only.
CREATE FUNCTION @extschema@.require_attach_privilege(what text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r
                   WHERE r.rolname OPERATOR(pg_catalog.=) current_user AND r.rolsuper)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension AS e
                       WHERE e.extname OPERATOR(pg_catalog.=) 'paperclip_locks_attach'
                         AND pg_catalog.pg_has_role(current_user, e.extowner, 'USAGE')) THEN
        RAISE EXCEPTION 'permission denied to %', what
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Only a superuser or the owner of extension paperclip_locks_attach may do this.';
    END IF;
END
$$;

CREATE FUNCTION @extschema@.attach(target_schema name DEFAULT 'public', mode text DEFAULT 'compat',
                                   release_on_run_end boolean DEFAULT NULL,
                                   run_lease_column name DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current_row @extschema@.attachment;
    release boolean;
    problems text[];
    indexes name[];
    grants text[];
    privilege text;
    lock_col name;
    idx_name name;
    trg record;
    issues regclass;
BEGIN
    PERFORM @extschema@.require_attach_privilege('attach paperclip_locks_attach');
    IF target_schema IS NULL THEN
        RAISE EXCEPTION 'target_schema must not be null' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF mode IS NULL OR mode NOT IN ('strict', 'compat') THEN
        RAISE EXCEPTION 'mode must be ''strict'' or ''compat'', not %', coalesce(pg_catalog.quote_literal(mode), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    release := coalesce(release_on_run_end, mode OPERATOR(pg_catalog.=) 'strict');

    -- One attach or detach at a time.
    LOCK TABLE @extschema@.attachment IN EXCLUSIVE MODE;
    SELECT * INTO current_row FROM @extschema@.attachment;
    IF FOUND AND current_row.target_schema OPERATOR(pg_catalog.<>) target_schema THEN
        RAISE EXCEPTION 'paperclip_locks_attach is already attached to schema %', pg_catalog.quote_ident(current_row.target_schema)
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Call paperclip.detach() first.';
    END IF;

    SELECT pg_catalog.array_agg(m) INTO problems
    FROM @extschema@.attach_mismatches(target_schema, run_lease_column) AS m;
    IF problems IS NOT NULL THEN
        RAISE EXCEPTION 'cannot attach paperclip_locks_attach to schema %', pg_catalog.quote_ident(target_schema)
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = pg_catalog.format('%s %s:', pg_catalog.cardinality(problems),
                                                    CASE WHEN pg_catalog.cardinality(problems) OPERATOR(pg_catalog.=) 1
                                                         THEN 'mismatch' ELSE 'mismatches' END)
                           OPERATOR(pg_catalog.||) E'\n'
                           OPERATOR(pg_catalog.||) pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'Bring the schema to what SPEC §1 needs (paperclip.attach_mismatches() lists it) and attach again; nothing was changed.';
    END IF;

    -- The triggers: each created when missing; the run-end release follows
    -- release_on_run_end.
    FOR trg IN SELECT * FROM @extschema@.attach_triggers() LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger AS tg
                   JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) tg.tgrelid
                   JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
                   WHERE n.nspname OPERATOR(pg_catalog.=) target_schema
                     AND c.relname OPERATOR(pg_catalog.=) trg.table_name
                     AND tg.tgname OPERATOR(pg_catalog.=) trg.trigger_name) THEN
            IF trg.run_end AND NOT release THEN
                EXECUTE pg_catalog.format('DROP TRIGGER %I ON %I.%I', trg.trigger_name, target_schema, trg.table_name);
            END IF;
        ELSIF release OR NOT trg.run_end THEN
            EXECUTE pg_catalog.format('CREATE TRIGGER %I ', trg.trigger_name)
                 OPERATOR(pg_catalog.||)
                 pg_catalog.format(trg.definition, pg_catalog.format('%I.%I', target_schema, trg.table_name));
        END IF;
    END LOOP;

    -- The partial indexes on the lock columns, when no index leads with the
    -- column already (an application may build them CONCURRENTLY first).
    indexes := coalesce(current_row.created_indexes, '{}');
    issues := pg_catalog.format('%I.issues', target_schema)::regclass;
    FOREACH lock_col IN ARRAY ARRAY['checkout_run_id', 'execution_run_id']::name[] LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_index AS i
            JOIN pg_catalog.pg_attribute AS a
              ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]
            WHERE i.indrelid OPERATOR(pg_catalog.=) issues AND i.indisvalid
              AND a.attname OPERATOR(pg_catalog.=) lock_col
              AND (i.indpred IS NULL
                   OR pg_catalog.pg_get_expr(i.indpred, i.indrelid)
                      OPERATOR(pg_catalog.=) pg_catalog.format('(%I IS NOT NULL)', lock_col))) THEN
            idx_name := pg_catalog.format('paperclip_locks_issues_%s_idx', pg_catalog.replace(lock_col, '_id', ''));
            EXECUTE pg_catalog.format('CREATE INDEX %I ON %I.issues (%I) WHERE %I IS NOT NULL',
                                      idx_name, target_schema, lock_col, lock_col);
            indexes := indexes OPERATOR(pg_catalog.||) idx_name;
        END IF;
    END LOOP;

    -- The extension's own statements run as paperclip_owner (SPEC §10): it
    -- reads the eight tables, locks and updates issues, locks runs, and
    -- appends to activity_log. Granted when it does not hold them already.
    grants := coalesce(current_row.granted_privileges, '{}');
    FOR privilege IN
        SELECT p FROM pg_catalog.unnest(ARRAY[
            'SELECT ON companies', 'SELECT ON company_memberships', 'SELECT ON agents',
            'SELECT ON heartbeat_runs', 'UPDATE ON heartbeat_runs', 'SELECT ON issues', 'UPDATE ON issues',
            'SELECT ON issue_relations', 'SELECT ON issue_comments', 'SELECT ON activity_log',
            'INSERT ON activity_log']) AS u(p)
    LOOP
        IF NOT pg_catalog.has_table_privilege('paperclip_owner',
                   pg_catalog.format('%I.%I', target_schema, pg_catalog.split_part(privilege, ' ON ', 2)),
                   pg_catalog.split_part(privilege, ' ON ', 1)) THEN
            EXECUTE pg_catalog.format('GRANT %s ON %I.%I TO paperclip_owner', pg_catalog.split_part(privilege, ' ON ', 1),
                                      target_schema, pg_catalog.split_part(privilege, ' ON ', 2));
            grants := grants OPERATOR(pg_catalog.||) privilege;
        END IF;
    END LOOP;

    -- The record: unchanged (attached_at included) when nothing differs.
    IF current_row.target_schema IS NULL THEN
        INSERT INTO @extschema@.attachment (target_schema, mode, release_on_run_end, run_lease_column,
                                            created_indexes, granted_privileges)
        VALUES (target_schema, mode, release, run_lease_column, indexes, grants);
    ELSIF (current_row.mode, current_row.release_on_run_end, current_row.run_lease_column,
           current_row.created_indexes, current_row.granted_privileges)
          IS DISTINCT FROM (mode, release, run_lease_column, indexes, grants) THEN
        UPDATE @extschema@.attachment AS a
        SET mode = attach.mode, release_on_run_end = release, run_lease_column = attach.run_lease_column,
            created_indexes = indexes, granted_privileges = grants,
            attached_at = pg_catalog.now(), attached_by = current_user;
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.attach(name, text, boolean, name) IS
    'puts the rules on the application tables of target_schema (validated first; one 55000 error lists every mismatch)';

CREATE FUNCTION @extschema@.detach() RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current_row @extschema@.attachment;
    trg record;
    idx name;
    privilege text;
BEGIN
    PERFORM @extschema@.require_attach_privilege('detach paperclip_locks_attach');
    LOCK TABLE @extschema@.attachment IN EXCLUSIVE MODE;
    SELECT * INTO current_row FROM @extschema@.attachment;
    IF NOT FOUND THEN
        RAISE NOTICE 'paperclip_locks_attach is not attached';
        RETURN;
    END IF;
    -- Our triggers only: the name and a trigger function of this extension.
    FOR trg IN
        SELECT t.trigger_name, t.table_name
        FROM @extschema@.attach_triggers() AS t
        JOIN pg_catalog.pg_namespace AS n ON n.nspname OPERATOR(pg_catalog.=) current_row.target_schema
        JOIN pg_catalog.pg_class AS c
          ON c.relname OPERATOR(pg_catalog.=) t.table_name AND c.relnamespace OPERATOR(pg_catalog.=) n.oid
        JOIN pg_catalog.pg_trigger AS tg
          ON tg.tgrelid OPERATOR(pg_catalog.=) c.oid AND tg.tgname OPERATOR(pg_catalog.=) t.trigger_name
        JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) tg.tgfoid
        WHERE p.pronamespace OPERATOR(pg_catalog.=) '@extschema@'::regnamespace
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %I.%I', trg.trigger_name, current_row.target_schema, trg.table_name);
    END LOOP;
    FOREACH idx IN ARRAY current_row.created_indexes LOOP
        EXECUTE pg_catalog.format('DROP INDEX IF EXISTS %I.%I', current_row.target_schema, idx);
    END LOOP;
    FOREACH privilege IN ARRAY current_row.granted_privileges LOOP
        IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', current_row.target_schema,
                                                    pg_catalog.split_part(privilege, ' ON ', 2))) IS NOT NULL THEN
            EXECUTE pg_catalog.format('REVOKE %s ON %I.%I FROM paperclip_owner', pg_catalog.split_part(privilege, ' ON ', 1),
                                      current_row.target_schema, pg_catalog.split_part(privilege, ' ON ', 2));
        END IF;
    END LOOP;
    DELETE FROM @extschema@.attachment;
END
$$;
COMMENT ON FUNCTION @extschema@.detach() IS
    'takes off what paperclip.attach() created (triggers, indexes, the record); no application row changes';

-- Upstream's future migrations: a DDL command that leaves an attached table
-- short of what attach() needs (a column dropped, renamed or retyped, a lock
-- foreign key changed, a table dropped) gets a WARNING listing what no longer
-- matches. It does not stop the migration: the DBA decides (re-run attach()
-- to re-validate and re-create any trigger the migration dropped). It runs
-- for every role's DDL, so as the owner, and it never fails a command.
CREATE FUNCTION @extschema@.attached_schema_changed() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    target name;
    problems text[];
BEGIN
    SELECT a.target_schema INTO target FROM @extschema@.attachment AS a;
    IF target IS NULL THEN
        RETURN;
    END IF;
    IF TG_EVENT OPERATOR(pg_catalog.=) 'ddl_command_end' AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_event_trigger_ddl_commands() AS c
            WHERE c.schema_name OPERATOR(pg_catalog.=) target) THEN
        RETURN;
    END IF;
    IF TG_EVENT OPERATOR(pg_catalog.=) 'sql_drop' AND NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_event_trigger_dropped_objects() AS d
            WHERE d.schema_name OPERATOR(pg_catalog.=) target) THEN
        RETURN;
    END IF;
    SELECT pg_catalog.array_agg(m) INTO problems
    FROM @extschema@.attach_mismatches(target, (SELECT a.run_lease_column FROM @extschema@.attachment AS a)) AS m;
    IF problems IS NOT NULL THEN
        RAISE WARNING 'schema % no longer matches what paperclip_locks_attach needs', pg_catalog.quote_ident(target)
            USING DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'The rules on these tables may fail or misjudge; fix the schema and call paperclip.attach() again, or paperclip.detach().';
    END IF;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'paperclip_locks_attach could not check schema % after this command: %', target, SQLERRM;
END
$$;
CREATE EVENT TRIGGER paperclip_locks_attached_schema_changed ON ddl_command_end
    EXECUTE FUNCTION @extschema@.attached_schema_changed();
CREATE EVENT TRIGGER paperclip_locks_attached_schema_dropped ON sql_drop
    EXECUTE FUNCTION @extschema@.attached_schema_changed();

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

-- issue_locks reads the attached schema, which is known only at attach time:
-- the view is fixed, its rows come from this query on the attached tables
-- (none when detached). The query is a function of its own so an operator
-- can EXPLAIN it: every lock lookup is an index lookup. With a run lease
-- column attached (SPEC §9), a run's lease ends at the earlier of its lease
-- row and that column: the lease expiry columns show it, and stale uses it.
CREATE FUNCTION @extschema@.attached_issue_locks_query() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.format($q$
        SELECT i.id, i.company_id, i.status, i.assignee_agent_id,
               i.checkout_run_id, cr.status, i.execution_run_id, er.status,
               pg_catalog.now() OPERATOR(pg_catalog.-)
                   coalesce(i.execution_locked_at, i.started_at, i.updated_at),
               (i.checkout_run_id IS NOT NULL
                    AND NOT @extschema@.run_is_live(cr.status, LEAST(cl.expires_at, %2$s), cl.backend_pid,
                                                    cl.backend_start))
               OR (i.execution_run_id IS NOT NULL
                    AND NOT @extschema@.run_is_live(er.status, LEAST(el.expires_at, %3$s), el.backend_pid,
                                                    el.backend_start)),
               LEAST(cl.expires_at, %2$s), LEAST(el.expires_at, %3$s)
        FROM %1$I.issues AS i
        LEFT JOIN %1$I.heartbeat_runs AS cr ON cr.id OPERATOR(pg_catalog.=) i.checkout_run_id
        LEFT JOIN @extschema@.run_leases AS cl ON cl.run_id OPERATOR(pg_catalog.=) i.checkout_run_id
        LEFT JOIN %1$I.heartbeat_runs AS er ON er.id OPERATOR(pg_catalog.=) i.execution_run_id
        LEFT JOIN @extschema@.run_leases AS el ON el.run_id OPERATOR(pg_catalog.=) i.execution_run_id
        WHERE i.checkout_run_id IS NOT NULL OR i.execution_run_id IS NOT NULL$q$, a.target_schema,
        CASE WHEN a.run_lease_column IS NULL THEN 'NULL::pg_catalog.timestamptz'
             ELSE pg_catalog.format('cr.%I', a.run_lease_column) END,
        CASE WHEN a.run_lease_column IS NULL THEN 'NULL::pg_catalog.timestamptz'
             ELSE pg_catalog.format('er.%I', a.run_lease_column) END)
    FROM @extschema@.attachment AS a
$$;

-- SECURITY DEFINER: a reader needs no privilege on the application's tables.
CREATE FUNCTION @extschema@.attached_issue_locks(
        OUT issue_id uuid, OUT company_id uuid, OUT status text, OUT assignee_agent_id uuid,
        OUT checkout_run_id uuid, OUT checkout_run_status text,
        OUT execution_run_id uuid, OUT execution_run_status text,
        OUT locked_for interval, OUT stale boolean,
        OUT checkout_run_lease_expires_at timestamptz, OUT execution_run_lease_expires_at timestamptz)
    RETURNS SETOF record
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    query text := @extschema@.attached_issue_locks_query();
BEGIN
    IF query IS NOT NULL THEN
        RETURN QUERY EXECUTE query;
    END IF;
END
$$;

CREATE VIEW @extschema@.issue_locks AS
SELECT l.issue_id, l.company_id, l.status, l.assignee_agent_id, l.checkout_run_id,
       l.checkout_run_status, l.execution_run_id, l.execution_run_status, l.locked_for, l.stale,
       l.checkout_run_lease_expires_at, l.execution_run_lease_expires_at
FROM @extschema@.attached_issue_locks() AS l;
COMMENT ON VIEW @extschema@.issue_locks IS
    'one row per issue of the attached schema holding a lock; stale: a holder run is terminal, missing, or its lease ended (SPEC §9)';

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
-- Trigger functions (SPEC §6); paperclip.attach() creates the triggers on the
-- application's tables (paperclip.attach_triggers() lists them).
-------------------------------------------------------------------------------
CREATE FUNCTION @extschema@.issues_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_issues_guard'
    LANGUAGE C;
CREATE FUNCTION @extschema@.issue_comments_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_issue_comments_guard'
    LANGUAGE C;
CREATE FUNCTION @extschema@.heartbeat_runs_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_heartbeat_runs_guard'
    LANGUAGE C;
CREATE FUNCTION @extschema@.heartbeat_runs_released() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_heartbeat_runs_released'
    LANGUAGE C;
CREATE FUNCTION @extschema@.activity_log_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_activity_log_guard'
    LANGUAGE C;
CREATE FUNCTION @extschema@.company_scope_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'paperclip_company_scope_guard'
    LANGUAGE C;

-------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; each group role gets what its job needs.
-- The application's own tables keep the privileges the application gave.
-------------------------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA @extschema@ FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@
    TO paperclip_reader, paperclip_app, paperclip_operator, paperclip_trusted_app;
GRANT SELECT ON ALL TABLES IN SCHEMA @extschema@
    TO paperclip_reader, paperclip_app, paperclip_operator, paperclip_trusted_app;

GRANT EXECUTE ON FUNCTION
    @extschema@.is_issue_status(text),
    @extschema@.normalize_agent_name_key(text),
    @extschema@.run_status_is_terminal(text),
    @extschema@.run_is_live(text, timestamptz, integer, timestamptz),
    @extschema@.lock_is_sweepable(uuid, text, uuid, text),
    @extschema@.lock_is_sweepable(uuid, text, timestamptz, integer, timestamptz,
                                  uuid, text, timestamptz, integer, timestamptz),
    @extschema@.current_actor(),
    @extschema@.attached_issue_locks(),
    @extschema@.attached_issue_locks_query()
    TO paperclip_reader, paperclip_app, paperclip_operator, paperclip_trusted_app;

-- The application server (paperclip_app), and the unchanged Paperclip server
-- (paperclip_trusted_app), which may set actors too.
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
    TO paperclip_app, paperclip_trusted_app;

-- The database operator.
GRANT EXECUTE ON FUNCTION
    @extschema@.clear_execution_run_if_terminal(uuid),
    @extschema@.clear_checkout_run_if_terminal(uuid),
    @extschema@.checkout(uuid, uuid, text[], uuid),
    @extschema@.release(uuid, uuid, uuid),
    @extschema@.acquire_execution_lock(uuid, uuid),
    @extschema@.admin_force_release(uuid, boolean, text),
    @extschema@.sweep_stale_locks(integer),
    @extschema@.renew_run_lease(uuid, interval, boolean),
    @extschema@.attach_mismatches(name, name)
    TO paperclip_operator;
GRANT EXECUTE ON PROCEDURE @extschema@.sweep_all_stale_locks(integer, bigint) TO paperclip_operator;
GRANT INSERT, DELETE ON @extschema@.terminal_run_statuses TO paperclip_operator;
-- attach() and detach() stay with superusers and the extension's owner; the
-- check itself answers anyone who was given EXECUTE on them.
GRANT EXECUTE ON FUNCTION @extschema@.require_attach_privilege(text) TO PUBLIC;

-------------------------------------------------------------------------------
-- As in paperclip_locks 1.1 (security, SPEC §6 and §10).
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
    WHERE g.rolname OPERATOR(pg_catalog.=) ANY (ARRAY['paperclip_reader', 'paperclip_app', 'paperclip_operator', 'paperclip_trusted_app']::pg_catalog.name[])
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
-- The row type checkout() and release() return (paperclip_locks' is its table's).
ALTER TYPE @extschema@.issues OWNER TO paperclip_owner;
