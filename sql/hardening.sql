-- Hardening: each attack tried as a low-privilege role, and shown to fail.
-- The application's login role holds paperclip_app (what a compromised or
-- careless application server has); a second role holds only paperclip_reader.
\set C  '0000000e-0000-4000-8000-0000000000c1'
\set C2 '0000000e-0000-4000-8000-0000000000c2'
\set A  '0000000e-0000-4000-8000-0000000000a1'
\set B  '0000000e-0000-4000-8000-0000000000b1'
\set RA '0000000e-0000-4000-8000-000000000001'
\set RB '0000000e-0000-4000-8000-000000000002'
\set RB2 '0000000e-0000-4000-8000-000000000003'
\set I  '0000000e-0000-4000-8000-000000000101'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Hardening Co', 'HRD'), (:'C2', 'Other', 'HRD2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running'), (:'RB2', :'C', :'B', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES (:'I', :'C', 'held by A', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
SELECT status FROM paperclip.checkout(:'I', :'A', '{todo}');
COMMIT;

CREATE ROLE regress_pc_h_app LOGIN;
CREATE ROLE regress_pc_h_reader LOGIN;
GRANT paperclip_app TO regress_pc_h_app;
GRANT paperclip_reader TO regress_pc_h_reader;
CREATE SCHEMA regress_evil AUTHORIZATION regress_pc_h_app;

-- PostgreSQL's own errors are shown as message and SQLSTATE (their LOCATION
-- varies between minor releases); the extension's as PCnnn.
\set VERBOSITY default

-- 1. Forging an actor with SET or set_config: refused, or read by nobody.
SET ROLE regress_pc_h_app;
SET paperclip.actor_agent_id = '0000000e-0000-4000-8000-0000000000b1';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('paperclip.current_actor', 'board', false);
\echo :LAST_ERROR_SQLSTATE
SELECT actor_type FROM paperclip.current_actor();
RESET ROLE;

-- 2. Calling the actor setters without the grant.
SET ROLE regress_pc_h_reader;
SELECT paperclip.set_actor_board('board-user');
\echo :LAST_ERROR_SQLSTATE
SELECT paperclip.set_actor_agent(:'B', :'RB');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- 3. Writing lock columns directly, as agent B (to take A's issue) and as a board user.
SET ROLE regress_pc_h_app;
\set VERBOSITY verbose
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.issues SET checkout_run_id = :'RB', execution_run_id = :'RB', assignee_agent_id = :'B'
WHERE id = :'I';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET checkout_run_id = NULL WHERE id = :'I';
ROLLBACK;
-- Without an actor, the application role writes nothing at all.
UPDATE paperclip.issues SET title = 'no actor' WHERE id = :'I';
\set VERBOSITY default

-- 4. Disabling or dropping the triggers, or skipping them with session_replication_role.
ALTER TABLE paperclip.issues DISABLE TRIGGER issues_guard;
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER issues_guard ON paperclip.issues;
\echo :LAST_ERROR_SQLSTATE
SET session_replication_role = replica;
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER regress_bypass BEFORE UPDATE ON paperclip.issues
    FOR EACH ROW EXECUTE FUNCTION paperclip.issues_guard();
\echo :LAST_ERROR_SQLSTATE

-- 5. Deleting or editing audit rows: no privilege for the application ...
DELETE FROM paperclip.activity_log WHERE entity_id = '0000000e-0000-4000-8000-000000000101';
\echo :LAST_ERROR_SQLSTATE
UPDATE paperclip.activity_log SET details = '{}' WHERE entity_id = '0000000e-0000-4000-8000-000000000101';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE paperclip.activity_log;
\echo :LAST_ERROR_SQLSTATE
-- ... nor forging one in another actor's name ...
\set VERBOSITY verbose
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id)
    VALUES (:'C', 'user', 'board-user', 'issue.admin_force_release', 'issue', :'I');
ROLLBACK;
RESET ROLE;
-- ... and the table refuses even its owner: the log is append-only.
DELETE FROM paperclip.activity_log WHERE entity_id = '0000000e-0000-4000-8000-000000000101';
UPDATE paperclip.activity_log SET details = '{}' WHERE entity_id = '0000000e-0000-4000-8000-000000000101';
TRUNCATE paperclip.activity_log;
SELECT count(*) AS audit_rows FROM paperclip.activity_log WHERE entity_id = '0000000e-0000-4000-8000-000000000101';

-- 6. Shadowing operators, functions and types through search_path. The role
-- creates an "=" on uuid and on text that call everything equal, a "<>" that
-- calls nothing different, jsonb "->" and "?" that always answer, a now()
-- stuck in 2000, and a "jsonb" that accepts nothing; then puts its schema
-- first. The functions pin search_path, the triggers' statements run with it
-- pinned (1.1), and every statement names its operators and types with their
-- schema.
SET ROLE regress_pc_h_app;
-- Every impostor records who ran it: run by the extension's own statements,
-- it would run as the extension's owner -- the real danger of shadowing.
CREATE TABLE regress_evil.calls (who name, what text);
CREATE FUNCTION regress_evil.uuid_always_equal(uuid, uuid) RETURNS boolean LANGUAGE sql AS
    $$INSERT INTO regress_evil.calls VALUES (current_user, 'uuid ='); SELECT true$$;
CREATE OPERATOR regress_evil.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = regress_evil.uuid_always_equal);
CREATE FUNCTION regress_evil.text_always_equal(text, text) RETURNS boolean LANGUAGE sql AS
    $$INSERT INTO regress_evil.calls VALUES (current_user, 'text ='); SELECT true$$;
CREATE OPERATOR regress_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_evil.text_always_equal);
CREATE FUNCTION regress_evil.text_never_different(text, text) RETURNS boolean LANGUAGE sql AS
    $$INSERT INTO regress_evil.calls VALUES (current_user, 'text <>'); SELECT false$$;
