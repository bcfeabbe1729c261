// Connection strings for the throwaway cluster, from libpq's environment
// (pg_virtualenv sets PGHOST, PGPORT, PGUSER, PGPASSWORD).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { harnessDir } from "./upstream.mjs";

export function connectionUrl(database, { user = process.env.PGUSER ?? "postgres", password = process.env.PGPASSWORD } = {}) {
  const host = process.env.PGHOST ?? "localhost";
  const port = process.env.PGPORT ?? "5432";
  if (host.startsWith("/")) {
    throw new Error("upstream harness: PGHOST must be a TCP host (pg_virtualenv sets localhost)");
  }
  const auth = password === undefined
    ? encodeURIComponent(user)
    : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  return `postgres://${auth}@${host}:${port}/${encodeURIComponent(database)}`;
}

// Creates upstream's schema in `database` with create-schema.sh (the same
// script other suites use).
export function createUpstreamSchema(database) {
  const script = join(harnessDir, "create-schema.sh");
  const result = spawnSync(script, [database], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) {
    throw new Error(`create-schema.sh ${database} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stderr.trim();
}
