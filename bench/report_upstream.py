"""The upstream-schema section of report.md (bench/upstream_bench.py's
results in summary.json["upstream"]) and its chart, throughput_upstream.png."""

from upstream_bench import LABELS, VARIANTS

FIXED_OPS = {
    "floor": {"checkout": [1], "update": [2], "release": [3]},
    "floor_audit": {"checkout": [1, 2], "update": [3], "release": [4, 5]},
    "strict": {"checkout": [1, 2], "update": [3], "release": [4]},
    "plpgsql": {"checkout": [1, 2], "update": [3], "release": [4]},
    "standalone": {"checkout": [1, 2], "update": [3], "release": [4]},
}


def f(x, nd=1):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}"


def ms(x):
    return "–" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def ratio(a, b):
    return None if not a or not b else a / b


def rx(x):
    return "–" if x is None else f"{x:.2f}×"


def ops(U, v, point):
    if v in ("app", "app_compat"):
        table = {r["name"].replace("patch", "update"): list(range(r["first"], r["first"] + r["count"]))
                 for r in U["app_script"]["requests"]}
    else:
        table = FIXED_OPS[v]
    st = point["statements"]
    return {op: sum(st[i]["ms"] for i in idx) for op, idx in table.items() if all(i < len(st) for i in idx)}


