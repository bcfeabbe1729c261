-- bench/sql/setup.sql: one benchmark database (run as the superuser).
-- The extension, the login roles the clients use, the id helpers, and the
-- plain copies of the tables the floor (schema floor) and the application's
-- way (schema app) run on. psql variable: :pw (password of the login roles).
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE EXTENSION paperclip_locks;

-- Login roles, cluster-wide: created once, reused by every database.
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_app') AS need_roles \gset
\if :need_roles
CREATE ROLE bench_app LOGIN PASSWORD :'pw';   -- the application server
GRANT paperclip_app TO bench_app;
CREATE ROLE bench_op LOGIN PASSWORD :'pw';    -- a DBA / pg_cron job
GRANT paperclip_operator TO bench_op;
\endif

-- Deterministic ids: (prefix || 12 decimal digits)::uuid, so a pgbench script
-- can name any row from an integer. 'e' issues, 'a' agents, 'f' runs,
-- 'c' companies; n is offset by 100000000000 to keep 12 digits.
CREATE SCHEMA bench;
CREATE FUNCTION bench.uid(prefix text, n bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (prefix || '-0000-4000-8000-' || (100000000000 + n)::text)::uuid;
CREATE FUNCTION bench.issue(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('e0000000', n);
CREATE FUNCTION bench.agent(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('a0000000', n);
CREATE FUNCTION bench.run(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('f0000000', n);
CREATE FUNCTION bench.company(n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE RETURN bench.uid('c0000000', n);
GRANT USAGE ON SCHEMA bench TO PUBLIC;

-- A plain copy of the extension's tables: same columns, defaults, CHECK
-- constraints, indexes (LIKE ... INCLUDING ALL) and the same foreign keys
-- (re-pointed at the copy), but none of the extension's triggers. The only
-- thing missing is the rules, which is what the comparison is about.
CREATE FUNCTION bench.make_plain_copy(target name) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    t text;
    fk record;
BEGIN
    EXECUTE format('CREATE SCHEMA %I', target);
    FOREACH t IN ARRAY ARRAY['companies', 'company_memberships', 'agents', 'heartbeat_runs', 'issues',
                             'issue_relations', 'issue_comments', 'activity_log'] LOOP
        EXECUTE format('CREATE TABLE %I.%I (LIKE paperclip.%I INCLUDING ALL)', target, t, t);
    END LOOP;
    FOR fk IN
        SELECT c.conrelid::regclass::text AS rel, c.conname,
               replace(pg_get_constraintdef(c.oid), 'paperclip.', quote_ident(target) || '.') AS def
        FROM pg_constraint AS c
        WHERE c.contype = 'f' AND c.connamespace = 'paperclip'::regnamespace
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                       replace(fk.rel, 'paperclip.', quote_ident(target) || '.'), fk.conname, fk.def);
    END LOOP;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO bench_app, bench_op', target);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO bench_app, bench_op', target);
END
$$;

SELECT bench.make_plain_copy('floor');
SELECT bench.make_plain_copy('app');
