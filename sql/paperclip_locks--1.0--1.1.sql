-- paperclip_locks 1.0 -> 1.1 (ALTER EXTENSION paperclip_locks UPDATE).
-- Runs in one transaction: an error anywhere leaves the database at 1.0.
-- Every object change made in paperclip_locks--1.1.sql goes here too (append
-- new table columns at the end in both, so the row types match);
-- test/upgrade_drift.sh fails when the two paths give different catalogs.
\echo Use "ALTER EXTENSION paperclip_locks UPDATE TO '1.1'" to load this file. \quit

-- issue_comments: UPDATE and DELETE obey the same gates as INSERT (SPEC §10;
-- paperclip_locks--1.1.sql creates the trigger with all three events).
DROP TRIGGER issue_comments_guard ON @extschema@.issue_comments;
CREATE TRIGGER issue_comments_guard BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.issue_comments
    FOR EACH ROW EXECUTE FUNCTION @extschema@.issue_comments_guard();

-------------------------------------------------------------------------------
-- Run leases (SPEC §9). No foreign key: a lease row must never lock, or wait
-- for, the run row it describes (renewal locks the run row first, then this
-- one), and the attached extension keeps the same table beside an
-- application's heartbeat_runs. A missing run counts as terminal anyway.
-------------------------------------------------------------------------------
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

CREATE FUNCTION @extschema@.renew_run_lease(run_id uuid, ttl interval DEFAULT '2 minutes',
                                            bind_session boolean DEFAULT false)
    RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'paperclip_renew_run_lease'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.renew_run_lease(uuid, interval, boolean) IS
    'moves the run''s lease expiry to now + ttl (1 second to 1 day); a run whose lease expired stays dead';

REVOKE ALL ON @extschema@.run_leases FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.renew_run_lease(uuid, interval, boolean) FROM PUBLIC;
GRANT SELECT ON @extschema@.run_leases TO paperclip_reader, paperclip_app, paperclip_operator;
GRANT EXECUTE ON FUNCTION @extschema@.renew_run_lease(uuid, interval, boolean) TO paperclip_app, paperclip_operator;

-- Whether a run holds (SPEC §2, §9): its status (NULL: no such run) and its
-- lease (NULL expires_at: none), judged at the statement's start.
CREATE FUNCTION @extschema@.run_is_live(status text, lease_expires_at timestamptz,
                                        lease_backend_pid integer, lease_backend_start timestamptz)
    RETURNS boolean
    AS 'MODULE_PATHNAME', 'paperclip_run_is_live'
    LANGUAGE C STABLE PARALLEL RESTRICTED;

-- The sweep's filter with the holders' leases (SPEC §9); 1.0's, by status
-- alone, stays for the applications that call it.
COMMENT ON FUNCTION @extschema@.lock_is_sweepable(uuid, text, uuid, text) IS
    'true when clearing terminal or missing holder runs would change these lock columns (by status alone, as in 1.0)';
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

-- issue_locks: stale includes an ended lease; the leases' expiry is shown.
CREATE OR REPLACE VIEW @extschema@.issue_locks AS
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

REVOKE ALL ON FUNCTION @extschema@.run_is_live(text, timestamptz, integer, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.lock_is_sweepable(uuid, text, timestamptz, integer, timestamptz,
                                                     uuid, text, timestamptz, integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    @extschema@.run_is_live(text, timestamptz, integer, timestamptz),
    @extschema@.lock_is_sweepable(uuid, text, timestamptz, integer, timestamptz,
                                  uuid, text, timestamptz, integer, timestamptz)
    TO paperclip_reader, paperclip_app, paperclip_operator;

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
