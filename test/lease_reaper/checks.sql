-- Shared by the reaper and pg_cron checks: a results table and a poller.
-- Every check records one row (name, ok, note); the script counts them.
\set ON_ERROR_STOP 0
CREATE TABLE IF NOT EXISTS public.check_results (
    n serial, name text NOT NULL, ok boolean NOT NULL, note text);

-- record(name, condition): evaluates `condition` (a boolean SQL expression)
-- once and records the outcome.
CREATE OR REPLACE PROCEDURE public.record(name text, condition text)
LANGUAGE plpgsql AS $$
DECLARE
    met boolean;
BEGIN
    EXECUTE 'SELECT (' || condition || ')::boolean' INTO met;
    INSERT INTO public.check_results (name, ok, note)
    VALUES (name, coalesce(met, false), CASE WHEN met THEN NULL ELSE 'false: ' || condition END);
END
$$;

-- wait_for(name, condition, deadline): polls `condition` (a boolean SQL
-- expression) in a new transaction every 50 ms until it is true or the
-- deadline passes, and records the outcome. Nothing is timed: the deadline
-- only bounds how long a failure takes to show.
CREATE OR REPLACE PROCEDURE public.wait_for(name text, condition text, deadline interval)
LANGUAGE plpgsql AS $$
DECLARE
    stop timestamptz := clock_timestamp() + deadline;
    met boolean := false;
BEGIN
    LOOP
        EXECUTE 'SELECT (' || condition || ')::boolean' INTO met;
        EXIT WHEN coalesce(met, false) OR clock_timestamp() > stop;
        COMMIT;
        PERFORM pg_sleep(0.05);
    END LOOP;
    INSERT INTO public.check_results (name, ok, note)
    VALUES (name, coalesce(met, false), CASE WHEN met THEN NULL ELSE 'not met within ' || deadline || ': ' || condition END);
    COMMIT;
END
$$;
