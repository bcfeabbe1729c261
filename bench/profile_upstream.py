#!/usr/bin/env python3
"""Instructions per pgbench transaction on databases that already exist, e.g.
the upstream-schema ones bench/upstream_bench.py builds (up, up_strict).
Runs inside a pg_virtualenv cluster (its PG* environment; the login roles'
password is "pw"), as bench/profile.py does: stops the cluster, restarts the
postmaster under valgrind --tool=callgrind, runs each workload with 1 client
for N1 and N2 transactions (environment, default 20 and 120), prints
(Ir at N2 - Ir at N1) / (N2 - N1) per workload, restarts the cluster
normally and writes OUTDIR/files.json (the callgrind files, for
callgrind_annotate or bench/profile.py's annotate()).
  bench/profile_upstream.py OUTDIR name:script:user:db:block ...
e.g. strict:bench/upstream/pgbench/strict_cycle.sql:bench_app:up_strict:1000"""
import glob, os, signal, subprocess, sys, time, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import profile as P  # noqa: E402
import bench as B  # noqa: E402
out = os.path.abspath(sys.argv[1]); cg = os.path.join(out, "callgrind")
os.makedirs(cg, exist_ok=True); os.chmod(out, 0o777); os.chmod(cg, 0o777)
N1, N2 = int(os.environ.get("N1", 20)), int(os.environ.get("N2", 120))
work = [a.split(":") for a in sys.argv[2:]]
datadir = B.psql("postgres", "SHOW data_directory"); conf = B.psql("postgres", "SHOW config_file")
subprocess.run(["pg_ctlcluster", "15", "regress", "stop"], check=True)
vg = subprocess.Popen(["runuser", "-u", "postgres", "--", "valgrind", "--tool=callgrind", "--trace-children=yes",
    f"--callgrind-out-file={cg}/callgrind.out.%p", "/usr/lib/postgresql/15/bin/postgres", "-D", datadir,
    "-c", f"config_file={conf}", "-c", "autovacuum=off", "-c", "huge_pages=off"],
    stdout=open(os.path.join(out, "valgrind.log"), "w"), stderr=subprocess.STDOUT)
for _ in range(300):
    if subprocess.run(["pg_isready", "-q"]).returncode == 0: break
    time.sleep(1)
B.psql("postgres", "SELECT 1")
pm = int(open(os.path.join(datadir, "postmaster.pid")).readline())
def children():
    s = set()
    for st in glob.glob("/proc/[0-9]*/stat"):
        try:
            if int(open(st).read().rsplit(")", 1)[1].split()[1]) == pm: s.add(int(st.split("/")[2]))
        except Exception: pass
    return s
time.sleep(3); bg = children()
def settle():
    for _ in range(600):
        if not (children() - bg): return
        time.sleep(0.2)
def run(script, user, db, block, n):
    settle(); before = set(glob.glob(f"{cg}/callgrind.out.*"))
    env = dict(os.environ, PGPASSWORD="pw")
    p = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", "1", "-t", str(n), "-D", f"block={block}", "-U", user, "-f", script, db],
                       text=True, capture_output=True, env=env)
    if p.returncode != 0 or "aborted" in p.stdout + p.stderr: sys.exit(p.stdout + p.stderr)
    for _ in range(1200):
        new = set(glob.glob(f"{cg}/callgrind.out.*")) - before
        if len(new) >= 2 and not (children() - bg):
            time.sleep(0.5); return max(new, key=P.total_ir)
        time.sleep(0.5)
    sys.exit("no output")
res = {}
try:
    for name, script, user, db, block in work:
        f1 = run(script, user, db, block, N1); f2 = run(script, user, db, block, N2)
        res[name] = (f1, f2)
        print(name, (P.total_ir(f2) - P.total_ir(f1)) / (N2 - N1), flush=True)
finally:
    os.kill(pm, signal.SIGINT); vg.wait(timeout=600)
    subprocess.run(["pg_ctlcluster", "15", "regress", "start"], check=True)
json.dump({k: list(v) for k, v in res.items()} | {"n1": N1, "n2": N2}, open(os.path.join(out, "files.json"), "w"))
