-- paperclip.clear_execution_run_if_terminal(issue_id) and
-- paperclip.clear_checkout_run_if_terminal(issue_id) (SPEC §4.1, §4.2;
-- reference §3.4, §3.5, scenarios 14, 17, 20). Runs as the bootstrap
-- superuser: a database operator (SPEC §3), who may set lock columns directly.
\set VERBOSITY verbose

\set company       '00000009-0000-4000-8000-0000000000c1'
\set agent_a       '00000009-0000-4000-8000-0000000000a1'
-- runs of A
\set run_r         '00000009-0000-4000-8000-000000000101'
\set run_f         '00000009-0000-4000-8000-000000000103'
\set run_t         '00000009-0000-4000-8000-000000000104'
\set run_l         '00000009-0000-4000-8000-000000000105'
\set run_p         '00000009-0000-4000-8000-000000000106'
\set run_i         '00000009-0000-4000-8000-000000000107'
\set run_d1        '00000009-0000-4000-8000-000000000108'
\set run_d2        '00000009-0000-4000-8000-000000000109'
-- issues for clear_execution_run_if_terminal
\set issue_e_term  '00000009-0000-4000-8000-000000000301'
\set issue_e_same  '00000009-0000-4000-8000-000000000302'
\set issue_e_diff  '00000009-0000-4000-8000-000000000303'
\set issue_e_live  '00000009-0000-4000-8000-000000000304'
\set issue_e_unkn  '00000009-0000-4000-8000-000000000305'
\set issue_e_none  '00000009-0000-4000-8000-000000000306'
\set issue_e_17    '00000009-0000-4000-8000-000000000317'
\set issue_e_miss  '00000009-0000-4000-8000-000000000316'
-- issues for clear_checkout_run_if_terminal
\set issue_c_term  '00000009-0000-4000-8000-000000000321'
\set issue_c_only  '00000009-0000-4000-8000-000000000322'
\set issue_c_two   '00000009-0000-4000-8000-000000000324'
\set issue_c_20    '00000009-0000-4000-8000-000000000320'
\set issue_c_live  '00000009-0000-4000-8000-000000000323'
\set issue_c_none  '00000009-0000-4000-8000-000000000325'
\set issue_c_17    '00000009-0000-4000-8000-000000000326'
\set issue_c_miss  '00000009-0000-4000-8000-000000000315'
-- scenario 14
\set issue_14      '00000009-0000-4000-8000-000000000314'
\set issue_missing '00000009-0000-4000-8000-0000000003ff'

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Clear Co', 'CLR');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent_a', :'company', 'Codex-Coder 9A');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_r',  :'company', :'agent_a', 'running'),
    (:'run_f',  :'company', :'agent_a', 'failed'),
    (:'run_t',  :'company', :'agent_a', 'timed_out'),
    (:'run_l',  :'company', :'agent_a', 'running'),
    (:'run_p',  :'company', :'agent_a', 'provisioning'),
    (:'run_i',  :'company', :'agent_a', 'interrupted'),
    (:'run_d1', :'company', :'agent_a', 'running'),
    (:'run_d2', :'company', :'agent_a', 'running');

INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id,
                              checkout_run_id, execution_run_id, execution_agent_name_key,
                              execution_locked_at, started_at) VALUES
    (:'issue_e_term', :'company', 'exec failed',               'in_progress', :'agent_a', NULL,     :'run_f', 'codexcoder9a', now(), now()),
    (:'issue_e_same', :'company', 'both failed, same run',     'in_progress', :'agent_a', :'run_f', :'run_f', 'codexcoder9a', now(), now()),
    (:'issue_e_diff', :'company', 'checkout live, exec failed', 'in_progress', :'agent_a', :'run_l', :'run_f', 'codexcoder9a', now(), now()),
    (:'issue_e_live', :'company', 'exec live',                 'in_progress', :'agent_a', :'run_l', :'run_l', 'codexcoder9a', now(), now()),
    (:'issue_e_unkn', :'company', 'exec provisioning',         'todo',        :'agent_a', NULL,     :'run_p', 'codexcoder9a', now(), NULL),
    (:'issue_e_none', :'company', 'no exec lock',              'in_progress', :'agent_a', :'run_f', NULL,     NULL,           NULL,  now()),
    (:'issue_e_17',   :'company', 'exec interrupted',          'todo',        NULL,       NULL,     :'run_i', 'codexcoder9a', now(), NULL),
    (:'issue_e_miss', :'company', 'exec run missing',          'todo',        :'agent_a', NULL,     :'run_d2', 'codexcoder9a', now(), NULL),
    (:'issue_c_term', :'company', 'both failed',               'in_progress', :'agent_a', :'run_f', :'run_f', 'codexcoder9a', now(), now()),
    (:'issue_c_only', :'company', 'checkout failed, no exec',  'in_progress', :'agent_a', :'run_f', NULL,     NULL,           NULL,  now()),
    (:'issue_c_two',  :'company', 'failed and timed out',      'in_progress', :'agent_a', :'run_f', :'run_t', 'codexcoder9a', now(), now()),
    (:'issue_c_20',   :'company', 'checkout failed, exec live', 'in_progress', :'agent_a', :'run_f', :'run_l', 'codexcoder9a', now(), now()),
    (:'issue_c_live', :'company', 'checkout live',             'in_progress', :'agent_a', :'run_l', :'run_l', 'codexcoder9a', now(), now()),
    (:'issue_c_none', :'company', 'no checkout lock',          'todo',        :'agent_a', NULL,     :'run_f', 'codexcoder9a', now(), NULL),
    (:'issue_c_17',   :'company', 'checkout interrupted',      'in_progress', :'agent_a', :'run_i', :'run_i', 'codexcoder9a', now(), now()),
    (:'issue_c_miss', :'company', 'checkout run missing',      'in_progress', :'agent_a', :'run_d2', :'run_d2', 'codexcoder9a', now(), now()),
    (:'issue_14',     :'company', 'run deleted',               'in_progress', :'agent_a', :'run_d1', :'run_d1', 'codexcoder9a', now(), now());

CREATE TEMP VIEW issue_state AS
SELECT id, status, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at IS NOT NULL AS locked_at_set
FROM paperclip.issues WHERE company_id = '00000009-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW audit AS
SELECT entity_id, action, details, actor_type, actor_id, created_at
FROM paperclip.activity_log WHERE company_id = '00000009-0000-4000-8000-0000000000c1';

-------------------------------------------------------------------------------
-- clear_execution_run_if_terminal
-------------------------------------------------------------------------------

-- §4.1: the execution run F is terminal (failed): the three execution columns
-- are cleared, true is returned, and one issue.stale_lock_cleared row records
-- the previous run id and status. An operator is audited as actor_type
-- 'user' with the session's role name (SPEC §3).
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_term') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_term';
SELECT action, details FROM audit WHERE entity_id = :'issue_e_term' ORDER BY created_at, action;
SELECT actor_type, actor_id = current_user AS actor_is_session_role
FROM audit WHERE entity_id = :'issue_e_term';

-- §4.1: checkout_run_id names the same terminal run: it is cleared too, so
-- all four lock columns are NULL.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_same') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_same';
SELECT action, details FROM audit WHERE entity_id = :'issue_e_same' ORDER BY created_at, action;

-- §4.1: checkout_run_id names a different, live run L: only the execution
-- columns are cleared; the checkout stays with L.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_diff') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_diff';
SELECT action, details FROM audit WHERE entity_id = :'issue_e_diff' ORDER BY created_at, action;

-- §2: a live run holds: false, nothing changes, no audit row.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_live') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_live';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_e_live';

-- §2, scenario 16: an unknown status (provisioning) holds too: false.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_unkn') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_unkn';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_e_unkn';

