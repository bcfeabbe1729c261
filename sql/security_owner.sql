-- SPEC §10: the extension's own writes (inside functions and triggers) run as
-- a dedicated NOLOGIN, non-superuser role that owns the extension's objects,
-- with search_path pinned to pg_catalog, pg_temp for their duration.
-- The attack on 1.0: a DBA adds an ordinary notification trigger to
-- paperclip.issues, written with an unqualified pg_notify(); a role granted
-- only paperclip_app puts a schema of its own first in search_path and makes
-- a trigger of the extension write to issues -- its impostor pg_notify then
-- ran as the superuser who created the extension.
\set C '0000a001-0000-4000-8000-0000000000c1'
\set A '0000a001-0000-4000-8000-0000000000a1'
\set R '0000a001-0000-4000-8000-000000000001'
\set I '0000a001-0000-4000-8000-000000000101'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Owner Co', 'SOWN');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES (:'I', :'C', 'watched', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
SELECT status FROM paperclip.checkout(:'I', :'A', '{todo}');
COMMIT;

-- The extension's schema, tables, view and functions belong to one role:
-- NOLOGIN, no superuser, no role or database creation, no RLS bypass.
SELECT r.rolname, r.rolsuper, r.rolcanlogin, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, r.rolinherit
FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE n.nspname = 'paperclip';
SELECT count(*) AS objects_owned_by_someone_else
FROM (SELECT c.relowner AS owner FROM pg_class c WHERE c.relnamespace = 'paperclip'::regnamespace
        AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
      UNION ALL
      SELECT p.proowner FROM pg_proc p WHERE p.pronamespace = 'paperclip'::regnamespace
      UNION ALL
      SELECT t.typowner FROM pg_type t WHERE t.typnamespace = 'paperclip'::regnamespace) AS o
WHERE o.owner <> (SELECT nspowner FROM pg_namespace WHERE nspname = 'paperclip');
-- Nobody is a member of it (so nobody can log in as it or SET ROLE to it).
SELECT count(*) AS members FROM pg_auth_members m JOIN pg_namespace n ON n.nspowner = m.roleid
WHERE n.nspname = 'paperclip';

-- The DBA's trigger: a notification per issue write, unqualified pg_notify
-- (the everyday way to write it). It also records who it runs as.
CREATE TABLE public.regress_sec_trigger_calls (who name, superuser boolean, search_path text, work_mem text);
GRANT INSERT, SELECT ON public.regress_sec_trigger_calls TO PUBLIC;
CREATE FUNCTION public.regress_sec_notify_issue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_sec_trigger_calls
        SELECT current_user, r.rolsuper, pg_catalog.current_setting('search_path'), NULL
        FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;
    -- SET LOCAL inside the extension's write must not leak into the caller.
    PERFORM pg_catalog.set_config('work_mem', '1234kB', true);
    PERFORM pg_notify('paperclip_issue', NEW.id::text);
    RETURN NEW;
END
$$;
CREATE TRIGGER regress_sec_notify AFTER UPDATE ON paperclip.issues
    FOR EACH ROW EXECUTE FUNCTION public.regress_sec_notify_issue();

CREATE ROLE regress_sec_owner_app LOGIN;
GRANT paperclip_app TO regress_sec_owner_app;
CREATE SCHEMA regress_sec_evil AUTHORIZATION regress_sec_owner_app;

SET ROLE regress_sec_owner_app;
-- The impostor: whoever runs it tries to make the attacker a superuser, and
-- records who it ran as.
CREATE TABLE regress_sec_evil.calls (who name, superuser boolean);
GRANT INSERT ON regress_sec_evil.calls TO PUBLIC;
CREATE FUNCTION regress_sec_evil.pg_notify(text, text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO regress_sec_evil.calls
        SELECT current_user, r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user;
    BEGIN
        EXECUTE 'ALTER ROLE regress_sec_owner_app SUPERUSER';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END
$$;
SET search_path = regress_sec_evil, pg_catalog;
-- Agent A's run fails: the heartbeat_runs trigger releases A's issue (an
-- UPDATE of paperclip.issues made by the extension), which fires the DBA's
-- trigger under the caller's search_path.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'R');
UPDATE paperclip.heartbeat_runs SET status = 'failed' WHERE id = :'R';
SHOW search_path;
SHOW work_mem;
COMMIT;
RESET search_path;
RESET ROLE;

-- The attacker is no superuser; the impostor never ran inside the extension.
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_sec_owner_app';
SELECT who, superuser, count(*) FROM regress_sec_evil.calls GROUP BY who, superuser;
-- The DBA's trigger ran as the extension's owner role, not a superuser, with
-- the pinned search_path (so its pg_notify is pg_catalog's).
SELECT who, superuser, search_path FROM public.regress_sec_trigger_calls;
SELECT status, checkout_run_id IS NULL AS released FROM paperclip.issues WHERE id = :'I';

-- The owner switch leaves the caller's settings as they were, also when the
-- function fails.
SET search_path = public, pg_catalog;
BEGIN;
SELECT paperclip.set_actor_agent(:'A');
SELECT paperclip.checkout(:'I', :'A', '{done}');
ROLLBACK;
SHOW search_path;
-- A trigger that refuses a write from inside the switch (an issue of another
-- company's agent) leaves them as they were too.
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('0000a001-0000-4000-8000-0000000000c2', 'Owner Co 2', 'SOWN2');
INSERT INTO paperclip.agents (id, company_id, name) VALUES ('0000a001-0000-4000-8000-0000000000a2', '0000a001-0000-4000-8000-0000000000c2', 'Other');
BEGIN;
SELECT paperclip.set_actor_agent('0000a001-0000-4000-8000-0000000000a2');
SAVEPOINT s;
UPDATE paperclip.issues SET title = 'not yours' WHERE id = :'I';
ROLLBACK TO SAVEPOINT s;
SHOW search_path;
SHOW work_mem;
COMMIT;
RESET search_path;

DROP TRIGGER regress_sec_notify ON paperclip.issues;
DROP FUNCTION public.regress_sec_notify_issue();
DROP TABLE public.regress_sec_trigger_calls;
DROP SCHEMA regress_sec_evil CASCADE;
DROP OWNED BY regress_sec_owner_app;
DROP ROLE regress_sec_owner_app;
