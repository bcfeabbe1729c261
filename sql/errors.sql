-- The error bridge (SPEC §5): a C++ exception reaches the client as PCnnn
-- with its JSON detail; a PostgreSQL error raised under a C++ frame (inside
-- SPI) reaches it with its original SQLSTATE, message and detail; no error
-- is XX000 and the backend stays usable.
\set VERBOSITY verbose
\set C  '00000005-0000-4000-8000-0000000000c1'
\set A  '00000005-0000-4000-8000-0000000000a1'
\set R  '00000005-0000-4000-8000-000000000001'
\set I1 '00000005-0000-4000-8000-000000000101'
\set I2 '00000005-0000-4000-8000-000000000102'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Errors Co', 'ERR');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    (:'I1', :'C', 'one', 'todo'), (:'I2', :'C', 'two', 'todo');

-- C++ -> PostgreSQL: decisions of the C++ core arrive as PCnnn.
SELECT paperclip.checkout(:'I1', :'A', ARRAY['todo', NULL]);
SELECT paperclip.checkout(:'I1', :'A', '{{todo},{done}}');
SELECT paperclip.checkout(:'I1', :'A', NULL);
SELECT paperclip.admin_force_release('00000005-0000-4000-8000-00000000beef');
SELECT paperclip.sweep_stale_locks(0);

-- PostgreSQL -> C++ -> PostgreSQL: an application's own trigger on issues
-- raises while checkout's UPDATE runs inside the C++ frame. The client gets
-- that error as raised: its SQLSTATE, message, detail and hint.
CREATE FUNCTION pg_temp.app_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issue % is frozen by the application', NEW.title
        USING ERRCODE = 'AB123', DETAIL = 'frozen for the release', HINT = 'ask the release manager';
END $$;
CREATE TRIGGER app_freeze BEFORE UPDATE ON paperclip.issues
    FOR EACH ROW WHEN (OLD.title = 'one') EXECUTE FUNCTION pg_temp.app_freeze();
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT paperclip.checkout(:'I1', :'A', '{todo}', :'R');
\echo :LAST_ERROR_SQLSTATE
-- A constraint the application added: 23514 with its name (terse: the
-- failing row in DETAIL holds timestamps).
ALTER TABLE paperclip.issues ADD CONSTRAINT app_no_started_two
    CHECK (title <> 'two' OR started_at IS NULL) NOT VALID;
\set VERBOSITY terse
SELECT paperclip.checkout(:'I2', :'A', '{todo}', :'R');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE paperclip.issues DROP CONSTRAINT app_no_started_two;
DROP TRIGGER app_freeze ON paperclip.issues;
\set SHOW_CONTEXT errors
\set VERBOSITY verbose

-- Nothing was half-applied: both issues are untouched, no audit row exists.
SELECT title, status, assignee_agent_id, checkout_run_id FROM paperclip.issues
WHERE company_id = :'C' ORDER BY title;
SELECT count(*) AS audit_rows FROM paperclip.activity_log WHERE company_id = :'C';

\set VERBOSITY default
-- Errors are catchable by SQLSTATE, and the backend is consistent after the
-- bridge: a PL/pgSQL handler catches PC409 and the same session goes on.
UPDATE paperclip.issues SET status = 'done', assignee_agent_id = :'A' WHERE id = :'I2';
DO $$
BEGIN
    PERFORM paperclip.checkout('00000005-0000-4000-8000-000000000102',
                               '00000005-0000-4000-8000-0000000000a1', '{todo}');
    RAISE NOTICE 'not reached';
EXCEPTION WHEN SQLSTATE 'PC409' THEN
    RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM;
END $$;
SELECT status, checkout_run_id FROM paperclip.checkout(:'I1', :'A', '{todo}', :'R');

-- Repeated errors in one transaction leave nothing behind (SPI connections
-- and plans are cleaned up by the subtransaction aborts).
DO $$
DECLARE i int; caught int := 0;
BEGIN
    FOR i IN 1..200 LOOP
        BEGIN
            PERFORM paperclip.checkout('00000005-0000-4000-8000-000000000102',
                                       '00000005-0000-4000-8000-0000000000a1', '{todo}');
        EXCEPTION WHEN SQLSTATE 'PC409' THEN
            caught := caught + 1;
        END;
    END LOOP;
    RAISE NOTICE 'caught % conflicts', caught;
END $$;
