-- paperclip.acquire_execution_lock(issue_id, run_id) (SPEC §4.6; reference
-- §3.10): what a scheduler calls when it starts a run for an issue. Runs as
-- the bootstrap superuser: a database operator (SPEC §3), who may set lock
-- columns directly.
\set VERBOSITY verbose

\set company       '0000000a-0000-4000-8000-0000000000c1'
\set agent_a       '0000000a-0000-4000-8000-0000000000a1'
\set agent_b       '0000000a-0000-4000-8000-0000000000a2'
-- runs of A: R running, F failed, T timed_out, L running, S scheduled_retry,
-- P provisioning; RB a running run of B
\set run_r         '0000000a-0000-4000-8000-000000000101'
\set run_f         '0000000a-0000-4000-8000-000000000103'
\set run_t         '0000000a-0000-4000-8000-000000000104'
\set run_l         '0000000a-0000-4000-8000-000000000105'
\set run_s         '0000000a-0000-4000-8000-000000000106'
\set run_p         '0000000a-0000-4000-8000-000000000107'
\set run_rb        '0000000a-0000-4000-8000-000000000108'
\set run_missing   '0000000a-0000-4000-8000-0000000001ff'
\set issue_free    '0000000a-0000-4000-8000-000000000401'
\set issue_unasg   '0000000a-0000-4000-8000-000000000402'
\set issue_live    '0000000a-0000-4000-8000-000000000403'
\set issue_retry   '0000000a-0000-4000-8000-000000000404'
\set issue_prov    '0000000a-0000-4000-8000-000000000405'
\set issue_stale   '0000000a-0000-4000-8000-000000000406'
\set issue_stale2  '0000000a-0000-4000-8000-000000000407'
\set issue_other   '0000000a-0000-4000-8000-000000000408'
\set issue_norun   '0000000a-0000-4000-8000-000000000409'
\set issue_missing '0000000a-0000-4000-8000-0000000004ff'

INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    (:'company', 'Execution Co', 'EXL');
-- SPEC §2's example name: CodexCoder -> codexcoder
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    (:'agent_a', :'company', 'CodexCoder'),
    (:'agent_b', :'company', 'Reviewer_Bot 10-B');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'run_r',  :'company', :'agent_a', 'running'),
    (:'run_f',  :'company', :'agent_a', 'failed'),
    (:'run_t',  :'company', :'agent_a', 'timed_out'),
    (:'run_l',  :'company', :'agent_a', 'running'),
    (:'run_s',  :'company', :'agent_a', 'scheduled_retry'),
    (:'run_p',  :'company', :'agent_a', 'provisioning'),
    (:'run_rb', :'company', :'agent_b', 'running');

INSERT INTO paperclip.issues (id, company_id, title, status, assignee_agent_id,
                              checkout_run_id, execution_run_id, execution_agent_name_key,
                              execution_locked_at, started_at) VALUES
    (:'issue_free',   :'company', 'free',                   'todo',        :'agent_a', NULL,     NULL,     NULL,         NULL,         NULL),
    (:'issue_unasg',  :'company', 'free, unassigned',       'backlog',     NULL,       NULL,     NULL,     NULL,         NULL,         NULL),
    (:'issue_live',   :'company', 'held by running L',      'todo',        :'agent_a', NULL,     :'run_l', 'codexcoder', '2020-01-01', NULL),
    (:'issue_retry',  :'company', 'held by scheduled_retry', 'todo',       :'agent_a', NULL,     :'run_s', 'codexcoder', '2020-01-01', NULL),
    (:'issue_prov',   :'company', 'held by provisioning',   'todo',        :'agent_a', NULL,     :'run_p', 'codexcoder', '2020-01-01', NULL),
    (:'issue_stale',  :'company', 'exec run failed',        'todo',        :'agent_a', NULL,     :'run_f', 'codexcoder', '2020-01-01', NULL),
    (:'issue_stale2', :'company', 'both locks timed out',   'in_progress', :'agent_a', :'run_t', :'run_t', 'codexcoder', '2020-01-01', now()),
    (:'issue_other',  :'company', 'assigned to A',          'todo',        :'agent_a', NULL,     NULL,     NULL,         NULL,         NULL),
    (:'issue_norun',  :'company', 'run not found',          'todo',        :'agent_a', NULL,     NULL,     NULL,         NULL,         NULL);

CREATE TEMP VIEW issue_state AS
SELECT id, status, assignee_agent_id, checkout_run_id, execution_run_id,
       execution_agent_name_key, execution_locked_at IS NOT NULL AS locked_at_set,
       execution_locked_at > '2021-01-01' AS locked_recently
