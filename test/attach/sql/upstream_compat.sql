-- Compat mode on upstream's real schema (SPEC §8): the unchanged Paperclip
-- server's kinds of writes pass as a trusted application; the same writes
-- from an agent actor get the strict answers; a role that is neither trusted
-- nor an operator, with no actor, gets PC403.
SET client_min_messages = warning;
-- Errors are shown as SQLSTATE, message, detail and hint.
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
    IF detail <> '' THEN RETURN NEXT 'DETAIL: ' || detail; END IF;
END
$f$;
\set C  '00000013-0000-4000-8000-0000000000c1'
\set C2 '00000013-0000-4000-8000-0000000000c2'
\set A  '00000013-0000-4000-8000-0000000000a1'
\set B  '00000013-0000-4000-8000-0000000000b1'
\set X  '00000013-0000-4000-8000-0000000000f1'
\set RA '00000013-0000-4000-8000-000000000001'
\set RB '00000013-0000-4000-8000-000000000002'
\set RX '00000013-0000-4000-8000-000000000003'
\set I1 '00000013-0000-4000-8000-000000000101'
\set I2 '00000013-0000-4000-8000-000000000102'
\set I3 '00000013-0000-4000-8000-000000000103'
INSERT INTO companies (id, name, issue_prefix) VALUES (:'C', 'Compat Co', 'CMP'), (:'C2', 'Other Co', 'OTH');
INSERT INTO company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta'), (:'X', :'C2', 'Xeno');
INSERT INTO heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running'), (:'RX', :'C2', :'X', 'running');
INSERT INTO issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
                    execution_agent_name_key, execution_locked_at)
VALUES (:'I1', :'C', 'free', 'todo', NULL, NULL, NULL, NULL, NULL),
       (:'I2', :'C', 'held by A', 'in_progress', :'A', :'RA', :'RA', 'alpha', now()),
       (:'I3', :'C', 'unassigned', 'todo', NULL, NULL, NULL, NULL, NULL);
INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id)
    VALUES (:'C', 'user', 'board-user', 'issue.created', 'issue', :'I1');

-- The server's role (trusted), a role that is neither trusted nor an
-- operator, and an application role that sets actors; all with upstream's
-- table privileges (the server owns its tables).
CREATE ROLE regress_pc_server LOGIN;
CREATE ROLE regress_pc_untrusted LOGIN;
GRANT paperclip_trusted_app TO regress_pc_server;
GRANT paperclip_app TO regress_pc_untrusted;
GRANT SELECT, INSERT, UPDATE, DELETE ON companies, company_memberships, agents, heartbeat_runs, issues,
    issue_relations, issue_comments, activity_log TO regress_pc_server, regress_pc_untrusted;

CREATE EXTENSION paperclip_locks_attach;
SELECT paperclip.attach();  -- compat, no release on run end
SELECT mode, release_on_run_end FROM paperclip.attachment;

CREATE VIEW issue_state AS
SELECT title, status, assignee_agent_id IS NOT NULL AS has_agent, assignee_user_id,
       checkout_run_id, execution_run_id, execution_agent_name_key, execution_locked_at IS NOT NULL AS locked_at_set
FROM issues WHERE company_id = '00000013-0000-4000-8000-0000000000c1' ORDER BY id;
GRANT SELECT ON issue_state TO PUBLIC;

-------------------------------------------------------------------------------
-- The trusted application, no actor, autocommit statements.
-------------------------------------------------------------------------------
SET ROLE regress_pc_server;
SELECT actor_type, role_name FROM paperclip.current_actor();
-- It writes the lock columns itself (upstream's checkout UPDATE) ...
UPDATE issues SET status = 'in_progress', assignee_agent_id = :'B', checkout_run_id = :'RB',
    execution_run_id = :'RB', execution_agent_name_key = 'beta', execution_locked_at = now()
WHERE id = :'I1';
-- ... leaves in_progress without an assignee (force-release with clearAssignee) ...
UPDATE issues SET assignee_agent_id = NULL, checkout_run_id = NULL, execution_run_id = NULL,
    execution_agent_name_key = NULL, execution_locked_at = NULL
WHERE id = :'I2';
SELECT * FROM issue_state;
-- ... writes its own audit rows, and deletes them when a company is removed.
INSERT INTO activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id)
    VALUES (:'C2', 'system', 'server', 'company.archived', 'company', :'C2');
DELETE FROM activity_log WHERE company_id = :'C2';
SELECT count(*) AS other_company_audit_rows FROM activity_log WHERE company_id = :'C2';
-- It may renew a run's lease (SPEC §9: a trusted app, like an operator).
SELECT paperclip.renew_run_lease(:'RB') > now() AS lease_renewed;
-- Comments and relations are the server's business.
INSERT INTO issue_comments (company_id, issue_id, body, author_agent_id) VALUES (:'C', :'I1', 'server note', :'A');
INSERT INTO issue_relations (company_id, issue_id, related_issue_id, type) VALUES (:'C', :'I2', :'I1', 'blocks');

