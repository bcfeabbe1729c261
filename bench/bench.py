#!/usr/bin/env python3
"""The benchmark driver. Runs inside the throwaway cluster bench/run.sh starts
(PGHOST/PGPORT/PGUSER/PGPASSWORD point at its superuser). Builds the datasets,
runs every pgbench point (the extension's own tables here; upstream Paperclip's
real schema in upstream_bench.py), and writes results/<run>/summary.json, report.md and
throughput.png. Standard library only."""

import argparse
import glob
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VARIANTS = ["floor", "app", "plpgsql", "paperclip"]
LABELS = {
    "floor": "1 floor (bare UPDATEs)",
    "app": "2 application's way",
    "plpgsql": "3 PL/pgSQL",
    "paperclip": "4 paperclip_locks",
}
SETTINGS = [
    "server_version", "shared_buffers", "work_mem", "maintenance_work_mem", "effective_cache_size",
    "fsync", "synchronous_commit", "wal_level", "full_page_writes", "max_wal_size", "checkpoint_timeout",
    "max_connections", "jit", "autovacuum", "default_transaction_isolation", "huge_pages",
]


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def run(cmd, check=True, env=None, capture=True):
    p = subprocess.run(cmd, env=env, text=True, capture_output=capture)
    if check and p.returncode != 0:
        sys.stderr.write(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}\n")
        raise SystemExit(1)
    return p


def psql(db, sql=None, file=None, user=None, variables=None, check=True):
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db]
    if user:
        cmd += ["-U", user]
    for k, v in (variables or {}).items():
        cmd += ["-v", f"{k}={v}"]
    if sql is not None:
        cmd += ["-c", sql]
    if file is not None:
        cmd += ["-f", file]
    return run(cmd, check=check).stdout.strip()


# ---------------------------------------------------------------- CPU accounting
# Other work on the machine (a shared 2-core box) skews a point; each point
# records how much of the machine's busy time was not this cluster or pgbench.

def proc_stat_busy():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    v = [int(x) for x in parts]
    idle = v[3] + v[4]
    steal = v[7] if len(v) > 7 else 0
    return sum(v[:8]) - idle - steal, steal


