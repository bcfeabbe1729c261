#!/usr/bin/env python3
"""Where paperclip_locks spends its time: instruction counts of one backend
under valgrind --tool=callgrind. Runs inside the throwaway cluster
bench/profile.sh starts. Builds a dataset with the normal server, then
restarts the postmaster under callgrind (every forked backend is traced, one
output file per process) and runs each workload twice through pgbench with
one client, N1 and N2 transactions. Per-transaction cost of any function =
(inclusive Ir at N2 - at N1) / (N2 - N1): connection start-up, catalog cache
warm-up and the first plans cancel out. Writes profile.md and profile.json."""

import argparse
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench  # noqa: E402

WORKLOADS = {
    # name: (script, user, setup flags, extra libpq options)
    "floor": ("floor_cycle.sql", "bench_app", (), None),
    "app": ("app_cycle.sql", "bench_app", (), None),
    "plpgsql": ("plpgsql_cycle.sql", "bench_app", (), None),
    "paperclip": ("paperclip_cycle.sql", "bench_app", (), None),
    "trigger_agent_on": ("trigger_agent.sql", "bench_app", ("locked",), None),
    "trigger_agent_off": ("trigger_agent.sql", "bench_app", ("locked", "trigger_off"), None),
    "trigger_operator_on": ("trigger_operator.sql", "bench_op", ("locked",), None),
    "trigger_operator_off": ("trigger_operator.sql", "bench_op", ("locked", "trigger_off"), None),
    "force_release_board": ("force_release_board.sql", "bench_app", (), None),
    # One transaction = put the dataset's stale locks back (issues/10 of them,
    # among as many live ones; bench/sql/restore_stale_locks.sql) and drain
    # them with sweep_stale_locks(1000) calls, as the superuser (a database
    # operator), until one returns 0. Read: paperclip_sweep_stale_locks's
    # inclusive cost per drain and per call (--sweep-n1/--sweep-n2 drains).
    "sweep": ("@sweep", None, (), None),
    # What-ifs, measured on the installed extension of the throwaway cluster
    # only (src/ and the install script are untouched): the functions without
    # their SET search_path clause, and/or every plan forced generic.
    "whatif_paperclip_no_set_search_path": ("paperclip_cycle.sql", "bench_app", ("noset",), None),
    "whatif_paperclip_generic_plans": ("paperclip_cycle.sql", "bench_app", (), "-c plan_cache_mode=force_generic_plan"),
    "whatif_paperclip_both": ("paperclip_cycle.sql", "bench_app", ("noset",), "-c plan_cache_mode=force_generic_plan"),
    "whatif_plpgsql_no_set_search_path": ("plpgsql_cycle.sql", "bench_app", ("noset",), None),
}
DEFAULT_WORKLOADS = list(WORKLOADS)

