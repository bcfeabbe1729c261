-- Hardening: each attack tried as a low-privilege role, and shown to fail.
-- The application's login role holds paperclip_app (what a compromised or
-- careless application server has); a second role holds only paperclip_reader.
\set C  '0000000e-0000-4000-8000-0000000000c1'
\set C2 '0000000e-0000-4000-8000-0000000000c2'
\set A  '0000000e-0000-4000-8000-0000000000a1'
\set B  '0000000e-0000-4000-8000-0000000000b1'
\set RA '0000000e-0000-4000-8000-000000000001'
\set RB '0000000e-0000-4000-8000-000000000002'
\set I  '0000000e-0000-4000-8000-000000000101'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Hardening Co', 'HRD'), (:'C2', 'Other', 'HRD2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running');
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

-- 6. Shadowing an operator through search_path. The role creates an "="
-- on uuid that says every two uuids are equal, and puts its schema first.
SET ROLE regress_pc_h_app;
CREATE FUNCTION regress_evil.uuid_always_equal(uuid, uuid) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR regress_evil.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = regress_evil.uuid_always_equal);
SET search_path = regress_evil, pg_catalog;
-- It works on the role's own queries ...
SELECT '0000000e-0000-4000-8000-000000000001'::uuid = '0000000e-0000-4000-8000-000000000002'::uuid AS shadowed;
-- ... but not inside the extension: B's run is still not A's, checkout still
-- conflicts, and the trigger still refuses B. (The UPDATE names its row by
-- text: its own WHERE would otherwise use the shadowed "=" too.)
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
SELECT status FROM paperclip.checkout(:'I', :'B', '{todo,in_progress}');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.issues SET title = 'shadowed' WHERE id::text = :'I';
ROLLBACK;
RESET search_path;
RESET ROLE;
-- Every function that runs statements, and every trigger function, pins search_path.
SELECT p.proname
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'paperclip' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND p.proname NOT IN ('is_issue_status', 'normalize_agent_name_key', 'run_status_is_terminal',
                        'lock_is_sweepable', 'current_actor', 'terminal_run_statuses_changed')
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
