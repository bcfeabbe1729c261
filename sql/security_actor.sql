-- SPEC §10: the actor follows transaction semantics. An actor set inside a
-- subtransaction that rolls back (ROLLBACK TO SAVEPOINT, a PL/pgSQL exception
-- block) is gone with it. On 1.0 it survived, so statements after the
-- rollback ran as an actor the application had abandoned.
\set VERBOSITY verbose
\set C '0000a002-0000-4000-8000-0000000000c1'
\set A '0000a002-0000-4000-8000-0000000000a1'
\set R '0000a002-0000-4000-8000-000000000001'
\set I '0000a002-0000-4000-8000-000000000101'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Actor Subxact Co', 'SACT');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES (:'I', :'C', 'subject', 'todo');
CREATE ROLE regress_sec_actor_app LOGIN;
GRANT paperclip_app TO regress_sec_actor_app;
SET ROLE regress_sec_actor_app;

-- ROLLBACK TO SAVEPOINT takes the actor set after the savepoint with it: the
-- next write has no actor (PC403) ...
BEGIN;
SAVEPOINT before_actor;
SELECT paperclip.set_actor_agent(:'A', :'R');
ROLLBACK TO SAVEPOINT before_actor;
SELECT actor_type FROM paperclip.current_actor();
UPDATE paperclip.issues SET title = 'written by nobody' WHERE id = :'I';
ROLLBACK;
-- ... and another actor may then be set in the same transaction.
BEGIN;
SAVEPOINT before_actor;
SELECT paperclip.set_actor_agent(:'A', :'R');
ROLLBACK TO SAVEPOINT before_actor;
SELECT paperclip.set_actor_board('board-user');
SELECT actor_type, user_id FROM paperclip.current_actor();
ROLLBACK;

-- A PL/pgSQL exception block is a subtransaction too.
BEGIN;
DO $$
BEGIN
    PERFORM paperclip.set_actor_board('board-user');
    RAISE EXCEPTION 'undo everything in this block';
EXCEPTION WHEN raise_exception THEN
    NULL;
END
$$;
SELECT actor_type FROM paperclip.current_actor();
UPDATE paperclip.issues SET title = 'written by nobody' WHERE id = :'I';
ROLLBACK;

-- A released savepoint keeps the actor (its work is part of the transaction) ...
BEGIN;
SAVEPOINT s1;
SAVEPOINT s2;
SELECT paperclip.set_actor_agent(:'A', :'R');
RELEASE SAVEPOINT s2;
SELECT actor_type FROM paperclip.current_actor();
-- ... until the enclosing savepoint rolls back.
ROLLBACK TO SAVEPOINT s1;
SELECT actor_type FROM paperclip.current_actor();
ROLLBACK;

-- An actor set before a savepoint survives the savepoint's rollback.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SAVEPOINT s1;
UPDATE paperclip.issues SET title = 'rolled back' WHERE id = :'I';
ROLLBACK TO SAVEPOINT s1;
SELECT actor_type, user_id FROM paperclip.current_actor();
UPDATE paperclip.issues SET title = 'kept' WHERE id = :'I';
COMMIT;
SELECT title FROM paperclip.issues WHERE id = :'I';

-- The extension's own writes are let through the guards while they run; an
-- error caught around such a write must not leave that pass open. Agent A's
-- run fails inside a block whose error is caught (the release trigger had
-- written the issue); afterwards the role, with no actor, is still refused.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout(:'I', :'A', '{todo}', :'R');
COMMIT;
RESET ROLE;
CREATE FUNCTION public.regress_sec_fail_after_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the application''s trigger fails after the extension wrote';
END
$$;
CREATE TRIGGER regress_sec_fail AFTER UPDATE ON paperclip.issues
    FOR EACH ROW EXECUTE FUNCTION public.regress_sec_fail_after_write();
SET ROLE regress_sec_actor_app;
\set VERBOSITY default
BEGIN;
DO $$
BEGIN
    PERFORM paperclip.set_actor_agent('0000a002-0000-4000-8000-0000000000a1', '0000a002-0000-4000-8000-000000000001');
    UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = '0000a002-0000-4000-8000-000000000001';
EXCEPTION WHEN raise_exception THEN
    RAISE NOTICE 'caught: %', SQLERRM;
END
$$;
SELECT actor_type FROM paperclip.current_actor();
SAVEPOINT s;
UPDATE paperclip.issues SET checkout_run_id = NULL, title = 'unguarded?' WHERE id = :'I';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT s;
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id)
    VALUES (:'C', 'user', 'someone-else', 'issue.forged', 'issue', :'I');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET ROLE;
DROP TRIGGER regress_sec_fail ON paperclip.issues;
DROP FUNCTION public.regress_sec_fail_after_write();
SELECT title, status, right(checkout_run_id::text, 2) AS checkout FROM paperclip.issues WHERE id = :'I';

DROP OWNED BY regress_sec_actor_app;
DROP ROLE regress_sec_actor_app;

-- README: in a new session, before the library is loaded, SET paperclip.x is
-- accepted as a placeholder (PostgreSQL's rule for any unknown setting); it
-- never sets an actor, and loading the library removes it with a warning.
-- Once loaded, the prefix is reserved.
\c -
\set VERBOSITY default
SET paperclip.actor_agent_id = '0000a002-0000-4000-8000-0000000000a1';
SELECT actor_type FROM paperclip.current_actor();
SHOW paperclip.actor_agent_id;
SET paperclip.actor_agent_id = '0000a002-0000-4000-8000-0000000000a1';