# Functions reported for the paperclip cycle, grouped by what they stand for.
# Names are as callgrind_annotate prints them (file:function, file dropped).
WATCH = [
    ("backend total per cycle", "TOTAL"),
    ("protocol: exec_bind_message (parameters, portal)", "exec_bind_message"),
    ("protocol: exec_execute_message", "exec_execute_message"),
    ("COMMIT: CommitTransactionCommand", "CommitTransactionCommand"),
    ("  of which XLogFlush (WAL write + fdatasync call)", "XLogFlush"),
    ("paperclip_set_actor_agent", "paperclip_set_actor_agent"),
    ("paperclip_checkout", "paperclip_checkout"),
    ("paperclip_release", "paperclip_release"),
    ("paperclip_sweep_stale_locks (every call of one drain)", "paperclip_sweep_stale_locks"),
    ("  lock_sweep_batch() (candidate query, locked rows)", "paperclip::pg::lock_sweep_batch(int)"),
    ("  apply_sweep() (the UPDATE)", "paperclip::pg::apply_sweep(std::vector<paperclip::core::IssueState, std::allocator<paperclip::core::IssueState> > const&)"),
    ("  lock_is_sweepable (the candidate filter)", "paperclip_lock_is_sweepable_with_leases"),
    ("paperclip_issues_guard (trigger, the title UPDATE)", "paperclip_issues_guard"),
    ("SPI_execute_plan (all SPI statements)", "SPI_execute_plan"),
    ("  GetCachedPlan (plan cache check / re-plan)", "GetCachedPlan"),
    ("  pg_plan_queries (planning: custom plans)", "pg_plan_queries"),
    ("  BuildCachedPlan", "BuildCachedPlan"),
    ("  standard_ExecutorStart", "standard_ExecutorStart"),
    ("  standard_ExecutorRun", "standard_ExecutorRun"),
    ("  standard_ExecutorEnd", "standard_ExecutorEnd"),
    ("SPI_connect", "SPI_connect"),
    ("SPI_finish", "SPI_finish"),
    ("GUC: ProcessGUCArray (function SET search_path on entry)", "ProcessGUCArray"),
    ("GUC: AtEOXact_GUC (restore on exit, and at commit)", "AtEOXact_GUC"),
    ("GUC: NewGUCNestLevel", "NewGUCNestLevel"),
    ("GUC: set_config_option", "set_config_option"),
    ("namespace: fetch_search_path_array/recompute (search_path parse)", "SplitIdentifierString"),
    ("AsExtensionOwner::AsExtensionOwner()", "paperclip::pg::AsExtensionOwner::AsExtensionOwner()"),
    ("extension_owner() (namespace lookup + syscache)", "paperclip::pg::extension_owner()"),
    ("role_is_operator()", "paperclip::pg::role_is_operator(unsigned int)"),
    ("current_actor()", "paperclip::pg::current_actor()"),
    ("get_namespace_oid", "get_namespace_oid"),
    ("SearchCatCache1", "SearchCatCache1"),
    ("find_agent()", "paperclip::pg::find_agent(paperclip::core::Uuid const&)"),
    ("lock_issue()", "paperclip::pg::lock_issue(paperclip::core::Uuid const&)"),
    ("lock_runs()", "paperclip::pg::lock_runs(std::vector<paperclip::core::Uuid, std::allocator<paperclip::core::Uuid> > const&)"),
    ("unresolved_blockers()", "paperclip::pg::unresolved_blockers(paperclip::core::Uuid const&)"),
    ("write_issue()", "paperclip::pg::write_issue(paperclip::core::IssueState const&)"),
    ("write_audit() (audit INSERT)", "paperclip::pg::write_audit(paperclip::core::Actor const&, paperclip::core::Uuid const&, paperclip::core::Uuid const&, paperclip::core::AuditEntry const&)"),
    ("JsonObject::str() (JSON text)", "paperclip::core::JsonObject::str[abi:cxx11]() const"),
    ("jsonb_in (audit details text -> jsonb)", "jsonb_in"),
    ("RI_FKey_check_ins (foreign-key checks)", "RI_FKey_check_ins"),
    ("AfterTriggerEndQuery (FK triggers)", "AfterTriggerEndQuery"),
    ("ExecConstraints (CHECK constraints)", "ExecConstraints"),
    ("stringToNode (CHECK/predicate trees re-read per statement)", "stringToNode"),
    ("ExecInsertIndexTuples", "ExecInsertIndexTuples"),
    ("heap_update", "heap_update"),
    ("heap_insert", "heap_insert"),
    ("heap_lock_tuple (FOR UPDATE / FOR NO KEY UPDATE)", "heap_lock_tuple"),
    ("memory: palloc/palloc0/MemoryContextAlloc*/pfree (incl. AllocSetAlloc)", "@alloc"),
    ("C++ operator new/delete + malloc/free", "@cxxalloc"),
]


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def annotate(path, inclusive):
    """{function: Ir} from callgrind_annotate's function table, and the program
    total. Recursion levels (name'2, name'3) are folded: summed for self cost;
    for inclusive cost the outermost level already contains the inner ones."""
    p = subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", "--threshold=100",
                        "--auto=no", path], text=True, capture_output=True)
    total = None
    funcs = {}
    per_file = {}
    in_table = False
    for line in p.stdout.splitlines():
        m = re.match(r"^\s*([0-9,]+)\s+(?:\([^)]*\)\s+)?PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        if re.match(r"^Ir\s+file:function", line):
            in_table = True
            continue
        if not in_table or line.startswith("---"):
            continue
        if not line.strip():
            if funcs:
                break
            continue
        m = re.match(r"^\s*([0-9,]+)\s+(?:\([^)]*\)\s+)?(.*?)(?:\s+\[[^\]]*\])?\s*$", line)
        if not m:
            continue
        fileref, sep, name = m.group(2).partition(":")
        if not sep:
            fileref, name = "", m.group(2)
        name = name.strip()
        # The same file is sometimes named twice (absolute and build-relative).
        fileref = fileref.replace(REPO + "/", "")
        ir = int(m.group(1).replace(",", ""))
        base, _, level = name.partition("'")
        if level and inclusive:
            continue
        per_file.setdefault(base, {})
        per_file[base][fileref] = max(per_file[base].get(fileref, 0), ir)
    for base, by_file in per_file.items():
        # self cost: inlined parts are attributed to their header files, so
        # add them up; inclusive cost: the function's own entry is the total.
        funcs[base] = sum(by_file.values()) if not inclusive else max(by_file.values())
    return total, funcs


COUNTED = ["SPI_execute_plan", "SPI_execute_snapshot", "SPI_connect", "GetCachedPlan", "pg_plan_queries",
           "pg_analyze_and_rewrite_fixedparams", "RI_FKey_check_upd", "RI_FKey_check_ins", "fmgr_security_definer",
           "ProcessGUCArray", "SearchCatCache1", "SearchSysCache1", "heap_lock_tuple", "heap_update", "heap_insert",
           "XLogFlush", "stringToNode", "jsonb_in"]


def total_ir(path):
    with open(path, errors="replace") as fh:
        for line in fh:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    return 0


def call_counts(path):
    """Calls of the COUNTED functions, read from the callgrind file itself
    (cfn= lines name the callee, the calls= line after it says how often)."""
    names = {}
    counts = {}
    current = None
    with open(path, errors="replace") as fh:
        for line in fh:
            if line.startswith("cfn="):
                m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    current = names.get(m.group(1))
            elif line.startswith("fn="):
                m = re.match(r"fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
                if m and m.group(2):
                    names[m.group(1)] = m.group(2)
                current = None
            elif line.startswith("calls=") and current is not None:
                base = current.split("'")[0]
                if base in COUNTED:
                    counts[base] = counts.get(base, 0) + int(line[6:].split()[0])
                current = None
    return counts


def group_cost(funcs, key):
    if key == "@alloc":  # inclusive costs: AllocSetAlloc is static, so unnamed, but only palloc & co. call it
        return sum(v for k, v in funcs.items()
                   if k in ("palloc", "palloc0", "pfree", "MemoryContextAlloc", "MemoryContextAllocZero",
                            "MemoryContextAllocZeroAligned", "MemoryContextAllocExtended", "repalloc"))
    if key == "@cxxalloc":
        return sum(v for k, v in funcs.items()
                   if k.startswith("operator new") or k.startswith("operator delete")
                   or k in ("malloc", "free", "_int_malloc", "_int_free", "cfree"))
    return funcs.get(key)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--issues", type=int, default=100_000)
    ap.add_argument("--n1", type=int, default=50)
    ap.add_argument("--n2", type=int, default=350)
    ap.add_argument("--workloads", default=",".join(DEFAULT_WORKLOADS))
    ap.add_argument("--sweep-n1", type=int, default=1, help="drains of the sweep workload, first run")
    ap.add_argument("--sweep-n2", type=int, default=3, help="drains of the sweep workload, second run")
    ap.add_argument("--reannotate", action="store_true",
                    help="only recompute profile.md/json from the callgrind files of an earlier run in --out")
    args = ap.parse_args()
    if args.reannotate:
        with open(os.path.join(args.out, "profile.json")) as fh:
            old = json.load(fh)
        files = {k: tuple(os.path.join(args.out, "callgrind", f) for f in w["files"])
                 + (w.get("n1", old["n1"]), w.get("n2", old["n2"])) for k, w in old["workloads"].items()}
        analyse(files, old["n1"], old["n2"], old["issues"], os.path.abspath(args.out))
        return
    out = os.path.abspath(args.out)
    cgdir = os.path.join(out, "callgrind")
    os.makedirs(cgdir, exist_ok=True)
    os.chmod(out, 0o777)
    os.chmod(cgdir, 0o777)
    workloads = args.workloads.split(",")
    block = args.issues // 1000
    db = "bench"

    log(f"dataset: {args.issues} issues")
    bench.build_db(db, args.issues, os.environ["PGPASSWORD"])
    datadir = bench.psql("postgres", "SHOW data_directory")
    conf = bench.psql("postgres", "SHOW config_file")

    log("restart the postmaster under callgrind")
    subprocess.run(["pg_ctlcluster", "15", "regress", "stop"], check=True)
    vg = subprocess.Popen(
        ["runuser", "-u", "postgres", "--", "valgrind", "--tool=callgrind", "--trace-children=yes",
         f"--callgrind-out-file={cgdir}/callgrind.out.%p",
         "/usr/lib/postgresql/15/bin/postgres", "-D", datadir, "-c", f"config_file={conf}",
         "-c", "autovacuum=off", "-c", "huge_pages=off"],
        stdout=open(os.path.join(out, "valgrind.log"), "w"), stderr=subprocess.STDOUT)
    for _ in range(300):
        if subprocess.run(["pg_isready", "-q"]).returncode == 0:
            break
        time.sleep(1)
    else:
        sys.exit("postmaster under valgrind did not start")
    # One throwaway connection: the first backend pays for relcache init files.
    bench.psql(db, "SELECT 1")

    pm = int(open(os.path.join(datadir, "postmaster.pid")).readline())

    def children():
        out = set()
        for st in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(st) as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pm:
                        out.add(int(st.split("/")[2]))
            except (OSError, ValueError, IndexError):
                pass
        return out

    time.sleep(3)
    background = children()  # checkpointer, walwriter, ...: they dump at shutdown

    def settle():
        """Wait until no backend but the background processes is alive (a setup
        psql's backend writes its profile when it exits, a little later)."""
        for _ in range(600):
            if not (children() - background):
                return
            time.sleep(0.2)

    stale = 100 * block  # load.sql: agents >= 500 hold a stale lock on every 5th issue
    sweep_calls = -(-stale // 1000) + 1  # full batches of 1,000, then the call that returns 0

    def sweep_script():
        path = os.path.join(out, "sweep_drain.sql")
        with open(os.path.join(HERE, "sql", "restore_stale_locks.sql")) as fh:
            restore = [l for l in fh.read().splitlines() if l and not l.startswith(("--", "\\"))]
        with open(path, "w") as fh:
            fh.write("\n".join(restore) + "\n" + "SELECT paperclip.sweep_stale_locks(1000);\n" * sweep_calls)
        os.chmod(path, 0o644)
        return path

    def run_workload(name, n):
        script, user, _, options = WORKLOADS[name]
        if script == "@sweep":
            script = sweep_script()
        user = user or os.environ.get("PGUSER", "postgres")
        settle()
        before = set(glob.glob(f"{cgdir}/callgrind.out.*"))
        t0 = time.time()
        env = dict(os.environ)
        if options:
            env["PGOPTIONS"] = options
        p = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", "1", "-j", "1", "-t", str(n),
                            "-D", f"block={block}", "-U", user,
                            "-f", os.path.join(HERE, "pgbench", script), db], text=True, capture_output=True, env=env)
        if p.returncode != 0 or "aborted" in p.stdout + p.stderr:
            sys.exit(f"{name}: pgbench failed\n{p.stdout}\n{p.stderr}")
        # pgbench opens a short connection of its own first; the client's
        # backend is the biggest profile of the run.
        for _ in range(600):
            new = set(glob.glob(f"{cgdir}/callgrind.out.*")) - before
            if len(new) >= 2 and not (children() - background):
                time.sleep(0.5)
                log(f"  {name} x{n}: {time.time() - t0:.0f} s")
                return max(new, key=total_ir)
            time.sleep(0.5)
        sys.exit(f"{name}: no callgrind output")

    # The functions' SET clauses, to take them off for a what-if and put them back.
    proconfig = bench.psql(db, "SELECT p.oid::regprocedure || '|' || array_to_string(p.proconfig, ';') "
                               "FROM pg_proc AS p WHERE p.proconfig IS NOT NULL "
                               "AND p.pronamespace IN ('paperclip'::regnamespace, 'plpg'::regnamespace)").splitlines()

    def set_clauses(on):
        for line in proconfig:
            fn, cfg = line.split("|", 1)
            if on:
                for item in cfg.split(";"):
                    k, v = item.split("=", 1)
                    bench.psql(db, f"ALTER FUNCTION {fn} SET {k} = {v}")
            else:
                bench.psql(db, f"ALTER FUNCTION {fn} RESET ALL")

    files = {}
    for name in workloads:
        flags = WORKLOADS[name][2]
        if "locked" in flags:
            bench.psql(db, bench.bench_range_sql("paperclip", block, 1, "locked"))
        if "trigger_off" in flags:
            bench.psql(db, "ALTER TABLE paperclip.issues DISABLE TRIGGER issues_guard")
        if "noset" in flags:
            set_clauses(False)
        n1, n2 = (args.sweep_n1, args.sweep_n2) if name == "sweep" else (args.n1, args.n2)
        files[name] = (run_workload(name, n1), run_workload(name, n2), n1, n2)
        if "noset" in flags:
            set_clauses(True)
        if "trigger_off" in flags:
            bench.psql(db, "ALTER TABLE paperclip.issues ENABLE TRIGGER issues_guard")
        if "locked" in flags:
            bench.psql(db, bench.bench_range_sql("paperclip", block, 1, "todo"))

    log("stop the postmaster")
    os.kill(pm, signal.SIGINT)
    vg.wait(timeout=300)

    analyse(files, args.n1, args.n2, args.issues, out, sweep_calls)


def analyse(files, n1, n2, issues, out, sweep_calls=None):
    log("annotate")
    res = {"issues": issues, "n1": n1, "n2": n2, "sweep_calls_per_drain": sweep_calls, "workloads": {}}
    for name, (f1, f2, w1, w2) in files.items():
        dn = w2 - w1
        t1, inc1 = annotate(f1, True)
        t2, inc2 = annotate(f2, True)
        _, self1 = annotate(f1, False)
        _, self2 = annotate(f2, False)
        per_inc = {k: (inc2.get(k, 0) - inc1.get(k, 0)) / dn for k in set(inc1) | set(inc2)}
        per_self = {k: (self2.get(k, 0) - self1.get(k, 0)) / dn for k in set(self1) | set(self2)}
        c1, c2 = call_counts(f1), call_counts(f2)
        calls = {k: round((c2.get(k, 0) - c1.get(k, 0)) / dn, 2) for k in COUNTED}
        res["workloads"][name] = {
            "files": [os.path.basename(f1), os.path.basename(f2)], "n1": w1, "n2": w2,
            "ir_per_tx": (t2 - t1) / dn,
            "calls_per_tx": calls,
            "inclusive": {k: round(v) for k, v in sorted(per_inc.items(), key=lambda kv: -kv[1])[:400]},
            "self": {k: round(v) for k, v in sorted(per_self.items(), key=lambda kv: -kv[1])[:150]},
        }
        log(f"  {name}: {res['workloads'][name]['ir_per_tx']:,.0f} Ir per transaction")
    with open(os.path.join(out, "profile.json"), "w") as fh:
        json.dump(res, fh, indent=1)
    write_md(res, out)


def write_md(res, out):
    W = res["workloads"]
    L = []
    A = L.append
    A(f"# Instruction profile (callgrind), {res['issues']:,} issues, "
      f"per transaction = (Ir at {res['n2']} - Ir at {res['n1']}) / {res['n2'] - res['n1']}\n")
    A("Backend process only (the client, the kernel's network and fsync work, and other server processes are "
      "not counted). Ir = instructions executed.\n")
    A("| workload | Ir per transaction | vs floor |")
    A("|---|---:|---:|")
    fl = W.get("floor", {}).get("ir_per_tx")
    for name, w in W.items():
        A(f"| {name} | {w['ir_per_tx']:,.0f} | {w['ir_per_tx'] / fl:.2f}× |" if fl else
          f"| {name} | {w['ir_per_tx']:,.0f} | |")
    A("")
    A("Calls per transaction (from the callgrind call graph):\n")
    A("| workload | " + " | ".join(f"`{c}`" for c in COUNTED) + " |")
    A("|---|" + "---:|" * len(COUNTED))
    for name, w in W.items():
        A(f"| {name} | " + " | ".join(f"{w['calls_per_tx'].get(c, 0):g}" for c in COUNTED) + " |")
    A("")
    if "sweep" in W:
        w = W["sweep"]
        calls = res.get("sweep_calls_per_drain") or 1
        stale = res["issues"] // 10
        A(f"## sweep: one drain of {stale:,} stale locks among {stale:,} live ones, {res['issues']:,} issues\n")
        A(f"Per drain = (Ir at {w['n2']} drains - at {w['n1']}) / {w['n2'] - w['n1']}; a drain is {calls} calls "
          f"of `sweep_stale_locks(1000)` ({calls - 1} full batches and the one that returns 0). The transaction "
          "also puts the stale locks back first; that UPDATE is not in the rows below.\n")
        A("| what | function | Ir per drain | Ir per call | Ir per cleared lock |")
        A("|---|---|---:|---:|---:|")
        for label, key in WATCH:
            if "sweep" not in label and key != "SPI_execute_plan":
                continue
            v = group_cost(w["inclusive"], key)
            if not v:
                continue
            A(f"| {label} | `{key[:60]}` | {v:,.0f} | {v / calls:,.0f} | {v / max(1, stale):,.0f} |")
        A("")
    for name in ("paperclip", "trigger_agent_on", "trigger_operator_on"):
        if name not in W:
            continue
        w = W[name]
        tot = w["ir_per_tx"]
        A(f"## {name}: inclusive cost of selected functions, per transaction\n")
        A("| what | function | Ir / tx | % of backend |")
        A("|---|---|---:|---:|")
        for label, key in WATCH:
            v = tot if key == "TOTAL" else group_cost(w["inclusive"] if key != "@cxxalloc" else w["self"], key)
            if v is None or (v == 0 and key != "TOTAL"):
                continue
            A(f"| {label} | `{key[:60]}` | {v:,.0f} | {100 * v / tot:.1f} % |")
        A("")
        A(f"### {name}: top 40 functions by self cost\n")
        A("| function | self Ir / tx | % |")
        A("|---|---:|---:|")
        for k, v in list(w["self"].items())[:40]:
            A(f"| `{k[:90]}` | {v:,.0f} | {100 * v / tot:.1f} % |")
        A("")
        A(f"### {name}: top 60 functions by inclusive cost\n")
        A("| function | inclusive Ir / tx | % |")
        A("|---|---:|---:|")
        for k, v in list(w["inclusive"].items())[:60]:
            A(f"| `{k[:90]}` | {v:,.0f} | {100 * v / tot:.1f} % |")
        A("")
    with open(os.path.join(out, "profile.md"), "w") as fh:
        fh.write("\n".join(L))
    print(os.path.join(out, "profile.md"))


if __name__ == "__main__":
    main()
