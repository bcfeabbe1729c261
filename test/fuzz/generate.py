#!/usr/bin/env python3
"""A targeted generator of the extension's calls (issue 12, item 14).

Prints a psql script: fixtures, then COUNT statements that call every
function of schema paperclip and write every table with random, hostile
arguments -- NULLs, unknown and huge values, control characters, odd arrays,
foreign ids, actors of every kind, savepoints rolled back, and the trigger
functions attached where they do not belong. Most statements fail; the
runner (test/fuzz/run.sh) fails the run only on a crash, an XX000, or
backend memory growth. Deterministic for a given seed.
"""
import random
import sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
count = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
app_role = sys.argv[3] if len(sys.argv) > 3 else "paperclip_fuzz_app"
rng = random.Random(seed)

P = "0000f0"  # ids: 0000f0XX-0000-4000-8000-0000000000YY
def uid(kind, n):
    return f"'0000f0{kind:02x}-0000-4000-8000-{n:012x}'"

COMPANIES = [uid(1, n) for n in (1, 2)]
AGENTS = [uid(2, n) for n in range(1, 6)]       # 1-3 company 1, 4-5 company 2
RUNS = [uid(3, n) for n in range(1, 9)]
ISSUES = [uid(4, n) for n in range(1, 13)]
USERS = ["'board-1'", "'board-2'", "'viewer-1'"]
STATUSES = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"]
RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "timed_out", "interrupted",
                "scheduled_retry", "zombie", ""]

def fixtures():
    out = [
        f"INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES ({COMPANIES[0]}, 'Fuzz 1', 'FZ1'), ({COMPANIES[1]}, 'Fuzz 2', 'FZ2');",
        f"INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role) VALUES "
        f"({COMPANIES[0]}, 'user', 'board-1', 'admin'), ({COMPANIES[1]}, 'user', 'board-2', 'admin'), ({COMPANIES[0]}, 'user', 'viewer-1', 'viewer');",
    ]
    statuses = ["idle", "idle", "terminated", "idle", "pending_approval"]
    for i, a in enumerate(AGENTS):
        c = COMPANIES[0] if i < 3 else COMPANIES[1]
        perms = "'{\"tasks:manage_active_checkouts\": true}'" if i == 2 else "'{}'"
        out.append(f"INSERT INTO paperclip.agents (id, company_id, name, status, permissions) VALUES ({a}, {c}, 'Agent {i}', '{statuses[i]}', {perms});")
    for i, r in enumerate(RUNS):
        a = i % 5
        c = COMPANIES[0] if a < 3 else COMPANIES[1]
        out.append(f"INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES ({r}, {c}, {AGENTS[a]}, 'running');")
    for i, iss in enumerate(ISSUES):
        c = COMPANIES[0] if i < 8 else COMPANIES[1]
        out.append(f"INSERT INTO paperclip.issues (id, company_id, title, status) VALUES ({iss}, {c}, 'fuzz {i}', 'todo');")
    out.append(f"INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES ({COMPANIES[0]}, {ISSUES[0]}, {ISSUES[1]});")
    return out

def a_uuid():
    r = rng.random()
    if r < 0.1: return "NULL"
    if r < 0.15: return "gen_random_uuid()"
    if r < 0.18: return "'00000000-0000-0000-0000-000000000000'"
    return rng.choice(AGENTS + RUNS + ISSUES + COMPANIES)

def an_issue(): return rng.choice(ISSUES) if rng.random() > 0.1 else a_uuid()
def an_agent(): return rng.choice(AGENTS) if rng.random() > 0.1 else a_uuid()
def a_run(): return rng.choice(RUNS) if rng.random() > 0.15 else a_uuid()

def a_text():
    r = rng.random()
    if r < 0.1: return "NULL"
    if r < 0.4: return f"'{rng.choice(STATUSES)}'"
    if r < 0.5: return "''"
    if r < 0.6: return f"repeat(chr({rng.randint(1, 31)}), {rng.choice([1, 300, 100000])})"
    if r < 0.7: return f"repeat('é', {rng.choice([255, 256, 257, 5000])})"
    if r < 0.75: return f"repeat('x', {rng.choice([10**6, 5 * 10**6])})"
    if r < 0.8: return "E'\\\\'||chr(34)||'\\n'"
    if r < 0.9: return f"'{rng.choice(RUN_STATUSES)}'"
    return "'" + "".join(rng.choice("abcXYZ_-!?{}[]\"\\") for _ in range(rng.randint(1, 20))).replace("'", "''") + "'"

