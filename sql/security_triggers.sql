-- SPEC §10: a trigger function attached to a table, event or level it was not
-- written for raises a clear error; it never crashes the backend. On 1.0,
-- heartbeat_runs_released attached AFTER INSERT (or FOR EACH STATEMENT) read
-- a row that was not there and the backend died (the whole cluster
-- restarted). Only a superuser can attach these functions, so the tests run
-- as one.
\set VERBOSITY verbose
\set C '0000a004-0000-4000-8000-0000000000c1'
\set A '0000a004-0000-4000-8000-0000000000a1'
\set R '0000a004-0000-4000-8000-000000000001'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Trigger Misuse Co', 'STRG');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
-- A table of the application's with every column the functions read.
CREATE TABLE public.regress_sec_runs (LIKE paperclip.heartbeat_runs INCLUDING DEFAULTS);
CREATE TABLE public.regress_sec_issues (LIKE paperclip.issues INCLUDING DEFAULTS);

-- heartbeat_runs_released: written for AFTER UPDATE ... FOR EACH ROW on paperclip.heartbeat_runs.
CREATE TRIGGER regress_misuse AFTER INSERT ON public.regress_sec_runs
    FOR EACH ROW EXECUTE FUNCTION paperclip.heartbeat_runs_released();
INSERT INTO public.regress_sec_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'failed');
DROP TRIGGER regress_misuse ON public.regress_sec_runs;
CREATE TRIGGER regress_misuse AFTER UPDATE ON paperclip.heartbeat_runs
    FOR EACH STATEMENT EXECUTE FUNCTION paperclip.heartbeat_runs_released();
UPDATE paperclip.heartbeat_runs SET status = 'running' WHERE id = :'R';
DROP TRIGGER regress_misuse ON paperclip.heartbeat_runs;
CREATE TRIGGER regress_misuse BEFORE UPDATE ON paperclip.heartbeat_runs
    FOR EACH ROW EXECUTE FUNCTION paperclip.heartbeat_runs_released();
UPDATE paperclip.heartbeat_runs SET status = 'running' WHERE id = :'R';
DROP TRIGGER regress_misuse ON paperclip.heartbeat_runs;
-- The right event and level on another table that looks the same.
INSERT INTO public.regress_sec_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
CREATE TRIGGER regress_misuse AFTER UPDATE ON public.regress_sec_runs
    FOR EACH ROW EXECUTE FUNCTION paperclip.heartbeat_runs_released();
UPDATE public.regress_sec_runs SET status = 'failed';
DROP TRIGGER regress_misuse ON public.regress_sec_runs;

-- issues_guard: BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW on paperclip.issues.
CREATE TRIGGER regress_misuse BEFORE UPDATE ON paperclip.issues
    FOR EACH STATEMENT EXECUTE FUNCTION paperclip.issues_guard();
UPDATE paperclip.issues SET title = title WHERE false;
DROP TRIGGER regress_misuse ON paperclip.issues;
CREATE TRIGGER regress_misuse AFTER UPDATE ON paperclip.issues
    FOR EACH ROW EXECUTE FUNCTION paperclip.issues_guard();
INSERT INTO paperclip.issues (company_id, title) VALUES (:'C', 'row for the AFTER trigger');
UPDATE paperclip.issues SET title = 'x' WHERE company_id = :'C';
DROP TRIGGER regress_misuse ON paperclip.issues;
CREATE TRIGGER regress_misuse BEFORE INSERT ON public.regress_sec_issues
    FOR EACH ROW EXECUTE FUNCTION paperclip.issues_guard();
INSERT INTO public.regress_sec_issues (id, company_id, title, status) VALUES (gen_random_uuid(), :'C', 'x', 'todo');
DROP TRIGGER regress_misuse ON public.regress_sec_issues;

-- issue_comments_guard, heartbeat_runs_guard, activity_log_guard,
-- company_scope_guard and terminal_run_statuses_changed, each at the wrong
-- level or on the wrong table.
CREATE TRIGGER regress_misuse BEFORE INSERT ON paperclip.issue_comments
    FOR EACH STATEMENT EXECUTE FUNCTION paperclip.issue_comments_guard();
INSERT INTO paperclip.issue_comments (company_id, issue_id, body) SELECT :'C', id, 'x' FROM paperclip.issues WHERE false;
DROP TRIGGER regress_misuse ON paperclip.issue_comments;
CREATE TRIGGER regress_misuse BEFORE DELETE ON public.regress_sec_runs
    FOR EACH ROW EXECUTE FUNCTION paperclip.heartbeat_runs_guard();
DELETE FROM public.regress_sec_runs;
DROP TRIGGER regress_misuse ON public.regress_sec_runs;
CREATE TRIGGER regress_misuse AFTER INSERT ON public.regress_sec_runs
    FOR EACH STATEMENT EXECUTE FUNCTION paperclip.activity_log_guard();
INSERT INTO public.regress_sec_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
DROP TRIGGER regress_misuse ON public.regress_sec_runs;
CREATE TRIGGER regress_misuse BEFORE INSERT ON public.regress_sec_runs
    FOR EACH ROW EXECUTE FUNCTION paperclip.company_scope_guard('company_id', 'agents_may_write');
INSERT INTO public.regress_sec_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
DROP TRIGGER regress_misuse ON public.regress_sec_runs;
CREATE TRIGGER regress_misuse BEFORE UPDATE ON paperclip.agents
    FOR EACH STATEMENT EXECUTE FUNCTION paperclip.company_scope_guard('company_id', 'agents_may_write');
UPDATE paperclip.agents SET name = name WHERE id = :'A';
DROP TRIGGER regress_misuse ON paperclip.agents;
CREATE TRIGGER regress_misuse BEFORE UPDATE ON paperclip.agents
    FOR EACH ROW EXECUTE FUNCTION paperclip.company_scope_guard();
UPDATE paperclip.agents SET name = name WHERE id = :'A';
DROP TRIGGER regress_misuse ON paperclip.agents;
CREATE TRIGGER regress_misuse AFTER INSERT ON public.regress_sec_runs
    FOR EACH ROW EXECUTE FUNCTION paperclip.terminal_run_statuses_changed();
INSERT INTO public.regress_sec_runs (id, company_id, agent_id, status) VALUES (:'R', :'C', :'A', 'running');
DROP TRIGGER regress_misuse ON public.regress_sec_runs;

-- Called as a plain function: refused as well.
SELECT paperclip.heartbeat_runs_released();

-- The backend is alive, and the real triggers work as before.
UPDATE paperclip.heartbeat_runs SET status = 'succeeded' WHERE id = :'R';
SELECT status FROM paperclip.heartbeat_runs WHERE id = :'R';
DROP TABLE public.regress_sec_runs, public.regress_sec_issues;
