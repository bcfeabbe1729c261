// The differential oracle (issue 14, item 3): one generated lock state,
// written identically into upstream's tables (schema public, made by
// upstream's migrations) and into the standalone extension's tables (schema
// paperclip) of the same database; one operation, run by upstream's real
// service method (services/issues.js) on the first copy and by the
// extension's SQL function on the second; then the outcome class (HTTP
// status vs PCnnn) and the resulting rows are compared.
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { harnessDir } from "./upstream.mjs";
import { toAppError } from "./paperclip-error.mjs";

// ------------------------------------------------------------ the fixed world

const hex = (n, width = 12) => n.toString(16).padStart(width, "0");
const uid = (group, n) => `0000${group}-0000-4000-8000-${hex(n)}`;

export const ISSUE_STATUSES = ["backlog", "todo", "in_progress", "in_review", "blocked", "done", "cancelled"];
export const LIVE = ["running", "queued", "scheduled_retry"];
export const TERMINAL = ["succeeded", "failed", "cancelled", "timed_out", "interrupted"];
export const UNKNOWN = ["provisioning"];
const RUN_STATUSES = [...LIVE, ...TERMINAL, ...UNKNOWN];

export const world = {
  company: uid("0c01", 1),
  otherCompany: uid("0c01", 2),
  agents: {
    A: { id: uid("0a01", 0xa), name: "Alpha Coder", key: "alphacoder", company: "company" },
    B: { id: uid("0a01", 0xb), name: "Beta", key: "beta", company: "company" },
    X: { id: uid("0a01", 0xf), name: "Xeno", key: "xeno", company: "otherCompany" },
  },
  member: "member@oracle.test",
  runs: [], // { id, agent: "A"|"B"|"X", status }
};
{
  let n = 1;
  for (const agent of ["A", "B"]) {
    for (const status of RUN_STATUSES) {
      for (let copy = 0; copy < 2; copy++) world.runs.push({ id: uid("0e01", n++), agent, status });
    }
  }
  for (const status of ["running", "failed"]) world.runs.push({ id: uid("0e01", n++), agent: "X", status });
}
const runsOf = (agent) => world.runs.filter((r) => r.agent === agent);
export const runById = new Map(world.runs.map((r) => [r.id, r]));
export const runClass = (id) => {
  if (!id) return "none";
  const r = runById.get(id);
  if (!r) return "missing";
  return LIVE.includes(r.status) ? "live" : TERMINAL.includes(r.status) ? "terminal" : "unknown";
};

// Both copies get the same companies, agents, runs and membership.
export async function seedWorld(sql) {
  const c = { company: world.company, otherCompany: world.otherCompany };
  for (const schema of ["public", "paperclip"]) {
    const t = (name) => sql(`${schema}.${name}`);
    await sql`INSERT INTO ${t("companies")} (id, name, issue_prefix)
              VALUES (${world.company}, 'Oracle Co', ${"ORC"}), (${world.otherCompany}, 'Other Co', ${"ORX"})`;
    for (const a of Object.values(world.agents)) {
      await sql`INSERT INTO ${t("agents")} (id, company_id, name, status) VALUES (${a.id}, ${c[a.company]}, ${a.name}, 'idle')`;
    }
    for (const r of world.runs) {
      const a = world.agents[r.agent];
      await sql`INSERT INTO ${t("heartbeat_runs")} (id, company_id, agent_id, status)
                VALUES (${r.id}, ${c[a.company]}, ${a.id}, ${r.status})`;
    }
    await sql`INSERT INTO ${t("company_memberships")} (company_id, principal_type, principal_id, status, membership_role)
              VALUES (${world.company}, 'user', ${world.member}, 'active', 'member')`;
  }
}

// ------------------------------------------------------------ the generator

// mulberry32: small, fast, good enough for test-case generation.
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (items) => items[Math.floor(next() * items.length)];
  const chance = (p) => next() < p;
  const weighted = (pairs) => {
    let x = next() * pairs.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of pairs) { if ((x -= w) < 0) return v; }
    return pairs[pairs.length - 1][0];
  };
  return { next, pick, chance, weighted };
}

const OPERATIONS = [
  ["checkout", 35], ["release", 20], ["assertCheckoutOwner", 20], ["adminForceRelease", 10],
  ["clearExecutionRunIfTerminal", 7.5], ["clearCheckoutRunIfTerminal", 7.5],
];

