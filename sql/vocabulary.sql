-- Vocabularies (SPEC §2): issue statuses, the terminal/holding partition of
-- run statuses, the normalized agent name key.
\set VERBOSITY verbose

SELECT s, paperclip.is_issue_status(s)
FROM unnest(ARRAY['backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done',
                  'cancelled', 'open', 'IN_PROGRESS', '']) AS s;

-- Terminal statuses hold nothing; a missing run (NULL) counts as terminal;
-- every other status -- unknown ones included -- holds.
SELECT s, paperclip.run_status_is_terminal(s) AS terminal
FROM unnest(ARRAY['succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted',
                  'queued', 'running', 'scheduled_retry', 'provisioning',
                  'some_future_live_status', 'error', 'adapter_failed', NULL]) AS s;

-- An operator adds terminal statuses without a rebuild; the change applies at once.
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES
    ('error', 'adapter reported an error'), ('adapter_failed', NULL);
SELECT s, paperclip.run_status_is_terminal(s) AS terminal
FROM unnest(ARRAY['error', 'adapter_failed', 'running']) AS s;
-- ... and a status removed again holds again.
DELETE FROM paperclip.terminal_run_statuses WHERE status IN ('error', 'adapter_failed');
SELECT paperclip.run_status_is_terminal('error') AS terminal;
-- Empty statuses are not a vocabulary entry (23514, shown without the
-- run-dependent DETAIL).
\set VERBOSITY sqlstate
INSERT INTO paperclip.terminal_run_statuses (status) VALUES ('');
\set VERBOSITY verbose

SELECT paperclip.normalize_agent_name_key('CodexCoder') AS key,
       paperclip.normalize_agent_name_key('Claude Code-2 (beta)') AS key2,
       paperclip.normalize_agent_name_key('Ünïcode Ägent') AS key3;
