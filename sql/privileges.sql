-- Least privilege (SPEC §3): who may set actors (paperclip_app), who is a
-- database operator (paperclip_operator), who can only read
-- (paperclip_reader); nothing for PUBLIC. Tested with real roles.
-- PostgreSQL's own permission errors are shown as message and SQLSTATE (their
-- LOCATION varies between minor releases); the extension's as PCnnn.
\set VERBOSITY default
\set C  '00000004-0000-4000-8000-0000000000c1'
\set A  '00000004-0000-4000-8000-0000000000a1'
\set R  '00000004-0000-4000-8000-000000000001'
\set I1 '00000004-0000-4000-8000-000000000101'
\set I2 '00000004-0000-4000-8000-000000000102'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Privileges Co', 'PRV');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    (:'I1', :'C', 'one', 'todo'), (:'I2', :'C', 'two', 'todo');

CREATE ROLE regress_pc_app LOGIN;
CREATE ROLE regress_pc_reader LOGIN;
CREATE ROLE regress_pc_operator LOGIN;
CREATE ROLE regress_pc_nobody LOGIN;
GRANT paperclip_app TO regress_pc_app;
GRANT paperclip_reader TO regress_pc_reader;
GRANT paperclip_operator TO regress_pc_operator;

-- PUBLIC gets nothing.
SELECT p.oid::regprocedure::text AS function
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'paperclip' AND has_function_privilege('public', p.oid, 'EXECUTE')
ORDER BY 1;
SELECT has_schema_privilege('public', 'paperclip', 'USAGE') AS public_usage,
       has_table_privilege('public', 'paperclip.issues', 'SELECT') AS public_select;

-- A role with no grant cannot reach the schema at all.
SET ROLE regress_pc_nobody;
SELECT count(*) FROM paperclip.issues;
\echo :LAST_ERROR_SQLSTATE
SELECT paperclip.set_actor_board('board-user');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A reader reads, and may not set an actor or write.
SET ROLE regress_pc_reader;
SELECT count(*) AS issues FROM paperclip.issues WHERE company_id = :'C';
SELECT actor_type FROM paperclip.current_actor();
SELECT paperclip.set_actor_agent(:'A', :'R');
\echo :LAST_ERROR_SQLSTATE
UPDATE paperclip.issues SET title = 'x' WHERE id = :'I1';
\echo :LAST_ERROR_SQLSTATE
SELECT paperclip.sweep_stale_locks(10);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- The application role sets actors and calls the functions. It holds no
-- operator privilege: without an actor it is refused.
SET ROLE regress_pc_app;
SELECT actor_type FROM paperclip.current_actor();
\set VERBOSITY verbose
SELECT status FROM paperclip.checkout(:'I1', :'A', '{todo}', :'R');
\set VERBOSITY default
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status, checkout_run_id FROM paperclip.checkout(:'I1', :'A', '{todo}');
COMMIT;
-- It cannot sweep, edit or delete audit rows, or change the terminal statuses.
SELECT paperclip.sweep_stale_locks(10);
\echo :LAST_ERROR_SQLSTATE
UPDATE paperclip.activity_log SET action = 'forged' WHERE entity_id = :'I1';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM paperclip.activity_log WHERE entity_id = :'I1';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO paperclip.terminal_run_statuses (status) VALUES ('running');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A database operator: no actor, the operator privilege. It may act without
-- an actor and is audited under its role name.
SET ROLE regress_pc_operator;
SELECT actor_type, role_name FROM paperclip.current_actor();
SELECT status, assignee_agent_id FROM paperclip.checkout(:'I2', :'A', '{todo}');
SELECT paperclip.set_actor_agent(:'A', :'R');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT action, actor_type, actor_id FROM paperclip.activity_log WHERE entity_id = :'I2';

-- The functions run their statements as the extension owner: the app role
-- needs no table privilege of its own to check out, and a role can only do
-- through them what their rules allow.
SELECT has_table_privilege('paperclip_app', 'paperclip.activity_log', 'UPDATE') AS app_updates_audit,
       has_table_privilege('paperclip_app', 'paperclip.activity_log', 'DELETE') AS app_deletes_audit,
       has_table_privilege('paperclip_operator', 'paperclip.activity_log', 'DELETE') AS operator_deletes_audit,
       has_table_privilege('paperclip_operator', 'paperclip.terminal_run_statuses', 'INSERT') AS operator_adds_status;

DROP OWNED BY regress_pc_app, regress_pc_reader, regress_pc_operator, regress_pc_nobody;
DROP ROLE regress_pc_app, regress_pc_reader, regress_pc_operator, regress_pc_nobody;
