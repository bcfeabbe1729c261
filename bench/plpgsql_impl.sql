-- bench/plpgsql_impl.sql: what a DBA would write instead of paperclip_locks --
-- the same rules for the benchmarked cycle (actor, checkout, the write gate on
-- issues, release) in PL/pgSQL, in schema plpg, on its own copy of the
-- tables. Run as the superuser after bench/sql/setup.sql (it copies the
-- extension's table definitions with LIKE ... INCLUDING ALL, so both sides
-- have the same columns, constraints and indexes).
--
-- Written to be a fair competitor, not a straw man:
--   * the privileged functions are SECURITY DEFINER with
--     SET search_path = pg_catalog, pg_temp, as the PostgreSQL manual requires
--     for such functions (paperclip_locks pins its search_path the same way);
--   * the trigger function is SECURITY INVOKER and has no SET clause (every
--     name is schema-qualified), so it pays no GUC save/restore per row;
--   * reads happen only when a rule needs them (the agent row is read only to
--     adopt a lock or to check a management grant);
--   * the functions' own writes pass the trigger by a cheap, unforgeable test
--     (current_user is the functions' owner role plpg_owner).
-- Known gap, accepted by most DBAs: the actor lives in transaction-local
-- settings (set_config(..., true)), which any client can forge with
-- set_config; paperclip_locks keeps it in backend memory instead.
-- Covered: set_actor_agent, set_actor_board, checkout (validation, access,
-- assignability, run checks, terminal-lock clearing with audit, blockers,
-- guarded update, both adoptions, same-run idempotence, conflict reasons),
-- release, and the issues trigger (actor required, lock columns only through
-- the functions, company access, the agent ownership gate with adoption, the
-- status side effects). Not covered: sweep, force-release, comments, runs.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'plpg_owner') AS need_owner \gset
\if :need_owner
CREATE ROLE plpg_owner NOLOGIN;
\endif

CREATE SCHEMA plpg;
CREATE TABLE plpg.companies (LIKE paperclip.companies INCLUDING ALL);
CREATE TABLE plpg.company_memberships (LIKE paperclip.company_memberships INCLUDING ALL);
CREATE TABLE plpg.agents (LIKE paperclip.agents INCLUDING ALL);
CREATE TABLE plpg.heartbeat_runs (LIKE paperclip.heartbeat_runs INCLUDING ALL);
CREATE TABLE plpg.issues (LIKE paperclip.issues INCLUDING ALL);
CREATE TABLE plpg.issue_relations (LIKE paperclip.issue_relations INCLUDING ALL);
CREATE TABLE plpg.issue_comments (LIKE paperclip.issue_comments INCLUDING ALL);
CREATE TABLE plpg.activity_log (LIKE paperclip.activity_log INCLUDING ALL);
CREATE TABLE plpg.terminal_run_statuses (status text PRIMARY KEY);
INSERT INTO plpg.terminal_run_statuses VALUES ('succeeded'), ('failed'), ('cancelled'), ('timed_out'), ('interrupted');

ALTER TABLE plpg.company_memberships ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id);
ALTER TABLE plpg.agents ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id),
                        ADD FOREIGN KEY (reports_to) REFERENCES plpg.agents (id);
ALTER TABLE plpg.heartbeat_runs ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id),
                                ADD FOREIGN KEY (agent_id) REFERENCES plpg.agents (id);
ALTER TABLE plpg.issues ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id),
                        ADD FOREIGN KEY (assignee_agent_id) REFERENCES plpg.agents (id),
                        ADD FOREIGN KEY (checkout_run_id) REFERENCES plpg.heartbeat_runs (id) ON DELETE SET NULL,
                        ADD FOREIGN KEY (execution_run_id) REFERENCES plpg.heartbeat_runs (id) ON DELETE SET NULL;
ALTER TABLE plpg.issue_relations ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id),
                                 ADD FOREIGN KEY (issue_id) REFERENCES plpg.issues (id) ON DELETE CASCADE,
                                 ADD FOREIGN KEY (related_issue_id) REFERENCES plpg.issues (id) ON DELETE CASCADE;
ALTER TABLE plpg.issue_comments ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id),
                                ADD FOREIGN KEY (issue_id) REFERENCES plpg.issues (id) ON DELETE CASCADE;
ALTER TABLE plpg.activity_log ADD FOREIGN KEY (company_id) REFERENCES plpg.companies (id);

