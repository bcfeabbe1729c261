#!/usr/bin/env python3
"""Turns bench/results/<run>/summary.json into report.md and throughput.png.
Usable on its own: python3 bench/report.py bench/results/<run>"""

import json
import os
import shutil
import subprocess
import sys

VARIANTS = ["floor", "app", "plpgsql", "paperclip"]
LABELS = {
    "floor": "1 floor: bare UPDATEs",
    "app": "2 application's way",
    "plpgsql": "3 PL/pgSQL",
    "paperclip": "4 paperclip_locks",
}
# Script statements (pgbench -r order, \set lines dropped) grouped into the
# three operations of the cycle.
OPS = {
    "floor": {"checkout": [1], "update": [2], "release": [3], "begin+commit": [0, 4]},
    "paperclip": {"set_actor": [1], "checkout": [2], "update": [3], "release": [4], "begin+commit": [0, 5]},
    "plpgsql": {"set_actor": [1], "checkout": [2], "update": [3], "release": [4], "begin+commit": [0, 5]},
    "app": {"checkout": list(range(0, 12)), "update": list(range(12, 27)), "release": list(range(27, 42))},
}


def f(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}"


def ms(x):
    return "–" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def op_ms(point, variant):
    st = point["statements"]
    out = {}
    for op, idx in OPS[variant].items():
        if all(i < len(st) for i in idx):
            out[op] = sum(st[i]["ms"] for i in idx)
    return out


def ratio(a, b):
    return None if not a or not b else a / b


def met(ok):
    return "**met**" if ok else "**not met**"


def header(S, A):
    A(f"# paperclip_locks benchmark — run of {S['started']}\n")
    mi = S["machine"]
    A(f"Machine: {mi['nproc']} vCPU {mi.get('cpu_model')} ({mi.get('hypervisor') or 'bare metal'}), "
      f"{mi['ram_gib']} GiB RAM, Linux {mi['kernel']}; load average at start {' '.join(mi['loadavg_at_start'])}, "
      f"at end {' '.join(mi.get('loadavg_at_end', []))}. {S['pgbench']}. Total run time {S['total_s']} s.\n")
    st = S["settings"]
    A("PostgreSQL settings: " + ", ".join(f"`{k}={v}`" for k, v in sorted(st.items())) + ".\n")


def write(S, outdir):
    L = []
    A = L.append
    header(S, A)
    if "matrix" in S:
        write_own(S, outdir, A)
    if "upstream" in S:
        import report_upstream
        report_upstream.write(S, outdir, A, chart_series)
    with open(os.path.join(outdir, "report.md"), "w") as fh:
        fh.write("\n".join(L))
    with open(os.path.join(outdir, "summary.json"), "w") as fh:
        json.dump(S, fh, indent=1)


