-- SPEC §10: an error's DETAIL echoes at most 256 characters of any input value
-- (marked as cut); no input size produces XX000, a leak, or a log line larger
-- than a few kilobytes. On 1.0 a validation error echoed the whole input (6
-- bytes per control character): a 136-byte statement wrote 6 MB to the server
-- log, and past 1 GB the client saw XX000 and the backend kept the memory.
-- No actor is needed for any of it: arguments are checked first.
\set C '0000a003-0000-4000-8000-0000000000c1'
\set A '0000a003-0000-4000-8000-0000000000a1'
\set I '0000a003-0000-4000-8000-000000000101'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Input Co', 'SINP');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role)
    VALUES (:'C', 'user', 'board-user', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES (:'I', :'C', 'subject', 'todo');
CREATE ROLE regress_sec_input_app LOGIN;
GRANT paperclip_app TO regress_sec_input_app;
SET ROLE regress_sec_input_app;
\set VERBOSITY verbose

-- A value up to 256 characters is echoed whole ...
SELECT paperclip.checkout(:'I', :'A', ARRAY['todo', repeat('x', 256)]);
-- ... a longer one is cut at 256 characters, and says so.
SELECT paperclip.checkout(:'I', :'A', ARRAY['todo', repeat('x', 300)]);
-- Characters, not bytes: a multi-byte value is never cut inside a character.
SELECT paperclip.checkout(:'I', :'A', ARRAY[repeat('é', 300)]);

-- Control characters (6 bytes each in JSON): the DETAIL stays small. The
-- block reports the SQLSTATE and the DETAIL's size instead of printing it.
CREATE FUNCTION pg_temp.detail_size(statuses text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    detail text;
BEGIN
    PERFORM paperclip.checkout('0000a003-0000-4000-8000-000000000101', '0000a003-0000-4000-8000-0000000000a1', statuses);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
    RETURN state || ', detail ' || CASE WHEN octet_length(detail) <= 2048 THEN 'at most 2 kB' ELSE octet_length(detail) || ' bytes' END
        || CASE WHEN detail LIKE '%... (cut)%' THEN ', cut' ELSE '' END;
END
$$;
SELECT pg_temp.detail_size(ARRAY[repeat(chr(1), 1000000)]) AS one_million_control_characters;

-- The same cap on the triggers' validation: an unknown status written by a board user.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issues SET status = repeat('y', 1000) WHERE id = :'I';
ROLLBACK;
-- ... and on an audit row written in someone else's name.
BEGIN;
SELECT paperclip.set_actor_board('board-user');
INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id)
    VALUES (:'C', 'user', repeat('z', 5000), 'issue.updated', 'issue', :'I');
ROLLBACK;
RESET ROLE;

-- 180 million of them, three times: on 1.0 the DETAIL passed 1 GB, the
-- client got XX000 and every call kept about 1 GB of the backend's memory.
-- Now: the same PC400 and a small DETAIL, and resident memory does not grow
-- by the size of the input for each call.
CREATE FUNCTION pg_temp.rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint
$$;
CREATE TEMP TABLE rss AS SELECT pg_temp.rss_kb() AS before;
SELECT pg_temp.detail_size(ARRAY[repeat(chr(1), 180000000)]) AS call_1,
       pg_temp.detail_size(ARRAY[repeat(chr(1), 180000000)]) AS call_2,
       pg_temp.detail_size(ARRAY[repeat(chr(1), 180000000)]) AS call_3;
SELECT pg_temp.rss_kb() - before < 200 * 1024 AS grew_less_than_200_mb FROM rss;

DROP OWNED BY regress_sec_input_app;
DROP ROLE regress_sec_input_app;