CREATE OPERATOR regress_evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_evil.text_never_different);
CREATE FUNCTION regress_evil.jsonb_anything(jsonb, text) RETURNS jsonb LANGUAGE sql AS
    $$INSERT INTO regress_evil.calls VALUES (current_user, 'jsonb ->'); SELECT 'true'::pg_catalog.jsonb$$;
CREATE OPERATOR regress_evil.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = regress_evil.jsonb_anything);
CREATE FUNCTION regress_evil.jsonb_has_everything(jsonb, text) RETURNS boolean LANGUAGE sql AS
    $$INSERT INTO regress_evil.calls VALUES (current_user, 'jsonb ?'); SELECT true$$;
CREATE OPERATOR regress_evil.? (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = regress_evil.jsonb_has_everything);
CREATE FUNCTION regress_evil.now() RETURNS timestamptz LANGUAGE sql AS
    $$INSERT INTO regress_evil.calls VALUES (current_user, 'now()'); SELECT '2000-01-01'::timestamptz$$;
CREATE DOMAIN regress_evil.jsonb AS text CHECK (false);
SET search_path = regress_evil, pg_catalog;
-- They work on the role's own queries ...
SELECT '0000000e-0000-4000-8000-000000000001'::uuid = '0000000e-0000-4000-8000-000000000002'::uuid AS uuid_shadowed,
       'a'::text = 'b'::text AS text_shadowed, 'a'::text <> 'b'::text AS ne_shadowed,
       '{}'::pg_catalog.jsonb ? 'x' AS jsonb_shadowed, now() = '2000-01-01' AS now_shadowed;
-- ... but not inside the extension. The functions: B's run is still not A's,
-- checkout still conflicts; B has no tasks:manage_active_checkouts however
-- "?" and "->" answer.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT status FROM paperclip.checkout(:'I', :'B', '{todo,in_progress}');
ROLLBACK;
-- The triggers: B's write to A's issue is still refused (the text names the
-- row: the UPDATE's own WHERE would otherwise use the shadowed "=" too) ...
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.issues SET title = 'shadowed' WHERE id::text OPERATOR(pg_catalog.=) :'I';
ROLLBACK;
-- ... A's own write and comment pass the ownership gate as they should ...
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
UPDATE paperclip.issues SET title = 'held by A' WHERE id::text OPERATOR(pg_catalog.=) :'I';
INSERT INTO paperclip.issue_comments (company_id, issue_id, body) VALUES (:'C', :'I', 'still mine');
COMMIT;
-- ... a board user's edit and audit row pass the membership check ...
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET description = 'board note' WHERE id::text OPERATOR(pg_catalog.=) :'I';
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id)
    VALUES (:'C', 'user', 'board-user', 'issue.updated', 'issue', :'I');
COMMIT;
-- ... and when B's other run fails (committed, so the impostors' records
-- would stay), the trigger finds the issues naming that run with the real
-- "=": A's issue keeps A's run.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB2');
UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id::text OPERATOR(pg_catalog.=) :'RB2';
SELECT right(checkout_run_id::text, 2) AS checkout FROM paperclip.issues WHERE id::text OPERATOR(pg_catalog.=) :'I';
COMMIT;
RESET search_path;
RESET ROLE;
SELECT count(*) AS comments FROM paperclip.issue_comments WHERE issue_id = :'I';
-- No impostor ran inside the extension: every recorded call is the role's own.
SELECT who, what, count(*) FROM regress_evil.calls GROUP BY who, what ORDER BY who, what;
-- Every function that runs statements pins search_path; trigger functions
-- (above) are proven by the shadowing instead.
SELECT p.proname
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'paperclip' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND p.prorettype <> 'trigger'::regtype
  AND p.proname NOT IN ('is_issue_status', 'normalize_agent_name_key', 'run_status_is_terminal',
                        'run_is_live', 'lock_is_sweepable', 'current_actor')
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);

-- 7. Inserting an issue for another company.
SET ROLE regress_pc_h_app;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
INSERT INTO paperclip.issues (company_id, title) VALUES (:'C2', 'planted');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.issues (company_id, title) VALUES (:'C2', 'planted');
ROLLBACK;

-- 8. Deleting, or failing, another agent's run to drop its lock.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
DELETE FROM paperclip.heartbeat_runs WHERE id = :'RA';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = :'RA';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.heartbeat_runs (company_id, agent_id, status) VALUES (:'C', :'A', 'running');
ROLLBACK;

-- 9. Granting itself tasks:manage_active_checkouts, or a board role for someone.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.agents SET permissions = '{"tasks:manage_active_checkouts": true}' WHERE id = :'B';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'b-in-disguise', 'admin');
ROLLBACK;

-- 10. Acting as a board user from inside an agent's transaction.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT paperclip.set_actor_board('board-user');
ROLLBACK;

-- 11. Commenting as another agent.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
INSERT INTO paperclip.issue_comments (company_id, issue_id, author_agent_id, body)
    VALUES (:'C', :'I', :'A', 'I am A');
ROLLBACK;
RESET ROLE;

-- After all of it, A's run still holds A's issue, untouched.
SELECT title, status, right(assignee_agent_id::text, 2) AS assignee, right(checkout_run_id::text, 2) AS checkout,
       right(execution_run_id::text, 2) AS execution
FROM paperclip.issues WHERE id = :'I';
SELECT status FROM paperclip.heartbeat_runs WHERE id = :'RA';

\set VERBOSITY terse
DROP SCHEMA regress_evil CASCADE;
DROP OWNED BY regress_pc_h_app, regress_pc_h_reader;
DROP ROLE regress_pc_h_app, regress_pc_h_reader;