def cluster_cpu(pm_pid):
    """Jiffies used by the postmaster, its live children, and reaped children."""
    total = 0
    try:
        with open(f"/proc/{pm_pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    except OSError:
        return 0
    for child in glob.glob(f"/proc/[0-9]*/stat"):
        try:
            with open(child) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pm_pid:
                total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total


class CpuWindow:
    def __init__(self, pm_pid):
        self.pm_pid = pm_pid
        self.hz = os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.t0 = time.time()
        self.busy0, self.steal0 = proc_stat_busy()
        self.cl0 = cluster_cpu(self.pm_pid)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.ch0 = ru.ru_utime + ru.ru_stime
        return self

    def __exit__(self, *exc):
        time.sleep(0.3)  # let the backends exit and be reaped into the postmaster's cutime
        busy1, steal1 = proc_stat_busy()
        cl1 = cluster_cpu(self.pm_pid)
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        ch1 = ru.ru_utime + ru.ru_stime
        wall = time.time() - self.t0
        ncpu = os.cpu_count() or 1
        busy = (busy1 - self.busy0) / self.hz
        ours = (cl1 - self.cl0) / self.hz + (ch1 - self.ch0)
        self.result = {
            "wall_s": round(wall, 2),
            "machine_busy_pct": round(100 * busy / (wall * ncpu), 1),
            "ours_pct": round(100 * ours / (wall * ncpu), 1),
            "foreign_pct": round(max(0.0, 100 * (busy - ours) / (wall * ncpu)), 1),
            "steal_pct": round(100 * (steal1 - self.steal0) / self.hz / (wall * ncpu), 1),
        }
        return False


# ---------------------------------------------------------------- pgbench

def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def parse_statements(out):
    """pgbench -r: [(latency_ms, command)] in script order, \\set lines dropped."""
    stmts = []
    on = False
    for line in out.splitlines():
        if "statement latencies in milliseconds" in line:
            on = True
            continue
        if on:
            m = re.match(r"\s+([0-9.]+)\s+(\d+)\s+(.*)$", line)
            if not m:
                continue
            cmd = m.group(3).strip()
            if cmd.startswith("\\"):
                continue
            stmts.append({"ms": float(m.group(1)), "failures": int(m.group(2)), "sql": cmd[:110]})
    return stmts


def wait_quiet(max_wait, threshold=15.0):
    """On a shared machine, wait (up to max_wait s) until other processes use
    less than threshold % of the CPUs over one second. Returns seconds waited."""
    ncpu = os.cpu_count() or 1
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.time()
    while True:
        b0, _ = proc_stat_busy()
        time.sleep(1.0)
        b1, _ = proc_stat_busy()
        pct = 100.0 * (b1 - b0) / hz / ncpu
        waited = time.time() - t0
        if pct < threshold or waited >= max_wait:
            return round(waited - 1.0, 1), round(pct, 1)


def script_path(script):
    """bench/pgbench/<script>, or a path (bench/upstream/pgbench/..., or a
    script generated into the run's directory)."""
    return script if os.path.isabs(script) else os.path.join(HERE, "pgbench", script)


def pgbench(args, name, script, clients, duration, user, db, block, pm_pid, outdir):
    logdir = os.path.join(outdir, "pgbench_logs")
    os.makedirs(logdir, exist_ok=True)
    prefix = os.path.join(logdir, name)
    for f in glob.glob(prefix + ".*"):
        os.remove(f)
    cmd = ["pgbench", "-n", "-M", "prepared", "-r", "-c", str(clients), "-j", str(min(clients, 2)),
           "-T", str(duration), "-D", f"block={block}", "--log", f"--log-prefix={prefix}",
           "-U", user, "-f", script_path(script), db]  # db is positional: pgbench's -d is --debug
    waited, busy_before = wait_quiet(args.quiet_wait)
    with CpuWindow(pm_pid) as cpu:
        p = run(cmd, check=False)
    cpu.result["waited_for_quiet_s"] = waited
    cpu.result["busy_before_pct"] = busy_before
    out = p.stdout + p.stderr
    with open(prefix + ".out", "w") as f:
        f.write(" ".join(cmd) + "\n" + out)
    lat = []
    for f in glob.glob(prefix + ".[0-9]*"):
        with open(f) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]))
    if not args.keep_logs:
        for f in glob.glob(prefix + ".[0-9]*"):
            os.remove(f)
    lat.sort()
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    aborted = "aborted" in out or p.returncode != 0
    res = {
        "name": name, "script": script, "clients": clients, "duration_s": duration, "db": db,
        "tps": float(tps.group(1)) if tps else 0.0,
        "transactions": len(lat),
        "mean_ms": round(sum(lat) / len(lat) / 1000.0, 3) if lat else None,
        "p50_ms": round(percentile(lat, 50) / 1000.0, 3) if lat else None,
        "p99_ms": round(percentile(lat, 99) / 1000.0, 3) if lat else None,
        "failed": int(failed.group(1)) if failed else None,
        "aborted": aborted,
        "statements": parse_statements(out),
        "cpu": cpu.result,
        "_lat": lat,
    }
    flag = " ABORTED" if aborted else ""
    log(f"  {name:34s} c={clients:<2d} tps={res['tps']:9.1f} p50={res['p50_ms']} p99={res['p99_ms']} ms"
        f" other_cpu={cpu.result['foreign_pct']}% (waited {waited} s){flag}")
    if aborted:
        sys.stderr.write(out[-3000:])
    return res


