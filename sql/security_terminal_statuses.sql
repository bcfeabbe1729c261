-- SPEC §6: the built-in terminal statuses (succeeded, failed, cancelled,
-- timed_out, interrupted) cannot be removed from terminal_run_statuses by
-- anyone; operators only add statuses, and remove the ones they added. On 1.0
-- an operator could delete 'failed', and every failed run held its locks
-- again.
\set VERBOSITY verbose
CREATE ROLE regress_sec_term_operator LOGIN;
GRANT paperclip_operator TO regress_sec_term_operator;
SET ROLE regress_sec_term_operator;
-- Deleting a built-in status, one or all.
DELETE FROM paperclip.terminal_run_statuses WHERE status = 'failed';
DELETE FROM paperclip.terminal_run_statuses;
-- Adding one as "built-in" (it would then be undeletable, and pg_dump skips built-in rows).
INSERT INTO paperclip.terminal_run_statuses (status, builtin) VALUES ('abandoned', true);
-- Adding one and removing it again is the operator's right.
INSERT INTO paperclip.terminal_run_statuses (status, note) VALUES ('abandoned', 'regress: security_terminal_statuses');
SELECT paperclip.run_status_is_terminal('abandoned') AS abandoned_is_terminal;
DELETE FROM paperclip.terminal_run_statuses WHERE status = 'abandoned';
SELECT paperclip.run_status_is_terminal('abandoned') AS abandoned_is_terminal;
RESET ROLE;
-- Not even a superuser: DELETE, UPDATE (renaming or un-flagging) and TRUNCATE.
DELETE FROM paperclip.terminal_run_statuses WHERE status = 'timed_out';
UPDATE paperclip.terminal_run_statuses SET builtin = false WHERE status = 'timed_out';
UPDATE paperclip.terminal_run_statuses SET status = 'timed-out' WHERE status = 'timed_out';
TRUNCATE paperclip.terminal_run_statuses;
-- A status added later may be updated (its note, say) and removed.
INSERT INTO paperclip.terminal_run_statuses (status) VALUES ('abandoned');
UPDATE paperclip.terminal_run_statuses SET note = 'runs the scheduler gave up on' WHERE status = 'abandoned';
DELETE FROM paperclip.terminal_run_statuses WHERE status = 'abandoned';
-- All five are still there, and still terminal ('abandoned' is gone).
SELECT status, builtin, paperclip.run_status_is_terminal(status) AS terminal
FROM paperclip.terminal_run_statuses WHERE builtin OR status = 'abandoned' ORDER BY status;
DROP OWNED BY regress_sec_term_operator;
DROP ROLE regress_sec_term_operator;