-- §4.1: no execution lock: false; a terminal checkout run is not this
-- function's business and stays.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_none') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_none';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_e_none';

-- Scenario 17: interrupted is terminal (SPEC §2): cleared.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_17') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_17';
SELECT action, details FROM audit WHERE entity_id = :'issue_e_17' ORDER BY created_at, action;

-- Unknown issue: PC404 Issue not found.
SELECT paperclip.clear_execution_run_if_terminal(:'issue_missing') AS cleared;

-------------------------------------------------------------------------------
-- clear_checkout_run_if_terminal
-------------------------------------------------------------------------------

-- §4.2: the checkout run F is terminal and names the execution lock too: all
-- four lock columns are cleared; status and assignee are not touched.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_term') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_term';
SELECT action, details FROM audit WHERE entity_id = :'issue_c_term' ORDER BY created_at, action;

-- §4.2: terminal checkout run, no execution lock: cleared.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_only') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_only';
SELECT action, details FROM audit WHERE entity_id = :'issue_c_only' ORDER BY created_at, action;

-- §4.2: checkout F (failed) and a different execution run T (timed_out):
-- neither holds, so all four columns are cleared in one clearing.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_two') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_two';
SELECT action, details FROM audit WHERE entity_id = :'issue_c_two' ORDER BY created_at, action;

-- Scenario 20: checkout F failed but execution_run_id names a different,
-- live run L: false and nothing changes.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_20') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_20';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_c_20';

-- §2: a live checkout run holds: false, nothing changes.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_live') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_live';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_c_live';

-- §4.2: no checkout lock: false, even though the execution run F is
-- terminal (that is clear_execution_run_if_terminal's job).
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_none') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_none';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_c_none';

-- Scenario 17: interrupted is terminal for the checkout lock as well.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_17') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_17';
SELECT action, details FROM audit WHERE entity_id = :'issue_c_17' ORDER BY created_at, action;

-- Unknown issue: PC404 Issue not found.
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_missing') AS cleared;

-------------------------------------------------------------------------------
-- Missing runs
-------------------------------------------------------------------------------

-- Scenario 14: deleting a run the locks name sets both lock columns to NULL
-- (FK ON DELETE SET NULL, SPEC §1). SPEC §6 (binding over the reference's
-- "unchanged (inferred)"): execution_run_id IS NULL implies the name key and
-- execution_locked_at are NULL, so the companions are NULL too. Nothing is
-- left for either function to clear.
DELETE FROM paperclip.heartbeat_runs WHERE id = :'run_d1';
SELECT * FROM issue_state WHERE id = :'issue_14';
SELECT paperclip.clear_execution_run_if_terminal(:'issue_14') AS cleared;
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_14') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_14';

-- §2: a missing run counts as terminal. A lock can name a run that no longer
-- exists when the rows arrive without their foreign keys enforced (here: the
-- operator deletes D2 with session_replication_role = replica, as a restore
-- with disabled triggers would).
SET session_replication_role = replica;
DELETE FROM paperclip.heartbeat_runs WHERE id = :'run_d2';
RESET session_replication_role;
SELECT * FROM issue_state WHERE id IN (:'issue_e_miss', :'issue_c_miss') ORDER BY id;
-- the previous run status is null: the row no longer exists
SELECT paperclip.clear_execution_run_if_terminal(:'issue_e_miss') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_e_miss';
SELECT action, details FROM audit WHERE entity_id = :'issue_e_miss' ORDER BY created_at, action;
SELECT paperclip.clear_checkout_run_if_terminal(:'issue_c_miss') AS cleared;
SELECT * FROM issue_state WHERE id = :'issue_c_miss';
SELECT action, details FROM audit WHERE entity_id = :'issue_c_miss' ORDER BY created_at, action;

-- Each clearing wrote exactly one row; nothing else was written.
SELECT action, count(*) FROM audit GROUP BY action ORDER BY action;

DROP VIEW issue_state, audit;