FROM paperclip.issues WHERE company_id = '0000000a-0000-4000-8000-0000000000c1';
CREATE TEMP VIEW audit AS
SELECT entity_id, action, details, created_at
FROM paperclip.activity_log WHERE company_id = '0000000a-0000-4000-8000-0000000000c1';

-------------------------------------------------------------------------------
-- §4.6: the lock is free: execution_run_id = R, execution_agent_name_key =
-- the normalized name of R's agent (SPEC §2: CodexCoder -> codexcoder),
-- execution_locked_at set; true. Status, assignee and checkout_run_id are
-- not touched.
-------------------------------------------------------------------------------
SELECT paperclip.acquire_execution_lock(:'issue_free', :'run_r') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_free';
SELECT action, details FROM audit WHERE entity_id = :'issue_free' ORDER BY created_at, action;

-- §4.6, §2: an unassigned issue; the name key is that of the run's agent B
-- (Reviewer_Bot 10-B -> reviewerbot10b).
SELECT paperclip.acquire_execution_lock(:'issue_unasg', :'run_rb') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_unasg';

-- §4.6: the run already holding the lock acquires it again: true, and
-- nothing changes (execution_locked_at keeps its value; no new audit row).
SELECT execution_locked_at AS locked_before FROM paperclip.issues WHERE id = :'issue_free' \gset
SELECT paperclip.acquire_execution_lock(:'issue_free', :'run_r') AS acquired;
SELECT execution_run_id, execution_locked_at = :'locked_before' AS locked_at_unchanged
FROM paperclip.issues WHERE id = :'issue_free';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_free';

-------------------------------------------------------------------------------
-- §4.6, §2: another live run holds the lock: false, no change, no audit row.
-------------------------------------------------------------------------------
-- running
SELECT paperclip.acquire_execution_lock(:'issue_live', :'run_r') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_live';
-- scenario 15: scheduled_retry holds
SELECT paperclip.acquire_execution_lock(:'issue_retry', :'run_r') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_retry';
-- scenario 16: an unknown status (provisioning) holds
SELECT paperclip.acquire_execution_lock(:'issue_prov', :'run_r') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_prov';
SELECT count(*) AS audit_rows FROM audit
WHERE entity_id IN (:'issue_live', :'issue_retry', :'issue_prov');

-------------------------------------------------------------------------------
-- §4.6, §2: the holder is stale (terminal): R replaces it; true. The stale
-- lock's clearing is recorded (issue.stale_lock_cleared with the previous
-- run id and status).
-------------------------------------------------------------------------------
SELECT paperclip.acquire_execution_lock(:'issue_stale', :'run_r') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_stale';
SELECT action, details FROM audit WHERE entity_id = :'issue_stale' ORDER BY created_at, action;

-- §4.1 applied on the way: both locks name the timed-out run T; its
-- execution lock is cleared together with the checkout column naming the
-- same run, and R takes the execution lock.
SELECT paperclip.acquire_execution_lock(:'issue_stale2', :'run_r') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_stale2';
SELECT action, details FROM audit WHERE entity_id = :'issue_stale2' ORDER BY created_at, action;

-------------------------------------------------------------------------------
-- A lock never names a run of an agent other than the assignee: B's run on
-- A's issue: false, no change, no audit row.
-------------------------------------------------------------------------------
SELECT paperclip.acquire_execution_lock(:'issue_other', :'run_rb') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_other';
SELECT count(*) AS audit_rows FROM audit WHERE entity_id = :'issue_other';

-------------------------------------------------------------------------------
-- SPEC §5: the run does not exist: PC422 (unprocessable: run not live / not
-- the agent's); nothing changes.
-------------------------------------------------------------------------------
SELECT paperclip.acquire_execution_lock(:'issue_norun', :'run_missing') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_norun';

-- Unknown issue: PC404 Issue not found.
SELECT paperclip.acquire_execution_lock(:'issue_missing', :'run_r') AS acquired;

-- A run of another company never locks this company's issue: PC422
-- execution run belongs to another company; nothing changes.
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES
    ('0000000a-0000-4000-8000-0000000000c2', 'Other Execution Co', 'EXO');
INSERT INTO paperclip.agents (id, company_id, name) VALUES
    ('0000000a-0000-4000-8000-0000000000a9', '0000000a-0000-4000-8000-0000000000c2', 'Outsider');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    ('0000000a-0000-4000-8000-000000000109', '0000000a-0000-4000-8000-0000000000c2',
     '0000000a-0000-4000-8000-0000000000a9', 'running');
SELECT paperclip.acquire_execution_lock(:'issue_norun', '0000000a-0000-4000-8000-000000000109') AS acquired;
SELECT * FROM issue_state WHERE id = :'issue_norun';

-- This file wrote exactly these audit rows.
SELECT action, count(*) FROM audit GROUP BY action ORDER BY action;

DROP VIEW issue_state, audit;