def write(S, outdir, A, chart_series):
    U = S["upstream"]
    m = U.get("matrix", {})
    run_v = [v for v in VARIANTS if v in m]
    clients = sorted({int(c) for v in run_v for c in m[v]})
    d = U["dataset"]
    a = U["app_script"]

    A("## Upstream Paperclip's real schema (@paperclipai/db 2026.916.1)\n")
    A(f"Dataset `up`: {d['issues']:,} issues on upstream's own tables ({U['schema_note'].split(': ', 1)[-1]}); "
      f"`issues` has {d['issues_columns']} columns and {d['issues_indexes']} indexes "
      f"({d['issues_size']} with its indexes), `heartbeat_runs` {d['runs_columns']} columns; titles average "
      f"{d['avg_title']} characters, descriptions {d['avg_description']}; database {d['size']}, built in "
      f"{d['build_s']} s (migrations, load, VACUUM, CHECKPOINT). `up_compat` and `up_strict` are copies "
      "(CREATE DATABASE ... TEMPLATE up) with the extension attached.\n")
    att = U.get("attach", {})
    for mode in ("compat", "strict"):
        x = att.get(mode, {})
        if x.get("available"):
            A(f"- `paperclip.attach('public', '{mode}')`: {x['attach_s']} s.")
        else:
            A(f"- {mode} attach: **not run**: {x.get('reason', '?')}")
    reqs = ", ".join(f"{r['name']} {r['count']}" for r in a["requests"])
    A(f"- The application's way: the statements upstream's server sent for one checkout → PATCH {{title}} → "
      f"release through its real `issueRoutes` (bench/upstream/capture.mjs), replayed on one connection: "
      f"{a['statements']} statements ({reqs}), {a['transactions']} explicit transactions; the three issue "
      "UPDATEs are checked to hit their row (`\\gset`).")
    for v, why in U.get("not_run", {}).items():
        A(f"- {LABELS[v]}: **not run**: {why}")
    A(f"- Dataset state (issues by status, locks, assignees) after the matrix: "
      f"{'unchanged, as it must be' if U.get('state_unchanged') else '**changed**: see summary.json'}.")
    A("")
    if not run_v:
        return
    A(f"pgbench -M prepared, {S['args']['duration']} s per point in {S['args']['rounds']} slices interleaved "
      "with the other variants' slices; one transaction = one whole cycle.\n")
    A("| variant | clients | tps | mean ms | p50 ms | p99 ms | failed | other CPU |")
    A("|---|---:|---:|---:|---:|---:|---:|---:|")
    for v in run_v:
        for c in clients:
            p = m[v].get(str(c))
            if not p:
                continue
            A(f"| {LABELS[v]} | {c} | {f(p['tps'])} | {ms(p['mean_ms'])} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | "
              f"{p['failed']}{' ABORTED' if p['aborted'] else ''} | {p['cpu']['foreign_pct']} % |")
    A("")

    def g(v, c, k):
        return m.get(v, {}).get(str(c), {}).get(k)

    A("#### Ratios (same run)\n")
    A("| clients | strict / app (tps) | strict / app compat (tps) | app compat / app (tps) | "
      "strict cost vs floor + audit (mean latency) | strict cost vs floor (mean latency) | p99 strict / floor | "
      "standalone / strict (tps) | strict / PL/pgSQL (tps) |")
    A("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in clients:
        A(f"| {c} | {rx(ratio(g('strict', c, 'tps'), g('app', c, 'tps')))} | "
          f"{rx(ratio(g('strict', c, 'tps'), g('app_compat', c, 'tps')))} | "
          f"{rx(ratio(g('app_compat', c, 'tps'), g('app', c, 'tps')))} | "
          f"{rx(ratio(g('strict', c, 'mean_ms'), g('floor_audit', c, 'mean_ms')))} | "
          f"{rx(ratio(g('strict', c, 'mean_ms'), g('floor', c, 'mean_ms')))} | "
          f"{rx(ratio(g('strict', c, 'p99_ms'), g('floor', c, 'p99_ms')))} | "
          f"{rx(ratio(g('standalone', c, 'tps'), g('strict', c, 'tps')))} | "
          f"{rx(ratio(g('strict', c, 'tps'), g('plpgsql', c, 'tps')))} |")
    A("")
    A("#### Per operation (pgbench -r statement latencies summed per operation, ms)\n")
    A("checkout includes `set_actor_agent` for the extension's variants; for the application's way each operation "
      "is the sum of its request's statements.\n")
    A("| clients | operation | " + " | ".join(LABELS[v] for v in run_v) + " | strict / floor + audit |")
    A("|---:|---|" + "---:|" * (len(run_v) + 1))
    U["per_op"] = {}
    for c in clients:
        o = {v: ops(U, v, m[v][str(c)]) for v in run_v if str(c) in m[v]}
        U["per_op"][str(c)] = o
        for op in ("checkout", "update", "release"):
            cells = " | ".join(ms(o.get(v, {}).get(op)) for v in run_v)
            A(f"| {c} | {op} | {cells} | "
              f"{rx(ratio(o.get('strict', {}).get(op), o.get('floor_audit', {}).get(op)))} |")
    A("")
    # ---- compat mode's trigger overhead on the server's own writes
    ct = U.get("compat_trigger") or {}
    A("#### Compat attach: trigger overhead on the server's own issue UPDATEs\n")
    if ct.get("not_run"):
        A(f"Not run: {ct['not_run']}.\n")
    elif ct.get("points"):
        A(f"The captured replay on `up_compat` with the triggers `paperclip.attach` created "
          f"({', '.join(ct['triggers'])}) enabled and disabled (`ALTER TABLE ... DISABLE TRIGGER`), "
          f"{S['args']['trigger_rounds']} on/off rounds of {S['args']['short']} s per client count, the order flipped "
          f"every round. UPDATE ms = the pgbench -r latencies of the {len(ct['issue_update_statements'])} "
          "issue UPDATEs the server sent in one cycle, summed; tps = the whole cycle.\n")
        A("| clients | issue UPDATEs ms, on | off | overhead | per round | cycle tps on | off | failed (on/off) |")
        A("|---:|---:|---:|---:|---|---:|---:|---:|")
        for c, pt in sorted(ct["points"].items(), key=lambda kv: int(kv[0])):
            ov = pt.get("update_overhead")
            A(f"| {c} | {pt['on']['update_ms']:.3f} | {pt['off']['update_ms']:.3f} | "
              f"{'–' if ov is None else f'{100 * ov:+.1f} %'} | "
              f"{', '.join(f'{100 * x:+.0f} %' for x in pt['update_overhead_rounds'])} | "
              f"{f(pt['on']['tps'])} | {f(pt['off']['tps'])} | {pt['on']['failed']}/{pt['off']['failed']} |")
        A("")

    # ---- sweep on the real schema
    sw = U.get("sweep") or {}
    A("#### Sweep on upstream's tables (`CALL paperclip.sweep_all_stale_locks(1000)` on up_strict, as bench_op)\n")
    if sw.get("not_run"):
        A(f"Not run: {sw['not_run']}.\n")
    elif sw:
        A("| stale before | live locks (must stay) | cleared | stale after | live after | audit rows | time |")
        A("|---:|---:|---:|---:|---:|---:|---:|")
        secs = "–" if sw["ms"] is None else f"{sw['ms'] / 1000:.2f} s"
        A(f"| {f(sw['stale_before'])} | {f(sw['live_before'])} | {f(sw['cleared'])} | {f(sw['stale_after'])} | "
          f"{f(sw['live_after'])} | {f(sw['audit_rows'])} | {secs} |")
        A("")

    # ---- scaling on the real schema
    sc = U.get("scaling")
    if sc:
        A("#### Scaling on upstream's schema\n")
        A(f"The floor (`up`, or a smaller build `up_N`) and strict (`up_strict`, or `up_N_strict`, a copy of `up_N` "
          "attached strict) cycles, "
          f"{S['args']['scale_duration']} s per point, the dataset sizes interleaved in one pass.\n")
        A("| issues | clients | strict tps | p50 ms | p99 ms | floor tps | strict / floor (mean latency) |")
        A("|---:|---:|---:|---:|---:|---:|---:|")
        for n in sorted(sc.get("strict", {}), key=int):
            for c in sorted(sc["strict"][n], key=int):
                p, fl = sc["strict"][n][c], sc["floor"][n][c]
                A(f"| {int(n):,} | {c} | {f(p['tps'])} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | {f(fl['tps'])} | "
                  f"{rx(ratio(p['mean_ms'], fl['mean_ms']))} |")
        A("")

    # ---- issue 16's targets, as far as this part measures them
    cmax, c1 = str(max(clients)), str(min(clients))
    o1 = U["per_op"].get(c1, {})
    op_r = {op: ratio(o1.get("strict", {}).get(op), o1.get("floor_audit", {}).get(op))
            for op in ("checkout", "update", "release")}
    worst = max((x for x in op_r.values() if x), default=None)
    t = [
        (f"at {cmax} clients strict ≥ 3× the application's way (without / with compat attach)",
         f"{rx(ratio(g('strict', cmax, 'tps'), g('app', cmax, 'tps')))} / "
         f"{rx(ratio(g('strict', cmax, 'tps'), g('app_compat', cmax, 'tps')))}",
         None if g("strict", cmax, "tps") is None else
         all((ratio(g("strict", cmax, "tps"), g(v, cmax, "tps")) or 0) >= 3 for v in ("app", "app_compat") if v in m)),
        (f"per operation at {c1} client ≤ 1.5× the floor + audit",
         ", ".join(f"{k} {rx(v)}" for k, v in op_r.items()), None if worst is None else worst <= 1.5),
        (f"p99 at {cmax} clients < 2× the floor's", rx(ratio(g("strict", cmax, "p99_ms"), g("floor", cmax, "p99_ms"))),
         None if g("strict", cmax, "p99_ms") is None else ratio(g("strict", cmax, "p99_ms"), g("floor", cmax, "p99_ms")) < 2),
        (f"at {cmax} clients strict ≥ 1.3× PL/pgSQL on this schema",
         rx(ratio(g("strict", cmax, "tps"), g("plpgsql", cmax, "tps"))),
         None if ratio(g("strict", cmax, "tps"), g("plpgsql", cmax, "tps")) is None else
         ratio(g("strict", cmax, "tps"), g("plpgsql", cmax, "tps")) >= 1.3),
    ]
    cpts = (U.get("compat_trigger") or {}).get("points") or {}
    if cpts:
        ovs = {c: p.get("update_overhead") for c, p in cpts.items()}
        t.append(("compat trigger overhead < 5 % on the server's issue UPDATEs (statement latency, on/off interleaved)",
                  ", ".join(f"{c} client{'s' if c != '1' else ''} {'–' if v is None else f'{100 * v:+.1f} %'}"
                            for c, v in sorted(ovs.items(), key=lambda kv: int(kv[0]))),
                  None if any(v is None for v in ovs.values()) else all(v < 0.05 for v in ovs.values())))
    else:
        t.append(("compat trigger overhead < 5 % on the server's issue UPDATEs", "not run", None))
    if sw and not sw.get("not_run"):
        t.append((f"sweep clears {f(sw['stale_before'])} stale locks among {f(sw['live_before'])} live ones in < 5 s",
                  "–" if sw["ms"] is None else f"{sw['ms'] / 1000:.2f} s",
                  None if sw["ms"] is None else (sw["ms"] < 5000 and sw["stale_after"] == 0
                                                 and sw["live_after"] == sw["live_before"])))
    if sc:
        lo, hi = min(sc["strict"], key=int), max(sc["strict"], key=int)
        flat = {c: ratio(sc["strict"][hi][c]["tps"], sc["strict"][lo][c]["tps"]) for c in sc["strict"][hi]
                if c in sc["strict"][lo]}
        t.append((f"flat from {int(lo):,} to {int(hi):,} issues (strict tps at {int(hi):,} / at {int(lo):,} "
                  "≥ 0.90×)",
                  ", ".join(f"{c} client{'s' if c != '1' else ''} {rx(v)}"
                            for c, v in sorted(flat.items(), key=lambda kv: int(kv[0]))),
                  None if not flat or any(v is None for v in flat.values()) else all(v >= 0.9 for v in flat.values())))
    small = S["args"]["issues"] < 1_000_000
    A("#### Targets of issue 16 (this schema)\n")
    if small:
        A(f"**Functional check at {S['args']['issues']:,} issues: no target is claimed from this run.**\n")
    A("| target | measured | |")
    A("|---|---|---|")
    for name, val, ok in t:
        verdict = "not measured" if ok is None else ("met" if ok else "not met")
        A(f"| {name} | {val} | {'(' + verdict + ')' if small else '**' + verdict + '**'} |")
    A("")
    A("![throughput by clients, upstream schema](throughput_upstream.png)\n")
    chart_series(S, outdir, "throughput_upstream.png", "upstream schema", clients, [(v, m[v]) for v in run_v])