// Case `index` of seed `seed`: the same pair always gives the same case.
export function generateCase(seed, index) {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const status = r.pick(ISSUE_STATUSES);
  // in_progress always has an assignee in a state both copies accept (§6).
  const assignee = status === "in_progress"
    ? r.weighted([["A", 70], ["B", 30]])
    : r.weighted([[null, 35], ["A", 45], ["B", 20]]);
  const pickRun = (preferred) => {
    const agent = preferred && r.chance(0.7) ? preferred : r.pick(["A", "B"]);
    return r.pick(runsOf(agent)).id;
  };
  const checkoutRun = r.chance(0.35) ? null : pickRun(assignee);
  let executionRun;
  if (checkoutRun && r.chance(0.45)) executionRun = checkoutRun;
  else executionRun = r.chance(0.4) ? null : pickRun(assignee);
  const executionAgentKey = executionRun && r.chance(0.7) ? world.agents[runById.get(executionRun).agent].key : null;
  const state = {
    status, assignee, checkoutRun, executionRun, executionAgentKey,
    executionLocked: executionRun !== null,
  };

  const op = r.weighted(OPERATIONS);
  const actorAgent = r.weighted([["A", 62], ["B", 33], ["X", 5]]);
  let actorRun;
  const runChoice = r.weighted([["own", 88], ["other", 5], ["missing", 3], ["none", 4]]);
  if (runChoice === "own") {
    const own = runsOf(actorAgent);
    const live = own.filter((x) => !TERMINAL.includes(x.status));
    actorRun = r.pick(live.length && r.chance(0.65) ? live : own).id;
  }
  else if (runChoice === "other") actorRun = r.pick(world.runs.filter((x) => x.agent !== actorAgent)).id;
  else if (runChoice === "missing") actorRun = uid("0e99", index + 1);
  else actorRun = null;
  const expected = [];
  const nExpected = 1 + Math.floor(r.next() * 3);
  while (expected.length < nExpected) {
    const s = r.weighted([["todo", 4], ["in_progress", 3], ["backlog", 2], ["blocked", 1], ["in_review", 1], ["done", 1], ["cancelled", 1]]);
    if (!expected.includes(s)) expected.push(s);
  }
  const clearAssignee = r.chance(0.5);
  return {
    seed, index, issueId: uid("0d01", index + 1), state,
    op, actorAgent, actorRun, expected, clearAssignee,
  };
}

// ------------------------------------------------------------ running a case

export async function seedIssue(sql, c) {
  const s = c.state;
  const assignee = s.assignee ? world.agents[s.assignee].id : null;
  for (const schema of ["public", "paperclip"]) {
    await sql`INSERT INTO ${sql(`${schema}.issues`)} (id, company_id, title, status, assignee_agent_id,
                checkout_run_id, execution_run_id, execution_agent_name_key, execution_locked_at)
              VALUES (${c.issueId}, ${world.company}, ${`oracle case ${c.index}`}, ${s.status}, ${assignee},
                ${s.checkoutRun}, ${s.executionRun}, ${s.executionAgentKey},
                ${s.executionLocked ? sql`now()` : null})`;
  }
}

export async function readRows(sql, issueId) {
  const read = async (schema) => {
    const rows = await sql`SELECT status, assignee_agent_id, assignee_user_id, checkout_run_id, execution_run_id,
                                  execution_agent_name_key, execution_locked_at IS NOT NULL AS execution_locked
                           FROM ${sql(`${schema}.issues`)} WHERE id = ${issueId}`;
    return rows[0] ? { ...rows[0] } : null;
  };
  return { upstream: await read("public"), extension: await read("paperclip") };
}

function outcomeOf(result, error) {
  if (error) {
    const status = typeof error.status === "number" ? error.status : toAppError(error).status;
    const sqlstate = toAppError(error).sqlstate;
    return { status, message: error.message, sqlstate };
  }
  return { status: 200, value: result };
}

