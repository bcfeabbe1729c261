-- The actor of a transaction (SPEC §3): set per transaction, held in the
-- extension's backend state, cleared at commit and abort, never forgeable
-- with SET or set_config.
\set VERBOSITY verbose
\set C  '00000003-0000-4000-8000-0000000000c1'
\set A  '00000003-0000-4000-8000-0000000000a1'
\set B  '00000003-0000-4000-8000-0000000000b1'
\set R  '00000003-0000-4000-8000-000000000001'
\set RB '00000003-0000-4000-8000-000000000011'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Actor Co', 'ACT');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'R', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running');

-- With no actor, the bootstrap superuser is a database operator.
SELECT actor_type, role_name = current_user AS is_session_role FROM paperclip.current_actor();

-- An agent actor holds until COMMIT.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT actor_type, agent_id, run_id, company_id, user_id FROM paperclip.current_actor();
COMMIT;
SELECT actor_type FROM paperclip.current_actor();

-- ... and until ROLLBACK.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
SELECT actor_type, user_id FROM paperclip.current_actor();
ROLLBACK;
SELECT actor_type FROM paperclip.current_actor();

-- An aborted transaction clears it too.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
\set VERBOSITY default
SELECT 1 / 0;
\set VERBOSITY verbose
ROLLBACK;
SELECT actor_type FROM paperclip.current_actor();

-- Outside a transaction block the actor would vanish with the statement: a warning says so.
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT actor_type FROM paperclip.current_actor();

-- SET and set_config cannot forge it: the paperclip prefix is reserved, and
-- no setting of any other name is read.
\set VERBOSITY default
SET paperclip.actor_agent_id = '00000003-0000-4000-8000-0000000000b1';
SELECT set_config('paperclip.actor', 'agent', false);
\set VERBOSITY verbose
SET paperclip_locks.actor = 'board-user';
SELECT actor_type FROM paperclip.current_actor();
RESET paperclip_locks.actor;

-- Once a transaction has an actor, a different one is refused (a statement run
-- later in the transaction cannot switch identity); the same one is fine.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT paperclip.set_actor_board('board-user');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT paperclip.set_actor_agent(:'B', :'RB');
ROLLBACK;
-- The actor follows transaction semantics (SPEC §10): set inside a savepoint
-- that rolls back, it is gone with it (sql/security_actor.sql has the rest).
BEGIN;
SAVEPOINT s1;
SELECT paperclip.set_actor_agent(:'A', :'R');
ROLLBACK TO SAVEPOINT s1;
SELECT actor_type, agent_id FROM paperclip.current_actor();
ROLLBACK;

-- The setters validate what they are given.
BEGIN;
SELECT paperclip.set_actor_agent('00000003-0000-4000-8000-00000000dead');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RB');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', '00000003-0000-4000-8000-00000000dead');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(NULL, :'R');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board(NULL);
ROLLBACK;

-- An agent actor without a run is allowed; operations that need a run refuse later (PC401).
BEGIN;
SELECT paperclip.set_actor_agent(:'A');
SELECT actor_type, run_id FROM paperclip.current_actor();
ROLLBACK;