-- What it is still held to: the status vocabulary, one assignee, the
-- execution columns' consistency, lock columns naming a run of the issue's
-- company, primary keys, a run's company being its agent's.
SELECT * FROM pg_temp.error_of($$UPDATE issues SET status = 'doing' WHERE id = '00000013-0000-4000-8000-000000000101'$$);
SELECT * FROM pg_temp.error_of($$UPDATE issues SET assignee_user_id = 'board-user' WHERE id = '00000013-0000-4000-8000-000000000101'$$);
SELECT * FROM pg_temp.error_of($$UPDATE issues SET checkout_run_id = '00000013-0000-4000-8000-000000000003' WHERE id = '00000013-0000-4000-8000-000000000102'$$);
SELECT * FROM pg_temp.error_of($$UPDATE issues SET id = '00000013-0000-4000-8000-00000000dead' WHERE id = '00000013-0000-4000-8000-000000000102'$$);
SELECT * FROM pg_temp.error_of($$INSERT INTO heartbeat_runs (company_id, agent_id, status) VALUES ('00000013-0000-4000-8000-0000000000c2', '00000013-0000-4000-8000-0000000000a1', 'queued')$$);
SELECT * FROM pg_temp.error_of($$UPDATE heartbeat_runs SET id = '00000013-0000-4000-8000-00000000dead' WHERE id = '00000013-0000-4000-8000-000000000002'$$);
SELECT * FROM pg_temp.error_of($$UPDATE agents SET id = '00000013-0000-4000-8000-00000000dead' WHERE id = '00000013-0000-4000-8000-0000000000b1'$$);
SELECT * FROM pg_temp.error_of($$UPDATE companies SET id = '00000013-0000-4000-8000-00000000dead' WHERE id = '00000013-0000-4000-8000-0000000000c2'$$);
UPDATE issues SET execution_run_id = NULL WHERE id = :'I1';  -- the companions follow
SELECT * FROM issue_state;

-- Run end: compat leaves the release to the server (release_on_run_end is
-- false), and issue_locks shows the lock as stale.
UPDATE heartbeat_runs SET status = 'succeeded', finished_at = now() WHERE id = :'RB';
SELECT title, checkout_run_id IS NOT NULL AS still_locked FROM issues WHERE id = :'I1';
RESET ROLE;
SELECT checkout_run_status, stale FROM paperclip.issue_locks WHERE issue_id = :'I1';

-------------------------------------------------------------------------------
-- The same role with an actor gets every rule of strict mode.
-------------------------------------------------------------------------------
UPDATE heartbeat_runs SET status = 'running' WHERE id = :'RB';
UPDATE issues SET checkout_run_id = :'RB', execution_run_id = :'RB', execution_agent_name_key = 'beta',
    execution_locked_at = now() WHERE id = :'I1';
SET ROLE regress_pc_server;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
-- another agent's in_progress issue: 409
SELECT * FROM pg_temp.error_of($$UPDATE issues SET title = 'taken' WHERE id = '00000013-0000-4000-8000-000000000101'$$);
-- a direct lock-column write: refused
SELECT * FROM pg_temp.error_of($$UPDATE issues SET checkout_run_id = NULL WHERE id = '00000013-0000-4000-8000-000000000101'$$);
-- in_progress needs an assignee
SELECT * FROM pg_temp.error_of($$UPDATE issues SET status = 'in_progress' WHERE id = '00000013-0000-4000-8000-000000000103'$$);
-- the audit log is append-only
SELECT * FROM pg_temp.error_of($$DELETE FROM activity_log WHERE company_id = '00000013-0000-4000-8000-0000000000c1'$$);
COMMIT;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT * FROM pg_temp.error_of($$UPDATE issues SET checkout_run_id = NULL WHERE id = '00000013-0000-4000-8000-000000000101'$$);
COMMIT;
-- The functions of §4 on the attached tables: A checks out the free issue.
UPDATE issues SET status = 'todo', assignee_agent_id = NULL WHERE id = :'I2';
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
SELECT status, checkout_run_id = :'RA' AS mine FROM paperclip.checkout(:'I2', :'A', '{todo}', :'RA');
COMMIT;
RESET ROLE;

-------------------------------------------------------------------------------
-- A role that is neither trusted nor an operator, with no actor: PC403.
-------------------------------------------------------------------------------
SET ROLE regress_pc_untrusted;
SELECT actor_type FROM paperclip.current_actor();
SELECT * FROM pg_temp.error_of($$UPDATE issues SET title = 'anonymous' WHERE id = '00000013-0000-4000-8000-000000000101'$$);
SELECT * FROM pg_temp.error_of($$INSERT INTO activity_log (company_id, actor_id, action, entity_type, entity_id) VALUES ('00000013-0000-4000-8000-0000000000c1', 'x', 'y', 'issue', 'z')$$);
RESET ROLE;

-------------------------------------------------------------------------------
-- Strict mode: the trusted role is an ordinary one (PC403 without an actor),
-- and a run's end releases its locks.
-------------------------------------------------------------------------------
SELECT paperclip.attach(mode => 'strict');
SET ROLE regress_pc_server;
SELECT actor_type FROM paperclip.current_actor();
SELECT * FROM pg_temp.error_of($$UPDATE issues SET title = 'server write' WHERE id = '00000013-0000-4000-8000-000000000101'$$);
RESET ROLE;
UPDATE heartbeat_runs SET status = 'failed' WHERE id = :'RB';
SELECT title, checkout_run_id, execution_run_id FROM issues WHERE id = :'I1';
SELECT paperclip.attach();  -- back to compat
SET ROLE regress_pc_server;
SELECT actor_type FROM paperclip.current_actor();
RESET ROLE;

SELECT paperclip.detach();
DROP VIEW issue_state;
REVOKE ALL ON companies, company_memberships, agents, heartbeat_runs, issues, issue_relations, issue_comments,
    activity_log FROM regress_pc_server, regress_pc_untrusted;
DROP EXTENSION paperclip_locks_attach;
DROP ROLE regress_pc_server;
DROP ROLE regress_pc_untrusted;
