-- Extension script 1.0 (SPEC §1): every table, its keys, constraints and
-- indexes, registration with pg_extension_config_dump, and the group roles.
\set VERBOSITY verbose

-- Every table of SPEC §1, plus the terminal-status vocabulary.
SELECT c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'paperclip' AND c.relkind = 'r'
ORDER BY 1;

-- The extension owns them and pg_dump keeps their rows (built-in terminal
-- statuses come back with CREATE EXTENSION, so only added ones are dumped).
SELECT cfg::regclass::text AS config_table, cond
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
WHERE e.extname = 'paperclip_locks'
ORDER BY 1;

-- The lock columns reference heartbeat_runs ON DELETE SET NULL.
SELECT conname, confrelid::regclass AS refers_to, confdeltype
FROM pg_constraint
WHERE conrelid = 'paperclip.issues'::regclass AND contype = 'f'
ORDER BY conname;

-- activity_log has no foreign key to issues, heartbeat_runs or agents: an
-- audit insert takes no row lock on them.
SELECT confrelid::regclass AS refers_to
FROM pg_constraint
WHERE conrelid = 'paperclip.activity_log'::regclass AND contype = 'f';

-- CHECK constraints on issues: known statuses, at most one assignee.
SELECT conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = 'paperclip.issues'::regclass AND contype = 'c'
ORDER BY conname;

-- Indexes that make every lock operation an index lookup.
SELECT indexrelid::regclass::text AS index, pg_get_indexdef(indexrelid) AS definition
FROM pg_index WHERE indrelid = 'paperclip.issues'::regclass
ORDER BY 1;

-- Defaults of SPEC §1.
SELECT column_name, column_default
FROM information_schema.columns
WHERE table_schema = 'paperclip' AND table_name = 'issues'
  AND column_name IN ('status', 'priority', 'id')
ORDER BY column_name;
SELECT column_name, column_default
FROM information_schema.columns
WHERE table_schema = 'paperclip' AND table_name = 'heartbeat_runs'
  AND column_name IN ('status', 'invocation_source')
ORDER BY column_name;

-- Unknown issue statuses are refused; at most one assignee. The issues
-- trigger answers first, with the extension's codes (PC400, PC422); the CHECK
-- constraints above stay as a backstop. (Errors are shown as SQLSTATE and
-- constraint name: DETAIL and LOCATION vary between runs and minor releases.)
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; cn text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, cn = CONSTRAINT_NAME;
    RETURN st || ' ' || coalesce(cn, '');
END $$;
INSERT INTO paperclip.companies (id, name, issue_prefix)
    VALUES ('00000001-0000-4000-8000-0000000000c1', 'Schema Co', 'SCH');
SELECT pg_temp.error_of($$INSERT INTO paperclip.issues (company_id, title, status)
    VALUES ('00000001-0000-4000-8000-0000000000c1', 'bad', 'open')$$);
INSERT INTO paperclip.agents (id, company_id, name)
    VALUES ('00000001-0000-4000-8000-0000000000a1', '00000001-0000-4000-8000-0000000000c1', 'Agent');
SELECT pg_temp.error_of($$INSERT INTO paperclip.issues (company_id, title, assignee_agent_id, assignee_user_id)
    VALUES ('00000001-0000-4000-8000-0000000000c1', 'two assignees',
            '00000001-0000-4000-8000-0000000000a1', 'user-1')$$);
INSERT INTO paperclip.issues (company_id, title)
    VALUES ('00000001-0000-4000-8000-0000000000c1', 'defaults')
    RETURNING status, priority, assignee_agent_id, checkout_run_id;

-- The group roles and the extension's owner role exist and cannot log in.
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'paperclip\_%' ORDER BY 1;

-- Every function of SPEC §4 with its exact signature.
SELECT p.oid::regprocedure::text AS function, pg_get_function_result(p.oid) AS returns,
       p.prosecdef AS security_definer, p.proconfig
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'paperclip'
ORDER BY 1;
