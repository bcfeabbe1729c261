-- Adopting paperclip_locks on a live Paperclip database (SPEC §8).
-- The database "paperclip" holds upstream's schema, made by its migrations.
\set VERBOSITY default
\pset null '∅'
SET client_min_messages = warning;

-- What the Paperclip server wrote over time: a company, a board admin, two
-- agents, a run that crashed hours ago without anyone noticing -- its issue
-- still names it in both lock columns (a zombie lock) -- and a live run.
INSERT INTO companies (id, name, issue_prefix) VALUES ('00000000-0000-4000-8000-0000000000c1', 'Acme', 'ACM');
INSERT INTO company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES ('00000000-0000-4000-8000-0000000000c1', 'user', 'dana', 'admin');
INSERT INTO agents (id, company_id, name) VALUES
    ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'CodexCoder'),
    ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000c1', 'Reviewer');
INSERT INTO heartbeat_runs (id, company_id, agent_id, status, started_at) VALUES
    ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'running', now() - interval '5 hours'),
    ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a2', 'running', now()),
    ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'running', now());
INSERT INTO issues (id, company_id, title, status, assignee_agent_id, checkout_run_id, execution_run_id,
                    execution_agent_name_key, execution_locked_at, started_at) VALUES
    ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000c1', 'Fix the login page', 'in_progress',
     '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001',
     'codexcoder', now() - interval '5 hours', now() - interval '5 hours');
-- (the run process died; a status it never reached, 'running', still holds the lock)

-- 1. The DBA installs the extension and checks the schema first: no mismatch.
CREATE EXTENSION paperclip_locks_attach;
SELECT * FROM paperclip.attach_mismatches();
-- The server's login role is trusted: its writes without an actor pass in compat mode.
CREATE ROLE paperclip_server LOGIN;
GRANT paperclip_trusted_app TO paperclip_server;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO paperclip_server;
SELECT paperclip.attach();
SELECT target_schema, mode, release_on_run_end FROM paperclip.attachment;

-- 2. The run is declared dead (by the server, or by hand); compat mode leaves
--    the release to the server, which never ran it: the lock is a zombie.
UPDATE heartbeat_runs SET status = 'failed', finished_at = now() WHERE id = '00000000-0000-4000-8000-000000000001';
SELECT issue_id, status, checkout_run_status, execution_run_status, locked_for > interval '4 hours' AS old, stale
FROM paperclip.issue_locks;

-- 3. The DBA force-releases it as the board admin: audited in the same transaction.
BEGIN;
SELECT paperclip.set_actor_board('dana');
SELECT id, status, checkout_run_id, execution_run_id, previous_checkout_run_id
FROM paperclip.admin_force_release('00000000-0000-4000-8000-0000000000e1', reason => 'run crashed at 05:12');
COMMIT;
SELECT action, actor_type, actor_id, details FROM activity_log WHERE action = 'issue.admin_force_release';
SELECT count(*) AS locks_left FROM paperclip.issue_locks;

-- 4. The unchanged server keeps working: its own autocommit writes pass.
SET ROLE paperclip_server;
UPDATE issues SET status = 'in_progress', assignee_agent_id = '00000000-0000-4000-8000-0000000000a2',
    checkout_run_id = '00000000-0000-4000-8000-000000000002', execution_run_id = '00000000-0000-4000-8000-000000000002'
WHERE id = '00000000-0000-4000-8000-0000000000e1';
RESET ROLE;

-- 5. An agent session in psql (a script, a CLI, a compromised tool) gets the
--    same rules as the API: CodexCoder may not touch Reviewer's issue, nor
--    write the lock columns, nor check it out.
\set VERBOSITY verbose
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000003');
UPDATE issues SET title = 'mine now' WHERE id = '00000000-0000-4000-8000-0000000000e1';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000003');
UPDATE issues SET checkout_run_id = NULL WHERE id = '00000000-0000-4000-8000-0000000000e1';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000003');
SELECT status FROM paperclip.checkout('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000a1',
                                      '{todo,in_progress}', '00000000-0000-4000-8000-000000000003');
ROLLBACK;
-- And a role that is neither the trusted server nor an operator, with no actor:
CREATE ROLE somebody LOGIN;
GRANT UPDATE, SELECT ON issues TO somebody;
SET ROLE somebody;
UPDATE issues SET title = 'anonymous' WHERE id = '00000000-0000-4000-8000-0000000000e1';
RESET ROLE;
\set VERBOSITY default

-- 6. Taking it off again leaves every application row where it was.
SELECT paperclip.detach();
SELECT count(*) AS paperclip_triggers FROM pg_trigger WHERE tgname LIKE 'paperclip_locks_%';