def a_text_array():
    r = rng.random()
    if r < 0.1: return "NULL"
    if r < 0.2: return "'{}'::text[]"
    if r < 0.3: return "ARRAY[NULL]::text[]"
    if r < 0.35: return "'{{todo,done},{backlog,blocked}}'::text[]"
    if r < 0.4: return "array_fill('todo'::text, ARRAY[100000])"
    if r < 0.45: return "'[5:6]={todo,done}'::text[]"
    return "ARRAY[" + ", ".join(a_text() for _ in range(rng.randint(1, 3))) + "]::text[]"

def a_bool(): return rng.choice(["true", "false", "NULL"])
def an_int(): return rng.choice(["0", "-1", "1", "7", "2147483647", "NULL", "1000"])

def actor():
    r = rng.random()
    if r < 0.4: return f"SELECT paperclip.set_actor_agent({an_agent()}, {a_run() if rng.random() > 0.2 else 'NULL'});"
    if r < 0.7: return f"SELECT paperclip.set_actor_board({rng.choice(USERS + [a_text()])});"
    return None

def call():
    f = rng.randrange(16)
    if f == 0: return f"SELECT * FROM paperclip.checkout({an_issue()}, {an_agent()}, {a_text_array()}, {a_run()});"
    if f == 1: return f"SELECT * FROM paperclip.release({an_issue()}, {an_agent()}, {a_run()});"
    if f == 2: return f"SELECT * FROM paperclip.assert_checkout_owner({an_issue()}, {an_agent()}, {a_run()});"
    if f == 3: return f"SELECT paperclip.acquire_execution_lock({an_issue()}, {a_run()});"
    if f == 4: return f"SELECT paperclip.clear_execution_run_if_terminal({an_issue()}), paperclip.clear_checkout_run_if_terminal({an_issue()});"
    if f == 5: return f"SELECT * FROM paperclip.admin_force_release({an_issue()}, {a_bool()}, {a_text()});"
    if f == 6: return f"SELECT paperclip.sweep_stale_locks({an_int()});"
    if f == 7:
        col = rng.choice(["status", "title", "assignee_user_id", "description"])
        val = a_text() if col != "title" or rng.random() > 0.1 else "NULL"
        extra = rng.choice(["", f", assignee_agent_id = {an_agent()}", f", checkout_run_id = {a_run()}",
                            f", execution_run_id = {a_run()}", f", company_id = {rng.choice(COMPANIES)}", f", id = {a_uuid()}"])
        return f"UPDATE paperclip.issues SET {col} = {val}{extra} WHERE id = {an_issue()};"
    if f == 8:
        return (f"INSERT INTO paperclip.issues (company_id, title, status, assignee_agent_id, checkout_run_id) "
                f"VALUES ({rng.choice(COMPANIES + ['NULL'])}, 'fuzz', {a_text()}, {an_agent()}, {a_run() if rng.random() < 0.3 else 'NULL'});")
    if f == 9:
        return f"UPDATE paperclip.heartbeat_runs SET status = {a_text()} WHERE id = {a_run()};"
    if f == 10:
        return rng.choice([
            f"INSERT INTO paperclip.issue_comments (company_id, issue_id, body, author_agent_id) VALUES ({rng.choice(COMPANIES)}, {an_issue()}, {a_text()}, {an_agent() if rng.random() < 0.3 else 'NULL'});",
            f"UPDATE paperclip.issue_comments SET body = {a_text()} WHERE issue_id = {an_issue()};",
            f"DELETE FROM paperclip.issue_comments WHERE issue_id = {an_issue()};"])
    if f == 11:
        return (f"INSERT INTO paperclip.activity_log (company_id, actor_type, actor_id, action, entity_type, entity_id, agent_id, run_id) "
                f"VALUES ({rng.choice(COMPANIES + ['NULL'])}, {rng.choice(['agent', 'user', 'system'])!r}, {a_text()}, 'fuzz', 'issue', 'x', {an_agent()}, {a_run()});")
    if f == 12:
        return rng.choice([
            f"INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES ({rng.choice(COMPANIES)}, {an_issue()}, {an_issue()});",
            f"DELETE FROM paperclip.issue_relations WHERE issue_id = {an_issue()};",
            f"INSERT INTO paperclip.heartbeat_runs (company_id, agent_id, status) VALUES ({rng.choice(COMPANIES)}, {an_agent()}, {a_text()});",
            f"DELETE FROM paperclip.heartbeat_runs WHERE id = {a_run()};"])
    if f == 13:
        if rng.random() < 0.5: return f"SELECT * FROM paperclip.current_actor();"
        ttl = rng.choice(["'2 minutes'", "'0 seconds'", "'1 second'", "'2 days'", "'-1 hour'", "NULL", "'1 day'"])
        return f"SELECT paperclip.renew_run_lease({a_run()}, {ttl}::interval, {a_bool()});"
    if f == 14: return f"SELECT paperclip.is_issue_status({a_text()}), paperclip.normalize_agent_name_key({a_text()}), paperclip.run_status_is_terminal({a_text()});"
    return f"SELECT count(*) FROM paperclip.issue_locks;"