// Upstream: the real service method, as its route calls it.
export async function runUpstream(svc, c) {
  const agentId = world.agents[c.actorAgent].id;
  try {
    switch (c.op) {
      case "checkout":
        await svc.checkout(c.issueId, agentId, c.expected, c.actorRun);
        return outcomeOf(null);
      case "release": {
        const row = await svc.release(c.issueId, agentId, c.actorRun);
        return row ? outcomeOf(null) : { status: 404, message: "Issue not found" };
      }
      case "assertCheckoutOwner":
        await svc.assertCheckoutOwner(c.issueId, agentId, c.actorRun);
        return outcomeOf(null);
      case "adminForceRelease": {
        const result = await svc.adminForceRelease(c.issueId, { clearAssignee: c.clearAssignee });
        return result ? outcomeOf(null) : { status: 404, message: "Issue not found" };
      }
      case "clearExecutionRunIfTerminal":
        return outcomeOf(await svc.clearExecutionRunIfTerminal(c.issueId));
      case "clearCheckoutRunIfTerminal":
        return outcomeOf(await svc.clearCheckoutRunIfTerminal(c.issueId));
      default:
        throw new Error(`unknown operation ${c.op}`);
    }
  } catch (err) {
    return outcomeOf(null, err);
  }
}

// The extension: the SQL function, in one transaction, with the actor the
// route would have (agent and run; a board member for force-release; the
// operator for the lazy clears, which upstream runs without an actor).
export async function runExtension(sql, c) {
  const agentId = world.agents[c.actorAgent].id;
  try {
    const value = await sql.begin(async (tx) => {
      switch (c.op) {
        case "checkout":
          await tx`SELECT paperclip.set_actor_agent(${agentId}, ${c.actorRun})`;
          await tx`SELECT paperclip.checkout(${c.issueId}, ${agentId}, ${c.expected}::text[], ${c.actorRun})`;
          return null;
        case "release":
          await tx`SELECT paperclip.set_actor_agent(${agentId}, ${c.actorRun})`;
          await tx`SELECT paperclip.release(${c.issueId}, ${agentId}, ${c.actorRun})`;
          return null;
        case "assertCheckoutOwner":
          await tx`SELECT paperclip.set_actor_agent(${agentId}, ${c.actorRun})`;
          await tx`SELECT paperclip.assert_checkout_owner(${c.issueId}, ${agentId}, ${c.actorRun})`;
          return null;
        case "adminForceRelease":
          await tx`SELECT paperclip.set_actor_board(${world.member})`;
          await tx`SELECT paperclip.admin_force_release(${c.issueId}, ${c.clearAssignee})`;
          return null;
        case "clearExecutionRunIfTerminal":
          return (await tx`SELECT paperclip.clear_execution_run_if_terminal(${c.issueId}) AS v`)[0].v;
        case "clearCheckoutRunIfTerminal":
          return (await tx`SELECT paperclip.clear_checkout_run_if_terminal(${c.issueId}) AS v`)[0].v;
        default:
          throw new Error(`unknown operation ${c.op}`);
      }
    });
    return outcomeOf(value);
  } catch (err) {
    return outcomeOf(null, err);
  }
}

export async function loadIssueService(db) {
  const mod = await import(pathToFileURL(join(harnessDir, "node_modules", "@paperclipai", "server", "dist", "services", "issues.js")).href);
  return mod.issueService(db);
}

// ------------------------------------------------------------ comparing

const FIELDS = ["status", "assignee_agent_id", "assignee_user_id", "checkout_run_id", "execution_run_id",
  "execution_agent_name_key", "execution_locked"];

export function compare(up, ext, rows) {
  const diffs = [];
  if (up.status !== ext.status) diffs.push({ what: "outcome", upstream: up.status, extension: ext.status });
  if (up.status === 200 && ext.status === 200 && "value" in up && up.value !== ext.value && up.value !== undefined && up.value !== null) {
    diffs.push({ what: "value", upstream: up.value, extension: ext.value });
  }
  for (const f of FIELDS) {
    if (rows.upstream?.[f] !== rows.extension?.[f]) diffs.push({ what: f, upstream: rows.upstream?.[f], extension: rows.extension?.[f] });
  }
  return diffs;
}

// A one-line description of a case, for messages and for reproducing it.
export function describeCase(c) {
  const s = c.state;
  const run = (id) => (id ? `${runById.get(id)?.agent ?? "?"}:${runById.get(id)?.status ?? "missing"}` : "-");
  return `#${c.index} seed=${c.seed} ${c.op} by ${c.actorAgent}/${run(c.actorRun)}` +
    (c.op === "checkout" ? ` expected=[${c.expected}]` : "") +
    (c.op === "adminForceRelease" ? ` clearAssignee=${c.clearAssignee}` : "") +
    ` on {${s.status}, assignee=${s.assignee ?? "-"}, ck=${run(s.checkoutRun)}, ex=${run(s.executionRun)}, nk=${s.executionAgentKey ?? "-"}}`;
}