GRANT USAGE ON SCHEMA plpg TO plpg_owner, bench_app, bench_op;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA plpg TO plpg_owner, bench_app, bench_op;

-------------------------------------------------------------------------------
-- Actors: transaction-local settings (cleared at commit/abort by PostgreSQL).
-- SECURITY INVOKER and no SET clause: a SET clause would undo the
-- set_config(..., true) calls when the function returns.
-------------------------------------------------------------------------------
CREATE FUNCTION plpg.set_actor_agent(agent_id uuid, run_id uuid DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_company uuid;
    v_run_agent uuid;
    v_kind text := pg_catalog.current_setting('plpg.actor_kind', true);
BEGIN
    SELECT a.company_id INTO v_company FROM plpg.agents AS a WHERE a.id = set_actor_agent.agent_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PC404', MESSAGE = 'Agent not found';
    END IF;
    IF run_id IS NOT NULL THEN
        SELECT r.agent_id INTO v_run_agent FROM plpg.heartbeat_runs AS r WHERE r.id = set_actor_agent.run_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'agent run not found';
        END IF;
        IF v_run_agent <> agent_id THEN
            RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'agent run belongs to another agent';
        END IF;
    END IF;
    IF coalesce(v_kind, '') <> '' AND (v_kind <> 'agent'
            OR pg_catalog.current_setting('plpg.agent_id') <> agent_id::text
            OR pg_catalog.current_setting('plpg.run_id') <> coalesce(run_id::text, '')) THEN
        RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'the actor of this transaction is already set';
    END IF;
    PERFORM pg_catalog.set_config('plpg.actor_kind', 'agent', true),
            pg_catalog.set_config('plpg.agent_id', agent_id::text, true),
            pg_catalog.set_config('plpg.run_id', coalesce(run_id::text, ''), true),
            pg_catalog.set_config('plpg.company_id', v_company::text, true);
END
$$;

CREATE FUNCTION plpg.set_actor_board(user_id text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_kind text := pg_catalog.current_setting('plpg.actor_kind', true);
BEGIN
    IF coalesce(user_id, '') = '' THEN
        RAISE EXCEPTION USING ERRCODE = 'PC400', MESSAGE = 'Validation error';
    END IF;
    IF coalesce(v_kind, '') <> '' AND (v_kind <> 'board' OR pg_catalog.current_setting('plpg.user_id') <> user_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'the actor of this transaction is already set';
    END IF;
    PERFORM pg_catalog.set_config('plpg.actor_kind', 'board', true),
            pg_catalog.set_config('plpg.user_id', user_id, true);
END
$$;

-- Company write access for a board user (agents: same company; operators: all).
CREATE FUNCTION plpg.require_board_write(p_company uuid, p_user text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m record;
BEGIN
    SELECT cm.status, cm.membership_role INTO m FROM plpg.company_memberships AS cm
    WHERE cm.company_id = p_company AND cm.principal_type = 'user' AND cm.principal_id = p_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'User does not have access to this company';
    END IF;
    IF m.status <> 'active' THEN
        RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'User does not have active company access';
    END IF;
    IF m.membership_role = 'viewer' THEN
        RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'Viewer access is read-only';
    END IF;
END
$$;

CREATE FUNCTION plpg.audit(p_company uuid, p_issue uuid, p_action text, p_details jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_kind text := coalesce(pg_catalog.current_setting('plpg.actor_kind', true), '');
BEGIN
    INSERT INTO plpg.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id, details)
    VALUES (p_company,
            CASE WHEN v_kind = 'agent' THEN 'agent' ELSE 'user' END,
            CASE v_kind WHEN 'agent' THEN pg_catalog.current_setting('plpg.agent_id')
                        WHEN 'board' THEN pg_catalog.current_setting('plpg.user_id')
                        ELSE session_user::text END,
            p_action, 'issue', p_issue::text,
            CASE WHEN v_kind = 'agent' THEN pg_catalog.current_setting('plpg.agent_id')::uuid END,
            CASE WHEN v_kind = 'agent' THEN nullif(pg_catalog.current_setting('plpg.run_id'), '')::uuid END,
            p_details);
END
$$;

-------------------------------------------------------------------------------
-- checkout (SPEC §4.3)
-------------------------------------------------------------------------------
CREATE FUNCTION plpg.checkout(issue_id uuid, agent_id uuid, expected_statuses text[], run_id uuid DEFAULT NULL)
RETURNS plpg.issues
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_kind text := coalesce(current_setting('plpg.actor_kind', true), '');
    v_actor_company uuid;
    v_actor_run uuid;
    v_run uuid := run_id;
    v_issue plpg.issues;
    v_before plpg.issues;
    v_agent record;
    v_terminal text[];
    r record;
    v_co_found boolean := false;
    v_co_status text;
    v_ex_found boolean := false;
    v_ex_status text;
    v_run_found boolean := false;
    v_run_status text;
    v_run_agent uuid;
    v_co_stale boolean;
    v_ex_stale boolean;
    v_ex_live boolean;
    v_blockers uuid[];
    v_name_key text;
    v_adopted_from uuid;
    v_reason text;
BEGIN
    IF expected_statuses IS NULL OR cardinality(expected_statuses) = 0
       OR NOT expected_statuses <@ ARRAY['backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done', 'cancelled'] THEN
        RAISE EXCEPTION USING ERRCODE = 'PC400', MESSAGE = 'Validation error',
            DETAIL = '{"field":"expectedStatuses"}';
    END IF;
    IF v_kind = 'agent' THEN
        v_actor_company := current_setting('plpg.company_id')::uuid;
        v_actor_run := nullif(current_setting('plpg.run_id'), '')::uuid;
    ELSIF v_kind = '' THEN
        IF NOT pg_has_role(session_user, 'paperclip_operator', 'USAGE') THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'no actor is set for this transaction';
        END IF;
    END IF;

    SELECT * INTO v_issue FROM plpg.issues AS i WHERE i.id = checkout.issue_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PC404', MESSAGE = 'Issue not found';
    END IF;
    v_before := v_issue;
    IF v_kind = 'agent' THEN
        IF v_actor_company <> v_issue.company_id THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'Agent key cannot access another company';
        END IF;
        IF agent_id <> current_setting('plpg.agent_id')::uuid THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'Agent can only checkout as itself';
        END IF;
        IF v_actor_run IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'PC401', MESSAGE = 'Agent run id required';
        END IF;
        IF run_id IS NOT NULL AND run_id <> v_actor_run THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'agent can only act with its own run';
        END IF;
        v_run := v_actor_run;
    ELSIF v_kind = 'board' THEN
        PERFORM plpg.require_board_write(v_issue.company_id, current_setting('plpg.user_id'));
    END IF;

    SELECT a.company_id, a.status, a.name INTO v_agent FROM plpg.agents AS a WHERE a.id = checkout.agent_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PC404', MESSAGE = 'Assignee agent not found';
    END IF;
    IF v_agent.company_id <> v_issue.company_id THEN
        RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'Assignee must belong to same company';
    END IF;
    IF v_agent.status = 'pending_approval' THEN
        RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Cannot assign work to pending approval agents';
    ELSIF v_agent.status = 'terminated' THEN
        RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Cannot assign work to terminated agents';
    END IF;

    -- The issue row first, then its runs in ascending id order (SPEC §7).
    v_terminal := ARRAY(SELECT t.status FROM plpg.terminal_run_statuses AS t);
    FOR r IN SELECT hr.id, hr.agent_id, hr.status FROM plpg.heartbeat_runs AS hr
             WHERE hr.id = ANY (ARRAY[v_issue.checkout_run_id, v_issue.execution_run_id, v_run])
             ORDER BY hr.id FOR NO KEY UPDATE
    LOOP
        IF r.id = v_issue.checkout_run_id THEN v_co_found := true; v_co_status := r.status; END IF;
        IF r.id = v_issue.execution_run_id THEN v_ex_found := true; v_ex_status := r.status; END IF;
        IF r.id = v_run THEN v_run_found := true; v_run_status := r.status; v_run_agent := r.agent_id; END IF;
    END LOOP;
    IF v_run IS NOT NULL THEN
        IF NOT v_run_found THEN
            RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'checkout run not found';
        ELSIF v_run_agent <> agent_id THEN
            RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'checkout run belongs to another agent';
        ELSIF v_run_status = ANY (v_terminal) THEN
            RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'checkout run is not live';
        END IF;
    END IF;

    -- Terminal (or missing) holders hold nothing: clear them first, on the record.
    v_co_stale := v_issue.checkout_run_id IS NOT NULL AND (NOT v_co_found OR v_co_status = ANY (v_terminal));
    v_ex_stale := v_issue.execution_run_id IS NOT NULL AND (NOT v_ex_found OR v_ex_status = ANY (v_terminal));
    IF v_ex_stale THEN
        PERFORM plpg.audit(v_issue.company_id, v_issue.id, 'issue.stale_lock_cleared',
            jsonb_build_object('issueId', v_issue.id, 'lock', 'execution', 'runId', v_issue.execution_run_id,
                               'runStatus', v_ex_status, 'source', 'checkout'));
        IF v_issue.checkout_run_id = v_issue.execution_run_id THEN
            v_issue.checkout_run_id := NULL;
            v_co_stale := false;
        END IF;
        v_issue.execution_run_id := NULL;
        v_issue.execution_agent_name_key := NULL;
        v_issue.execution_locked_at := NULL;
        v_ex_stale := false;
    END IF;
    v_ex_live := v_issue.execution_run_id IS NOT NULL;  -- a stale one was cleared above
    IF v_co_stale AND NOT (v_ex_live AND v_issue.execution_run_id <> v_issue.checkout_run_id) THEN
        PERFORM plpg.audit(v_issue.company_id, v_issue.id, 'issue.stale_lock_cleared',
            jsonb_build_object('issueId', v_issue.id, 'lock', 'checkout', 'runId', v_issue.checkout_run_id,
                               'runStatus', v_co_status, 'source', 'checkout'));
        v_issue.checkout_run_id := NULL;
        v_issue.execution_run_id := NULL;
        v_issue.execution_agent_name_key := NULL;
        v_issue.execution_locked_at := NULL;
        v_co_stale := false;
    END IF;

    v_blockers := ARRAY(SELECT rel.issue_id FROM plpg.issue_relations AS rel
                        JOIN plpg.issues AS b ON b.id = rel.issue_id
                        WHERE rel.related_issue_id = checkout.issue_id AND rel.type = 'blocks' AND b.status <> 'done'
                        ORDER BY rel.issue_id);
    IF cardinality(v_blockers) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'Issue is blocked by unresolved blockers',
            DETAIL = jsonb_build_object('unresolvedBlockerIssueIds', v_blockers)::text;
    END IF;
    IF v_run IS NOT NULL THEN
        v_name_key := lower(regexp_replace(v_agent.name, '[^A-Za-z0-9]', '', 'g'));
    END IF;

    IF v_issue.status = ANY (expected_statuses)
       AND (v_issue.assignee_agent_id IS NULL OR v_issue.assignee_agent_id = agent_id)
       AND (v_issue.checkout_run_id IS NULL OR v_issue.checkout_run_id = v_run)
       AND (v_issue.execution_run_id IS NULL OR v_issue.execution_run_id = v_run) THEN
        -- The guarded update.
        v_issue.status := 'in_progress';
        v_issue.assignee_agent_id := agent_id;
        v_issue.assignee_user_id := NULL;
        v_issue.checkout_run_id := v_run;
        v_issue.execution_run_id := v_run;
        v_issue.execution_agent_name_key := v_name_key;
        v_issue.execution_locked_at := CASE WHEN v_run IS NOT NULL THEN now() END;
        v_issue.started_at := now();
    ELSIF v_run IS NOT NULL AND v_issue.assignee_agent_id = agent_id AND v_issue.status = 'in_progress'
          AND v_issue.checkout_run_id IS NULL
          AND (v_issue.execution_run_id IS NULL OR v_issue.execution_run_id = v_run) THEN
        -- Adopt an unowned checkout of this assignee.
        v_issue.checkout_run_id := v_run;
        v_issue.execution_run_id := v_run;
        v_issue.execution_agent_name_key := v_name_key;
        v_issue.execution_locked_at := now();
    ELSIF v_run IS NOT NULL AND v_issue.assignee_agent_id = agent_id AND v_issue.status = 'in_progress'
          AND v_issue.checkout_run_id IS NOT NULL AND v_issue.checkout_run_id <> v_run AND v_co_stale THEN
        -- Adopt a stale checkout (a live execution run of another holder was
        -- ruled out above: v_co_stale survives only alongside it, so check).
        IF v_ex_live AND v_issue.execution_run_id <> v_run THEN
            v_reason := 'held_by_live_run';
        ELSE
            v_adopted_from := v_issue.checkout_run_id;
            v_issue.checkout_run_id := v_run;
            v_issue.execution_run_id := v_run;
            v_issue.execution_agent_name_key := v_name_key;
            v_issue.execution_locked_at := now();
        END IF;
    ELSIF v_issue.assignee_agent_id = agent_id AND v_issue.status = 'in_progress'
          AND ((v_run IS NOT NULL AND v_issue.checkout_run_id = v_run)
               OR (v_run IS NULL AND v_issue.checkout_run_id IS NULL)) THEN
        NULL;  -- this run already holds it: no self-conflict
    ELSE
        v_reason := 'status_not_expected';
        IF v_issue.assignee_agent_id IS NOT NULL AND v_issue.assignee_agent_id <> agent_id THEN
            v_reason := 'assigned_to_other_agent';
        ELSIF (v_issue.checkout_run_id IS NOT NULL AND v_issue.checkout_run_id IS DISTINCT FROM v_run)
              OR (v_issue.execution_run_id IS NOT NULL AND v_issue.execution_run_id IS DISTINCT FROM v_run) THEN
            v_reason := 'held_by_live_run';
        END IF;
    END IF;
    IF v_reason IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Issue checkout conflict',
            DETAIL = jsonb_build_object('issueId', v_issue.id, 'status', v_issue.status,
                                        'assigneeAgentId', v_issue.assignee_agent_id,
                                        'checkoutRunId', v_issue.checkout_run_id,
                                        'executionRunId', v_issue.execution_run_id,
                                        'conflictReason', v_reason)::text;
    END IF;

    IF v_issue IS DISTINCT FROM v_before THEN
        UPDATE plpg.issues AS i
        SET status = v_issue.status, assignee_agent_id = v_issue.assignee_agent_id,
            assignee_user_id = v_issue.assignee_user_id, checkout_run_id = v_issue.checkout_run_id,
            execution_run_id = v_issue.execution_run_id,
            execution_agent_name_key = v_issue.execution_agent_name_key,
            execution_locked_at = v_issue.execution_locked_at, started_at = v_issue.started_at,
            updated_at = now()
        WHERE i.id = checkout.issue_id
        RETURNING * INTO v_issue;
    END IF;
    IF v_adopted_from IS NOT NULL THEN
        PERFORM plpg.audit(v_issue.company_id, v_issue.id, 'issue.checkout_lock_adopted',
            jsonb_build_object('previousCheckoutRunId', v_adopted_from, 'checkoutRunId', v_run,
                               'reason', 'stale_checkout_run'));
    END IF;
    PERFORM plpg.audit(v_issue.company_id, v_issue.id, 'issue.checked_out', jsonb_build_object('agentId', agent_id));
    RETURN v_issue;
END
$$;

-------------------------------------------------------------------------------
-- release (SPEC §4.4)
-------------------------------------------------------------------------------
CREATE FUNCTION plpg.release(issue_id uuid, agent_id uuid DEFAULT NULL, run_id uuid DEFAULT NULL)
RETURNS plpg.issues
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_kind text := coalesce(current_setting('plpg.actor_kind', true), '');
    v_agent uuid := agent_id;
    v_run uuid := run_id;
    v_issue plpg.issues;
    v_new plpg.issues;
    v_co_status text;
    v_co_live boolean;
BEGIN
    IF v_kind = '' AND NOT pg_has_role(session_user, 'paperclip_operator', 'USAGE') THEN
        RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'no actor is set for this transaction';
    END IF;
    SELECT * INTO v_issue FROM plpg.issues AS i WHERE i.id = release.issue_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'PC404', MESSAGE = 'Issue not found';
    END IF;
    IF v_kind = 'agent' THEN
        IF current_setting('plpg.company_id')::uuid <> v_issue.company_id THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'Agent key cannot access another company';
        END IF;
        IF agent_id IS NOT NULL AND agent_id <> current_setting('plpg.agent_id')::uuid THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'agent can only release as itself';
        END IF;
        v_agent := current_setting('plpg.agent_id')::uuid;
        v_run := nullif(current_setting('plpg.run_id'), '')::uuid;
        IF v_run IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'PC401', MESSAGE = 'Agent run id required';
        END IF;
        IF run_id IS NOT NULL AND run_id <> v_run THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'agent can only act with its own run';
        END IF;
    ELSIF v_kind = 'board' THEN
        PERFORM plpg.require_board_write(v_issue.company_id, current_setting('plpg.user_id'));
    END IF;

    IF v_issue.checkout_run_id IS NOT NULL THEN
        SELECT hr.status INTO v_co_status FROM plpg.heartbeat_runs AS hr
        WHERE hr.id = v_issue.checkout_run_id FOR NO KEY UPDATE;
        v_co_live := FOUND AND NOT v_co_status = ANY (ARRAY(SELECT t.status FROM plpg.terminal_run_statuses AS t));
    END IF;
    IF v_agent IS NOT NULL THEN
        IF v_issue.assignee_agent_id IS NOT NULL AND v_issue.assignee_agent_id <> v_agent THEN
            RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Only assignee can release issue';
        END IF;
        IF v_issue.status = 'in_progress' AND v_issue.assignee_agent_id = v_agent
           AND v_issue.checkout_run_id IS NOT NULL
           AND NOT (CASE WHEN v_run IS NOT NULL THEN v_issue.checkout_run_id = v_run ELSE false END)
           AND v_co_live THEN
            RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Only checkout run can release issue',
                DETAIL = jsonb_build_object('issueId', v_issue.id, 'assigneeAgentId', v_issue.assignee_agent_id,
                                            'checkoutRunId', v_issue.checkout_run_id, 'actorRunId', v_run)::text;
        END IF;
    END IF;

    UPDATE plpg.issues AS i
    SET status = CASE WHEN i.status = 'in_progress' THEN 'todo' ELSE i.status END,
        assignee_agent_id = NULL, checkout_run_id = NULL, execution_run_id = NULL,
        execution_agent_name_key = NULL, execution_locked_at = NULL, updated_at = now()
    WHERE i.id = release.issue_id
    RETURNING * INTO v_new;
    PERFORM plpg.audit(v_issue.company_id, v_issue.id, 'issue.released',
        jsonb_build_object('previousStatus', v_issue.status, 'previousAssigneeAgentId', v_issue.assignee_agent_id,
                           'previousCheckoutRunId', v_issue.checkout_run_id,
                           'previousExecutionRunId', v_issue.execution_run_id));
    RETURN v_new;
END
$$;

-------------------------------------------------------------------------------
-- The write gate on issues (SPEC §6), for every client.
-------------------------------------------------------------------------------
CREATE FUNCTION plpg.issues_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_kind text;
    v_actor_agent uuid;
    v_actor_run uuid;
    v_lock_write boolean;
    v_terminal text[];
    v_manages boolean;
    v_name text;
    r record;
    v_co_found boolean := false;
    v_co_status text;
    v_ex_found boolean := false;
    v_ex_status text;
    v_run_found boolean := false;
    v_run_status text;
    v_co_stale boolean;
    v_ex_stale boolean;
    v_status_changed boolean;
    v_assignee_changed boolean;
BEGIN
    -- The functions' own writes: they applied the rules already.
    IF current_user = 'plpg_owner' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    v_kind := coalesce(pg_catalog.current_setting('plpg.actor_kind', true), '');
    IF TG_OP = 'INSERT' THEN
        v_lock_write := NEW.checkout_run_id IS NOT NULL OR NEW.execution_run_id IS NOT NULL
                        OR NEW.execution_agent_name_key IS NOT NULL OR NEW.execution_locked_at IS NOT NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        v_lock_write := NEW.checkout_run_id IS DISTINCT FROM OLD.checkout_run_id
                        OR NEW.execution_run_id IS DISTINCT FROM OLD.execution_run_id
                        OR NEW.execution_agent_name_key IS DISTINCT FROM OLD.execution_agent_name_key
                        OR NEW.execution_locked_at IS DISTINCT FROM OLD.execution_locked_at;
    ELSE
        v_lock_write := false;
    END IF;

    IF v_kind = '' THEN
        IF NOT pg_catalog.pg_has_role(current_user, 'paperclip_operator', 'USAGE') THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'no actor is set for this transaction';
        END IF;
        -- A database operator: repairs may write anything; status side effects still apply.
    ELSE
        IF v_lock_write THEN
            RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'lock columns change only through plpg functions';
        END IF;
        IF v_kind = 'agent' THEN
            IF pg_catalog.current_setting('plpg.company_id')::uuid <> (CASE WHEN TG_OP = 'INSERT' THEN NEW.company_id ELSE OLD.company_id END)
               OR (TG_OP = 'UPDATE' AND NEW.company_id <> OLD.company_id) THEN
                RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'Agent key cannot access another company';
            END IF;
        ELSE
            PERFORM plpg.require_board_write(CASE WHEN TG_OP = 'INSERT' THEN NEW.company_id ELSE OLD.company_id END,
                                             pg_catalog.current_setting('plpg.user_id'));
            IF TG_OP = 'UPDATE' AND NEW.company_id <> OLD.company_id THEN
                PERFORM plpg.require_board_write(NEW.company_id, pg_catalog.current_setting('plpg.user_id'));
            END IF;
        END IF;

        -- The agent ownership gate.
        IF v_kind = 'agent' AND TG_OP <> 'INSERT' AND OLD.assignee_agent_id IS NOT NULL THEN
            v_actor_agent := pg_catalog.current_setting('plpg.agent_id')::uuid;
            IF OLD.assignee_agent_id <> v_actor_agent THEN
                SELECT coalesce(a.permissions -> 'tasks:manage_active_checkouts' = 'true'::jsonb, false)
                       OR coalesce(a.permissions -> 'grants' ? 'tasks:manage_active_checkouts', false)
                INTO v_manages FROM plpg.agents AS a WHERE a.id = v_actor_agent;
                IF NOT coalesce(v_manages, false) THEN
                    IF OLD.status = 'in_progress' THEN
                        RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Issue is checked out by another agent',
                            DETAIL = jsonb_build_object('issueId', OLD.id, 'assigneeAgentId', OLD.assignee_agent_id,
                                                        'actorAgentId', v_actor_agent)::text;
                    END IF;
                    RAISE EXCEPTION USING ERRCODE = 'PC403', MESSAGE = 'Agent cannot mutate another agent''s issue';
                END IF;
            ELSIF OLD.status = 'in_progress' THEN
                v_actor_run := nullif(pg_catalog.current_setting('plpg.run_id'), '')::uuid;
                IF v_actor_run IS NULL THEN
                    RAISE EXCEPTION USING ERRCODE = 'PC401', MESSAGE = 'Agent run id required';
                END IF;
                v_terminal := ARRAY(SELECT t.status FROM plpg.terminal_run_statuses AS t);
                FOR r IN SELECT hr.id, hr.status FROM plpg.heartbeat_runs AS hr
                         WHERE hr.id = ANY (ARRAY[OLD.checkout_run_id, OLD.execution_run_id, v_actor_run])
                         ORDER BY hr.id FOR NO KEY UPDATE
                LOOP
                    IF r.id = OLD.checkout_run_id THEN v_co_found := true; v_co_status := r.status; END IF;
                    IF r.id = OLD.execution_run_id THEN v_ex_found := true; v_ex_status := r.status; END IF;
                    IF r.id = v_actor_run THEN v_run_found := true; v_run_status := r.status; END IF;
                END LOOP;
                v_co_stale := OLD.checkout_run_id IS NOT NULL AND (NOT v_co_found OR v_co_status = ANY (v_terminal));
                v_ex_stale := OLD.execution_run_id IS NOT NULL AND (NOT v_ex_found OR v_ex_status = ANY (v_terminal));
                IF NOT v_run_found OR v_run_status = ANY (v_terminal) THEN
                    NULL;  -- a dead run owns nothing: conflict below
                ELSIF OLD.checkout_run_id = v_actor_run THEN
                    IF v_ex_stale AND OLD.execution_run_id <> OLD.checkout_run_id THEN
                        -- a stale execution lock of another run never blocks the owner
                        NEW.execution_run_id := NULL;
                        NEW.execution_agent_name_key := NULL;
                        NEW.execution_locked_at := NULL;
                        PERFORM plpg.audit(OLD.company_id, OLD.id, 'issue.stale_lock_cleared',
                            jsonb_build_object('issueId', OLD.id, 'lock', 'execution', 'runId', OLD.execution_run_id,
                                               'runStatus', v_ex_status, 'source', 'ownership_gate'));
                    END IF;
                    v_actor_run := NULL;  -- passed
                ELSIF (OLD.checkout_run_id IS NULL AND (OLD.execution_run_id IS NULL OR OLD.execution_run_id = v_actor_run))
                      OR (OLD.checkout_run_id IS NOT NULL AND v_co_stale
                          AND (OLD.execution_run_id IS NULL OR OLD.execution_run_id = v_actor_run
                               OR OLD.execution_run_id = OLD.checkout_run_id OR v_ex_stale)) THEN
                    SELECT a.name INTO v_name FROM plpg.agents AS a WHERE a.id = v_actor_agent;
                    IF OLD.checkout_run_id IS NOT NULL THEN
                        PERFORM plpg.audit(OLD.company_id, OLD.id, 'issue.checkout_lock_adopted',
                            jsonb_build_object('previousCheckoutRunId', OLD.checkout_run_id,
                                               'checkoutRunId', v_actor_run, 'reason', 'stale_checkout_run'));
                    END IF;
                    NEW.checkout_run_id := v_actor_run;
                    NEW.execution_run_id := v_actor_run;
                    NEW.execution_agent_name_key := lower(regexp_replace(v_name, '[^A-Za-z0-9]', '', 'g'));
                    NEW.execution_locked_at := now();
                    v_actor_run := NULL;  -- adopted
                END IF;
                IF v_actor_run IS NOT NULL THEN
                    RAISE EXCEPTION USING ERRCODE = 'PC409', MESSAGE = 'Issue run ownership conflict',
                        DETAIL = jsonb_build_object('issueId', OLD.id, 'status', OLD.status,
                                                    'assigneeAgentId', OLD.assignee_agent_id,
                                                    'checkoutRunId', OLD.checkout_run_id,
                                                    'executionRunId', OLD.execution_run_id,
                                                    'actorAgentId', v_actor_agent, 'actorRunId', v_actor_run)::text;
                END IF;
            END IF;
        END IF;
    END IF;

    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;

    -- Status and assignee rules.
    IF NEW.assignee_agent_id IS NOT NULL AND NEW.assignee_user_id IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'Issue can only have one assignee';
    END IF;
    v_status_changed := TG_OP = 'INSERT' OR NEW.status <> OLD.status;
    v_assignee_changed := TG_OP = 'UPDATE' AND (NEW.assignee_agent_id IS DISTINCT FROM OLD.assignee_agent_id
                                                OR NEW.assignee_user_id IS DISTINCT FROM OLD.assignee_user_id);
    IF NEW.status = 'in_progress' AND (v_status_changed OR v_assignee_changed)
       AND NEW.assignee_agent_id IS NULL AND NEW.assignee_user_id IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'PC422', MESSAGE = 'in_progress issues require an assignee';
    END IF;
    IF TG_OP = 'UPDATE' AND NOT (v_kind = '' AND v_lock_write)
       AND ((OLD.status = 'in_progress' AND NEW.status <> 'in_progress') OR v_assignee_changed) THEN
        NEW.checkout_run_id := NULL;
        NEW.execution_run_id := NULL;
        NEW.execution_agent_name_key := NULL;
        NEW.execution_locked_at := NULL;
    END IF;
    IF v_status_changed THEN
        IF NEW.status = 'in_progress' AND (TG_OP = 'INSERT' AND NEW.started_at IS NULL
                                           OR TG_OP = 'UPDATE' AND NEW.started_at IS NOT DISTINCT FROM OLD.started_at) THEN
            NEW.started_at := now();
        END IF;
        IF NEW.status = 'done' THEN
            IF NEW.completed_at IS NULL OR (TG_OP = 'UPDATE' AND NEW.completed_at IS NOT DISTINCT FROM OLD.completed_at) THEN
                NEW.completed_at := now();
            END IF;
        ELSE
            NEW.completed_at := NULL;
        END IF;
        IF NEW.status = 'cancelled' THEN
            IF NEW.cancelled_at IS NULL OR (TG_OP = 'UPDATE' AND NEW.cancelled_at IS NOT DISTINCT FROM OLD.cancelled_at) THEN
                NEW.cancelled_at := now();
            END IF;
        ELSE
            NEW.cancelled_at := NULL;
        END IF;
    END IF;
    IF NEW.execution_run_id IS NULL THEN
        NEW.execution_agent_name_key := NULL;
        NEW.execution_locked_at := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER issues_guard BEFORE INSERT OR UPDATE OR DELETE ON plpg.issues
    FOR EACH ROW EXECUTE FUNCTION plpg.issues_guard();

ALTER FUNCTION plpg.checkout(uuid, uuid, text[], uuid) OWNER TO plpg_owner;
ALTER FUNCTION plpg.release(uuid, uuid, uuid) OWNER TO plpg_owner;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA plpg FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA plpg TO plpg_owner, bench_app, bench_op;
GRANT EXECUTE ON FUNCTION paperclip.is_issue_status(text) TO plpg_owner;