def merge(slices):
    """One point from its interleaved slices: tps averaged over the slices
    (equal durations), percentiles over every transaction of every slice,
    statement latencies weighted by transactions."""
    lat = sorted(x for s in slices for x in s.pop("_lat"))
    n = sum(s["transactions"] for s in slices) or 1
    first = slices[0]
    stmts = []
    for i, st in enumerate(first["statements"]):
        stmts.append({"sql": st["sql"],
                      "ms": round(sum(s["statements"][i]["ms"] * s["transactions"] for s in slices
                                      if i < len(s["statements"])) / n, 4),
                      "failures": sum(s["statements"][i]["failures"] for s in slices if i < len(s["statements"]))})
    cpu = {k: round(sum(s["cpu"][k] for s in slices) / len(slices), 1)
           for k in ("machine_busy_pct", "ours_pct", "foreign_pct", "steal_pct")}
    cpu["foreign_pct_max"] = max(s["cpu"]["foreign_pct"] for s in slices)
    cpu["waited_for_quiet_s"] = round(sum(s["cpu"]["waited_for_quiet_s"] for s in slices), 1)
    return {
        "name": first["name"].rsplit("_r", 1)[0], "script": first["script"], "clients": first["clients"],
        "db": first["db"], "slices": len(slices), "duration_s": sum(s["duration_s"] for s in slices),
        "tps": round(sum(s["tps"] for s in slices) / len(slices), 1),
        "tps_slices": [s["tps"] for s in slices],
        "transactions": len(lat),
        "mean_ms": round(sum(lat) / len(lat) / 1000.0, 3) if lat else None,
        "p50_ms": round(percentile(lat, 50) / 1000.0, 3) if lat else None,
        "p99_ms": round(percentile(lat, 99) / 1000.0, 3) if lat else None,
        "failed": sum(s["failed"] or 0 for s in slices),
        "aborted": any(s["aborted"] for s in slices),
        "statements": stmts,
        "cpu": cpu,
    }