MISUSE_FUNCTIONS = ["issues_guard()", "issue_comments_guard()", "heartbeat_runs_guard()", "heartbeat_runs_released()",
                    "activity_log_guard()", "company_scope_guard('company_id', 'agents_may_write')", "company_scope_guard()",
                    "terminal_run_statuses_changed()", "terminal_run_statuses_guard()"]
def misuse(n):
    """As the superuser: a trigger function attached where it does not belong, then fired."""
    fn = rng.choice(MISUSE_FUNCTIONS)
    timing = rng.choice(["BEFORE", "AFTER"])
    event = rng.choice(["INSERT", "UPDATE", "DELETE"])
    level = rng.choice(["ROW", "STATEMENT"])
    table = rng.choice(["fuzz_runs", "paperclip.heartbeat_runs", "paperclip.issues", "paperclip.issue_comments"])
    fire = {"INSERT": f"INSERT INTO fuzz_runs (id, company_id, agent_id, status) VALUES (gen_random_uuid(), {COMPANIES[0]}, {AGENTS[0]}, 'failed');",
            "UPDATE": f"UPDATE {table} SET status = status;" if table != "paperclip.issue_comments" else f"UPDATE {table} SET body = body;",
            "DELETE": f"DELETE FROM {table} WHERE false;"}[event]
    if event == "INSERT":
        table = "fuzz_runs"
    if event == "DELETE" and level == "ROW":
        fire = f"DELETE FROM fuzz_runs WHERE ctid IN (SELECT ctid FROM fuzz_runs LIMIT 1);"
        table = "fuzz_runs"
    return [ "RESET ROLE;", "BEGIN;",
             f"CREATE TRIGGER fuzz_misuse_{n} {timing} {event} ON {table} FOR EACH {level} EXECUTE FUNCTION paperclip.{fn};",
             fire, "ROLLBACK;", f"SET ROLE {app_role};"]

lines = ["\\set VERBOSITY verbose", "\\set ON_ERROR_STOP 0"] + fixtures()
lines += ["CREATE TABLE fuzz_runs (LIKE paperclip.heartbeat_runs INCLUDING DEFAULTS);",
          f"INSERT INTO fuzz_runs SELECT * FROM paperclip.heartbeat_runs;",
          "CREATE TEMP TABLE fuzz_rss AS SELECT 0::bigint AS kb;",
          f"SET ROLE {app_role};"]
warmup = min(200, count // 5)
for n in range(count):
    if n == warmup:
        # Memory is measured after a warm-up: saved plans and caches are built by then.
        lines += ["RESET ROLE;", "UPDATE fuzz_rss SET kb = (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\\s+(\\d+)'))[1]::bigint;",
                  f"SET ROLE {app_role};"]
    r = rng.random()
    if r < 0.03:
        lines += misuse(n)
        continue
    if r < 0.08:
        lines += ["RESET ROLE;", call(), f"SET ROLE {app_role};"]  # an operator
        continue
    lines.append("BEGIN;")
    a = actor()
    if a: lines.append(a)
    if rng.random() < 0.2:
        lines += ["SAVEPOINT s;", actor() or "SELECT 1;", call(), "ROLLBACK TO SAVEPOINT s;"]
    for _ in range(rng.randint(1, 3)):
        lines.append(call())
    lines.append(rng.choice(["COMMIT;", "ROLLBACK;", "ROLLBACK;"]))
lines += ["RESET ROLE;",
          "SELECT 'fuzz rss growth kB: ' || ((regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\\s+(\\d+)'))[1]::bigint - kb) FROM fuzz_rss;",
          "SELECT 'fuzz done';"]
print("\n".join(lines))
