-- bench/security/owner_switch_cpu.sh: backend CPU time per guarded UPDATE and per
-- checkout + release cycle (psql variable :label names the build).
\set ON_ERROR_STOP 1
CREATE EXTENSION paperclip_locks;
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ('00000000-0000-4000-8000-0000000000c1', 'C', 'C');
INSERT INTO paperclip.agents (id, company_id, name) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 'A');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a1', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
  ('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-0000000000c1', 't', 'todo'),
  ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-0000000000c1', 't', 'todo');
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001') IS NULL;
SELECT status FROM paperclip.checkout('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-0000000000a1', '{todo}', '00000000-0000-4000-8000-000000000001');
COMMIT;
CREATE FUNCTION cpu_ms() RETURNS bigint LANGUAGE sql AS $f$
  SELECT ((s[14])::bigint + (s[15])::bigint) * 10 FROM (SELECT regexp_split_to_array(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ' ') AS s) x $f$;
CREATE ROLE cpu_app LOGIN; GRANT paperclip_app TO cpu_app;
GRANT EXECUTE ON FUNCTION pg_read_file(text) TO cpu_app;
GRANT pg_read_server_files TO cpu_app;
GRANT EXECUTE ON FUNCTION cpu_ms() TO cpu_app;
INSERT INTO paperclip.issues (id, company_id, title, status)
SELECT ('00000000-0000-4000-8000-000000001' || lpad(n::text, 3, '0'))::uuid, '00000000-0000-4000-8000-0000000000c1', 't', 'todo' FROM generate_series(1, 20) n;
BEGIN;
SELECT paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001') IS NULL;
SELECT count(*) FROM generate_series(1, 20) n, paperclip.checkout(('00000000-0000-4000-8000-000000001' || lpad(n::text, 3, '0'))::uuid, '00000000-0000-4000-8000-0000000000a1', '{todo}', '00000000-0000-4000-8000-000000000001');
COMMIT;
CREATE PROCEDURE updates(batches int) LANGUAGE plpgsql AS $$
BEGIN
  FOR b IN 1..batches LOOP
    PERFORM paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001');
    FOR k IN 1..100 LOOP
      UPDATE paperclip.issues SET title = 'x' || k WHERE id = ('00000000-0000-4000-8000-000000001' || lpad((1 + k % 20)::text, 3, '0'))::uuid;
    END LOOP;
    COMMIT;
  END LOOP;
END $$;
CREATE PROCEDURE cycles(batches int) LANGUAGE plpgsql AS $$
BEGIN
  FOR b IN 1..batches LOOP
    PERFORM paperclip.set_actor_agent('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001');
    FOR k IN 1..20 LOOP
      PERFORM paperclip.checkout('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-0000000000a1', '{todo}', '00000000-0000-4000-8000-000000000001');
      PERFORM paperclip.release('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001');
    END LOOP;
    COMMIT;
  END LOOP;
END $$;
GRANT EXECUTE ON PROCEDURE updates(int), cycles(int) TO cpu_app;
SET ROLE cpu_app;
CALL updates(5);
CALL cycles(5);
SELECT cpu_ms() AS t0 \gset
CALL updates(200);
SELECT cpu_ms() AS t1 \gset
CALL cycles(100);
SELECT cpu_ms() AS t2 \gset
SELECT :'label' || ' update_through_guard_us=' || round((:t1 - :t0) * 1000.0 / 20000, 1) || ' checkout_release_cycle_us=' || round((:t2 - :t1) * 1000.0 / 2000, 1);