def interleaved(args, pm_pid, specs, rounds, dur):
    """specs: {key: (name, script, clients, user, db, block)}; runs every
    spec once per round, in turn, each for dur/rounds seconds; so slow
    drifts of the machine (other tenants, autovacuum, WAL growth) hit
    every variant alike. Returns {key: merged point}."""
    slices = {k: [] for k in specs}
    for r in range(rounds):
        for k, (name, script, c, user, db, blk) in specs.items():
            slices[k].append(pgbench(args, f"{name}_r{r}", script, c, max(1, dur // rounds), user, db, blk,
                                     pm_pid, args.out))
    out = {}
    for k, sl in slices.items():
        out[k] = merge(sl)
        p = out[k]
        log(f"  = {p['name']:32s} c={p['clients']:<2d} tps={p['tps']:9.1f} p50={p['p50_ms']} p99={p['p99_ms']} ms"
            f" other_cpu={p['cpu']['foreign_pct']}%")
    return out


# ---------------------------------------------------------------- datasets

def build_db(db, issues, pw):
    t0 = time.time()
    run(["createdb", db])
    psql(db, file=os.path.join(HERE, "sql", "setup.sql"), variables={"pw": pw})
    psql(db, file=os.path.join(HERE, "plpgsql_impl.sql"))
    psql(db, file=os.path.join(HERE, "sql", "load.sql"), variables={"issues": issues})
    psql(db, "VACUUM (FREEZE, ANALYZE)")
    psql(db, "CHECKPOINT")
    secs = time.time() - t0
    size = psql(db, "SELECT pg_size_pretty(pg_database_size(current_database()))")
    log(f"  built {db}: {issues} issues in {secs:.0f} s ({size})")
    return {"db": db, "issues": issues, "build_s": round(secs, 1), "size": size}


def bench_range_sql(schema, block, clients, state):
    """UPDATE the benchmark clients' issue ranges into (or out of) an in_progress
    lock by each client's live run. As the superuser, a database operator."""
    agents = ", ".join(str(c * 10) for c in range(clients))
    if state == "locked":
        sets = ("status = 'in_progress', assignee_agent_id = bench.agent(n / {b}), "
                "checkout_run_id = bench.run(n / {b} * 100), execution_run_id = bench.run(n / {b} * 100), "
                "execution_agent_name_key = 'agent' || (n / {b}), execution_locked_at = now(), "
                "started_at = now()").format(b=block)
    else:
        sets = ("status = 'todo', assignee_agent_id = NULL, checkout_run_id = NULL, execution_run_id = NULL, "
                "execution_agent_name_key = NULL, execution_locked_at = NULL")
    return (f"UPDATE {schema}.issues AS i SET {sets} FROM generate_series(0, {1000 * block - 1}) AS n "
            f"WHERE i.id = bench.issue(n) AND n / {block} IN ({agents})")


def equivalence(db, block, outdir):
    a = 510
    v = {"i0": a * block, "i1": a * block + 1, "i2": a * block + 2}
    outs = {}
    for s in ("paperclip", "plpg"):
        p = run(["psql", "-X", "-q", "-U", "bench_app", "-d", db, "-v", f"s={s}"] +
                sum((["-v", f"{k}={x}"] for k, x in v.items()), []) +
                ["-f", os.path.join(HERE, "sql", "equivalence.sql")], check=False)
        text = (p.stdout + p.stderr).replace("paperclip", "plpg")
        outs[s] = text
        with open(os.path.join(outdir, f"equivalence_{s}.out"), "w") as f:
            f.write(p.stdout + p.stderr)
    a_lines, b_lines = outs["paperclip"].splitlines(), outs["plpg"].splitlines()
    same = a_lines == b_lines
    errors = sum(1 for l in a_lines if "ERROR" in l)
    log(f"  PL/pgSQL vs paperclip_locks on 11 scenarios: {'same outcomes' if same else 'DIFFERENT'}"
        f" ({errors} errors each)")
    return {"same": same, "scenarios": 11, "errors": errors}


# ---------------------------------------------------------------- machine

def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    try:
        out = run(["lscpu"]).stdout
        m = re.search(r"Model name:\s+(.*)", out)
        info["cpu_model"] = m.group(1).strip() if m else "?"
        m = re.search(r"Hypervisor vendor:\s+(.*)", out)
        info["hypervisor"] = m.group(1).strip() if m else None
    except SystemExit:
        info["cpu_model"] = "?"
    with open("/proc/meminfo") as f:
        kb = int(f.readline().split()[1])
    info["ram_gib"] = round(kb / 1024 / 1024, 1)
    with open("/proc/loadavg") as f:
        info["loadavg_at_start"] = f.read().split()[:3]
    return info


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--issues", type=int, default=1_000_000)
    ap.add_argument("--scales", default="10000,100000", help="extra dataset sizes for the scaling test ('' to skip)")
    ap.add_argument("--clients", default="1,4,16")
    ap.add_argument("--duration", type=int, default=24, help="seconds per matrix point (split into --rounds slices)")
    ap.add_argument("--short", type=int, default=6, help="seconds per trigger slice")
    ap.add_argument("--force-duration", type=int, default=10, help="seconds per force-release point")
    ap.add_argument("--scale-duration", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved slices per matrix point")
    ap.add_argument("--trigger-rounds", type=int, default=3, help="on/off alternations of the trigger test")
    ap.add_argument("--sweep-repeats", type=int, default=1,
                    help="times the main dataset's stale locks are put back and swept again")
    ap.add_argument("--up-scales", default="10000",
                    help="smaller copies of upstream's schema for its scaling test ('' to skip)")
    ap.add_argument("--schemas", default="own,upstream",
                    help="which schemas to run: own (the extension's tables), upstream (Paperclip's real schema)")
    ap.add_argument("--quiet-wait", type=int, default=30,
                    help="before each point, wait up to this many seconds for other processes to go quiet")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    clients = [int(c) for c in args.clients.split(",")]
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    pw = os.environ["PGPASSWORD"]
    S = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "args": vars(args), "machine": machine_info()}
    t_start = time.time()

    datadir = psql("postgres", "SHOW data_directory")
    with open(os.path.join(datadir, "postmaster.pid")) as f:
        pm_pid = int(f.readline())
    S["settings"] = dict(
        (r.split("|")[0], r.split("|")[1]) for r in psql(
            "postgres", "SELECT name, current_setting(name) FROM pg_settings WHERE name IN (%s) ORDER BY name"
            % ", ".join(f"'{s}'" for s in SETTINGS)).splitlines())
    S["settings"]["server_version"] = psql("postgres", "SHOW server_version")
    S["pgbench"] = run(["pgbench", "--version"]).stdout.strip()

    schemas = [x.strip() for x in args.schemas.split(",") if x.strip()]
    S["schemas"] = schemas
    if "own" in schemas:
        own_schema(args, S, pm_pid, pw, clients, scales)
    if "upstream" in schemas:
        import upstream_bench
        upstream_bench.run_upstream(args, S, pm_pid, pw, clients, own_db="bench" if "own" in schemas else None)

    S["total_s"] = round(time.time() - t_start)
    with open("/proc/loadavg") as f:
        S["machine"]["loadavg_at_end"] = f.read().split()[:3]
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(S, f, indent=1)
    import report
    report.write(S, args.out)
    log(f"done in {S['total_s']} s: {args.out}/report.md")


def own_schema(args, S, pm_pid, pw, clients, scales):
    """The benchmark on the extension's own tables (schema paperclip)."""
    log(f"datasets (main: {args.issues} issues; scaling: {scales})")
    main_db = "bench"
    S["datasets"] = [build_db(main_db, args.issues, pw)]
    for n in scales:
        S["datasets"].append(build_db(f"bench_{n}", n, pw))
    block = args.issues // 1000

    log("equivalence check")
    S["equivalence"] = equivalence(main_db, block, args.out)

    def point(name, script, c, dur, user="bench_app", db=main_db, blk=block):
        return pgbench(args, name, script, c, dur, user, db, blk, pm_pid, args.out)

    def interleaved_(specs, rounds, dur):
        return interleaved(args, pm_pid, specs, rounds, dur)

    log("warm-up (discarded)")
    for v in VARIANTS:
        point(f"warmup_{v}", f"{v}_cycle.sql", max(clients), args.warmup)

    log(f"matrix: checkout -> update(title) -> release ({args.rounds} interleaved rounds per point)")
    S["matrix"] = {v: {} for v in VARIANTS}
    for c in clients:
        res = interleaved_({v: (f"cycle_{v}_c{c}", f"{v}_cycle.sql", c, "bench_app", main_db, block)
                           for v in VARIANTS}, args.rounds, args.duration)
        for v in VARIANTS:
            S["matrix"][v][str(c)] = res[v]

    tclients = sorted({1, max(clients)})
    log(f"trigger overhead (same table, issues_guard enabled/disabled, alternated {args.trigger_rounds} times, "
        f"clients {tclients})")
    psql(main_db, bench_range_sql("paperclip", block, max(clients), "locked"))
    S["trigger"] = {}
    try:
        slices = {}
        for c in tclients:
            for rep in range(args.trigger_rounds):
                for mode in ("on", "off"):
                    psql(main_db, f"ALTER TABLE paperclip.issues {'ENABLE' if mode == 'on' else 'DISABLE'} "
                                  "TRIGGER issues_guard")
                    for who, script, user in (("agent", "trigger_agent.sql", "bench_app"),
                                              ("operator", "trigger_operator.sql", "bench_op")):
                        slices.setdefault((who, c, mode), []).append(
                            point(f"trigger_{who}_{mode}_c{c}_r{rep}", script, c, args.short, user=user))
    finally:
        psql(main_db, "ALTER TABLE paperclip.issues ENABLE TRIGGER issues_guard")
        psql(main_db, bench_range_sql("paperclip", block, max(clients), "todo"))
    for (who, c, mode), sl in slices.items():
        pairs = [(a["tps"], b["tps"]) for a, b in zip(slices[(who, c, "on")], slices[(who, c, "off")])] \
            if mode == "on" else None
        merged = merge(sl)
        if pairs:
            merged["tps_overhead_per_round"] = [round(off / on - 1, 4) for on, off in pairs]
        S["trigger"].setdefault(who, {}).setdefault(str(c), {})[mode] = merged

    log("sweep of stale locks")
    S["sweep"] = {}
    for ds in S["datasets"]:
        S["sweep"][ds["db"]] = sweep(ds["db"])
    if args.sweep_repeats:
        log(f"the same sweep again, {args.sweep_repeats} time(s), the stale locks put back "
            "(bench/sql/restore_stale_locks.sql)")
        S["sweep_repeats"] = []
        for _ in range(args.sweep_repeats):
            psql(main_db, file=os.path.join(HERE, "sql", "restore_stale_locks.sql"), variables={"block": block})
            psql(main_db, "VACUUM (ANALYZE) paperclip.issues")
            S["sweep_repeats"].append(sweep(main_db))

    log("admin_force_release latency")
    S["force_release"] = {
        "board": point("force_release_board", "force_release_board.sql", 1, args.force_duration),
        "operator": point("force_release_operator", "force_release_operator.sql", 1, args.force_duration,
                          user="bench_op"),
    }
    for p in S["force_release"].values():
        p.pop("_lat", None)

    if scales:
        log("scaling: the same cycle at every dataset size, interleaved")
        S["scaling"] = {}
        for c in (1, max(clients)):
            specs = {}
            for ds in S["datasets"][1:] + S["datasets"][:1]:
                for v in ("floor", "paperclip"):
                    specs[(v, ds["issues"])] = (f"scale_{v}_{ds['issues']}_c{c}", f"{v}_cycle.sql", c, "bench_app",
                                                ds["db"], ds["issues"] // 1000)
            res = interleaved_(specs, 1, args.scale_duration)
            for (v, n), p in res.items():
                S["scaling"].setdefault(v, {}).setdefault(str(n), {})[str(c)] = p


def sweep(db, user="bench_op", audit_table="paperclip.activity_log"):
    """The extension's own sweep: CALL paperclip.sweep_all_stale_locks(1000)
    (sweep_stale_locks batches of 1,000, a commit after each, walking the
    issues by id), timed by psql, as a database operator."""
    q = ("SELECT count(*) FILTER (WHERE stale), count(*) FILTER (WHERE NOT stale) FROM paperclip.issue_locks")
    before = psql(db, q).split("|")
    audits_before = int(psql(db, f"SELECT count(*) FROM {audit_table} WHERE action = 'issue.stale_lock_cleared'"))
    p = run(["psql", "-X", "-At", "-U", user, "-d", db, "-c", "\\timing on",
             "-c", "CALL paperclip.sweep_all_stale_locks(1000)"])
    m = re.search(r"Time: ([0-9.]+) ms", p.stdout)
    ms = float(m.group(1)) if m else None
    nums = [l for l in p.stdout.splitlines() if l.strip().isdigit()]
    cleared = int(nums[0]) if nums else None
    after = psql(db, q).split("|")
    audits = int(psql(db, f"SELECT count(*) FROM {audit_table} WHERE action = 'issue.stale_lock_cleared'")) \
        - audits_before
    res = {"stale_before": int(before[0]), "live_before": int(before[1]), "cleared": cleared,
           "stale_after": int(after[0]), "live_after": int(after[1]), "audit_rows": int(audits), "ms": ms}
    log(f"  {db}: cleared {cleared} stale locks in {ms} ms; stale after {after[0]}, live kept {after[1]}/{before[1]}")
    return res


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