def write_own(S, outdir, A):
    m = S["matrix"]
    clients = sorted(int(c) for c in m["floor"])
    cmax = str(max(clients))
    c1 = str(min(clients))

    A("## The extension's own tables (schema paperclip)\n")
    A("Datasets: " + "; ".join(f"`{d['db']}` {d['issues']:,} issues ({d['size']}, built in {d['build_s']} s)"
                                for d in S["datasets"]) + ".\n")
    eq = S["equivalence"]
    A(f"PL/pgSQL vs paperclip_locks on {eq['scenarios']} rule scenarios (bench/sql/equivalence.sql): "
      f"{'identical outcomes' if eq['same'] else 'DIFFERENT outcomes — see equivalence_*.out'}.\n")

    # ---- matrix
    A("### Checkout → update(title) → release cycle\n")
    A(f"pgbench -M prepared, {S['args']['duration']} s per point, TCP loopback; one transaction = one whole cycle "
      "(for the application's way: 42 statements in ~15 short transactions). "
      "p50/p99 from the per-transaction logs (`--log`). `other CPU` = share of the machine's 2 cores used by "
      "processes other than this cluster and pgbench during the point: other tenants of this shared VM, but also the "
      "kernel threads doing this cluster's disk and loopback-network work, so 3-10 % is its floor here; a point well "
      f"above that was disturbed. Each point is {S['args']['rounds']} slices interleaved with the other variants' slices "
      "(`tps_slices` in summary.json).\n")
    A("| variant | clients | tps | mean ms | p50 ms | p99 ms | failed | other CPU |")
    A("|---|---:|---:|---:|---:|---:|---:|---:|")
    for v in VARIANTS:
        for c in clients:
            p = m[v][str(c)]
            A(f"| {LABELS[v]} | {c} | {f(p['tps'])} | {ms(p['mean_ms'])} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | "
              f"{p['failed']}{' ABORTED' if p['aborted'] else ''} | {p['cpu']['foreign_pct']} % |")
    A("")
    A("#### Ratios (same run)\n")
    A("| clients | paperclip / app (tps) | paperclip / PL/pgSQL (tps) | paperclip / floor (tps) | "
      "paperclip cost vs floor (mean latency) | p99 paperclip / floor |")
    A("|---:|---:|---:|---:|---:|---:|")
    for c in clients:
        pc, ap, pl, fl = (m[v][str(c)] for v in ("paperclip", "app", "plpgsql", "floor"))
        A(f"| {c} | {f(ratio(pc['tps'], ap['tps']), 2)}× | {f(ratio(pc['tps'], pl['tps']), 2)}× | "
          f"{f(ratio(pc['tps'], fl['tps']), 2)}× | {f(ratio(pc['mean_ms'], fl['mean_ms']), 2)}× | "
          f"{f(ratio(pc['p99_ms'], fl['p99_ms']), 2)}× |")
    A("")
    A("#### Per operation (pgbench -r statement latencies, ms)\n")
    A("`checkout` for paperclip_locks and PL/pgSQL is `set_actor_agent` + `checkout`; for the application's way each "
      "operation is the sum of its route's statements.\n")
    A("| clients | operation | floor | app | PL/pgSQL | paperclip_locks | paperclip / floor | paperclip / PL/pgSQL |")
    A("|---:|---|---:|---:|---:|---:|---:|---:|")
    per_op = {}
    for c in clients:
        o = {v: op_ms(m[v][str(c)], v) for v in VARIANTS}
        for v in ("paperclip", "plpgsql"):
            if "set_actor" in o[v] and "checkout" in o[v]:
                o[v]["checkout+actor"] = o[v]["checkout"] + o[v]["set_actor"]
        per_op[str(c)] = o
        for op, fop in (("checkout+actor", "checkout"), ("checkout", "checkout"), ("update", "update"),
                        ("release", "release"), ("begin+commit", "begin+commit")):
            pc = o["paperclip"].get(op)
            fl = o["floor"].get(fop)
            pl = o["plpgsql"].get(op)
            apv = o["app"].get(fop) if op not in ("begin+commit",) else None
            A(f"| {c} | {op} | {ms(fl)} | {ms(apv)} | {ms(pl)} | {ms(pc)} | {f(ratio(pc, fl), 2)}× | "
              f"{f(ratio(pc, pl), 2)}× |")
    A("")

    # ---- trigger
    A("### issues_guard overhead on a plain title UPDATE\n")
    tr = S["trigger"]
    anyp = next(iter(next(iter(tr.values())).values()))["on"]
    A(f"Same table (`paperclip.issues`), trigger enabled vs `ALTER TABLE ... DISABLE TRIGGER issues_guard`, "
      f"on/off alternated {anyp['slices']} times ({S['args']['short']} s slices, merged). Agent: `BEGIN; "
      "set_actor_agent; UPDATE; COMMIT` on its own in_progress issue held by its live run (the ownership gate "
      "passes). Operator: `bench_op` (granted paperclip_operator), no actor, one UPDATE. Statement = the UPDATE's "
      "pgbench -r latency; tps = the whole transaction.\n")
    A("| actor | clients | UPDATE ms, on | UPDATE ms, off | overhead (statement) | tps on | tps off | "
      "overhead (tps) | per-round tps overhead |")
    A("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    trig = {}
    for who, idx in (("agent", 2), ("operator", 0)):
        for c in sorted(tr[who], key=int):
            on, off = tr[who][c]["on"], tr[who][c]["off"]
            s_on, s_off = on["statements"][idx]["ms"], off["statements"][idx]["ms"]
            d = {"stmt_on": s_on, "stmt_off": s_off, "stmt_overhead": s_on / s_off - 1,
                 "tps_on": on["tps"], "tps_off": off["tps"], "tps_overhead": off["tps"] / on["tps"] - 1}
            trig.setdefault(who, {})[c] = d
            A(f"| {who} | {c} | {s_on:.3f} | {s_off:.3f} | {100 * d['stmt_overhead']:+.0f} % | {on['tps']:,.0f} | "
              f"{off['tps']:,.0f} | {100 * d['tps_overhead']:+.0f} % | "
              f"{', '.join(f'{100 * x:+.0f} %' for x in on.get('tps_overhead_per_round', []))} |")
    A("")

    # ---- sweep
    A("### Sweep of stale locks (`CALL paperclip.sweep_all_stale_locks(1000)` as bench_op)\n")
    A("The extension's own sweep: batches of 1,000 issues, a commit after each; the batches walk the issues by id "
      "(each resumes after the last issue the previous one took), so a drain reads each issue once. "
      "Audit rows: those this sweep wrote.\n")
    A("| dataset | stale before | live locks (must stay) | cleared | stale after | live after | audit rows | time | per 1,000 locks |")
    A("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for db, r in S["sweep"].items():
        per = r["ms"] / max(1, r["cleared"] or 1) * 1000 if r["ms"] else None
        A(f"| {db} | {f(r['stale_before'])} | {f(r['live_before'])} | {f(r['cleared'])} | {f(r['stale_after'])} | "
          f"{f(r['live_after'])} | {f(r['audit_rows'])} | {r['ms'] / 1000:.2f} s | {per:.0f} ms |")
    A("")

    for i, r in enumerate(S.get("sweep_repeats", [])):
        A(f"Again on `{S['datasets'][0]['db']}` after putting the {r['stale_before']:,} stale locks back "
          f"(`bench/sql/restore_stale_locks.sql`), run {i + 2}: **{r['ms'] / 1000:.2f} s**, cleared {f(r['cleared'])}, "
          f"stale after {r['stale_after']}, live locks kept {r['live_after']:,}/{r['live_before']:,}, "
          f"{f(r['audit_rows'])} audit rows.\n")

    # ---- force release
    A("### admin_force_release latency (1 client, random live-locked issue)\n")
    A("| caller | tps | mean ms | p50 ms | p99 ms | function statement ms |")
    A("|---|---:|---:|---:|---:|---:|")
    for who, idx in (("board", 2), ("operator", 0)):
        p = S["force_release"][who]
        A(f"| {who} | {f(p['tps'])} | {ms(p['mean_ms'])} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | "
          f"{ms(p['statements'][idx]['ms'] if len(p['statements']) > idx else None)} |")
    A("")

    # ---- scaling
    if S.get("scaling"):
        A("### Scaling with the number of issues\n")
        A(f"Same cycle, {S['args']['scale_duration']} s per point, the dataset sizes interleaved in one pass.\n")
        A("| issues | clients | paperclip tps | p50 ms | p99 ms | floor tps | paperclip / floor (mean latency) |")
        A("|---:|---:|---:|---:|---:|---:|---:|")
        sc = S["scaling"]
        for n in sorted(sc["paperclip"], key=int):
            for c in sorted(sc["paperclip"][n], key=int):
                p = sc["paperclip"][n][c]
                fl = sc["floor"][n][c]
                A(f"| {int(n):,} | {c} | {f(p['tps'])} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | {f(fl['tps'])} | "
                  f"{f(ratio(p['mean_ms'], fl['mean_ms']), 2)}× |")
        A("")

    # ---- targets
    A("### Targets\n")
    pc16, ap16, pl16 = m["paperclip"][cmax], m["app"][cmax], m["plpgsql"][cmax]
    r_app = ratio(pc16["tps"], ap16["tps"])
    r_pl = ratio(pc16["tps"], pl16["tps"])
    o1 = per_op[c1]
    op_ratios = {op: ratio(o1["paperclip"].get(p_op), o1["floor"].get(op))
                 for op, p_op in (("checkout", "checkout+actor"), ("update", "update"), ("release", "release"))}
    worst = max(v for v in op_ratios.values() if v)
    main_sweep = S["sweep"][S["datasets"][0]["db"]]
    targets = [
        (f"at {cmax} clients paperclip_locks ≥ 3× the application's way", f"{r_app:.2f}×", r_app >= 3),
        (f"at {cmax} clients paperclip_locks faster than PL/pgSQL", f"{r_pl:.2f}×", r_pl > 1),
        (f"per operation within 1.5× of the floor ({c1} client, -r latencies)",
         ", ".join(f"{k} {v:.2f}×" for k, v in op_ratios.items()), worst <= 1.5),
        ("trigger overhead under 10 % (UPDATE latency at 1 client; tps at the most clients)",
         f"agent {100 * trig['agent']['1']['stmt_overhead']:+.0f} % / {100 * trig['agent'][cmax]['tps_overhead']:+.0f} %, "
         f"operator {100 * trig['operator']['1']['stmt_overhead']:+.0f} % / "
         f"{100 * trig['operator'][cmax]['tps_overhead']:+.0f} %",
         all(trig[w]["1"]["stmt_overhead"] < 0.10 and trig[w][cmax]["tps_overhead"] < 0.10 for w in trig)),
        (f"sweep clears {main_sweep['stale_before']:,} stale locks among {main_sweep['live_before']:,} live ones "
         "in under 5 s",
         f"{main_sweep['ms'] / 1000:.2f} s", main_sweep["ms"] is not None and main_sweep["ms"] < 5000
         and main_sweep["stale_after"] == 0 and main_sweep["live_after"] == main_sweep["live_before"]),
    ]
    A("| target | measured | |")
    A("|---|---|---|")
    for name, val, ok in targets:
        A(f"| {name} | {val} | {met(ok)} |")
    A("")
    A("![throughput by clients, own tables](throughput.png)\n")

    S["derived"] = {"trigger": trig, "per_op": per_op, "targets": [{"target": t, "measured": v, "met": ok}
                                                                      for t, v, ok in targets]}
    chart_series(S, outdir, "throughput.png", "own tables", clients, [(v, m[v]) for v in VARIANTS])


def chart_series(S, outdir, png, what, clients, series):
    """One chart (throughput and p99 by clients) for one schema. series:
    [(name, {clients: point})]. Every client count gets its tick: the x range
    is padded so the outermost ticks are inside the plot (with an autoscaled
    log axis the last one fell on the border and was not drawn)."""
    if not shutil.which("gnuplot"):
        print("gnuplot not found (apt-get install -y gnuplot-nox): no chart", file=sys.stderr)
        return
    dat = os.path.join(outdir, png.rsplit(".", 1)[0] + ".dat")
    with open(dat, "w") as fh:
        fh.write("# clients " + " ".join(f"tps_{v} p99_{v}" for v, _ in series) + "\n")
        for c in clients:
            fh.write(f"{c} " + " ".join(
                f"{pts[str(c)]['tps']:.1f} {pts[str(c)]['p99_ms']}" if str(c) in pts else "NaN NaN"
                for _, pts in series) + "\n")
    mi = S["machine"]
    names = " ".join(v for v, _ in series)
    n = len(series)
    gp = f"""
set terminal pngcairo size 1200,500 font "sans,10" noenhanced
set output "{os.path.join(outdir, png)}"
set multiplot layout 1,2 title "{what}: checkout -> update(title) -> release, {mi['nproc']} vCPU {mi.get('cpu_model')}, PostgreSQL {S['settings'].get('server_version')}"
set logscale x 2
set xrange [{min(clients) / 1.3}:{max(clients) * 1.3}]
set xtics ({', '.join(str(c) for c in clients)})
set xlabel "clients"
set key top left
set grid
set logscale y
set ylabel "cycles per second (log)"
set title "throughput"
plot for [i=0:{n - 1}] "{dat}" using 1:(column(2+2*i)) with linespoints lw 2 pt 7 title word("{names}", i+1)
set ylabel "p99 latency, ms (log)"
set title "p99 latency"
plot for [i=0:{n - 1}] "{dat}" using 1:(column(3+2*i)) with linespoints lw 2 pt 7 title word("{names}", i+1)
unset multiplot
"""
    subprocess.run(["gnuplot"], input=gp, text=True, check=False)


if __name__ == "__main__":
    d = sys.argv[1]
    with open(os.path.join(d, "summary.json")) as fh:
        write(json.load(fh), d)
    print(os.path.join(d, "report.md"))
